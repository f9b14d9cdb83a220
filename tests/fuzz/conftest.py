"""Fuzzing settings: example counts from $LOCREVIEW_FUZZ_EXAMPLES, no example database,
and the recorder whose JSON feeds docs/RELIABILITY.md."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "tests" / "security"))  # hostile_inputs
sys.path.insert(0, str(HERE.parent))  # run_record

from fuzz_settings import EXAMPLES, LONG, PER_INPUT_SECONDS  # noqa: E402
from run_record import RunRecord  # noqa: E402

settings.register_profile(
    "locreview-fuzz",
    max_examples=EXAMPLES,
    deadline=None,  # the per-input bound is asserted explicitly, with its own message
    database=None,  # never write .hypothesis/ into the checkout
    derandomize=not LONG,  # the smoke run is reproducible; `make fuzz` explores
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
    print_blob=True,
)
settings.load_profile("locreview-fuzz")


class FuzzStats:
    """Per target: inputs tried, outcomes by error type, slowest input."""

    def __init__(self) -> None:
        self.targets: dict[str, dict[str, Any]] = {}

    def add(self, target: str, outcome: str, seconds: float) -> None:
        """Count one input of ``target``."""
        t = self.targets.setdefault(target, {"tried": 0, "outcomes": Counter(), "max_s": 0.0})
        t["tried"] += 1
        t["outcomes"][outcome] += 1
        t["max_s"] = max(t["max_s"], seconds)

    def write(self) -> None:
        """Write ``tests/artifacts/reliability/fuzz.json``."""
        rows = [
            {"kind": "fuzz", "name": name, "tried": t["tried"],
             "outcome": ", ".join(f"{k} {v}" for k, v in t["outcomes"].most_common()),
             "seconds": round(t["max_s"], 3), "bound_s": PER_INPUT_SECONDS}
            for name, t in sorted(self.targets.items())
        ]
        _RECORD.write(rows, examples=EXAMPLES)


_RECORD = RunRecord("fuzz")
_STATS = FuzzStats()


@pytest.fixture(scope="session")
def fuzz_stats() -> Iterator[FuzzStats]:
    """The session's fuzz statistics (written when the session ends)."""
    yield _STATS
    _STATS.write()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count this folder's test outcomes, so a partial run is visible in the report."""
    _RECORD.count(report)
