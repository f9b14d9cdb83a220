"""The local catalog engine: same report as api.scan, resumable stores, failing documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from engine_helpers import GLOSSARIES, MARKETS, documents_json

import locreview
from locreview.engine import (
    CatalogProgress,
    open_store,
    run_catalog,
    scan_catalog,
)
from locreview.errors import ConfigError


def test_engine_local_report_identical_to_api_scan(catalog: Path, detector) -> None:
    ref = locreview.scan(str(catalog), MARKETS, detector=detector)
    got = scan_catalog(str(catalog), MARKETS, detector=detector)
    # Same documents in the same order, not just the same set.
    assert [json.dumps(d.to_dict()) for d in got.documents] == [
        json.dumps(d.to_dict()) for d in ref.documents
    ]
    assert len(got.documents) == 50
    assert got.flags and len(got.flags) == len(ref.flags)
    assert (got.markets, got.glossaries, got.detectors) == (ref.markets, ref.glossaries, ref.detectors)
    assert got.summary() == ref.summary()


def test_engine_local_builds_detector_from_options(catalog: Path, scan_opts: dict) -> None:
    ref = locreview.scan(str(catalog), MARKETS, **scan_opts)
    got = scan_catalog(str(catalog), MARKETS, **scan_opts)
    assert documents_json(got) == documents_json(ref)
    assert got.glossaries == ref.glossaries
    assert set(got.glossaries) == set(MARKETS)


def test_engine_local_failing_documents_reported_catalog_completes(catalog: Path, detector) -> None:
    res = run_catalog(str(catalog), MARKETS, detector=detector)
    errors = {Path(d.path).name: d.error for d in res.report.errors}
    assert set(errors) == {"empty.srt", "garbage.txt"}
    assert "empty" in errors["empty.srt"] and "binary" in errors["garbage.txt"]
    assert res.failed == 2 and res.scanned == 50 and res.reused == 0
    assert sum(1 for d in res.report.documents if d.error is None) == 48


@pytest.mark.parametrize("store_name", ["results.sqlite", "results-dir"])
def test_engine_local_resume_scans_only_missing(
    catalog: Path, detector, tmp_path: Path, raise_after, store_name: str
) -> None:
    store_path = tmp_path / store_name
    stop = raise_after(20)
    with pytest.raises(stop.Interrupted):
        run_catalog(str(catalog), MARKETS, detector=detector, results=store_path, progress=stop)
    store = open_store(store_path)
    assert store is not None
    # 20 documents were finished before the interruption; the 2 broken ones are not stored.
    stored_before = len(store)
    store.close()
    assert 18 <= stored_before <= 20

    calls: list[tuple[int, int, str]] = []
    res = run_catalog(str(catalog), MARKETS, detector=detector, results=store_path,
                      progress=lambda d, t, n: calls.append((d, t, n)))
    assert res.reused == stored_before
    assert res.scanned == 50 - stored_before
    assert calls[0] == (stored_before, 50, "")  # the first call reports what was reused
    assert calls[-1][0] == 50 and len(calls) == 1 + res.scanned
    ref = locreview.scan(str(catalog), MARKETS, detector=detector)
    assert [d.to_dict() for d in res.report.documents] == [d.to_dict() for d in ref.documents]

    # A third run reuses every readable document and only retries the two broken ones.
    again = run_catalog(str(catalog), MARKETS, detector=detector, results=store_path)
    assert (again.reused, again.scanned, again.failed) == (48, 2, 2)
    assert [d.to_dict() for d in again.report.documents] == [d.to_dict() for d in ref.documents]


def test_engine_local_moved_draft_reuses_result_under_new_path(
    catalog: Path, detector, tmp_path: Path
) -> None:
    store = tmp_path / "r.sqlite"
    run_catalog(str(catalog), MARKETS, detector=detector, results=store)
    moved = tmp_path / "moved"
    shutil.copytree(catalog, moved)
    res = run_catalog(str(moved), MARKETS, detector=detector, results=store)
    assert res.reused == 48
    assert all(d.path.startswith(str(moved)) for d in res.report.documents)
    ref = locreview.scan(str(moved), MARKETS, detector=detector)
    assert [d.to_dict() for d in res.report.documents] == [d.to_dict() for d in ref.documents]


def test_engine_local_edited_draft_is_rescanned(catalog: Path, detector, tmp_path: Path) -> None:
    store = tmp_path / "r"
    run_catalog(str(catalog), MARKETS, detector=detector, results=store)
    target = next(catalog.rglob("ep000.fountain"))
    target.write_text(target.read_text(encoding="utf-8") + "\n\nTakeshima again.\n", encoding="utf-8")
    res = run_catalog(str(catalog), MARKETS, detector=detector, results=store)
    assert (res.reused, res.scanned) == (47, 3)
    doc = next(d for d in res.report.documents if d.path == str(target))
    assert any(f.text == "Takeshima" and f.line > 1 for f in doc.flags)


def test_engine_local_glossary_change_invalidates_results(
    catalog: Path, tmp_path: Path, scan_opts: dict
) -> None:
    gl = tmp_path / "gl"
    shutil.copytree(GLOSSARIES, gl)
    opts = {**scan_opts, "glossaries": [gl]}
    store = tmp_path / "r.sqlite"
    first = run_catalog(str(catalog), MARKETS, results=store, **opts)
    assert first.reused == 0
    assert run_catalog(str(catalog), MARKETS, results=store, **opts).reused == 48
    # Same version string, edited content: stored results must not be reused.
    kr = gl / "KR.yaml"
    kr.write_text(kr.read_text(encoding="utf-8").replace("Sea of Japan", "Sea of Nippon"),
                  encoding="utf-8")
    res = run_catalog(str(catalog), MARKETS, results=store, **opts)
    assert res.reused == 0 and res.scanned == 50
    assert not any(f.text == "Sea of Japan" for f in res.report.flags)


def test_engine_local_detector_options_are_part_of_the_key(catalog: Path, tmp_path: Path,
                                                           scan_opts: dict) -> None:
    store = tmp_path / "r.sqlite"
    run_catalog(str(catalog), MARKETS, results=store, **scan_opts)
    high = run_catalog(str(catalog), MARKETS, results=store, min_severity="high", **scan_opts)
    assert high.reused == 0
    assert high.report.flags and all(f.severity.rank >= 3 for f in high.report.flags)


def test_engine_local_explicit_file_list_and_missing_file(catalog: Path, detector) -> None:
    files = sorted(str(p) for p in catalog.rglob("*.fountain"))[:3]
    missing = str(catalog / "nope.fountain")
    report = scan_catalog([*files, missing], MARKETS, detector=detector)
    assert [d.path for d in report.documents] == [*files, missing]
    assert "no such file" in (report.documents[-1].error or "")
    ref = locreview.scan([*files, missing], MARKETS, detector=detector)
    assert [d.to_dict() for d in report.documents] == [d.to_dict() for d in ref.documents]


def test_engine_local_bad_options_raise_config_error(catalog: Path, scan_opts: dict,
                                                     tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown engine"):
        run_catalog(str(catalog), MARKETS, engine="ray", **scan_opts)
    with pytest.raises(ConfigError, match="needs --engine dask"):
        run_catalog(str(catalog), MARKETS, scheduler="tcp://127.0.0.1:1", **scan_opts)
    with pytest.raises(ConfigError, match="unknown detector"):
        run_catalog(str(catalog), MARKETS, glossaries=[GLOSSARIES], detectors="literal,magic")
    with pytest.raises(ConfigError, match="market"):
        run_catalog(str(catalog), ["XX"], **scan_opts)
    (tmp_path / "plainfile").write_text("x")
    with pytest.raises(ConfigError, match="results store"):
        run_catalog(str(catalog), MARKETS, results=tmp_path / "plainfile", **scan_opts)


def test_engine_local_progress_reports_throughput_and_eta(catalog: Path, detector) -> None:
    prog = CatalogProgress(mode="off")
    seen: list[tuple[int, int]] = []

    def cb(done: int, total: int, name: str) -> None:
        prog(done, total, name)
        seen.append((done, total))

    res = run_catalog(str(catalog), MARKETS, detector=detector, progress=cb)
    assert seen[0] == (0, 50) and seen[-1] == (50, 50)
    assert [d for d, _ in seen] == list(range(51))
    snap = prog.snapshot()
    assert snap.done == snap.total == 50 and snap.eta == 0.0 and snap.rate > 0
    assert res.throughput > 0
