"""Calibrate the semantic stage's threshold and look-alike margin on a labelled case file.

Scores are computed once (literal flags, and every line's cosine to every entry's anchors),
then each (threshold, margin) setting is applied in memory and scored like
``../shared/eval/score.py`` does: recall per kind, false-positive rate on 'clear' markets,
clean controls. It prints the grid so the trade-off is visible; the chosen numbers live in
``locreview/detect/semantic_stage.py`` (THRESHOLDS, MARGINS) and the README says why.

    .venv/bin/python bench/calibrate_semantic.py ../shared/eval/dev.jsonl [--encoder use-m3]

Tune on the development set only; a held-out set decides, so prefer a setting on a plateau
over the single best point.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from locreview.api import build_detector  # noqa: E402
from locreview.ingest import read_script  # noqa: E402


def main() -> None:
    """Print recall / false-positive figures over a grid of semantic settings."""
    ap = argparse.ArgumentParser()
    ap.add_argument("cases")
    ap.add_argument("--encoder", default="use-m3")
    ap.add_argument("--thresholds", default="0.40,0.45,0.50,0.55,0.60,0.65")
    ap.add_argument("--margins", default="0.00,0.05,0.10,0.15")
    a = ap.parse_args()
    cases = [json.loads(x) for x in Path(a.cases).read_text(encoding="utf-8").splitlines() if x.strip()]
    markets = sorted({m for c in cases for m in [*c.get("expect", {}), *c.get("clear", [])]})
    lines = []
    for c in cases:
        lines += [" ".join(c["text"].split()), ""]
    script = read_script("\n".join(lines).encode("utf-8"), "text", name="cases.txt")
    case_of_line = {2 * i + 1: c for i, c in enumerate(cases)}

    det = build_detector(markets, detectors="literal,context,semantic", encoder=a.encoder)
    flags, _ = det.detect(script)
    literal: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for f in flags:
        if f.detector != "semantic" and f.line in case_of_line:
            literal[case_of_line[f.line]["id"]][f.market].add(f.category)
    stage = det.compiled.semantic_stage(a.encoder)
    els = [el for el in script.elements if el.span.line in case_of_line]
    pos, neg = stage.scores([" ".join(el.text.split()) for el in els])  # primary encoder
    rows = {case_of_line[el.span.line]["id"]: i for i, el in enumerate(els)}

    print(f"{'thr':>5} {'margin':>6} | " + " ".join(f"{k[:6]:>7}" for k in
          ("term", "crossl", "paraph", "contex")) + f" | {'fp':>6} {'ctl':>6}")
    for thr in map(float, a.thresholds.split(",")):
        for margin in map(float, a.margins.split(",")):
            stage.thresholds = {"default": thr}
            stage.margin = margin
            got: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            for cid, ms in literal.items():
                for m, cats in ms.items():
                    got[cid][m] |= cats
            for cid, r in rows.items():
                for key, _s, _n in stage.pick(pos[r], neg[r] if neg is not None else None):
                    ce = stage.entries[key]
                    for m in ce.markets:
                        got[cid][m].add(ce.entry.category.value)
            print(_score(cases, got, thr, margin))


def _score(cases, got, thr, margin) -> str:
    hit = defaultdict(int)
    pos = defaultdict(int)
    fp = neg = clean = controls = 0
    for c in cases:
        for m in c.get("expect", {}):
            pos[c["kind"]] += 1
            hit[c["kind"]] += bool(got[c["id"]].get(m))
        for m in c.get("clear", []):
            neg += 1
            fp += bool(got[c["id"]].get(m))
        if c["kind"] == "control":
            controls += 1
            clean += not any(got[c["id"]].values())
    rec = " ".join(
        f"{hit[k] / pos[k]:7.3f}" if pos[k] else "    nan"
        for k in ("term", "crosslingual", "paraphrase", "context")
    )
    return f"{thr:5.2f} {margin:6.2f} | {rec} | {fp / max(neg, 1):6.3f} {clean / max(controls, 1):6.3f}"


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
