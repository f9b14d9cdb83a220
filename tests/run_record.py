"""The run recorder shared by the fuzz, load and security test folders.

Each folder records what its tests tried (rows) and how its tests ended (outcome counts,
so a partial run is visible), and writes ``tests/artifacts/reliability/<section>.json``
when the session ends; ``bench/reliability_report.py`` turns those files into
docs/RELIABILITY.md. Imported by module name: the folders' conftest files put this
directory on ``sys.path``.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "reliability"


class RunRecord:
    """Rows and test outcomes of one section, written as JSON at the end of the session."""

    def __init__(self, section: str) -> None:
        self.section = section
        self.rows: list[dict[str, Any]] = []
        self.tests: dict[str, int] = {}
        self.started = time.time()

    def add(self, **row: Any) -> None:
        """Record one case (call it after the test's assertions passed)."""
        self.rows.append(row)

    def count(self, report: pytest.TestReport) -> None:
        """Count one test outcome (from a ``pytest_runtest_logreport`` hook)."""
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            key = "xfailed" if hasattr(report, "wasxfail") else report.outcome
            self.tests[key] = self.tests.get(key, 0) + 1

    def write(self, rows: list[dict[str, Any]] | None = None, **extra: Any) -> None:
        """Write ``tests/artifacts/reliability/<section>.json`` (nothing if no rows)."""
        rows = self.rows if rows is None else rows
        if not rows:
            return
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        data = {
            "section": self.section,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.time() - self.started, 1),
            "tests": dict(self.tests),
            **extra,
            "rows": rows,
        }
        (ARTIFACTS / f"{self.section}.json").write_text(
            json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )
