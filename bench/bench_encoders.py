"""Benchmark the sentence encoders: load time, speed, memory, cross-lingual sanity.

Each backend runs in its own subprocess so its memory is measured alone. Cross-lingual
sanity: 20 translation pairs of our own (EN ↔ KO/ZH/JA/TH/VI); for each foreign sentence,
is its English translation the nearest of the 20 English sentences (and the reverse)?
Also the mean cosine of translation pairs against the mean over unrelated pairs.
Writes ``bench/results_encoders.json``.

    python bench/bench_encoders.py [use-m3 e5 minilm transformers:/path ...]
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

PAIRS = HERE / "data" / "translation_pairs.tsv"
LINES = HERE / "data" / "short_lines.tsv"
RESULTS = HERE / "results_encoders.json"
DEFAULT_SPECS = ["use-m3", "e5", "minilm"]
CORE = {"ko", "zh", "ja", "th", "vi"}


def _rows(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [r.split("\t") for r in lines if r.strip() and not r.startswith("#")]


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(spec: str) -> dict:
    """Load one encoder and measure it (runs inside the child process)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import numpy as np

    from locreview.detect.encoders import get_encoder

    rss0 = _rss_mib()
    t0 = time.perf_counter()
    enc = get_encoder(spec)
    enc.encode(["warm up"])  # some backends load their weights on first use
    load_s = time.perf_counter() - t0

    pairs = _rows(PAIRS)
    langs = [p[0] for p in pairs]
    core = [i for i, lang in enumerate(langs) if lang.split("-")[0] in CORE]
    foreign = enc.encode([p[1] for p in pairs])
    english = enc.encode([p[2] for p in pairs])
    sims = foreign @ english.T
    n = len(pairs)
    hit_f2e = sims.argmax(axis=1) == np.arange(n)
    hit_e2f = sims.argmax(axis=0) == np.arange(n)
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for lang, ok in zip(langs, hit_f2e, strict=True):
        per[lang][0] += int(ok)
        per[lang][1] += 1
    diag = np.diag(sims)
    off = sims[~np.eye(n, dtype=bool)]

    lines = [r[1] for r in _rows(LINES) if r[0] != "und"]
    lines = (lines * 3)[:500]  # short dialogue lines, the pipeline's real input
    t0, c0 = time.perf_counter(), time.process_time()
    enc.encode(lines, batch_size=64)
    per_s = len(lines) / (time.perf_counter() - t0)
    # CPU time (all threads) is steadier than wall time on a machine shared with other jobs.
    per_cpu_s = len(lines) / max(time.process_time() - c0, 1e-9)
    return {
        "spec": spec,
        "name": enc.name,
        "dim": enc.dim,
        "load_s": round(load_s, 2),
        "sentences_per_s": round(per_s, 1),
        "sentences_per_cpu_s": round(per_cpu_s, 1),
        "rss_mib": round(_rss_mib(), 1),
        "rss_added_mib": round(_rss_mib() - rss0, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "nn_foreign_to_en": f"{int(hit_f2e.sum())}/{n}",
        "nn_en_to_foreign": f"{int(hit_e2f.sum())}/{n}",
        "nn_core_foreign_to_en": f"{sum(int(hit_f2e[i]) for i in core)}/{len(core)}",
        "nn_per_language": {k: f"{v[0]}/{v[1]}" for k, v in sorted(per.items())},
        "pair_cos_mean": round(float(diag.mean()), 3),
        "pair_cos_min": round(float(diag.min()), 3),
        "unrelated_cos_mean": round(float(off.mean()), 3),
        "unrelated_cos_max": round(float(off.max()), 3),
        "misses": [pairs[i][1] for i in range(n) if not hit_f2e[i]],
    }


def main(argv: list[str]) -> int:
    """Measure each spec in a fresh process and print a table."""
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(argv[1]), ensure_ascii=False))
        return 0
    specs = argv or DEFAULT_SPECS
    results = []
    for spec in specs:
        proc = subprocess.run(
            [sys.executable, __file__, "--one", spec], capture_output=True, text=True, cwd=ROOT
        )
        if proc.returncode != 0:
            print(f"{spec}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    head = f"{'encoder':<10} {'dim':>4} {'load s':>7} {'sent/s':>7} {'/cpu-s':>7} {'RSS MiB':>8} "
    print(head + f"{'core':>6} {'NN f→en':>8} {'NN en→f':>8} {'pair cos':>9} {'unrel cos':>10}")
    for r in results:
        print(
            f"{r['spec'][:10]:<10} {r['dim']:>4} {r['load_s']:>7} {r['sentences_per_s']:>7} "
            f"{r['sentences_per_cpu_s']:>7} "
            f"{r['rss_mib']:>8} {r['nn_core_foreign_to_en']:>6} {r['nn_foreign_to_en']:>8} {r['nn_en_to_foreign']:>8} "
            f"{r['pair_cos_mean']:>9} {r['unrelated_cos_mean']:>10}"
        )
        print(f"{'':<10} per language: {r['nn_per_language']}")
    RESULTS.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average_after": os.getloadavg(),  # other work skews the timings
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
