"""The stages as registered spaCy components: config, doc.spans, switching stages off."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from locreview.detect import components
from locreview.detect.pipeline import Detector
from locreview.glossary.loader import load_glossaries
from locreview.ingest import read_script

STAGES = ["locreview_normalize", "locreview_language", "locreview_literal", "locreview_context",
          "locreview_semantic", "locreview_theme", "locreview_suppress"]


def _detector(glossaries: Path, detectors=("literal", "context"), markets=("KR", "CN", "TH", "JP")):
    return Detector(load_glossaries([glossaries]), list(markets), detectors)


def test_components_factories_are_registered() -> None:
    for name in STAGES:
        assert Language.has_factory(name), name


def test_components_pipeline_order_follows_detectors(glossaries: Path) -> None:
    det = _detector(glossaries)
    assert det.nlp.pipe_names == [
        "locreview_normalize", "locreview_language", "locreview_literal", "locreview_context",
        "locreview_theme", "locreview_suppress",
    ]
    only_literal = _detector(glossaries, ("literal",))
    assert "locreview_context" not in only_literal.nlp.pipe_names
    cfg = det.nlp.config["components"]["locreview_literal"]
    assert cfg["glossary"]["@misc"] == "locreview.compiled_glossary.v1"


def test_components_spans_carry_candidates(glossaries: Path) -> None:
    det = _detector(glossaries)
    script = read_script("Takeshima.\n\n他支持台灣獨立。".encode(), "text", name="t.txt")
    doc = components.make_doc(det.nlp, script)
    for _name, proc in det.nlp.pipeline:
        doc = proc(doc)
    spans = list(doc.spans["locreview"])
    exact = {s._.locreview.element.text[s._.locreview.l_start : s._.locreview.l_end] for s in spans}
    assert exact == {"Takeshima", "台灣獨立"}
    for s in spans:
        cand = s._.locreview
        # spaCy spans align to tokens (CJK runs are one token): they cover the exact match
        assert exact & {t for t in exact if t in s.text}
        assert det.entries[cand.key].entry.id in {"kr.test.takeshima", "cn.test.taiwan-country"}
        assert cand.detector == "literal"


def test_components_language_stage_sets_element_languages(glossaries: Path) -> None:
    det = _detector(glossaries)
    script = read_script(
        "The harbour is quiet tonight, she said.\n\n독도는 우리 땅입니다.\n\n今日はとても寒いですね。"
        "\n\n我们明天去北京吧。\n\n我們明天去臺北吧。\n\nวันนี้อากาศร้อนมาก".encode(),
        "text",
        name="langs.txt",
    )
    det.detect(script)
    assert [el.lang for el in script.elements] == ["en", "ko", "ja", "zh-Hans", "zh-Hant", "th"]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("The protesters held a Pooh cutout mocking President Xi.", True),
        ("Pooh " + "and then nothing happened at all " * 3 + "President Xi", False),  # > 8 tokens
        ("My daughter loves Winnie the Pooh stories.", False),
        ("小熊维尼 Pooh 像习近平", True),
    ],
)
def test_components_context_window_in_tokens(glossaries: Path, text: str, flagged: bool) -> None:
    det = _detector(glossaries)
    flags, _ = det.detect(read_script(text.encode(), "text", name="t.txt"))
    assert any(f.entry_id == "cn.test.pooh" for f in flags) is flagged


def test_components_context_off_drops_ambiguous_terms(glossaries: Path) -> None:
    det = _detector(glossaries, ("literal",))
    flags, _ = det.detect(read_script(b"He mocks the Thai king. Pooh and Xi.", "text", name="t"))
    assert flags == []
