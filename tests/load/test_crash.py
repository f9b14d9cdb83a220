"""kill -9 of the reviewer in the middle of a burst of decisions, then a restart: every
decision the app acknowledged is in the audit log and the decisions table, and the
database passes PRAGMA integrity_check."""

from __future__ import annotations

import threading
import time

import app_process as A
import pytest
from decisions import Tally, audit_notes, check_db, reviewer

pytestmark = pytest.mark.slow
BURSTERS = 8


# `make test` kills once; `make load` (LOCREVIEW_LOAD_SECONDS > 10) also kills later in a
# longer burst.
KILL_POINTS = [25, 80] if A.LOAD_SECONDS > 10 else [25]


@pytest.mark.parametrize("after_acks", KILL_POINTS)
def test_kill9_during_burst_loses_no_acknowledged_decision(tmp_path, reliability,
                                                           after_acks: int) -> None:
    users = {f"k{i}": ("consultant", "kill-pw") for i in range(BURSTERS)}
    users_file = A.write_users(tmp_path / "users.toml", users)
    app = A.start(tmp_path, users_file)
    try:
        clients = [A.client(app, n, "kill-pw") for n in users]
        _rev, ids = A.flag_ids(clients[0])
        tally = Tally()
        stop = threading.Event()
        threads = [threading.Thread(target=reviewer,
                                    args=(c, n, ids, i, time.time() + 120, tally, stop))
                   for i, (n, c) in enumerate(zip(users, clients, strict=True))]
        for t in threads:
            t.start()
        deadline = time.time() + 90
        while len(tally.acked) < after_acks and time.time() < deadline:
            time.sleep(0.01)
        stop.set()
        app.kill9()  # mid-burst: other requests are in flight
        killed_at = time.time()
        for t in threads:
            t.join(timeout=60)
    finally:
        app.stop()
    acked = [n for _f, n, at in tally.acked if at <= killed_at]
    assert len(acked) >= after_acks
    assert not tally.failures, tally.failures[:5]
    # Integrity first, on the file exactly as the killed process left it.
    state = check_db(app.db)
    assert state["integrity"] == "ok", state
    again = A.start(tmp_path, users_file, db=app.db, sample=False)
    try:
        notes = audit_notes(again.db)
        lost = [n for n in acked if notes[n] == 0]
        duplicated = [n for n in acked if notes[n] > 1]
        assert not lost and not duplicated, (lost, duplicated)
        state = check_db(again.db)
        assert state["integrity"] == "ok" and not state["mismatched"], state
        c = A.client(again, "k0", "kill-pw")
        _rev, ids2 = A.flag_ids(c)
        assert ids2 == ids
        assert c.predict(ids[0], "after restart", api_name="/decide_accepted")[2].startswith(
            f"Flag #{ids[0]}")
    finally:
        again.stop()
    reliability.add(kind="fault", name=f"kill -9 after {after_acks} acknowledged decisions "
                    f"({BURSTERS} reviewers bursting)", acked=len(acked),
                    recorded_unacked=sum(notes.values()) - len(acked), lost=len(lost),
                    duplicated=len(duplicated), integrity=state["integrity"],
                    outcome="restart ok, every acknowledged decision present")
