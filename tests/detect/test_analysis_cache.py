"""Per-text analyses (normalisation, context phrases, term matches) are reused on rescans."""

from __future__ import annotations

from pathlib import Path

import pytest

import locreview
from locreview.detect import pipeline
from locreview.detect.pipeline import Detector
from locreview.glossary.loader import load_glossaries

DRAFT = """INT. HARBOUR - DAY

MIN-JI
They printed Takeshima on the ferry map.

ACTION LINE ABOUT THE SEA.

JUN
독도는 우리 땅이다.
"""


def _detector(glossaries: Path) -> Detector:
    g = load_glossaries([glossaries], markets=["KR", "TH"])
    return Detector(g, ["KR", "TH"], ("literal", "context"))


def test_rescan_gives_identical_flags_from_the_cache(glossaries: Path) -> None:
    det = _detector(glossaries)
    first = locreview.scan(DRAFT, ["KR", "TH"], detector=det)
    assert first.flags
    cached = dict(det.compiled._analyses)
    assert cached  # every scanned line was analysed once ...
    second = locreview.scan(DRAFT, ["KR", "TH"], detector=det)
    assert [f.to_dict() for f in second.flags] == [f.to_dict() for f in first.flags]
    # ... and the rescan reused those very analyses instead of computing new ones.
    assert all(det.compiled._analyses[t] is a for t, a in cached.items())


def test_cached_analysis_equals_a_fresh_one(glossaries: Path) -> None:
    det = _detector(glossaries)
    text = "They printed Ｔａｋｅｓｈｉｍａ on the ferry map."
    fresh = det.compiled.analyse(text, cache=False)
    assert det.compiled.analyse(text) == fresh
    assert det.compiled.analyse(text) is det.compiled.analyse(text)
    assert [m.info.term for m in fresh.matches]


def test_analysis_cache_is_bounded(glossaries: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "ANALYSIS_CACHE_CHARS", 100)
    det = _detector(glossaries)
    for i in range(50):
        det.compiled.analyse(f"line number {i} about nothing in particular")
    assert det.compiled._analysed_chars <= 100
    assert len(det.compiled._analyses) <= 3
