"""Fixtures for the catalog engines: a generated 50-document catalog and a shared Detector."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from engine_helpers import DETECTORS, GLOSSARIES, MARKETS, make_catalog


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    """A 50-document catalog (48 drafts + an empty and a binary file)."""
    root = tmp_path / "catalog"
    make_catalog(root)
    return root


@pytest.fixture(scope="session")
def detector():  # type: ignore[no-untyped-def]
    """One Detector over the test glossaries, shared by the local-engine tests."""
    from locreview.api import build_detector

    return build_detector(MARKETS, glossaries=[GLOSSARIES], detectors=DETECTORS)


@pytest.fixture
def scan_opts() -> dict:
    """Options that make a catalog scan fast and deterministic."""
    return {"glossaries": [GLOSSARIES], "detectors": DETECTORS}


@pytest.fixture
def raise_after() -> Callable[[int], Callable[[int, int, str], None]]:
    """A progress callback factory that interrupts a scan once ``n`` documents are done."""

    class Interrupted(Exception):
        pass

    def make(n: int) -> Callable[[int, int, str], None]:
        def cb(done: int, total: int, name: str) -> None:
            if done >= n and name:
                raise Interrupted(f"stopped after {done}")

        cb.Interrupted = Interrupted  # type: ignore[attr-defined]
        return cb

    return make
