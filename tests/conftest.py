"""Shared fixtures: paths to the bundled test glossaries, the shared corpus, a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GLOSSARIES = FIXTURES / "glossaries"
SHARED = (ROOT / ".." / "shared").resolve()
CORPUS = SHARED / "corpus"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture
def glossaries() -> Path:
    """The small test glossaries (KR, CN, TH, JP)."""
    return GLOSSARIES


def run_cli(*args: str, input: str | None = None, env: dict | None = None, cwd: Path | None = None):
    """Run ``python -m locreview ARGS`` in a subprocess; return the CompletedProcess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "locreview", *args],
        capture_output=True,
        text=True,
        input=input,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=300,
    )


@pytest.fixture
def cli():
    """A function that runs the locreview CLI and returns the CompletedProcess."""
    return run_cli
