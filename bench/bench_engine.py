"""Catalog engines: throughput of the local and the Dask engine on the same generated catalog.

    .venv/bin/python bench/bench_engine.py                 # 24 episodes, full pipeline
    .venv/bin/python bench/bench_engine.py --docs 8 --detectors literal,context --smoke

It generates a catalog of TV episodes (Fountain scripts and SRT subtitles of a ~45-minute
episode, with glossary terms of the shipped packs planted in ~1 line in 12), then measures:

1. the local engine (one process): detector load, per-document cost, documents/s;
2. the Dask engine on a LocalCluster of ``--workers`` processes on 127.0.0.1: start-up
   (cluster + one Detector per worker), documents/s, speed-up over local;
3. a resumed rerun from a results store (everything reused: the cost of hashing);

checks that both engines give identical documents, writes ``bench/results_engine.json``
and prints an estimate, from these per-document costs, for a 10,000-episode catalog on a
10-node cluster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from locreview.engine import run_catalog  # noqa: E402

MARKETS = ["CN", "KR", "JP", "TH"]

NAMES = ["CLAIRE", "DAVID", "MIN-JI", "JUN-HO", "WEI", "HARUTO", "SOMCHAI", "ROSA"]
SUBJECTS = ["The producer", "Her brother", "A courier", "The old captain", "Our editor",
            "The night nurse", "A stranger", "The mayor's aide", "Nobody", "The driver"]
VERBS = ["drops", "finds", "hides", "reads", "counts", "signs", "burns", "photographs",
         "returns", "forgets"]
OBJECTS = ["the contract", "a map", "{n} envelopes", "the storyboard", "a ferry ticket",
           "{n} photographs", "the ledger", "a cassette", "the press badge", "{n} keys"]
TAILS = ["before anyone notices.", "and walks out.", "while the rain gets worse.",
         "without a word.", "for the {n}th time.", "as the lights go out.",
         "and laughs.", "near the harbour.", "under the table.", "in the lift."]
OTHER = ["오늘 회의는 {n}시에 시작해요.", "明日は{n}時に会いましょう。", "我们{n}点在码头见。",
         "พรุ่งนี้เจอกันตอน {n} โมง", "他說要等{n}分鐘。"]


def _sentence(rng: random.Random, terms: list[str]) -> str:
    n = rng.randint(2, 99)
    if rng.random() < 0.12:
        return f"{rng.choice(SUBJECTS)} mentions {rng.choice(terms)} {rng.choice(TAILS)}".format(n=n)
    if rng.random() < 0.2:
        return rng.choice(OTHER).format(n=n)
    return " ".join(
        [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(TAILS)]
    ).format(n=n)


def _episode_fountain(rng: random.Random, terms: list[str], scenes: int) -> str:
    out = [f"Title: Harbour Lights, Episode {rng.randint(1, 99)}", "Credit: written by", "", ""]
    for s in range(1, scenes + 1):
        out += [f"INT. LOCATION {s} - {rng.choice(['DAY', 'NIGHT'])}", "", _sentence(rng, terms), ""]
        for _ in range(rng.randint(6, 10)):
            out += [rng.choice(NAMES), _sentence(rng, terms), ""]
    return "\n".join(out)


def _episode_srt(rng: random.Random, terms: list[str], cues: int) -> str:
    out = []
    for i in range(1, cues + 1):
        t = i * 3
        out += [str(i), f"00:{t // 60 % 60:02d}:{t % 60:02d},000 --> 00:{t // 60 % 60:02d}:"
                f"{t % 60:02d},900", _sentence(rng, terms), ""]
    return "\n".join(out)


def make_catalog(root: Path, docs: int, packs: Path | None = None, seed: int = 7) -> list[Path]:
    """A catalog of ``docs`` episodes: 2/3 Fountain scripts (~60 scenes), 1/3 SRT (~700 cues)."""
    from locreview.glossary.loader import load_glossaries

    glossary = load_glossaries([packs] if packs else None, markets=MARKETS)
    terms = sorted({t for e in glossary.entries for t in e.entry.terms.get("en", [])})
    rng = random.Random(seed)
    paths = []
    for i in range(docs):
        season = root / f"season{i % 4 + 1}"
        season.mkdir(parents=True, exist_ok=True)
        if i % 3 == 2:
            p = season / f"ep{i:04d}.en.srt"
            p.write_text(_episode_srt(rng, terms, 700), encoding="utf-8")
        else:
            p = season / f"ep{i:04d}.fountain"
            p.write_text(_episode_fountain(rng, terms, 60), encoding="utf-8")
        paths.append(p)
    return paths


def _docs(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [json.dumps(d.to_dict(), sort_keys=True) for d in report.documents]


def estimate(per_doc_s: float, startup_s: float, hash_s_per_doc: float, efficiency: float,
             *, docs: int = 10_000, nodes: int = 10, workers_per_node: int = 8) -> dict:
    """Wall-clock estimate for ``docs`` documents on ``nodes`` x ``workers_per_node`` workers."""
    workers = nodes * workers_per_node
    scan = docs * per_doc_s / (workers * efficiency)
    total = startup_s + docs * hash_s_per_doc + scan
    return {
        "documents": docs, "nodes": nodes, "workers_per_node": workers_per_node,
        "workers": workers, "per_document_s": per_doc_s, "efficiency": efficiency,
        "startup_s": startup_s, "client_hashing_s": docs * hash_s_per_doc,
        "scan_s": scan, "total_s": total, "total_min": total / 60,
        "one_core_h": docs * per_doc_s / 3600,
    }


def main() -> int:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=24)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--detectors", default=None, help="default: the full pipeline")
    ap.add_argument("--smoke", action="store_true", help="small and quick (CI)")
    ap.add_argument("--output", default=str(ROOT / "bench" / "results_engine.json"))
    a = ap.parse_args()
    if a.smoke:
        a.docs = min(a.docs, 6)
    with tempfile.TemporaryDirectory(prefix="locreview-bench-") as tmp:
        # A snapshot of the shipped packs: workers must load exactly what the client hashed.
        from locreview.glossary.loader import default_glossary_dir

        packs = Path(tmp) / "glossaries"
        shutil.copytree(default_glossary_dir(), packs)
        opts = {"detectors": a.detectors, "glossaries": [packs]}
        root = Path(tmp) / "catalog"
        paths = make_catalog(root, a.docs, packs)
        size = sum(p.stat().st_size for p in paths)
        print(f"catalog: {a.docs} episodes, {size / 1e6:.1f} MB, markets {','.join(MARKETS)},"
              f" detectors {a.detectors or 'all (literal,context,semantic)'}")

        # The semantic stage caches vectors on disk: the glossary index once per glossary
        # version (primed here, as any installation has it after its first scan), and every
        # element it embeds. Each engine gets its own copy of the primed cache, so neither
        # reuses the other's element vectors.
        prime = Path(tmp) / "cache-prime"
        os.environ["LOCREVIEW_CACHE_DIR"] = str(prime)
        t0 = time.perf_counter()
        if "semantic" in (a.detectors or "semantic"):
            primer = run_catalog([], MARKETS, engine="local", **opts)
            del primer
        prime.mkdir(exist_ok=True)
        print(f"primed the glossary index cache in {time.perf_counter() - t0:.1f} s")

        os.environ["LOCREVIEW_CACHE_DIR"] = str(shutil.copytree(prime, Path(tmp) / "cache-l"))
        t0 = time.perf_counter()
        local = run_catalog(str(root), MARKETS, engine="local", **opts)
        local_wall = time.perf_counter() - t0
        load = local.report.timings["load"]
        per_doc = [d.seconds for d in local.report.documents]
        local_rate = local.scanned / local.seconds
        print(f"local : load {load:6.1f} s, scan {local.seconds:6.1f} s, "
              f"{local_rate:6.2f} docs/s, per document mean {statistics.mean(per_doc):.3f} s "
              f"(median {statistics.median(per_doc):.3f} s), wall {local_wall:.1f} s")

        os.environ["LOCREVIEW_CACHE_DIR"] = str(shutil.copytree(prime, Path(tmp) / "cache-d"))
        store = Path(tmp) / "results"
        t0 = time.perf_counter()
        dask = run_catalog(str(root), MARKETS, engine="dask", workers=a.workers,
                           results=store, **opts)
        dask_wall = time.perf_counter() - t0
        startup = float(dask.info["startup_seconds"])
        dask_scan = float(dask.info["tasks_seconds"])
        dask_rate = dask.scanned / dask_scan
        speedup = dask_rate / local_rate
        print(f"dask  : {dask.info['workers']} workers, start-up {startup:6.1f} s (cluster + one "
              f"Detector per worker), scan {dask_scan:6.1f} s, {dask_rate:6.2f} docs/s, "
              f"speed-up x{speedup:.2f} (end to end x{local_wall / dask_wall:.2f})")
        identical = _docs(local.report) == _docs(dask.report)
        print(f"identical documents (local vs dask): {identical}")

        t0 = time.perf_counter()
        again = run_catalog(str(root), MARKETS, engine="dask", workers=a.workers,
                            results=store, **opts)
        resume_wall = time.perf_counter() - t0
        hash_per_doc = (resume_wall - again.report.timings["load"]) / max(1, again.reused)
        print(f"resume: {again.reused}/{a.docs} reused, {again.scanned} scanned, "
              f"{resume_wall:.2f} s ({hash_per_doc * 1000:.2f} ms per reused document)")

    cpus = os.cpu_count() or 1
    efficiency = min(1.0, speedup / min(a.workers, cpus))
    mean_doc = statistics.mean(per_doc)
    est = estimate(mean_doc, startup, hash_per_doc, efficiency)
    ideal = estimate(mean_doc, startup, hash_per_doc, 0.9)
    print(
        f"\nestimate: 10,000 episodes = {est['one_core_h']:.1f} core-hours at {mean_doc:.3f} s"
        f" each. On 10 nodes x 8 workers (80 workers): start-up {startup:.0f} s + client hashing"
        f" {est['client_hashing_s']:.0f} s + scan; at the {efficiency:.0%} parallel efficiency"
        f" measured here: about {est['total_min']:.0f} min; at 90% (dedicated cores): about"
        f" {ideal['total_min']:.0f} min"
    )
    result = {
        "machine": {"cpus": cpus, "python": platform.python_version(),
                    "load_avg": os.getloadavg()},
        "catalog": {"documents": a.docs, "bytes": size, "markets": MARKETS,
                    "detectors": a.detectors or "literal,context,semantic"},
        "local": {"load_s": load, "scan_s": local.seconds, "docs_per_s": local_rate,
                  "per_document_mean_s": mean_doc,
                  "per_document_median_s": statistics.median(per_doc), "wall_s": local_wall},
        "dask": {"workers": dask.info["workers"], "startup_s": startup, "scan_s": dask_scan,
                 "docs_per_s": dask_rate, "speedup": speedup,
                 "speedup_end_to_end": local_wall / dask_wall, "wall_s": dask_wall},
        "resume": {"reused": again.reused, "wall_s": resume_wall, "per_document_s": hash_per_doc},
        "identical": identical,
        "estimate_10k_10_nodes": est,
        "estimate_10k_10_nodes_90pct": ideal,
    }
    if not a.smoke:
        Path(a.output).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {a.output}")
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
