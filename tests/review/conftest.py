"""Fixtures for the review store tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from review_helpers import flag, report

from locreview.model import Flag, Report
from locreview.review import ReviewStore


@pytest.fixture
def store(tmp_path: Path) -> ReviewStore:
    """A fresh review store in a temporary folder."""
    return ReviewStore(tmp_path / "review.sqlite")


@pytest.fixture
def make_flag() -> Callable[..., Flag]:
    """The ``flag`` builder."""
    return flag


@pytest.fixture
def make_report() -> Callable[..., Report]:
    """The ``report`` builder."""
    return report


@pytest.fixture
def upload(store: ReviewStore) -> Callable[..., Any]:
    """Record a revision of ``draft`` in project ``p`` with the given flags."""

    counter = {"n": 0}

    def _upload(flags: list[Flag], *, draft: str = "ep1", project: str = "p",
                markets: list[str] | None = None, actor: str = "ed", **gl: str) -> Any:
        counter["n"] += 1
        return store.record_revision(
            project, draft, report(flags, markets, **gl), file_name=f"{draft}.fountain",
            actor=actor, data=f"upload {counter['n']}".encode(),
        )

    return _upload
