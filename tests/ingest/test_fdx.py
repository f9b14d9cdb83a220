"""Final Draft FDX: peers' equivalents, positions, notes, dual dialogue, hostile XML."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_peers import CORPUS, normalise
from spancheck import check_spans

from locreview.errors import FormatError, UnsafeInputError
from locreview.ingest import read_script
from locreview.model import ElementKind, Script

HAVE_CORPUS = CORPUS.is_dir()
needs_corpus = pytest.mark.skipif(not HAVE_CORPUS, reason="shared corpus missing")


def _items(script: Script) -> list[tuple[str, str]]:
    return [(e.kind.value, e.text) for e in script.elements if e.kind is not ElementKind.TITLE]


def _pairs() -> list[tuple[Path, Path]]:
    if not HAVE_CORPUS:
        return []
    pairs = [
        (f, f.with_suffix(".fountain"))
        for f in sorted(CORPUS.glob("fdx/*/*.fdx"))
        if f.with_suffix(".fountain").exists()
    ]
    pairs += [
        (f, f.with_suffix(".fountain")) for f in sorted(CORPUS.glob("fountain/screenplain/*.fdx"))
    ]
    return pairs


@needs_corpus
@pytest.mark.parametrize(("fdx", "fountain"), _pairs(), ids=lambda p: p.parent.name + "/" + p.name)
def test_fdx_matches_equivalent_fountain(fdx: Path, fountain: Path) -> None:
    """An FDX and its peer's element-by-element Fountain equivalent give the same elements."""
    got = normalise(_items(read_script(fdx)))
    expected = normalise(_items(read_script(fountain)))
    assert expected
    assert got == expected


@needs_corpus
def test_fdx_pair_count() -> None:
    """afterwriting (3), screenplay-tools (2) and screenplain (9) pairs are all found."""
    assert len(_pairs()) == 14


@needs_corpus
def test_fdx_script_note_in_scene_heading() -> None:
    """A ScriptNote inside a heading becomes a NOTE pointing at the heading, in its scene."""
    s = read_script(CORPUS / "fdx/afterwriting/header_note.fdx")
    heading, note = s.elements
    assert heading.kind is ElementKind.SCENE_HEADING and note.kind is ElementKind.NOTE
    assert note.text == "Note in scene heading."
    assert note.attrs["in_element"] == heading.index
    assert note.scene == heading.scene == 1


@needs_corpus
def test_fdx_positions_and_multiple_text_runs() -> None:
    """Spans slice the XML; paragraph index and the XML line of the paragraph are kept."""
    path = CORPUS / "fdx/jumpcut/title-page-cast-page.fdx"
    s = read_script(path)
    check_spans(s)
    xml_lines = s.text.splitlines()
    for el in s.elements:
        assert "<Paragraph" in xml_lines[el.attrs["xml_line"] - 1]
    heading = next(e for e in s.elements if e.kind is ElementKind.SCENE_HEADING)
    assert heading.text == "INT. ALAN’S HOUSE - DAY"
    assert heading.attrs["paragraph"] == 1
    # Multi-run paragraphs are joined, with offsets into each run.
    multi = [e for e in s.elements if e.offsets is not None]
    assert multi
    alan = [e for e in s.elements if e.kind is ElementKind.CHARACTER and e.text.startswith("ALAN")]
    assert {e.speaker for e in alan} == {"ALAN"}
    dialogue = s.elements[alan[0].index + 1]
    assert dialogue.kind is ElementKind.DIALOGUE and dialogue.speaker == "ALAN"


def test_fdx_character_extension_and_speaker() -> None:
    """The speaker drops the extension; attrs keep it; parentheticals get the speaker."""
    data = _fdx(
        '<Paragraph Type="Character"><Text>MAO (V.O.) (CONT\'D)</Text></Paragraph>'
        '<Paragraph Type="Parenthetical"><Text>(softly)</Text></Paragraph>'
        '<Paragraph Type="Dialogue"><Text>Hello.</Text></Paragraph>'
        '<Paragraph Type="Action"><Text>He goes.</Text></Paragraph>'
    )
    s = read_script(data, name="c.fdx")
    assert [(e.kind.value, e.speaker) for e in s.elements] == [
        ("character", "MAO"),
        ("parenthetical", "MAO"),
        ("dialogue", "MAO"),
        ("action", None),
    ]
    assert s.elements[0].attrs["extension"] == "(V.O.) (CONT'D)"


@needs_corpus
def test_fdx_dual_dialogue() -> None:
    """Both sides of <DualDialogue> are marked left/right with their speakers."""
    s = read_script(CORPUS / "fdx/jumpcut/dual-dialogue-basic.fdx")
    duals = [
        (e.kind.value, e.speaker, e.attrs.get("dual")) for e in s.elements if "dual" in e.attrs
    ]
    assert duals == [
        ("character", "STEEL", "left"),
        ("dialogue", "STEEL", "left"),
        ("character", "BRICK", "right"),
        ("dialogue", "BRICK", "right"),
    ]


def _fdx(body: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<FinalDraft DocumentType="Script" Version="1">{extra}\n<Content>\n{body}\n</Content>\n'
        "</FinalDraft>\n"
    ).encode()


