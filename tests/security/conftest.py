"""Fixtures of the hostile-input and security tests: a fast detector, the run recorder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
EVASION_PACK = HERE / "fixtures" / "evasion.yaml"
for _p in (HERE, HERE.parent):  # hostile_inputs, run_record
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from run_record import RunRecord  # noqa: E402

_RECORDER = RunRecord("security")


@pytest.fixture(scope="session")
def reliability() -> Iterator[RunRecord]:
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
    _RECORDER.count(report)
