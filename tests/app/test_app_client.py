"""The running reviewer, driven through gradio_client: sign-in, roles, upload, decide, export."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from app_helpers import MARKETS, RunningApp, client
from gradio_client import handle_file

FILTERS_ALL = ["all"] * 7


def _scan(c, path: Path, draft: str = "") -> tuple:  # noqa: ANN001
    return c.predict(handle_file(str(path)), MARKETS, "client-tests", draft, api_name="/scan")


def _rows(c, rev: int) -> list[list]:  # noqa: ANN001
    summary, flags, *_ = c.predict(rev, *FILTERS_ALL, "position", api_name="/tables")
    return flags["data"]


def test_client_requires_sign_in(running_app: RunningApp) -> None:
    assert httpx.get(running_app.url + "config").status_code == 401
    with pytest.raises(ValueError, match="Could not login"):
        from gradio_client import Client

        Client(running_app.url, auth=("carla", "wrong"), analytics_enabled=False,
               download_files=False, verbose=False)
    with pytest.raises(ValueError, match="Please login"):
        client(running_app, None)


def test_client_sample_is_preloaded(running_app: RunningApp) -> None:
    c = client(running_app, "erin")
    who, revs, _ = c.predict(api_name="/whoami")
    assert who == "erin (editor)"
    if running_app.service.store.drafts("sample"):
        labels = [label for label, _ in revs["choices"]]
        assert "sample / pilot_episode / rev 1" in labels


def test_client_upload_decide_and_roles(running_app: RunningApp, hostile_draft: Path) -> None:
    editor, consultant, compliance = (client(running_app, u) for u in ("erin", "carla", "cody"))
    _, rev, msg = _scan(editor, hostile_draft, draft="client-flow")
    assert "flags" in msg, msg
    rid = rev["value"]
    rows = _rows(editor, rid)
    assert rows and {r[1] for r in rows} <= set(MARKETS)
    fid = next(r[0] for r in rows if r[10] == "Takeshima")
    _, passage, details, decision, _ = editor.predict(fid, api_name="/show")
    segs = passage["value"] if isinstance(passage, dict) else passage
    assert ["Takeshima", "high territorial"] in [[s["token"], s["class_or_confidence"]]
                                                 for s in segs]
    assert any("<script>alert(1)</script>" in s["token"] for s in segs)
    assert "kr.dokdo-takeshima-name" in details and decision.startswith("Status: open")

    # An editor cannot decide; a consultant can, and a dismissal needs a reason.
    *_, msg = editor.predict(fid, "nope", api_name="/decide_dismissed")
    assert msg.startswith("Error:") and "editor role may not decide" in msg
    *_, msg = consultant.predict(fid, "", api_name="/decide_dismissed")
    assert "needs a reason" in msg
    decision, note, msg = consultant.predict(fid, "the islets are fictional here",
                                             api_name="/decide_dismissed")
    assert "dismissed by carla" in decision and note == "" and msg == f"Flag #{fid}: dismissed"
    status = {r[0]: r[6] for r in _rows(editor, rid)}
    assert status[fid] == "dismissed"

    # A consultant cannot upload, export or suppress; compliance can.
    *_, msg = _scan(consultant, hostile_draft)
    assert "consultant role may not upload" in msg
    _, msg = consultant.predict(rid, "json", api_name="/export")
    assert "may not export" in msg
    _, msg = consultant.predict(fid, "", "", "", False, api_name="/suppress")
    assert "may not suppress" in msg
    out, msg = compliance.predict(rid, "json", api_name="/export")
    assert msg.startswith("Exported")
    exported = Path(out["path"] if isinstance(out, dict) else out)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert any(f.get("status") == "dismissed" for d in data["documents"] for f in d["flags"])
    decision, msg = compliance.predict(fid, "", "", "2099-12-31", False, api_name="/suppress")
    assert msg.startswith("Suppression #")

    # The same draft again: the dismissal carries over and is visible as such.
    changed = hostile_draft.parent / "markup_test_v2.fountain"
    changed.write_text(hostile_draft.read_text(encoding="utf-8") + "\nNEW LINE\n",
                       encoding="utf-8")
    _, rev2, msg = _scan(compliance, changed, draft="client-flow")
    assert "1 decisions carried over" in msg or "carried over" in msg
    rid2 = rev2["value"]
    assert rid2 != rid
    fid2 = next(r[0] for r in _rows(editor, rid2) if r[10] == "Takeshima")
    *_, decision, _ = editor.predict(fid2, api_name="/show")
    assert "carried over" in decision and "dismissed" in decision
    summary, _, head, rev_table, _ = editor.predict(rid2, *FILTERS_ALL, "position",
                                                    api_name="/tables")
    assert "carried over" in head and any(r[0] == "carried over" for r in rev_table["data"])
    assert {r[0] for r in summary["data"]} <= set(MARKETS)
    health, _ = editor.predict(api_name="/rule_health")
    assert any(r[0] == "kr.dokdo-takeshima-name" for r in health["data"])
    sups, _ = editor.predict(api_name="/suppressions")
    assert sups["data"][0][2] == "kr.dokdo-takeshima-name"