def test_fdx_entities_map_to_original_offsets() -> None:
    """&amp; and character references decode, and offsets point at the entity."""
    data = _fdx(
        '<Paragraph Type="Scene Heading" Number="12A">'
        '<SceneProperties Page="3" Title="Night"/><Text>INT. BAR &amp; GRILL</Text></Paragraph>\n'
        '<Paragraph Type="Action"><Text>Tom &#8212; </Text><Text Style="Bold">hits</Text>'
        "<Text> &lt;Mao&gt;.</Text></Paragraph>"
    )
    s = read_script(data, name="x.fdx")
    check_spans(s)
    heading, action = s.elements
    assert heading.text == "INT. BAR & GRILL"
    assert heading.attrs["scene_number"] == "12A"
    assert heading.span.page == 3
    assert heading.span.line == 4
    assert action.text == "Tom — hits <Mao>."
    i = action.text.index("Mao")
    assert s.text[action.original_offset(i) : action.original_offset(i) + 3] == "Mao"
    assert s.text[action.original_offset(action.text.index("—"))] == "&"


def test_fdx_unanchored_script_notes() -> None:
    """Notes outside the body are standalone NOTE elements."""
    data = _fdx(
        '<Paragraph Type="Action"><Text>Rain.</Text></Paragraph>',
        extra='\n<ScriptNotes><ScriptNote ID="1"><Paragraph><Text>'
        "[[locreview: ignore CN-001 because cleared]]</Text></Paragraph></ScriptNote></ScriptNotes>",
    )
    s = read_script(data, name="n.fdx")
    note = next(e for e in s.elements if e.kind is ElementKind.NOTE)
    assert "locreview: ignore CN-001" in note.text
    assert note.attrs.get("standalone") is True


@pytest.mark.parametrize(
    ("data", "err", "match"),
    [
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
            b'"&lol;&lol;&lol;">]>\n<FinalDraft><Content><Paragraph Type="Action">'
            b"<Text>&lol2;</Text></Paragraph></Content></FinalDraft>",
            UnsafeInputError,
            "DTD",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">\n'
            b"<FinalDraft><Content/></FinalDraft>",
            UnsafeInputError,
            "DTD",
        ),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            b"<FinalDraft><Content><Paragraph><Text>&xxe;</Text></Paragraph></Content></FinalDraft>",
            UnsafeInputError,
            "DTD",
        ),
    ],
    ids=["billion-laughs", "external-dtd", "xxe"],
)
def test_fdx_hostile_xml_refused(data: bytes, err: type[Exception], match: str) -> None:
    """Entity expansion, external DTDs and XXE are refused before anything is read."""
    with pytest.raises(err, match=match) as info:
        read_script(data, name="evil.fdx")
    assert info.value.path == "evil.fdx"


def test_fdx_truncated_xml_names_line() -> None:
    """A truncated FDX is a FormatError with the line where the XML broke."""
    data = _fdx('<Paragraph Type="Action"><Text>Rain.</Text></Paragraph>')[:-40]
    with pytest.raises(FormatError, match="malformed XML") as info:
        read_script(data, name="cut.fdx")
    assert info.value.line is not None and info.value.line >= 3


def test_fdx_deep_nesting_refused() -> None:
    """Absurdly deep nesting is refused, not recursed into."""
    depth = 5000
    data = (
        b'<?xml version="1.0"?>\n<FinalDraft><Content>'
        + b"<a>" * depth
        + b"</a>" * depth
        + b"</Content></FinalDraft>"
    )
    with pytest.raises(UnsafeInputError, match="nests deeper"):
        read_script(data, name="deep.fdx")


def test_fdx_other_xml_is_unknown_format(tmp_path: Path) -> None:
    """XML that is not Final Draft is refused with a clear message."""
    p = tmp_path / "doc.xml"
    p.write_bytes(b'<?xml version="1.0"?>\n<html><body>hi</body></html>')
    with pytest.raises(FormatError, match="not Final Draft"):
        read_script(p)
    p2 = tmp_path / "doc.fdx"
    p2.write_bytes(b'<?xml version="1.0"?>\n<html><body>hi</body></html>')
    with pytest.raises(FormatError, match="root element is <html>"):
        read_script(p2)


def test_fdx_legacy_encoding_declaration() -> None:
    """An FDX declared ISO-8859-1 decodes with that encoding."""
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<FinalDraft><Content>'
        '<Paragraph Type="Action"><Text>Café crème.</Text></Paragraph></Content></FinalDraft>'
    ).encode("latin-1")
    s = read_script(data, name="l.fdx")
    assert s.elements[0].text == "Café crème."


@needs_corpus
def test_fdx_simple_paragraph_shortcut_equals_the_token_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One-run paragraphs read in one match give the Script the token loop gives."""
    import re

    from locreview.ingest import fdx as fdx_reader

    files = sorted(CORPUS.rglob("*.fdx"))
    assert files
    fast = [read_script(p) for p in files]
    monkeypatch.setattr(fdx_reader, "_SIMPLE_PARAGRAPH", re.compile(r"(?!)"))
    slow = [read_script(p) for p in files]
    for p, a, b in zip(files, fast, slow, strict=True):
        assert a.elements == b.elements, p.name
        assert a.title == b.title, p.name
