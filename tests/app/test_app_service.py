"""The reviewer's operations without the UI: roles, upload limits, tables, passages, export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from app_helpers import DETECTORS, HOSTILE, MARKETS

from app.auth import User
from app.service import AccessDenied, Filters, ReviewService, safe_display_name
from locreview.errors import ConfigError, InputError, InputTooLargeError
from locreview.review import ReviewStore

EDITOR, CONSULTANT, COMPLIANCE = (User("erin", "editor"), User("carla", "consultant"),
                                  User("cody", "compliance"))


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> ReviewService:
    folder = tmp_path_factory.mktemp("svc")
    return ReviewService(ReviewStore(folder / "r.sqlite"), markets=MARKETS, detectors=DETECTORS,
                         max_upload_bytes=4096, export_dir=folder / "exports")


def _draft(tmp_path: Path, text: str = HOSTILE, name: str = "markup.fountain") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _upload(service: ReviewService, tmp_path: Path, **kw):  # noqa: ANN202
    return service.upload(COMPLIANCE, _draft(tmp_path), markets=MARKETS, project="t", **kw)


def test_service_upload_scans_records_and_removes_temp_file(service, tmp_path) -> None:
    src = _draft(tmp_path)
    seen: list[str] = []
    res = service.upload(EDITOR, src, markets=MARKETS, project="t",
                         progress=lambda f, d: seen.append(d))
    assert not src.exists(), "the uploaded temp copy must be removed"
    assert res.revision.draft == "markup" and res.revision.file_name == "markup.fountain"
    assert res.flags >= 2 and seen[0].startswith("reading") and seen[-1] == "saving"
    rows = service.flag_rows(EDITOR, res.revision.id)
    entries = {r[4] for r in rows}
    assert {"kr.dokdo-takeshima-name", "kr.sea-of-japan-name"} <= entries
    assert all(r[6] == "open" for r in rows)


def test_service_upload_limits(service, tmp_path) -> None:
    with pytest.raises(InputTooLargeError, match="over the limit"):
        service.upload(COMPLIANCE, _draft(tmp_path, "A" * 5000), markets=MARKETS)
    with pytest.raises(InputError, match="unsupported file type"):
        service.upload(COMPLIANCE, _draft(tmp_path, name="evil.exe"), markets=MARKETS)
    with pytest.raises(ConfigError, match="market"):
        service.upload(COMPLIANCE, _draft(tmp_path), markets=[])
    with pytest.raises(ConfigError, match="no glossary"):
        service.upload(COMPLIANCE, _draft(tmp_path), markets=["FR"])
    with pytest.raises(AccessDenied, match="consultant role may not upload"):
        service.upload(CONSULTANT, _draft(tmp_path), markets=MARKETS)
    with pytest.raises(AccessDenied, match="sign in"):
        service.flag_rows(None, 1)
    assert not list(tmp_path.iterdir()), "refused uploads are removed too"


def test_service_safe_display_name() -> None:
    assert safe_display_name("../../etc/passwd") == "passwd"
    assert safe_display_name("C:\\x\\<b>ep1</b>.fountain") == "b.fountain"
    assert safe_display_name("..") == "upload"


def test_service_filters_sorting_and_passage(service, tmp_path) -> None:
    rid = _upload(service, tmp_path).revision.id
    kr = service.flag_rows(EDITOR, rid, Filters(market="KR"))
    assert kr and {r[1] for r in kr} == {"KR"}
    by_sev = service.flag_rows(EDITOR, rid, sort="severity")
    ranks = ["info", "low", "medium", "high", "critical"]
    assert [ranks.index(r[2]) for r in by_sev] == sorted((ranks.index(r[2]) for r in by_sev),
                                                         reverse=True)
    opts = service.filter_options(EDITOR, rid)
    assert "KR" in opts["market"] and "MINJI" in opts["speaker"] and opts["scene"][0] == "all"
    assert service.flag_rows(EDITOR, rid, Filters(speaker="MINJI"))
    fid = next(r[0] for r in kr if r[10] == "Takeshima")
    segs = service.passage(EDITOR, fid)
    text = "".join(t for t, _ in segs)
    assert ("Takeshima", "high territorial") in segs
    assert "<script>alert(1)</script>" in text and "INT. SEOUL NEWSROOM" in text
    assert "baccarat" not in text, "the passage is the flag's scene only"
    details = service.details(EDITOR, fid)
    assert "kr.dokdo-takeshima-name" in details and "Sources:" in details


def test_service_decisions_roles_and_export(service, tmp_path) -> None:
    rid = _upload(service, tmp_path).revision.id
    fid = service.flag_rows(EDITOR, rid)[0][0]
    with pytest.raises(AccessDenied):
        service.decide(EDITOR, fid, "accepted")
    with pytest.raises(ConfigError, match="reason"):
        service.decide(CONSULTANT, fid, "dismissed", "")
    text = service.decide(CONSULTANT, fid, "dismissed", "the map is a prop in a comedy")
    assert "dismissed by carla" in text and "the map is a prop" in text
    assert "Notes:" in service.add_note(CONSULTANT, fid, "checked with legal")
    with pytest.raises(AccessDenied):
        service.suppress(CONSULTANT, fid)
    assert "Suppression #" in service.suppress(COMPLIANCE, fid, expires="2099-01-01")
    assert service.suppression_rows(EDITOR)[0][8] == "active"
    assert service.summary_rows(EDITOR, rid)[0][0] in MARKETS
    head, rows = service.revision_rows(EDITOR, rid)
    assert "new" in head
    assert service.rule_health_rows(EDITOR)
    with pytest.raises(AccessDenied):
        service.export(CONSULTANT, rid, "json")
    out = service.export(COMPLIANCE, rid, "json")
    data = json.loads(out.read_text(encoding="utf-8"))
    statuses = [f.get("status") for d in data["documents"] for f in d["flags"]]
    assert "dismissed" in statuses
    for fmt in ("csv", "html"):
        body = service.export(COMPLIANCE, rid, fmt).read_text(encoding="utf-8")
        assert "dismissed" in body
        if fmt == "html":
            assert "<script>alert(1)</script>" not in body
    with pytest.raises(ConfigError):
        service.export(COMPLIANCE, rid, "exe")
