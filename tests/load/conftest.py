"""Load and crash tests: duration from $LOCREVIEW_LOAD_SECONDS, the run recorder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # run_record

from run_record import RunRecord  # noqa: E402

_RECORDER = RunRecord("load")


@pytest.fixture(scope="session")
def reliability() -> Iterator[RunRecord]:
    """The load section's recorder (written when the session ends)."""
    yield _RECORDER
    _RECORDER.write()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count this folder's test outcomes, so a partial run is visible in the report."""
    _RECORDER.count(report)
