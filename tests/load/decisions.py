"""Simulated reviewers deciding flags through the API, and the audit-log bookkeeping that
proves no acknowledged decision was lost or recorded twice."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACTIONS = ("accepted", "needs_discussion", "dismissed")


@dataclass
class Tally:
    """What the reviewers saw: acknowledged notes, failures, latencies."""

    acked: list[tuple[int, str, float]] = field(default_factory=list)  # flag, note, ack time
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def reviewer(c: Any, name: str, ids: list[int], offset: int, stop_at: float, tally: Tally,
             stop: threading.Event | None = None) -> None:
    """Decide flags round-robin until ``stop_at``; each decision carries a unique note."""
    k = 0
    while time.time() < stop_at and not (stop and stop.is_set()):
        fid = ids[(offset + k) % len(ids)]
        action = ACTIONS[k % len(ACTIONS)]
        note = f"{name}#{k}"
        t0 = time.perf_counter()
        try:
            _decision, _note, msg = c.predict(fid, note, api_name=f"/decide_{action}")
        except Exception as exc:  # a refused or broken request is a failure to report
            if stop and stop.is_set():
                return  # the app was killed on purpose
            with tally.lock:
                tally.failures.append(f"{name}: {type(exc).__name__}: {exc}"[:300])
            k += 1
            continue
        took = time.perf_counter() - t0
        with tally.lock:
            if msg == f"Flag #{fid}: {action.replace('_', ' ')}":
                tally.acked.append((fid, note, time.time()))
                tally.latencies.append(took)
            else:
                tally.failures.append(f"{name}: {msg}"[:300])
        k += 1


def audit_notes(db: Path) -> Counter:
    """How many times each decision note appears in the audit log (decision.set rows)."""
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT detail FROM audit WHERE action = 'decision.set'").fetchall()
    finally:
        conn.close()
    notes: Counter = Counter()
    for (detail,) in rows:
        after = json.loads(detail).get("after") or {}
        if after.get("note"):
            notes[after["note"]] += 1
    return notes


def check_db(db: Path) -> dict[str, Any]:
    """PRAGMA integrity_check, and whether every flag's decision equals its last audit line."""
    conn = sqlite3.connect(db)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        last: dict[int, str] = {}
        for flag_id, detail in conn.execute(
            "SELECT flag_id, detail FROM audit WHERE action = 'decision.set' ORDER BY id"
        ):
            last[int(flag_id)] = (json.loads(detail).get("after") or {}).get("note")
        current = {int(f): n for f, n in conn.execute("SELECT flag_id, note FROM decisions")}
    finally:
        conn.close()
    mismatched = [f for f, n in last.items() if current.get(f) != n]
    return {"integrity": integrity, "mismatched": mismatched, "decided_flags": len(current)}


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * len(s) + 0.5)) - 1)]
