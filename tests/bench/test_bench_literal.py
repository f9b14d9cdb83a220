"""The benchmark's own machinery: the naive baseline must mean what the literal stage means."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import draftgen  # noqa: E402
import lit_bench as lb  # noqa: E402
import synth_glossary  # noqa: E402

from locreview.detect.literal import boundary_ok  # noqa: E402
from locreview.detect.normalize import char_script, normalize  # noqa: E402
from locreview.detect.pipeline import CompiledGlossary  # noqa: E402
from locreview.glossary.loader import load_glossaries  # noqa: E402
from locreview.ingest import FORMATS, read_script  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "glossaries"


def _occurrences(text: str, pattern: str) -> list[tuple[int, int]]:
    out, i = [], text.find(pattern)
    while i >= 0:
        out.append((i, i + len(pattern)))
        i = text.find(pattern, i + 1)
    return out


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("taiwan", "taiwan taiwanese taiwan's 台湾taiwan taiwan台湾 xtaiwan"),
        ("독도", "독도는 독도에서는 독도박물관 x독도 독도. 독도에서도는 동독도"),
        ("un", "un은 un은요 un이라는 uno un 한un"),
        ("동해", "동해안 동해 동해를 동해의"),
        ("天安门", "他在天安门广场。天安门"),
        ("เทียนอันเหมิน", "จัตุรัสเทียนอันเหมินในปี"),
        ("राम", "राम रामायण श्रीराम राम।"),
        ("محمد", "النبي محمد محمدي"),
        ("a b", "a b a bc xa b"),
    ],
)
def test_bench_naive_regex_matches_guard(pattern: str, text: str) -> None:
    """Each naive regex accepts exactly the occurrences the literal stage's guard accepts."""
    import re

    classes = lb.guard_classes(text)
    rx = re.compile(lb.naive_regex(pattern, classes))
    expected = [(a, b) for a, b in _occurrences(text, pattern) if boundary_ok(text, a, b)]
    got, m = [], rx.search(text)
    while m is not None:
        got.append((m.start(), m.end()))
        m = rx.search(text, m.start() + 1)
    assert got == expected
    assert _occurrences(text, pattern), "the case must contain the pattern"


def test_bench_generator_is_deterministic_and_sized() -> None:
    """Size 1 is a 120-page feature (~2,000 elements, ~110k characters), the same every time."""
    terms = {"en": [("x.id", "Sea of Japan")], "ko": [("y.id", "독도")]}
    a = draftgen.generate(1, terms)
    b = draftgen.generate(1, terms)
    assert a.elements == b.elements and a.plants == b.plants
    assert 1800 <= len(a.elements) <= 2200
    assert 95_000 <= a.chars <= 125_000
    langs = {e.lang for e in a.elements if e.kind == "dialogue"}
    assert {"en", "ko", "zh-Hans", "zh-Hant", "ja", "th"} <= langs
    assert a.plants and all(p.term in p.line for p in a.plants)
    # Nearly every dialogue line is distinct (the embedding cache must not be flattered).
    lines = [e.text for e in a.elements if e.kind == "dialogue"]
    assert len(set(lines)) >= 0.97 * len(lines)


@pytest.mark.parametrize("fmt", FORMATS)
def test_bench_generator_renders_every_format(fmt: str) -> None:
    """Every format the benchmark times is one that read_script reads back."""
    draft = draftgen.generate(0.02, {"en": [("x.id", "Sea of Japan")]})
    script = read_script(draftgen.render(draft, fmt), fmt, name=f"bench.{fmt}")
    assert len(script.elements) >= 10
    english = next(e.text for e in draft.elements if e.kind == "dialogue" and e.lang == "en")
    assert english.split()[0] in script.text


def test_bench_synthetic_growth_keeps_the_shape() -> None:
    """Glossary ×3 has three times the entries, new ids, terms in each language's script."""
    base = load_glossaries([FIXTURES], markets=["KR", "JP"])
    grown = synth_glossary.grow(base, 3)
    assert len(grown.entries) == 3 * len(base.entries)
    ids = [le.entry.id for le in grown.entries]
    assert len(set(ids)) == len(ids)
    for le in grown.entries[len(base.entries):]:
        for lang, term in le.entry.all_terms():
            if lang == "ko":
                assert char_script(term[0]) == "hangul"
            if lang in ("zh-Hans", "zh-Hant"):
                assert char_script(term[0]) == "han"
    markets = ["KR", "JP"]
    n1 = CompiledGlossary(base, markets).matcher.size
    n3 = CompiledGlossary(grown, markets).matcher.size
    assert 2.5 * n1 <= n3 <= 3.5 * n1


def test_bench_three_approaches_agree_on_a_draft() -> None:
    """locreview == naive on the sampled entries; the floor's raw hits contain locreview's."""
    markets = ["KR", "JP", "CN", "TH"]
    glossary = load_glossaries([FIXTURES], markets=markets)
    cg = CompiledGlossary(glossary, markets)
    terms = draftgen.plantable_terms(
        [(le.entry.id, le.entry.all_terms()) for le in glossary.entries]
    )
    draft = draftgen.generate(0.1, terms)
    script = read_script(draftgen.to_fountain(draft).encode(), "fountain", name="b.fountain")
    els = lb.scanned_elements(script)
    texts = [normalize(el.text).text for el in els]
    found = lb.locreview_stage(cg, els)
    pats = lb.Patterns.of(cg)
    assert len(pats.texts) == cg.matcher.size
    naive = lb.Naive(cg, pats, 10**6, set("".join(texts)))
    assert naive.sampled == naive.total
    assert naive.to_set(naive.run(texts), els, texts) == found
    floor = lb.Floor(pats)
    assert found <= floor.hit_set(els, texts)
    assert floor.run(texts) >= len(found)
    # Every planted term is found in the line it was planted in.
    key_of = {ce.entry.id: ce.key for ce in cg.entries}
    idx = {el.text: el.index for el in script.elements}
    pairs = {(k, e) for k, e, _a, _b in found}
    assert draft.plants
    for p in draft.plants:
        assert (key_of[p.entry_id], idx[p.line]) in pairs, p
