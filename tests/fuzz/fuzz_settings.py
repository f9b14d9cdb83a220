"""Fuzz constants shared by the fuzz tests (imported by name: conftest is not importable
reliably when several test folders each have one)."""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()
ARTIFACTS = REPO / "tests" / "artifacts" / "reliability"

#: Examples per fuzz target: small in `make test`, large in `make fuzz`.
EXAMPLES = int(os.environ.get("LOCREVIEW_FUZZ_EXAMPLES", "100"))
#: Longest one input may take (generous: a loaded 2-core CI machine).
PER_INPUT_SECONDS = 10.0
LONG = EXAMPLES > 200
