"""Results stores and the DocumentResult JSON round trip."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from engine_helpers import MARKETS

import locreview
from locreview.engine import (
    CatalogProgress,
    DirectoryResultStore,
    SQLiteResultStore,
    document_from_dict,
    open_store,
)
from locreview.engine.progress import format_seconds
from locreview.engine.results import payload_to_document, read_result_file
from locreview.errors import ConfigError
from locreview.model import DocumentResult


def test_engine_results_document_round_trip_is_exact(catalog: Path, detector) -> None:
    report = locreview.scan(str(catalog), MARKETS, detector=detector)
    subtitle_flags = [f for f in report.flags if f.span.time_start is not None]
    assert subtitle_flags, "the catalog has subtitle drafts with flags"
    for doc in report.documents:
        raw = json.loads(json.dumps(doc.to_dict()))  # through real JSON, as the store does
        back = document_from_dict(raw)
        assert back.to_dict() == doc.to_dict()
        assert [f.sort_key() for f in back.flags] == [f.sort_key() for f in doc.flags]
        assert [f.severity for f in back.flags] == [f.severity for f in doc.flags]


def test_engine_results_from_dict_overrides_path() -> None:
    doc = DocumentResult(path="a.txt", format="text", elements=3, flags=[], encoding="utf-8",
                         languages={"en": 3})
    back = document_from_dict(doc.to_dict(), path="b/a.txt")
    assert back.path == "b/a.txt" and back.languages == {"en": 3} and back.elements == 3


@pytest.mark.parametrize("name", ["r.sqlite", "r.db", "results"])
def test_engine_results_store_put_get(tmp_path: Path, name: str) -> None:
    store = open_store(tmp_path / name)
    assert isinstance(store, SQLiteResultStore if name != "results" else DirectoryResultStore)
    doc = DocumentResult(path="x.srt", format="srt", elements=2, flags=[], seconds=0.25)
    key = "ab" * 32
    store.put(key, doc)
    store.put(key, doc)  # idempotent: a rescheduled task may write the same key again
    assert len(store) == 1
    got = store.get_many([key, "cd" * 32])
    assert list(got) == [key]
    back = payload_to_document(got[key], "y.srt")
    assert back is not None and back.path == "y.srt" and back.seconds == 0.25
    store.close()


def test_engine_results_sqlite_uses_wal(tmp_path: Path) -> None:
    SQLiteResultStore(tmp_path / "r.sqlite").close()
    mode = sqlite3.connect(tmp_path / "r.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_engine_results_directory_ignores_damaged_and_foreign_entries(tmp_path: Path) -> None:
    store = DirectoryResultStore(tmp_path / "d")
    doc = DocumentResult(path="x.txt", format="text", elements=1, flags=[])
    good, damaged, old = "aa" * 32, "bb" * 32, "cc" * 32
    store.put(good, doc)
    (tmp_path / "d" / "bb").mkdir()
    (tmp_path / "d" / "bb" / f"{damaged}.json").write_text('{"schema": 1, "docu', encoding="utf-8")
    (tmp_path / "d" / "cc").mkdir()
    (tmp_path / "d" / "cc" / f"{old}.json").write_text(json.dumps({"schema": 0}), encoding="utf-8")
    found = store.get_many([good, damaged, old])
    assert set(found) == {good, old}  # the half-written file reads as absent
    assert payload_to_document(found[old], "x.txt") is None  # an old schema is a miss
    assert payload_to_document(found[good], "x.txt") is not None
    # Atomic writes leave no temporary files behind.
    assert not list((tmp_path / "d").rglob("*.tmp"))
    assert read_result_file(tmp_path / "d" / "zz" / "none.json") is None


def test_engine_results_directory_rejects_path_like_keys(tmp_path: Path) -> None:
    store = DirectoryResultStore(tmp_path / "d")
    with pytest.raises(ValueError):
        store.get_many(["../../etc/passwd"])


def test_engine_results_store_path_errors(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(ConfigError):
        open_store(tmp_path / "f")
    (tmp_path / "dir.sqlite").mkdir()
    with pytest.raises(ConfigError):
        open_store(tmp_path / "dir.sqlite")
    assert open_store(None) is None


def test_engine_progress_lines_show_rate_and_eta() -> None:
    t = [100.0]
    lines: list[str] = []

    class Stream:
        def write(self, s: str) -> None:
            lines.append(s)

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return False

    prog = CatalogProgress(mode="lines", stream=Stream(), interval=5.0, clock=lambda: t[0])
    prog(10, 110, "")  # 10 reused from the store: the baseline
    t[0] = 110.0
    prog(30, 110, "ep.srt")  # 20 scanned in 10 s
    snap = prog.snapshot()
    assert (snap.reused, snap.rate, snap.eta) == (10, 2.0, 40.0)
    assert lines and "30/110 documents" in lines[-1] and "2.00 docs/s" in lines[-1]
    assert "ETA 40s" in lines[-1] and "10 reused" in lines[-1]
    t[0] = 160.0
    prog(110, 110, "last.srt")
    assert "110/110" in lines[-1] and "ETA 0s" in lines[-1]
    assert format_seconds(3725) == "1h02m" and format_seconds(250) == "4m10s"
