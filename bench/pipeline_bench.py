"""The whole pipeline with the semantic stage, against the bare encoder forward pass.

Runs in its own process (``run.py`` starts it) so that its peak RSS is the pipeline's own:
imports, glossaries, encoder, spaCy, language identification and one scan of the draft.

Measured, interleaved ``reps`` times:

* **bare**: ``encoder.encode`` over exactly the texts the semantic stage embeds (the
  elements of the kinds it reads, whitespace folded, distinct), in batches of 64 as the
  stage sends them;
* **cold**: ``Detector.detect`` with a fresh, empty embedding cache (the glossary's anchor
  index is built beforehand: that is a once-per-glossary cost, reported on its own);
* **warm**: ``Detector.detect`` again on the unchanged draft (the rescan: vectors come
  from the in-memory cache); **warm_disk**: the same with a new cache object over the same
  directory, as a new process would see it (vectors come from SQLite).

    python bench/pipeline_bench.py --size 1 --markets CN,KR,... --reps 2
prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

#: Where the anchor index of the shipped glossaries is kept between benchmark runs
#: (embedding ~6,000 anchor texts takes a minute on 2 cores; it is not what we measure).
ANCHOR_CACHE = ROOT / ".cache" / "locreview-bench" / "anchors"


def _fresh_cache_dir(root: Path, name: str) -> Path:
    """A new cache directory holding only the anchor matrices of ANCHOR_CACHE.

    The glossary's anchor index then loads from disk instead of being re-embedded, while
    no element vector is cached: exactly a first scan with a known glossary. If the cache
    layout changes, the anchors are simply embedded again in ``warm_up`` (untimed).
    """
    d = root / name
    src = ANCHOR_CACHE / "embeddings" / "matrices"
    if src.is_dir():
        shutil.copytree(src, d / "embeddings" / "matrices")
    d.mkdir(parents=True, exist_ok=True)
    return d


def measure(size: float, markets: list[str], reps: int, encoder_spec: str) -> dict:
    """Run the measurements in this process; return the figures."""
    t0 = time.perf_counter()
    import draftgen

    from locreview.detect.encoders import get_encoder
    from locreview.detect.pipeline import Detector
    from locreview.detect.semantic_stage import MIN_CHARS, SEMANTIC_KINDS
    from locreview.glossary.loader import load_glossaries
    from locreview.ingest import read_script
    from locreview.model import ElementKind

    import_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    glossary = load_glossaries(None, markets=markets)
    glossary_s = time.perf_counter() - t0
    entries = {le.entry.id: le.entry.all_terms() for le in glossary.entries}
    draft = draftgen.generate(size, draftgen.plantable_terms(list(entries.items())))
    source = draftgen.to_fountain(draft).encode("utf-8")

    os.environ["LOCREVIEW_CACHE_DIR"] = str(ANCHOR_CACHE)
    t0 = time.perf_counter()
    detector = Detector(glossary, markets, ("literal", "context", "semantic"), encoder=encoder_spec)
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    encoder = get_encoder(encoder_spec)
    encoder.encode(["warm up"])
    encoder_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    detector.warm_up()  # embeds the glossary's anchors (or loads them from ANCHOR_CACHE)
    index_s = time.perf_counter() - t0
    stage = detector.compiled.semantic_stage(encoder_spec)
    anchors = sum(
        len(ix.items) for ix in (getattr(stage, "pos", None), getattr(stage, "neg", None),
                                 getattr(getattr(stage, "primary", None), "pos", None),
                                 getattr(getattr(stage, "primary", None), "neg", None))
        if ix is not None
    )

    def parse():  # type: ignore[no-untyped-def]
        return read_script(source, "fountain", name="bench.fountain")

    def new_detector(cache_dir: Path):  # type: ignore[no-untyped-def]
        os.environ["LOCREVIEW_CACHE_DIR"] = str(cache_dir)
        d = Detector(glossary, markets, ("literal", "context", "semantic"), encoder=encoder_spec)
        d.warm_up()
        return d

    # Load what the first scan would load lazily (language backend, spaCy tokenizer).
    detector.detect(read_script(b"INT. ROOM - DAY\n\nA short warm-up line.\n", "fountain"))
    del detector

    script = parse()
    scanned = [
        el for el in script.elements
        if el.kind not in (ElementKind.NOTE, ElementKind.PAGE_BREAK) and el.text.strip()
    ]
    texts = [
        " ".join(el.text.split())
        for el in scanned
        if el.kind in SEMANTIC_KINDS and len(el.text.strip()) >= MIN_CHARS
    ]
    distinct = list(dict.fromkeys(t for t in texts if t.strip()))

    tmp = Path(tempfile.mkdtemp(prefix="locreview-bench-"))
    runs: dict[str, list[float]] = {"bare": [], "cold": [], "warm": [], "warm_disk": []}
    flags_n: set[int] = set()
    langs: dict[str, int] = {}
    try:
        for rep in range(reps):
            gc.collect()
            t0 = time.perf_counter()
            encoder.encode(distinct, batch_size=64)
            runs["bare"].append(time.perf_counter() - t0)

            cache_dir = _fresh_cache_dir(tmp, f"cold-{rep}")
            det = new_detector(cache_dir)
            for key in ("cold", "warm"):  # the first scan, then the rescan of the same draft
                script = parse()
                gc.collect()
                t0 = time.perf_counter()
                flags, _ = det.detect(script)
                runs[key].append(time.perf_counter() - t0)
                flags_n.add(len(flags))
            for el in script.elements:
                langs[el.lang or "?"] = langs.get(el.lang or "?", 0) + 1
            del det
            det = new_detector(cache_dir)  # a new process: empty memory, vectors on disk
            script = parse()
            gc.collect()
            t0 = time.perf_counter()
            flags, _ = det.detect(script)
            runs["warm_disk"].append(time.perf_counter() - t0)
            flags_n.add(len(flags))
            del det
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in runs.items()}
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "size": size,
        "markets": markets,
        "encoder": encoder.name,
        "elements": len(script.elements),
        "scanned_elements": len(scanned),
        "embedded_texts": len(distinct),
        "chars": sum(len(el.text) for el in script.elements),
        "anchors": anchors,
        "flags": sorted(flags_n),
        "languages": dict(sorted(langs.items())),
        "setup_s": {
            "imports": round(import_s, 3),
            "glossary_load": round(glossary_s, 3),
            "compile": round(compile_s, 3),
            "encoder_load": round(encoder_s, 3),
            "anchor_index": round(index_s, 3),
        },
        "runs_s": {k: [round(x, 4) for x in v] for k, v in runs.items()},
        "median_s": {k: round(v, 4) for k, v in med.items()},
        "overhead_ratio": round(med["cold"] / med["bare"], 3),
        "rescan_speedup": round(med["cold"] / med["warm"], 2),
        "rescan_disk_speedup": round(med["cold"] / med["warm_disk"], 2),
        "texts_per_s_bare": round(len(distinct) / med["bare"], 1),
        "elements_per_s_cold": round(len(scanned) / med["cold"], 1),
        "elements_per_s_warm": round(len(scanned) / med["warm"], 1),
        "peak_rss_mib": round(peak_kib / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: measure and print the JSON figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=float, default=1.0)
    ap.add_argument("--markets", required=True)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--encoder", default="use-m3")
    args = ap.parse_args(argv)
    markets = [m.strip().upper() for m in args.markets.split(",") if m.strip()]
    out = measure(args.size, markets, args.reps, args.encoder)
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
