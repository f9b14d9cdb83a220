"""Twenty reviewers deciding flags at once through the reviewer's API: no failed request,
no lost or duplicated decision (each acknowledged decision is found exactly once in the
audit log), the database stays consistent; p95 latency is recorded."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import app_process as A
import pytest
from app_process import LOAD_SECONDS, REVIEWERS
from decisions import Tally, audit_notes, check_db, p95, reviewer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    """The reviewer with REVIEWERS consultants and the sample draft, as a real process."""
    folder = tmp_path_factory.mktemp("load")
    users = {f"r{i:02d}": ("consultant", "load-pw") for i in range(REVIEWERS)}
    users["boss"] = ("compliance", "boss-pw")
    proc = A.start(folder, A.write_users(folder / "users.toml", users))
    yield proc
    proc.stop()


def test_load_concurrent_reviewers(app, reliability) -> None:
    names = [f"r{i:02d}" for i in range(REVIEWERS)]
    with ThreadPoolExecutor(REVIEWERS) as pool:
        clients = list(pool.map(lambda n: A.client(app, n, "load-pw"), names))
    _rev, ids = A.flag_ids(clients[0])
    assert len(ids) >= 5
    tally = Tally()
    stop_at = time.time() + LOAD_SECONDS
    threads = [threading.Thread(target=reviewer, args=(c, n, ids, i, stop_at, tally))
               for i, (n, c) in enumerate(zip(names, clients, strict=True))]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=LOAD_SECONDS + 120)
    held = time.perf_counter() - t0
    assert not tally.failures, tally.failures[:5]
    notes = audit_notes(app.db)
    acked = [n for _f, n, _t in tally.acked]
    lost = [n for n in acked if notes[n] == 0]
    duplicated = [n for n in acked if notes[n] > 1]
    state = check_db(app.db)
    assert len(acked) >= REVIEWERS  # every reviewer got decisions through
    assert not lost and not duplicated, (lost[:5], duplicated[:5])
    assert state["integrity"] == "ok" and not state["mismatched"], state
    reliability.add(kind="load", name=f"{REVIEWERS} reviewers deciding for {LOAD_SECONDS:g}s",
                    reviewers=REVIEWERS, seconds=round(held, 1), requests=len(acked),
                    failed=len(tally.failures), p95_s=round(p95(tally.latencies), 3),
                    max_s=round(max(tally.latencies), 3), lost=len(lost),
                    duplicated=len(duplicated), integrity=state["integrity"],
                    flags=len(ids))


def test_load_final_state_survives_restart(app, tmp_path: Path, reliability) -> None:
    """Stop and restart on the same database: the decisions are all still there."""
    before = audit_notes(app.db)
    app.stop()
    folder = app.db.parent
    again = A.start(folder, folder / "users.toml", db=app.db, sample=False)
    try:
        c = A.client(again, "boss", "boss-pw")
        _rev, ids = A.flag_ids(c)
        assert ids
        assert audit_notes(again.db) == before
    finally:
        again.stop()
