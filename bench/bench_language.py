"""Benchmark language identification on short screenplay lines.

Runs ``locreview.detect.language`` with each backend (script evidence + statistical model)
and, as baselines, the bare statistical detectors on the same lines. Prints accuracy
(overall, per language, and on the base language with zh-Hans/zh-Hant folded to zh), the
abstention rate (``und`` on a line that has a language) and µs per line; writes
``bench/results_language.json``.

    python bench/bench_language.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

from locreview.detect import language  # noqa: E402

DATA = HERE / "data" / "short_lines.tsv"
RESULTS = HERE / "results_language.json"


def load_lines(path: Path = DATA) -> list[tuple[str, str]]:
    """Read (gold language, text) pairs from the TSV (``#`` lines are comments)."""
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        lang, text = raw.split("\t", 1)
        rows.append((lang, text))
    return rows


def base(lang: str) -> str:
    """Fold Chinese script variants to ``zh``."""
    return "zh" if lang.startswith("zh") else lang


def _lingua_raw() -> Callable[[str], str]:
    detector = language._lingua()

    def detect(text: str) -> str:
        found = detector.detect_language_of(text)
        if found is None:
            return "und"
        code = found.iso_code_639_1.name.lower()
        return "zh-Hans" if code == "zh" else code  # lingua has one Chinese

    return detect


def _langdetect_raw() -> Callable[[str], str]:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    names = {"zh-cn": "zh-Hans", "zh-tw": "zh-Hant"}

    def run(text: str) -> str:
        try:
            code = detect(text)
        except LangDetectException:
            return "und"
        return names.get(code, code)

    return run


def _locreview(backend: str) -> Callable[[str], str]:
    def run(text: str) -> str:
        return language._detect(text, backend).lang  # uncached: time the real work

    return run


def evaluate(name: str, make: Callable[[], Callable[[str], str]], rows, repeat: int) -> dict:
    """Score one detector on the rows; returns a JSON-ready dict."""
    t0 = time.perf_counter()
    detect = make()
    detect("warm up the models")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    preds = [detect(text) for _, text in rows]
    cold_pass_s = time.perf_counter() - t0  # includes models loaded on first need
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for _, text in rows:
            detect(text)
    us_per_line = (time.perf_counter() - t0) / (repeat * len(rows)) * 1e6
    # CPU time is steadier than wall time on a machine shared with other jobs.
    cpu_us_per_line = (time.process_time() - c0) / (repeat * len(rows)) * 1e6

    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    strict = folded = abstained = wrong_on_und = 0
    real = 0
    errors = []
    for (gold, text), pred in zip(rows, preds, strict=True):
        ok = pred == gold
        per[gold][0] += ok
        per[gold][1] += 1
        strict += ok
        if gold == "und":
            wrong_on_und += pred != "und"
            continue
        real += 1
        folded += base(pred) == base(gold)
        abstained += pred == "und"
        if not ok:
            errors.append({"gold": gold, "pred": pred, "text": text})
    return {
        "detector": name,
        "lines": len(rows),
        "accuracy": round(strict / len(rows), 4),
        "accuracy_base_language": round(folded / real, 4),
        "abstained_on_real_lines": abstained,
        "guessed_on_und_lines": wrong_on_und,
        "per_language": {k: f"{v[0]}/{v[1]}" for k, v in sorted(per.items())},
        "us_per_line": round(us_per_line, 1),
        "cpu_us_per_line": round(cpu_us_per_line, 1),
        "load_s": round(load_s, 2),
        "cold_pass_s": round(cold_pass_s, 2),
        "errors": errors,
    }


RSS_PROBE = """
import sys
sys.path.insert(0, {root!r})
from bench.bench_language import load_lines
from locreview.detect import language

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

rows = load_lines()
before = rss()
for _, text in rows:
    language._detect(text, {backend!r})
print(round(rss() - before, 1))
"""


def rss_added_mib(backend: str) -> float | None:
    """Memory a backend adds once it has seen every line (measured in a fresh process)."""
    code = RSS_PROBE.format(root=str(HERE.parent), backend=backend)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return float(proc.stdout.strip()) if proc.returncode == 0 else None


def main(argv: list[str] | None = None) -> int:
    """Run every detector and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timing passes over the lines")
    args = parser.parse_args(argv)
    rows = load_lines()
    langs = sorted({g for g, _ in rows})
    detectors: list[tuple[str, Callable[[], Callable[[str], str]]]] = [
        (f"locreview[{b}]", (lambda b=b: _locreview(b))) for b in language.BACKENDS
    ] + [("lingua (bare)", _lingua_raw), ("langdetect (bare)", _langdetect_raw)]
    results = [evaluate(name, make, rows, args.repeat) for name, make in detectors]
    for r, backend in zip(results, language.BACKENDS, strict=False):
        r["rss_added_mib"] = rss_added_mib(backend)

    print(f"{len(rows)} lines, {len(langs)} labels ({', '.join(langs)})\n")
    print(
        f"{'detector':<22} {'acc':>6} {'base':>6} {'abst':>5} {'und?':>5} {'µs/line':>9} "
        f"{'cpu µs':>7}"
    )
    for r in results:
        print(
            f"{r['detector']:<22} {r['accuracy']:>6.1%} {r['accuracy_base_language']:>6.1%} "
            f"{r['abstained_on_real_lines']:>5} {r['guessed_on_und_lines']:>5} "
            f"{r['us_per_line']:>9.1f} {r['cpu_us_per_line']:>7.1f}"
        )
    print("\nper language (correct/lines):")
    print(f"{'lang':<8}" + "".join(f"{r['detector'][:18]:>20}" for r in results))
    for lang in langs:
        print(f"{lang:<8}" + "".join(f"{r['per_language'][lang]:>20}" for r in results))
    for r in results[: len(language.BACKENDS)]:
        print(f"\n{r['detector']}: +{r['rss_added_mib']} MiB RSS, cold pass {r['cold_pass_s']} s")
        print(f"errors of {r['detector']}:")
        for e in r["errors"]:
            print(f"  {e['gold']:>8} → {e['pred']:<8} {e['text']}")
    RESULTS.write_text(
        json.dumps(
            {"python": platform.python_version(), "machine": platform.machine(),
             "load_average_after": os.getloadavg(),
             "data": str(DATA.relative_to(HERE.parent)), "results": results},
            ensure_ascii=False, indent=2,
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    print(f"\nwrote {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
