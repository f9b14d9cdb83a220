"""`bench/run.py --smoke`: the whole benchmark machinery on tiny sizes, in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_smoke_runs_and_checks_equal_outputs(tmp_path: Path) -> None:
    """The smoke run exits 0, writes JSON and markdown where told, and its checks hold."""
    out, doc = tmp_path / "results.json", tmp_path / "PERFORMANCE.md"
    committed = ROOT / "bench" / "results.json"
    before = committed.read_bytes() if committed.exists() else None
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--out", str(out),
         "--doc", str(doc)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # The committed results are never touched by a smoke run.
    assert (committed.read_bytes() if committed.exists() else None) == before
    res = json.loads(out.read_text(encoding="utf-8"))
    assert res["meta"]["smoke"] is True
    assert res["correctness_failures"] == []
    lit = res["literal"]
    for name, check in lit["checks"].items():
        assert check["floor_contains_locreview"], name
        if "naive_equal" in check:
            assert check["naive_equal"] and check["compared_matches"] > 0, name
    for name, recall in lit["planted_recall"].items():
        assert recall["planted"] > 0 and recall["found"] == recall["planted"], name
    assert lit["corpus"]["files_read"] > 0 and lit["corpus"]["naive_equal"]
    assert set(res["ingest"]["formats"]) == {"fountain", "fdx", "docx", "pdf", "srt", "vtt", "text"}
    assert res["pipeline"]["median_s"]["cold"] > 0 and res["pipeline"]["peak_rss_mib"] > 0
    names = {t["target"] for t in res["targets"]}
    assert {"literal_vs_naive", "literal_vs_floor", "script_linear", "glossary_flat",
            "pipeline_overhead", "rescan_speedup", "peak_rss_gib"} <= names
    assert "PASS" in proc.stdout or "FAIL" in proc.stdout
    md = doc.read_text(encoding="utf-8")
    assert md.startswith("# locreview performance") and "| literal_vs_naive |" in md
