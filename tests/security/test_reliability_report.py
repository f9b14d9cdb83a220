"""bench/reliability_report.py turns the recorded runs into docs/RELIABILITY.md tables."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from hostile_inputs import REPO


def _module():
    spec = importlib.util.spec_from_file_location("reliability_report",
                                                  REPO / "bench" / "reliability_report.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def _write(folder: Path, lost: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fuzz.json").write_text(json.dumps({
        "section": "fuzz", "finished": "2026-01-01T00:00:00+00:00", "seconds": 1.0,
        "examples": 100, "rows": [{"kind": "fuzz", "name": "random | bytes", "tried": 100,
                                   "outcome": "read 3, FormatError 97", "seconds": 0.1,
                                   "bound_s": 10}]}))
    (folder / "load.json").write_text(json.dumps({
        "section": "load", "finished": "2026-01-01T00:00:00+00:00", "seconds": 12.0,
        "rows": [{"kind": "load", "name": "20 reviewers", "reviewers": 20, "seconds": 10.0,
                  "requests": 300, "failed": 0, "p95_s": 0.4, "max_s": 0.9, "lost": lost,
                  "duplicated": 0, "integrity": "ok"}]}))


def test_report_renders_tables_and_fails_on_lost_decisions(tmp_path: Path) -> None:
    mod = _module()
    _write(tmp_path / "ok", 0)
    out = tmp_path / "R.md"
    assert mod.main(["--artifacts", str(tmp_path / "ok"), "--out", str(out)]) == 0
    text = out.read_text()
    assert "| decisions lost (must be 0) | 0 |" in text
    assert "random \\| bytes" in text  # cells are escaped
    assert "p95 0.4 s" in text and "Not run yet." in text  # security section missing
    _write(tmp_path / "bad", 2)
    assert mod.main(["--artifacts", str(tmp_path / "bad"), "--out", str(out)]) == 1
    assert mod.main(["--artifacts", str(tmp_path / "none"), "--out", str(out)]) == 2
