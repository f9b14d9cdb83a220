"""Fountain details: notes, boneyard, emphasis offsets, cues, forced elements, scripts."""

from __future__ import annotations

import time

import pytest
from spancheck import check_spans

from locreview.ingest import read_script
from locreview.model import ElementKind, Script

K = ElementKind


def _read(src: str) -> Script:
    s = read_script(src.encode("utf-8"), name="t.fountain", format="fountain")
    check_spans(s)
    return s


def test_inline_note_is_separate_element_with_host() -> None:
    """An inline note leaves its host's text and points back at it; both keep exact spans."""
    src = "INT. HALL - DAY\n\nShe waves a flag [[locreview: ignore CN-007 because period piece]] at them.\n"
    s = _read(src)
    heading, action, note = s.elements
    assert action.text == "She waves a flag  at them."
    assert note.kind is K.NOTE
    assert note.text == "locreview: ignore CN-007 because period piece"
    assert s.text[note.span.start : note.span.end] == note.text
    assert note.attrs["in_element"] == action.index
    assert note.scene == action.scene == 1
    # The host's offsets skip the note: "at" maps to where it is in the file.
    i = action.text.index("at them")
    assert s.text[action.original_offset(i) : action.original_offset(i) + 7] == "at them"


def test_standalone_note_and_multiline_note() -> None:
    """A note alone on its lines is standalone and does not split the paragraph."""
    src = "Line one.\n[[A note\nover two lines]]\nLine two.\n"
    s = _read(src)
    assert [(e.kind, e.text) for e in s.elements] == [
        (K.ACTION, "Line one.\nLine two."),
        (K.NOTE, "A note\nover two lines"),
    ]
    assert s.elements[1].attrs["standalone"] is True
    assert s.elements[1].span.line == 2


def test_boneyard_skipped_positions_stay_right() -> None:
    """Boneyard text yields nothing; later elements keep their true lines and offsets."""
    src = "/* INT. CUT SCENE\n\nGone. */\nINT. KEPT - NIGHT\n\nAction /* hidden */ here.\n"
    s = _read(src)
    assert [(e.kind, e.text, e.span.line) for e in s.elements] == [
        (K.SCENE_HEADING, "INT. KEPT - NIGHT", 4),
        (K.ACTION, "Action  here.", 6),
    ]
    assert "hidden" not in s.elements[1].text


def test_emphasis_stripped_with_offsets() -> None:
    """*, **, ***, _ markers and \\* escapes are stripped; offsets map back exactly."""
    s = _read("He reads ***Tibet*** and _Taiwan_ and **Hong Kong** and \\*not\\*.\n")
    el = s.elements[0]
    assert el.text == "He reads Tibet and Taiwan and Hong Kong and *not*."
    for word in ("Tibet", "Taiwan", "Hong Kong"):
        i = el.text.index(word)
        a = el.original_offset(i)
        assert s.text[a : a + len(word)] == word
    assert _read("snake_case_name stays\n").elements[0].text == "snake_case_name stays"
    assert _read("He dialed *69 and *23.\n").elements[0].text == "He dialed *69 and *23."


def test_character_cues_extensions_dual_and_forced() -> None:
    """Cues: extensions kept in attrs, speaker without them, dual ^, forced @ for CJK names."""
    src = (
        "STEEL (V.O.) (CONT'D)\nLine one.\n\n"
        "BRICK ^\n(beat)\nLine two.\n\n"
        "@李雷\n我们走吧。\n\n"
        "@สมชาย\nไปกันเถอะ\n"
    )
    s = _read(src)
    cues = [e for e in s.elements if e.kind is K.CHARACTER]
    assert [c.speaker for c in cues] == ["STEEL", "BRICK", "李雷", "สมชาย"]
    assert cues[0].attrs["extension"] == "(V.O.) (CONT'D)"
    assert cues[0].attrs["dual"] == "left" and cues[1].attrs["dual"] == "right"
    lines = [(e.kind, e.text, e.speaker) for e in s.elements if e.kind is not K.CHARACTER]
    assert lines == [
        (K.DIALOGUE, "Line one.", "STEEL"),
        (K.PARENTHETICAL, "(beat)", "BRICK"),
        (K.DIALOGUE, "Line two.", "BRICK"),
        (K.DIALOGUE, "我们走吧。", "李雷"),
        (K.DIALOGUE, "ไปกันเถอะ", "สมชาย"),
    ]


