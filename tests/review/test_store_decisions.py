"""Review store: revisions, decisions, notes, audit log, readiness, rule health, errors."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest
from review_helpers import TEXT, flag, report

from locreview.errors import ConfigError, ReviewStoreError
from locreview.model import Script
from locreview.review import SCHEMA_VERSION, ReviewStore


def test_store_creates_wal_database_with_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "review.sqlite"
    store = ReviewStore(path)
    assert path.exists()
    assert store.schema_version == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_store_records_revision_with_hash_format_markets_glossaries(store: ReviewStore) -> None:
    data = b"INT. SQUARE - DAY\n"
    rep = report([flag(), flag("kr.takeshima", "KR", "Takeshima", "The map says Takeshima.")],
                 ["CN", "KR"], KR="2026.12.0")
    res = store.record_revision("Pilot", "Episode 1", rep, file_name="ep1.fountain",
                                actor="ed", data=data)
    rev = res.revision
    assert (rev.number, rev.project, rev.draft, rev.flags) == (1, "Pilot", "Episode 1", 2)
    assert rev.file_hash == hashlib.sha256(data).hexdigest()
    assert rev.format == "fountain"
    assert rev.markets == ["CN", "KR"]
    assert rev.glossaries == {"CN": "1.0", "KR": "2026.12.0"}
    assert rev.uploaded_by == "ed"
    flags = store.flags(rev.id)
    assert [f.market for f in flags] == ["CN", "KR"]
    assert all(f.status == "open" for f in flags)
    assert flags[0].rationale.startswith("cn.tiananmen")
    assert flags[0].sources == ["A source, 2020"]
    # The same bytes, markets and glossaries again: no duplicate revision.
    again = store.record_revision("Pilot", "Episode 1", rep, file_name="ep1.fountain",
                                  actor="ed", data=data)
    assert again.reused and again.revision.id == rev.id
    changed = store.record_revision("Pilot", "Episode 1", rep, file_name="ep1.fountain",
                                    actor="ed", data=data + b"x")
    assert changed.revision.number == 2 and not changed.reused


def test_store_keeps_script_text_and_elements(store: ReviewStore) -> None:
    from locreview.model import Element, ElementKind, LineIndex

    li = LineIndex(TEXT)
    els = [Element(0, ElementKind.SCENE_HEADING, "INT. SQUARE - DAY", li.span(0, 17), scene=1)]
    script = Script(path="x", format="fountain", text=TEXT, elements=els)
    res = store.record_revision("p", "d", report([flag()]), file_name="x.fountain", actor="ed",
                                data=b"1", script=script)
    text, elements = store.revision_text(res.revision.id)
    assert text == TEXT
    assert elements == [{"index": 0, "kind": "scene_heading", "scene": 1, "speaker": None,
                         "start": 0, "end": 17}]


def test_store_decisions_and_audit(store: ReviewStore, upload) -> None:
    res = upload([flag(), flag("cn.dog", "CN", "dog meat", "Pass the dog meat.")])
    a, b = store.flags(res.revision.id)
    d = store.decide(a.id, "accepted", reviewer="cora", note="must change")
    assert (d.status, d.reviewer, d.note, d.carried_over) == ("accepted", "cora", "must change", False)
    assert store.flag(a.id).status == "accepted"
    store.decide(b.id, "needs_discussion", reviewer="cora")
    with pytest.raises(ConfigError, match="reason"):
        store.decide(b.id, "dismissed", reviewer="cora", note="   ")
    assert store.flag(b.id).status == "needs_discussion"  # the refused write changed nothing
    d2 = store.decide(b.id, "dismissed", reviewer="dan", note="it is a cooking show")
    assert d2.reason == "it is a cooking show"
    with pytest.raises(ConfigError, match="unknown decision"):
        store.decide(a.id, "maybe", reviewer="cora")
    with pytest.raises(ReviewStoreError, match="no flag"):
        store.decide(999, "accepted", reviewer="cora")
    note = store.add_note(a.id, "Legal agrees.", author="lee")
    assert [n.text for n in store.notes(a.id)] == ["Legal agrees."] and note.author == "lee"

    log = store.audit(flag_id=b.id)
    assert [e.action for e in log] == ["decision.set", "decision.set"]
    assert log[0].detail["before"] is None
    assert log[1].detail["before"]["status"] == "needs_discussion"
    assert log[1].detail["after"] == {**log[1].detail["after"], "status": "dismissed",
                                      "reviewer": "dan"}
    everything = [e.action for e in store.audit(project="p")]
    assert everything[:2] == ["project.created", "revision.recorded"]
    assert everything.count("decision.set") == 3 and "note.added" in everything
    store.clear_decision(a.id, reviewer="cora", note="oops")
    assert store.flag(a.id).status == "open"
    assert store.audit(flag_id=a.id)[-1].action == "decision.cleared"


def test_store_audit_log_is_append_only(store: ReviewStore, upload) -> None:
    upload([flag()])
    conn = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit SET actor = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit")


def test_store_to_flags_round_trip_with_status(store: ReviewStore, upload) -> None:
    original = flag()
    res = upload([original])
    fid = store.flags(res.revision.id)[0].id
    store.decide(fid, "dismissed", reviewer="cora", reason="fictional square")
    (back,) = store.to_flags(res.revision.id)
    assert back.status == "dismissed"
    expected = original.to_dict()
    got = back.to_dict()
    assert got.pop("status") == "dismissed"
    assert got == json.loads(json.dumps(expected))


def test_store_readiness_verdicts(store: ReviewStore, upload) -> None:
    res = upload(
        [
            flag(severity="critical"),
            flag("cn.dog", "CN", "dog meat", "Pass the dog meat.", severity="critical"),
            flag("cn.low", "CN", "June", "We met at Tiananmen in June.", severity="low"),
            flag("kr.takeshima", "KR", "Takeshima", "The map says Takeshima.", severity="high"),
        ],
        markets=["CN", "KR", "JP"],
    )
    by = {r.market: r for r in store.readiness(res.revision.id)}
    assert by["CN"].verdict == "2 critical open" and not by["CN"].ready
    assert by["KR"].verdict == "1 high open"
    assert by["JP"].verdict == "ready" and by["JP"].ready
    cn = {f.entry_id: f.id for f in store.flags(res.revision.id) if f.market == "CN"}
    store.decide(cn["cn.tiananmen"], "dismissed", reviewer="c", reason="fiction")
    store.decide(cn["cn.dog"], "needs_discussion", reviewer="c")
    by = {r.market: r for r in store.readiness(res.revision.id)}
    assert by["CN"].verdict == "1 critical open"
    assert by["CN"].counts["dismissed"]["critical"] == 1
    assert by["CN"].counts["needs_discussion"]["critical"] == 1
    store.decide(cn["cn.dog"], "accepted", reviewer="c")
    by = {r.market: r for r in store.readiness(res.revision.id)}
    assert by["CN"].verdict == "1 accepted to fix"
    store.decide(cn["cn.dog"], "dismissed", reviewer="c", reason="ok")
    by = {r.market: r for r in store.readiness(res.revision.id)}
    assert by["CN"].verdict == "ready (1 below medium open)" and by["CN"].ready


def test_store_rule_health_ranks_noisy_entries(store: ReviewStore, upload) -> None:
    for draft in ("ep1", "ep2", "ep3"):
        res = upload([flag(), flag("cn.dog", "CN", "dog meat", "Pass the dog meat.")], draft=draft)
        ids = {f.entry_id: f.id for f in store.flags(res.revision.id)}
        store.decide(ids["cn.dog"], "dismissed", reviewer="c", reason=f"cooking show {draft}")
        if draft != "ep3":
            store.decide(ids["cn.tiananmen"], "accepted", reviewer="c")
    # A re-upload carries decisions over; it must not count the same finding twice.
    upload([flag(), flag("cn.dog", "CN", "dog meat", "Pass the dog meat.")], draft="ep1")
    health = {h.entry_id: h for h in store.rule_health(project="p")}
    dog, tia = health["cn.dog"], health["cn.tiananmen"]
    assert (dog.findings, dog.dismissed, dog.dismissal_rate) == (3, 3, 1.0)
    assert dog.reasons[:1] == ["cooking show ep1"]
    assert (tia.findings, tia.accepted, tia.open, tia.dismissal_rate) == (3, 2, 1, 0.0)
    assert [h.entry_id for h in store.rule_health()] == ["cn.dog", "cn.tiananmen"]


def test_store_errors_are_review_store_errors(tmp_path: Path) -> None:
    bogus = tmp_path / "not.sqlite"
    bogus.write_bytes(b"this is not sqlite at all, just text" * 100)
    with pytest.raises(ReviewStoreError, match="not a readable"):
        ReviewStore(bogus)
    with pytest.raises(ReviewStoreError, match="file path"):
        ReviewStore(":memory:")
    newer = tmp_path / "newer.sqlite"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(ReviewStoreError, match="newer than this locreview") as info:
        ReviewStore(newer)
    assert info.value.path == str(newer)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_store_read_only_folder(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(ReviewStoreError, match="cannot open|read-only"):
            ReviewStore(ro / "review.sqlite")
    finally:
        ro.chmod(0o700)


def test_store_read_only_database_file(tmp_path: Path, upload) -> None:
    path = tmp_path / "review.sqlite"
    store = ReviewStore(path)
    store.record_revision("p", "d", report([flag()]), file_name="d", actor="ed", data=b"1")
    # Open through a read-only URI: every write must fail with a clear store error.
    ro = ReviewStore.__new__(ReviewStore)
    ro.__dict__.update(store.__dict__)
    orig = sqlite3.connect

    def readonly_connect(p, *a, **k):  # noqa: ANN001, ANN002, ANN003
        return orig(f"file:{p}?mode=ro", *a, uri=True, **k)

    import locreview.review.store as mod

    mod.sqlite3.connect = readonly_connect  # type: ignore[assignment]
    try:
        fid = ro.flags(ro.latest_revision().id)[0].id  # reads work
        with pytest.raises(ReviewStoreError, match="read-only"):
            ro.decide(fid, "accepted", reviewer="c")
    finally:
        mod.sqlite3.connect = orig  # type: ignore[assignment]
    assert store.flag(fid).status == "open"


def test_store_rejects_bad_names_and_long_notes(store: ReviewStore, upload) -> None:
    res = upload([flag()])
    fid = store.flags(res.revision.id)[0].id
    with pytest.raises(ConfigError, match="reviewer name"):
        store.decide(fid, "accepted", reviewer="  ")
    with pytest.raises(ConfigError, match="longer than"):
        store.add_note(fid, "x" * 20_000, author="c")
    with pytest.raises(ConfigError, match="draft"):
        store.record_revision("p", "", report([flag()]), file_name="f", actor="e", data=b"")


def test_store_folder_that_cannot_exist(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file, not a folder")
    with pytest.raises(ReviewStoreError, match="cannot create the folder"):
        ReviewStore(blocker / "review.sqlite")
