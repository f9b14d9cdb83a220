"""Load and crash tests: duration from $LOCREVIEW_LOAD_SECONDS, the run recorder."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTIFACTS = REPO / "tests" / "artifacts" / "reliability"
sys.path.insert(0, str(HERE))



class Recorder:
    """Rows of what the load run did, written for bench/reliability_report.py."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.started = time.time()

    def add(self, **row: Any) -> None:
        """Record one scenario (after its assertions passed)."""
        self.rows.append(row)

    def write(self) -> None:
        """Write ``tests/artifacts/reliability/load.json``."""
        if not self.rows:
            return
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        data = {"section": "load", "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                "seconds": round(time.time() - self.started, 1), "tests": dict(_TESTS),
                "rows": self.rows}
        (ARTIFACTS / "load.json").write_text(json.dumps(data, indent=1), encoding="utf-8")


_TESTS: dict[str, int] = {}
_RECORDER = Recorder()


@pytest.fixture(scope="session")
def reliability() -> Iterator[Recorder]:
    """The load section's recorder (written when the session ends)."""
    yield _RECORDER
    _RECORDER.write()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count this folder's test outcomes, so a partial run is visible in the report."""
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        key = "xfailed" if hasattr(report, "wasxfail") else report.outcome
        _TESTS[key] = _TESTS.get(key, 0) + 1
