"""Shared fixtures: paths to the bundled test glossaries, the shared corpus, a CLI runner."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
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


@dataclass
class CliResult:
    """What a CLI run returned and printed."""

    returncode: int
    stdout: str
    stderr: str


def run_cli_inprocess(*args: str, cwd: Path | None = None) -> CliResult:
    """Run ``locreview ARGS`` in this process (fast: models stay loaded between tests)."""
    from locreview.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd or ROOT)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as e:  # argparse usage errors
                code = int(e.code or 0)
    finally:
        os.chdir(old)
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    """Run the locreview CLI in-process; returns returncode, stdout and stderr."""
    return run_cli_inprocess


@pytest.fixture
def cli_subprocess():
    """Run ``python -m locreview`` in a subprocess (for exit codes and stream handling)."""
    return run_cli
