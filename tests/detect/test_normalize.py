"""Normalisation keeps a map back to the original text through every folding step."""

from __future__ import annotations

import pytest

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
