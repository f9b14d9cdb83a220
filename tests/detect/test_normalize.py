"""Normalisation keeps a map back to the original text through every folding step."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from locreview.detect.normalize import fold_chinese, normalize


def _roundtrip(text: str, needle: str) -> str:
    n = normalize(text)
    i = n.text.index(needle)
    s, e = n.original_span(i, i + len(needle))
    return text[s:e]


@pytest.mark.parametrize(
    ("text", "needle", "original"),
    [
        ("Ｔａｉｗａｎ is full width", "taiwan", "Ｔａｉｗａｎ"),
        ("Tian\u200banmen Square", "tiananmen", "Tian\u200banmen"),
        ("Таiwan with Cyrillic T and a", "taiwan", "Таiwan"),
        ("say T a i w a n slowly", "taiwan", "T a i w a n"),
        ("DOKDO   and\nmore", "dokdo and more", "DOKDO   and\nmore"),
        ("臺灣獨立", "台湾独立", "臺灣獨立"),
        ("nine–dash line", "nine dash line", "nine–dash line"),
        ("Bie\u0302\u0309n Đông", "biển đông", "Bie\u0302\u0309n Đông"),
    ],
)
def test_normalize_maps_back_to_original(text: str, needle: str, original: str) -> None:
    assert _roundtrip(text, needle) == original


def test_normalize_marks_evasion_regions() -> None:
    text = "plain Taiwan and Tai\u200dwan"
    n = normalize(text)
    first = n.text.index("taiwan")
    second = n.text.index("taiwan", first + 1)
    s1, e1 = n.original_span(first, first + 6)
    s2, e2 = n.original_span(second, second + 6)
    assert not n.obfuscated_at(s1, e1)
    assert n.obfuscated_at(s2, e2)


def test_normalize_leaves_real_cyrillic_words_alone() -> None:
    assert normalize("Москва").text == "москва"


def test_fold_chinese_keeps_length() -> None:
    for t in ["臺灣獨立", "香港獨立", "六四事件", "電視劇"]:
        assert len(fold_chinese(t)) == len(t)
    assert fold_chinese("獨立") == "独立"


def test_normalize_empty() -> None:
    n = normalize("")
    assert n.text == ""
    assert n.offsets == (0,)


@pytest.mark.parametrize(
    ("text", "needle", "original"),
    [
        ("ไปที่บ้าน", "ไปที่", "ไปที่"),  # ends on a Thai tone mark
        ("हिंदी फ़िल्म", "हिंदी", "हिंदी"),  # Devanagari vowel sign and nasal mark
        ("a ที่ b", "ที่", "ที่"),
    ],
)
def test_span_keeps_trailing_combining_marks(text: str, needle: str, original: str) -> None:
    """A match that ends on a combining mark covers the mark in the original text."""
    assert _roundtrip(text, needle) == original


def _as_tuple(n):  # type: ignore[no-untyped-def]
    return (n.text, tuple(n.offsets), n.obfuscated, n.han_traditional, n.han_simplified)


_POOL = (
    " -–—_'’\t\n\u00a0  .aZé\u0301\u0300ก\u0e48\u0e35\u0e34\u0e33ำ\u093f\u094dहि"
    "\u200b\u202e\u202c한中國台湾Ａｂ\uff10ΑТаiwan"
    "…ﬁß½™¨ｶ\u3099Ⅻᄀ\u1161\u11a8ǆ㉮"  # expanders, compositions, half-width kana
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_POOL, max_size=24))
def test_fast_path_equals_the_character_loop(text: str) -> None:
    """``str.translate`` fast path and the per-character loop agree on text and offsets."""
    from locreview.detect.normalize import _normalize_slow

    assert _as_tuple(normalize(text)) == _as_tuple(_normalize_slow(text))


def test_fast_path_equals_the_character_loop_on_the_corpus() -> None:
    """The same on every element of the shared corpus drafts and subtitles."""
    from pathlib import Path

    from locreview.detect.normalize import _normalize_slow
    from locreview.errors import LocreviewError
    from locreview.ingest import read_script

    corpus = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    files = [p for p in sorted(corpus.rglob("*")) if p.suffix in (".fountain", ".srt", ".vtt", ".txt")]
    if not files:
        pytest.skip("../shared/corpus is not present")
    n = 0
    for p in files:
        try:
            script = read_script(p)
        except LocreviewError:
            continue
        for el in script.elements:
            assert _as_tuple(normalize(el.text)) == _as_tuple(_normalize_slow(el.text)), (p, el.text)
            n += 1
    assert n > 1000
