"""The span/offset invariants every reader must keep (used by several test files)."""

from __future__ import annotations

from locreview.model import LineIndex, Script


def check_spans(script: Script) -> None:
    """Assert every element's span and offsets point back at its source text."""
    text = script.text
    lines = LineIndex(text)
    for i, el in enumerate(script.elements):
        assert el.index == i
        sp = el.span
        assert 0 <= sp.start <= sp.end <= len(text), (el, len(text))
        assert sp == lines.span(
            sp.start, sp.end, page=sp.page, time_start=sp.time_start, time_end=sp.time_end
        )
        if el.offsets is None:
            assert text[sp.start : sp.end] == el.text, el
        else:
            assert len(el.offsets) == len(el.text), el
            assert all(a < b for a, b in zip(el.offsets, el.offsets[1:], strict=False)), el
            assert el.offsets[0] >= sp.start and el.offsets[-1] < sp.end, el
            for ch, off in zip(el.text, el.offsets, strict=True):
                # A character decoded from an entity (&amp; in FDX/WebVTT) maps to its "&".
                assert text[off] == ch or text[off] == "&", (el, ch, off, text[off])
            assert el.original_offset(0) == el.offsets[0]
            assert el.original_offset(len(el.text)) == el.offsets[-1] + 1
        if el.scene is not None:
            assert el.scene >= 1
        if "in_element" in el.attrs:
            assert 0 <= el.attrs["in_element"] < len(script.elements)
            assert el.attrs["in_element"] != i
