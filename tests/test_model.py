"""Core types: the positional constructors the readers use agree with the dataclasses."""

from __future__ import annotations

import dataclasses

import pytest

from locreview.model import Element, ElementKind, Span, new_element, new_span


def test_new_span_equals_span() -> None:
    args = (3, 9, 1, 4, 2, 5, 7, "00:00:01.000", "00:00:02.000")
    fast = new_span(*args)
    assert fast == Span(*args)
    assert hash(fast) == hash(Span(*args))
    assert type(fast) is Span
    assert fast.to_dict() == Span(*args).to_dict()


def test_new_element_equals_element_and_stays_frozen() -> None:
    span = new_span(0, 3, 1, 1, 1, 3, None, None, None)
    args = (0, ElementKind.ACTION, "abc", span, 2, "MIN", "en", None, {"k": 1})
    fast = new_element(*args)
    assert fast == Element(*args)
    assert dataclasses.replace(fast, lang="ko").lang == "ko"
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.text = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):
        new_element(*args[:-1])  # every field is required: no silent defaults
