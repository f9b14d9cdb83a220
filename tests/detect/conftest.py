"""Fixtures for the detection tests: never touch the network or the user's cache."""

from __future__ import annotations

import os

import pytest

# transformers reads these when it is first imported, which may happen during collection.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _offline_and_private_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """Keep every test offline and its embedding cache out of ~/.cache."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("LOCREVIEW_CACHE_DIR", str(tmp_path_factory.mktemp("locreview-cache")))