def test_scene_headings_numbers_forced_and_variants() -> None:
    """INT./EXT. variants, forced '.', #1A# numbers, scene ordinals."""
    src = (
        "INT./EXT. CAR - DAY #1A#\n\nA.\n\n.FLASHBACK\n\nB.\n\nI/E. PORCH #2#\n\n"
        "est. CITY\n\nINT。東京 - 夜\n"
    )
    s = _read(src)
    heads = [e for e in s.elements if e.kind is K.SCENE_HEADING]
    assert [h.text for h in heads] == [
        "INT./EXT. CAR - DAY",
        "FLASHBACK",
        "I/E. PORCH",
        "est. CITY",
        "INT。東京 - 夜",
    ]
    assert heads[0].attrs["scene_number"] == "1A" and heads[1].attrs["forced"] is True
    assert [h.scene for h in heads] == [1, 2, 3, 4, 5]
    assert s.elements[1].scene == 1


def test_line_level_elements() -> None:
    """Transitions (plain and forced), centered, lyrics, sections, synopses, page breaks."""
    src = (
        "# ACT ONE\n\n## Sequence\n\n= The heist begins.\n\nCUT TO:\n\n> SMASH CUT\n\n"
        ">THE END<\n\n~Willy Wonka!\n\n===\n\n!SHOUTING IN CAPS\nstill action.\n"
    )
    s = _read(src)
    assert [(e.kind, e.text) for e in s.elements] == [
        (K.SECTION, "ACT ONE"),
        (K.SECTION, "Sequence"),
        (K.SYNOPSIS, "The heist begins."),
        (K.TRANSITION, "CUT TO:"),
        (K.TRANSITION, "SMASH CUT"),
        (K.CENTERED, "THE END"),
        (K.LYRIC, "Willy Wonka!"),
        (K.PAGE_BREAK, "==="),
        (K.ACTION, "SHOUTING IN CAPS\nstill action."),
    ]
    assert [e.attrs.get("level") for e in s.elements[:2]] == [1, 2]


def test_title_page_and_crlf_bom() -> None:
    """Title page keys/values (full-width colon too); BOM and CRLF keep spans exact."""
    src = "\ufeffTitle: 北京故事\r\nAuthor：王\r\n\r\nINT. 胡同 - 日\r\n\r\n小明跑过。\r\n"
    s = read_script(src.encode("utf-8"), name="t.fountain")
    check_spans(s)
    assert s.encoding == "utf-8-sig"
    assert s.title == {"title": "北京故事", "author": "王"}
    heading = next(e for e in s.elements if e.kind is K.SCENE_HEADING)
    assert heading.text == "INT. 胡同 - 日" and heading.span.line == 4
    assert s.elements[-1].text == "小明跑过。" and s.elements[-1].span.line == 6


def test_dialogue_two_space_line_keeps_block() -> None:
    """A line of two spaces keeps dialogue together; a truly empty line ends it."""
    s = _read("DEALER\nTen.\n  \nFour.\n\nHe deals.\n")
    assert [(e.kind, e.text) for e in s.elements] == [
        (K.CHARACTER, "DEALER"),
        (K.DIALOGUE, "Ten.\n  \nFour."),
        (K.ACTION, "He deals."),
    ]


@pytest.mark.parametrize(
    "src",
    [
        "*" * 200_000,
        "[[" * 100_000,
        "/*" * 100_000,
        "_a " * 100_000,
        ("x" * 1000 + "\n") * 2000,
        "INT. " * 100_000,
    ],
    ids=["stars", "open-notes", "open-boneyard", "underscores", "long-lines", "heading-ish"],
)
def test_adversarial_input_is_linear(src: str) -> None:
    """Pathological lines parse quickly (no regex backtracking, no quadratic scans)."""
    t0 = time.process_time()
    s = _read(src)
    assert time.process_time() - t0 < 10
    assert s.elements


def test_huge_element_kept_raw() -> None:
    """An element over HUGE_ELEMENT characters keeps its raw slice (no offset map)."""
    from locreview.ingest._common import HUGE_ELEMENT

    src = "*a* " * (HUGE_ELEMENT // 4 + 10)
    s = _read(src)
    assert s.elements[0].attrs.get("raw") is True
    assert s.elements[0].offsets is None
