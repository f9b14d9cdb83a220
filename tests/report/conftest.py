"""Fixtures for the report-writer tests (samples are built in report_samples.py)."""

from __future__ import annotations

import pytest
from report_samples import Sample, build_hostile, build_sample


@pytest.fixture
def sample() -> Sample:
    """The multi-scene, multi-market sample."""
    return build_sample()


@pytest.fixture
def hostile() -> Sample:
    """The hostile sample."""
    return build_hostile()
