"""Shared writer helpers: passages in context, citations, status lookup."""

from __future__ import annotations

import pytest

from locreview.model import Element, ElementKind, ElementRef, Flag, LineIndex, Script, Severity
from locreview.report._common import flag_status, passage, split_citation


def _flag(script: Script, start: int, end: int, index: int) -> Flag:
    return Flag(
        market="CN", category="political", severity=Severity.HIGH, entry_id="cn.x",
        detector="literal", score=1.0, text=script.text[start:end],
        span=script.lines.span(start, end), element=ElementRef(index, "dialogue", 1, None),
        rationale="r", suggestion="s", sources=[], fingerprint="abc123abc123",
    )


def test_common_passage_maps_through_element_offsets() -> None:
    # an FDX-like original: the element text is the markup-free "Hello Taiwan!"
    original = "<p><t>Hello </t><t>Taiwan</t>!</p>"
    text = "Hello Taiwan!"
    offsets = tuple(
        [original.index("Hello") + i for i in range(6)]
        + [original.index("Taiwan") + i for i in range(6)]
        + [original.index("!")]
    )
    el = Element(0, ElementKind.DIALOGUE, text, LineIndex(original).span(0, len(original)),
                 scene=1, offsets=offsets)
    script = Script("x.fdx", "fdx", original, [el])
    start = original.index("Taiwan")
    pieces = passage(_flag(script, start, start + 6, 0), script)
    assert pieces == [("Hello ", False), ("Taiwan", True), ("!", False)]


def test_common_passage_cuts_long_elements() -> None:
    body = "a" * 1000 + "TARGET" + "b" * 1000
    el = Element(0, ElementKind.ACTION, body, LineIndex(body).span(0, len(body)), scene=1)
    script = Script("x.txt", "text", body, [el])
    pieces = passage(_flag(script, 1000, 1006, 0), script, width=20)
    assert pieces == [("…" + "a" * 20, False), ("TARGET", True), ("b" * 20 + "…", False)]


def test_common_passage_falls_back_when_the_element_does_not_hold_the_flag() -> None:
    body = "one\ntwo"
    el = Element(0, ElementKind.ACTION, "one", LineIndex(body).span(0, 3))
    script = Script("x.txt", "text", body, [el])
    assert passage(_flag(script, 4, 7, 0), script) == [("two", True)]
    assert passage(_flag(script, 4, 7, 9), script) == [("two", True)]
    assert passage(_flag(script, 4, 7, 0), None) == [("two", True)]


@pytest.mark.parametrize(
    ("source", "text", "url"),
    [
        ("Law, Gov, 2020 <https://x.example/a>", "Law, Gov, 2020", "https://x.example/a"),
        ("<https://x.example/a>", "https://x.example/a", "https://x.example/a"),
        ("Bad <javascript:alert(1)>", "Bad <javascript:alert(1)>", None),
        ("Bad <JAVASCRIPT:alert(1)>", "Bad <JAVASCRIPT:alert(1)>", None),
        ("Vbs <vbscript:x>", "Vbs <vbscript:x>", None),
        ("https://bare.example/x", "https://bare.example/x", "https://bare.example/x"),
        ("Plain citation", "Plain citation", None),
        ("Quote <https://x.example/\"onmouseover=1>", "Quote <https://x.example/\"onmouseover=1>",
         None),
    ],
)
def test_common_split_citation(source: str, text: str, url: str | None) -> None:
    c = split_citation(source)
    assert (c.text, c.url) == (text, url)


def test_common_flag_status_sources() -> None:
    script = Script("x", "text", "x", [])
    f = _flag(script, 0, 1, 0)
    assert flag_status(f, None) is None
    assert flag_status(f, {"abc123abc123": "dismissed"}) == "dismissed"
    assert flag_status(f, {("CN", "abc123abc123"): "accepted"}) == "accepted"

    class Store:
        def decision_status(self, fingerprint: str, market: str) -> str | None:
            return "open" if market == "CN" else None

    assert flag_status(f, Store()) == "open"
    f.status = "accepted"
    assert flag_status(f, {"abc123abc123": "dismissed"}) == "accepted"
