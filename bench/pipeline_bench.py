"""The whole pipeline with the semantic stage, against the bare encoder forward pass.

Runs in its own process (``run.py`` starts it) so that its peak RSS is the pipeline's own:
imports, glossaries, encoder, spaCy, language identification and scans of the draft.

The draft (size × a 120-page feature) is generated as two halves, A and B, measured in
the order A-B-B-A so that a machine load drifting during the run weighs on both sides of
each ratio alike; figures are the sums over both halves:

* **bare**: the encoders' forward pass over exactly the texts the semantic stage embeds
  (elements of the kinds it reads, whitespace folded, distinct, routed to the fallback
  encoder where the stage would), in batches of 64 as the stage sends them;
* **cold**: ``Detector.detect`` with a fresh, empty embedding cache (the glossary's anchor
  index is loaded beforehand: that is a once-per-glossary cost, reported on its own);
* **warm**: ``Detector.detect`` again on the unchanged draft (the rescan: vectors come
  from the in-memory cache); **warm_disk**: a new Detector over the same cache directory,
  as a new process would see it (vectors come from SQLite).

    python bench/pipeline_bench.py --size 1 --markets CN,KR,...
prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
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


def measure(size: float, markets: list[str], encoder_spec: str) -> dict:
    """Run the measurements in this process; return the figures."""
    t0 = time.perf_counter()
    import draftgen

    from locreview.detect import semantic_stage
    from locreview.detect.encoders import get_encoder
    from locreview.detect.language import detect_languages
    from locreview.detect.pipeline import DEFAULT_LANGUAGE_BACKEND, Detector
    from locreview.detect.semantic_stage import MIN_CHARS, SEMANTIC_KINDS
    from locreview.glossary.loader import load_glossaries
    from locreview.ingest import read_script
    from locreview.model import ElementKind

    import_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    glossary = load_glossaries(None, markets=markets)
    glossary_s = time.perf_counter() - t0
    entries = {le.entry.id: le.entry.all_terms() for le in glossary.entries}
    planted = draftgen.plantable_terms(list(entries.items()))

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

    # Two halves of the draft, measured A-B-B-A (bare A, cold A, cold B, bare B): a load
    # that drifts during the run then weighs on both sides of each ratio alike.
    halves = {
        "A": draftgen.to_fountain(draftgen.generate(size / 2, planted, seed=1)).encode(),
        "B": draftgen.to_fountain(draftgen.generate(size / 2, planted, seed=2)).encode(),
    }

    def parse(half: str):  # type: ignore[no-untyped-def]
        return read_script(halves[half], "fountain", name=f"bench-{half}.fountain")

    def new_detector(cache_dir: Path):  # type: ignore[no-untyped-def]
        os.environ["LOCREVIEW_CACHE_DIR"] = str(cache_dir)
        d = Detector(glossary, markets, ("literal", "context", "semantic"), encoder=encoder_spec)
        d.warm_up()
        return d

    # What the semantic stage will embed, per encoder: lines in languages the primary
    # encoder does not know go to a fallback encoder (if this version has one).
    unsupported = getattr(semantic_stage, "USE_UNSUPPORTED", frozenset())
    fallback = getattr(semantic_stage, "FALLBACK_ENCODER", None)
    work: dict[str, dict[str, list[str]]] = {}
    scanned_n = elements_n = chars = 0
    langs: dict[str, int] = {}
    for half in halves:
        script = parse(half)
        scanned = [
            el for el in script.elements
            if el.kind not in (ElementKind.NOTE, ElementKind.PAGE_BREAK) and el.text.strip()
        ]
        todo = [el for el in scanned if el.kind in SEMANTIC_KINDS and len(el.text.strip()) >= MIN_CHARS]
        guesses = detect_languages([el.text for el in todo], backend=DEFAULT_LANGUAGE_BACKEND)
        groups: dict[str, list[str]] = {}
        for el, g in zip(todo, guesses, strict=True):
            langs[g.lang or "?"] = langs.get(g.lang or "?", 0) + 1
            spec = fallback if (fallback and encoder_spec.startswith("use-m3")
                                and g.lang in unsupported) else encoder_spec
            text = " ".join(el.text.split())
            if text.strip():
                groups.setdefault(spec, []).append(text)
        work[half] = {k: list(dict.fromkeys(v)) for k, v in groups.items()}
        scanned_n += len(scanned)
        elements_n += len(script.elements)
        chars += sum(len(el.text) for el in script.elements)
    routed = {spec: sum(len(w.get(spec, [])) for w in work.values()) for spec in
              {s for w in work.values() for s in w}}
    fallback_texts = [t for w in work.values() for spec, ts in w.items() if spec != encoder_spec
                      for t in ts]
    # Load what the first scan would load lazily (language backend, spaCy tokenizer, and
    # the fallback encoder with its anchor index if some lines will need it).
    warm_lines = "\n\n".join(["INT. ROOM - DAY", "A short warm-up line.", *fallback_texts[:50]])
    t0 = time.perf_counter()
    detector.detect(read_script(warm_lines.encode(), "fountain"))
    warmup_s = time.perf_counter() - t0
    del detector
    encoders = {spec: get_encoder(spec) for spec in routed}

    def bare(half: str) -> float:
        gc.collect()
        t0 = time.perf_counter()
        for spec, texts in work[half].items():
            encoders[spec].encode(texts, batch_size=64)
        return time.perf_counter() - t0

    tmp = Path(tempfile.mkdtemp(prefix="locreview-bench-"))
    parts: dict[str, dict[str, float]] = {k: {} for k in ("bare", "cold", "warm", "warm_disk")}
    flags_n = 0
    dets = {}
    try:
        parts["bare"]["A"] = bare("A")
        for half in ("A", "B"):
            dets[half] = new_detector(_fresh_cache_dir(tmp, f"cold-{half}"))
            script = parse(half)
            gc.collect()
            t0 = time.perf_counter()
            flags, _ = dets[half].detect(script)
            parts["cold"][half] = time.perf_counter() - t0
            flags_n += len(flags)
        parts["bare"]["B"] = bare("B")
        for half in ("B", "A"):  # the rescan of the unchanged draft, same process
            script = parse(half)
            gc.collect()
            t0 = time.perf_counter()
            dets[half].detect(script)
            parts["warm"][half] = time.perf_counter() - t0
        dets.clear()
        for half in ("A", "B"):  # a new process: empty memory, vectors on disk
            det = new_detector(tmp / f"cold-{half}")
            script = parse(half)
            gc.collect()
            t0 = time.perf_counter()
            det.detect(script)
            parts["warm_disk"][half] = time.perf_counter() - t0
            del det
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total = {k: v["A"] + v["B"] for k, v in parts.items()}
    med = total
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "size": size,
        "markets": markets,
        "encoder": encoder.name,
        "elements": elements_n,
        "scanned_elements": scanned_n,
        "embedded_texts": sum(routed.values()),
        "embedded_by_encoder": routed,
        "chars": chars,
        "anchors": anchors,
        "flags": flags_n,
        "languages": dict(sorted(langs.items())),
        "setup_s": {
            "imports": round(import_s, 3),
            "glossary_load": round(glossary_s, 3),
            "compile": round(compile_s, 3),
            "encoder_load": round(encoder_s, 3),
            "anchor_index": round(index_s, 3),
            "first_detect_incl_fallback_index": round(warmup_s, 3),
        },
        "halves_s": {k: {h: round(x, 4) for h, x in v.items()} for k, v in parts.items()},
        "median_s": {k: round(v, 4) for k, v in med.items()},
        "overhead_ratio": round(med["cold"] / med["bare"], 3),
        "rescan_speedup": round(med["cold"] / med["warm"], 2),
        "rescan_disk_speedup": round(med["cold"] / med["warm_disk"], 2),
        "texts_per_s_bare": round(sum(routed.values()) / med["bare"], 1),
        "elements_per_s_cold": round(scanned_n / med["cold"], 1),
        "elements_per_s_warm": round(scanned_n / med["warm"], 1),
        "peak_rss_mib": round(peak_kib / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: measure and print the JSON figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=float, default=1.0)
    ap.add_argument("--markets", required=True)
    ap.add_argument("--encoder", default="use-m3")
    args = ap.parse_args(argv)
    markets = [m.strip().upper() for m in args.markets.split(",") if m.strip()]
    out = measure(args.size, markets, args.encoder)
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
