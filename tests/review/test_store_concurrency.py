"""Concurrent writers and crash safety of the review store."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from review_helpers import flag

from locreview.review import ReviewStore

REPO = Path(__file__).resolve().parents[2]

FLAGS = [flag(matched=w, context=f"ctx {i}", entry=f"cn.e{i}") for i, w in
         enumerate(["Tiananmen", "June", "dog meat", "Takeshima", "map", "ANNA"])]


def test_concurrent_threads_lose_no_write(store: ReviewStore, upload) -> None:
    rid = upload(FLAGS).revision.id
    ids = [f.id for f in store.flags(rid)]
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(15):
                fid = ids[(n + i) % len(ids)]
                store.decide(fid, ("accepted", "needs_discussion")[i % 2], reviewer=f"r{n}")
                store.add_note(fid, f"note {n}-{i}", author=f"r{n}")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    notes = sum(len(store.notes(i)) for i in ids)
    assert notes == 6 * 15
    actions = [e.action for e in store.audit(project="p", limit=10_000)]
    assert actions.count("decision.set") == 90 and actions.count("note.added") == 90


_WRITER = """
import sys
from locreview.review import ReviewStore
store = ReviewStore(sys.argv[1])
fid, who, n = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
for i in range(n):
    note = store.add_note(fid, f"{who} {i}", author=who)
    print(note.id, flush=True)  # acknowledged: the call returned
"""


def test_concurrent_processes_lose_no_write(store: ReviewStore, upload) -> None:
    rid = upload(FLAGS).revision.id
    fid = store.flags(rid)[0].id
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(store.path), str(fid), f"w{k}", "25"],
                         stdout=subprocess.PIPE, text=True, cwd=REPO)
        for k in range(3)
    ]
    acked = []
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        acked += [int(x) for x in out.split()]
    assert len(acked) == 75
    assert sorted(n.id for n in store.notes(fid)) == sorted(acked)


def test_killed_writer_loses_nothing_acknowledged(store: ReviewStore, upload) -> None:
    rid = upload(FLAGS).revision.id
    fid = store.flags(rid)[0].id
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(store.path), str(fid), "victim", "100000"],
        stdout=subprocess.PIPE, text=True, cwd=REPO,
    )
    acked: list[int] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        acked.append(int(line))
        if len(acked) >= 40:
            break
    os.kill(proc.pid, signal.SIGKILL)  # mid-write, no chance to clean up
    proc.wait(30)
    rest = proc.stdout.read().split()
    proc.stdout.close()
    acked += [int(x) for x in rest]
    stored = {n.id for n in store.notes(fid)}
    assert set(acked) <= stored
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Each stored note has its audit line: the two writes were one transaction.
    audited = {e.detail["note"] for e in store.audit(flag_id=fid, limit=100_000)
               if e.action == "note.added"}
    assert audited == stored
    # The store still takes writes after the crash.
    assert store.add_note(fid, "after the crash", author="lee").id > max(stored)
