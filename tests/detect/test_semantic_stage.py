"""The semantic stage on a fake encoder: thresholds, look-alike margin, explanations."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import locreview
from locreview.detect.encoders import EmbeddingCache
from locreview.detect.pipeline import Detector
from locreview.detect.semantic_stage import SemanticStage
from locreview.glossary.loader import load_glossaries

# A toy "encoder": each vocabulary word is an axis; a text is the normalised bag of its words.
VOCAB = ["island", "islets", "japanese", "name", "sea", "king", "comedy", "mock", "thai",
         "royal", "time", "travel", "ghost", "map", "chart", "sail"]


class BagEncoder:
    name = "bag-test"
    dim = len(VOCAB)

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts, batch_size=64):
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().replace(".", " ").split():
                for j, v in enumerate(VOCAB):
                    if w.startswith(v):
                        out[i, j] += 1
            n = np.linalg.norm(out[i])
            out[i] = out[i] / n if n else out[i]
        return out


def _detector(glossaries: Path, tmp_path: Path, markets=("KR", "TH")) -> Detector:
    g = load_glossaries([glossaries], markets=list(markets))
    enc = BagEncoder()
    cache = EmbeddingCache(tmp_path / "cache")
    return Detector(
        g,
        list(markets),
        ("literal", "context", "semantic"),
        semantic_factory=lambda entries: SemanticStage(
            entries, encoder="use-m3", encoder_obj=enc, cache=cache, thresholds={"default": 0.6},
            margin=0.05,
        ),
    )


def test_semantic_stage_flags_paraphrase_with_explanation(glossaries: Path, tmp_path: Path) -> None:
    det = _detector(glossaries, tmp_path)
    report = locreview.scan("Our chart gives the islets a japanese name.", ["KR", "TH"], detector=det)
    sem = [f for f in report.flags if f.detector == "semantic"]
    assert sem, report.to_dict()
    f = sem[0]
    assert f.entry_id == "kr.test.takeshima"
    assert f.explanation["nearest"].startswith("Calling the Dokdo islets")
    assert 0.6 <= f.explanation["cosine"] <= 1.0
    assert f.text == "Our chart gives the islets a japanese name."


def test_semantic_stage_lookalike_margin_blocks(glossaries: Path, tmp_path: Path) -> None:
    det = _detector(glossaries, tmp_path)
    # Nearer to the entry's pass example ("The king of comedy arrives in Bangkok") than its flags.
    report = locreview.scan("The king of comedy.", ["KR", "TH"], detector=det)
    assert not [f for f in report.flags if f.detector == "semantic"]


def test_semantic_stage_does_not_duplicate_literal(glossaries: Path, tmp_path: Path) -> None:
    det = _detector(glossaries, tmp_path)
    report = locreview.scan("The islets have a japanese name: Takeshima.", ["KR"], detector=det)
    ids = [(f.entry_id, f.detector) for f in report.flags]
    assert ("kr.test.takeshima", "literal") in ids
    assert ("kr.test.takeshima", "semantic") not in ids


def test_semantic_stage_short_lines_skipped(glossaries: Path, tmp_path: Path) -> None:
    det = _detector(glossaries, tmp_path)
    assert not locreview.scan("isle", ["KR"], detector=det).flags


def test_rescan_reuses_picks_and_follows_threshold_changes(glossaries: Path, tmp_path: Path) -> None:
    """A rescan of unchanged lines skips scoring; changed settings are not served stale."""
    det = _detector(glossaries, tmp_path)
    line = "Our chart gives the islets a japanese name."
    first = locreview.scan(line, ["KR", "TH"], detector=det)
    stage = det.compiled.semantic_stage(det.encoder)
    calls = []
    original = stage.scores
    stage.scores = lambda texts, model=None: calls.append(list(texts)) or original(texts, model)
    again = locreview.scan(line, ["KR", "TH"], detector=det)
    assert [f.to_dict() for f in again.flags] == [f.to_dict() for f in first.flags]
    assert calls == []  # nothing re-scored
    stage.thresholds = {"default": 0.99}  # as a calibration tool would
    stricter = locreview.scan(line, ["KR", "TH"], detector=det)
    assert calls == [[line]]
    assert not [f for f in stricter.flags if f.detector == "semantic"]
    stage.thresholds["default"] = 0.6  # changed in place: still a different setting
    back = locreview.scan(line, ["KR", "TH"], detector=det)
    assert [f.to_dict() for f in back.flags] == [f.to_dict() for f in first.flags]
