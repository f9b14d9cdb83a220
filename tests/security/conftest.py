"""Fixtures of the hostile-input and security tests: a fast detector, the run recorder."""

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
EVASION_PACK = HERE / "fixtures" / "evasion.yaml"
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


class Recorder:
    """Rows of what the run tried, written for bench/reliability_report.py."""

    def __init__(self, section: str) -> None:
        self.section = section
        self.rows: list[dict[str, Any]] = []
        self.started = time.time()

    def add(self, **row: Any) -> None:
        """Record one case (call it after the test's assertions passed)."""
        self.rows.append(row)

    def write(self, extra: dict[str, Any] | None = None) -> None:
        """Write ``tests/artifacts/reliability/<section>.json``."""
        if not self.rows:
            return
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        data = {
            "section": self.section,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(time.time() - self.started, 1),
            "tests": dict(_TESTS),
            **(extra or {}),
            "rows": self.rows,
        }
        (ARTIFACTS / f"{self.section}.json").write_text(
            json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True), encoding="utf-8"
        )


_TESTS: dict[str, int] = {}
_RECORDER = Recorder("security")


@pytest.fixture(scope="session")
def reliability() -> Iterator[Recorder]:
    """The security section's recorder (written at the end of the session)."""
    yield _RECORDER
    _RECORDER.write()


@pytest.fixture(scope="session")
def evasion_detector() -> Any:
    """A literal+context detector over the evasion fixture pack (CN)."""
    from locreview.api import build_detector

    return build_detector(["CN"], glossaries=[EVASION_PACK], detectors="literal,context")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count this folder's test outcomes, so a partial run is visible in the report."""
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        key = "xfailed" if hasattr(report, "wasxfail") else report.outcome
        _TESTS[key] = _TESTS.get(key, 0) + 1
