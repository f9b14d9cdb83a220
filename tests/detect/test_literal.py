"""Literal matching: one automaton, boundary guards per script, plurals, Korean particles."""

from __future__ import annotations

import pytest

from locreview.detect.literal import LiteralMatcher, TermInfo
from locreview.detect.normalize import normalize


def _matcher(*terms: tuple[str, str]) -> LiteralMatcher:
    return LiteralMatcher(TermInfo(i, t, lang) for i, (t, lang) in enumerate(terms))


def _found(m: LiteralMatcher, text: str) -> list[str]:
    n = normalize(text)
    out = []
    for hit in m.find(n):
        s, e = n.original_span(hit.start, hit.end)
        out.append(text[s:e])
    return out


@pytest.mark.parametrize(
    ("term", "lang", "text", "expected"),
    [
        ("crown", "en", "a crowning moment", []),
        ("crown", "en", "the Crown, and crowns", ["Crown", "crowns"]),
        ("massacre", "en", "two massacres", ["massacres"]),
        ("Sea of Japan", "en", "the sea\nof  Japan", ["sea\nof  Japan"]),
        ("独島", "ja", "これは独島です", ["独島"]),
        ("台湾独立", "zh-Hans", "他支持台灣獨立。", ["台灣獨立"]),
        ("ในหลวง", "th", "เขาพูดถึงในหลวงเมื่อวาน", ["ในหลวง"]),
        ("독도", "ko", "독도는 아름답다", ["독도"]),
        ("독도", "ko", "독도에서 만나요", ["독도"]),
        ("동해", "ko", "동해안 도로", []),
        ("동해", "ko", "동해를 건넜다", ["동해"]),
        ("Dokdo", "en", "Dokdo는 섬이다", ["Dokdo"]),
        ("Hoàng Sa", "vi", "quần đảo Hoàng Sa của", ["Hoàng Sa"]),
        ("Hoàng Sa", "vi", "Hoàng Sam", []),
        ("Allah", "und", "الله Allah!", ["Allah"]),
    ],
)
def test_literal_boundaries(term: str, lang: str, text: str, expected: list[str]) -> None:
    assert _found(_matcher((term, lang)), text) == expected


def test_literal_many_terms_one_pass_prefers_longest_per_entry() -> None:
    m = LiteralMatcher(
        [
            TermInfo(0, "Winnie the Pooh", "en"),
            TermInfo(0, "Pooh", "en"),
            TermInfo(1, "Pooh", "en"),
        ]
    )
    n = normalize("I love Winnie the Pooh.")
    hits = m.find(n)
    by_key = {(h.info.key, n.text[h.start : h.end]) for h in hits}
    assert by_key == {(0, "winnie the pooh"), (1, "pooh")}


def test_literal_empty_inputs() -> None:
    assert _matcher().find(normalize("anything")) == []
    assert _matcher(("x y z", "en")).find(normalize("")) == []


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("snort a line", "He is snorting a line in the toilet", ["snorting a line"]),
        ("shoot up", "she shoots up again", ["shoots up"]),
        ("time travel", "she time-travels to 1800", ["time-travels"]),
        ("massacre", "two massacres", ["massacres"]),
        ("crown", "a crowning moment", []),
    ],
)
def test_literal_english_inflections(term: str, text: str, expected: list[str]) -> None:
    assert _found(_matcher((term, "en")), text) == expected
