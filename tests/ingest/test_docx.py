"""DOCX: screenplay styles, heuristics on plain paragraphs, zip-bomb and disguise refusals."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Inches
from spancheck import check_spans

from locreview.errors import FormatError, UnsafeInputError
from locreview.ingest import docx as docx_reader
from locreview.ingest import read_script


def _save(d: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_screenplay_styles_map_to_kinds() -> None:
    """Paragraph styles of screenplay templates decide the element kinds."""
    d = docx.Document()
    for name in ("Scene Heading", "Character", "Parenthetical", "Dialogue", "Action", "Transition"):
        d.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    d.add_paragraph("ext. tiananmen square - day", style="Scene Heading")
    d.add_paragraph("Crowds gather.", style="Action")
    d.add_paragraph("Li Wei (O.S.)", style="Character")
    d.add_paragraph("(shouting)", style="Parenthetical")
    d.add_paragraph("Run!", style="Dialogue")
    d.add_paragraph("Cut to:", style="Transition")
    s = read_script(_save(d), name="styled.docx")
    check_spans(s)
    assert s.format == "docx"
    assert [(e.kind.value, e.speaker) for e in s.elements] == [
        ("scene_heading", None),
        ("action", None),
        ("character", "Li Wei"),
        ("parenthetical", "Li Wei"),
        ("dialogue", "Li Wei"),
        ("transition", None),
    ]
    assert s.elements[0].scene == 1 and s.elements[0].attrs["paragraph"] == 0
    assert s.elements[2].attrs["extension"] == "(O.S.)"


def test_docx_plain_paragraphs_use_fountain_heuristics() -> None:
    """Unstyled paragraphs: INT./EXT. headings, upper-case cues, dialogue, CUT TO:."""
    d = docx.Document()
    d.add_paragraph("INT. HOUSE - DAY")
    d.add_paragraph("")
    d.add_paragraph("John unfolds a flag.")
    d.add_paragraph("")
    d.add_paragraph("JOHN")
    d.add_paragraph("(quietly)")
    p = d.add_paragraph("Free Tibet.")
    p.paragraph_format.left_indent = Inches(1)
    d.add_paragraph("")
    d.add_paragraph("CUT TO:")
    s = read_script(_save(d), name="plain.docx")
    check_spans(s)
    assert [(e.kind.value, e.text, e.speaker) for e in s.elements] == [
        ("scene_heading", "INT. HOUSE - DAY", None),
        ("action", "John unfolds a flag.", None),
        ("character", "JOHN", "JOHN"),
        ("parenthetical", "(quietly)", "JOHN"),
        ("dialogue", "Free Tibet.", "JOHN"),
        ("transition", "CUT TO:", None),
    ]


def test_docx_prose_and_tables_become_paragraphs() -> None:
    """A document with no screenplay structure gives paragraphs; table cells are read too."""
    d = docx.Document()
    d.add_paragraph("A treatment about two brothers.")
    d.add_paragraph("MEI: 我们走吧。")
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text = "ฉากที่หนึ่ง"
    t.cell(0, 1).text = "Notes on the market."
    s = read_script(_save(d), name="prose.docx")
    check_spans(s)
    assert [(e.kind.value, e.text) for e in s.elements] == [
        ("paragraph", "A treatment about two brothers."),
        ("character", "MEI"),
        ("dialogue", "我们走吧。"),
        ("paragraph", "ฉากที่หนึ่ง"),
        ("paragraph", "Notes on the market."),
    ]
    assert s.elements[2].speaker == "MEI"


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_docx_zip_bomb_ratio_refused() -> None:
    """An entry that expands more than 100x is refused before python-docx sees it."""
    data = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"\0" * (20 * 1024 * 1024)})
    with pytest.raises(UnsafeInputError, match="zip bomb"):
        read_script(data, name="bomb.docx")


def test_docx_too_many_entries_refused() -> None:
    """More than 2000 entries is refused."""
    entries = {f"word/media/{i}.bin": b"x" for i in range(docx_reader.MAX_ENTRIES + 1)}
    entries["[Content_Types].xml"] = b"<x/>"
    with pytest.raises(UnsafeInputError, match="entries"):
        read_script(_zip(entries, zipfile.ZIP_STORED), name="many.docx")


def test_docx_total_size_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The total uncompressed size limit is enforced (lowered here to keep the test small)."""
    monkeypatch.setattr(docx_reader, "MAX_TOTAL_UNCOMPRESSED", 1000)
    data = _zip(
        {"[Content_Types].xml": b"<x/>", "word/document.xml": bytes(range(256)) * 8},
        zipfile.ZIP_STORED,
    )
    with pytest.raises(UnsafeInputError, match="expands to"):
        read_script(data, name="big.docx")


def test_docx_path_traversal_refused() -> None:
    """Entry names leaving the archive are refused."""
    data = _zip({"[Content_Types].xml": b"<x/>", "../../etc/evil.xml": b"<x/>"})
    with pytest.raises(UnsafeInputError, match="escapes"):
        read_script(data, name="trav.docx")


def test_docx_dtd_in_part_refused() -> None:
    """A DTD inside a DOCX XML part is refused like in FDX."""
    d = docx.Document()
    d.add_paragraph("Hello")
    src = zipfile.ZipFile(io.BytesIO(_save(d)))
    entries = {i.filename: src.read(i) for i in src.infolist()}
    entries["word/document.xml"] = entries["word/document.xml"].replace(
        b"?>", b'?><!DOCTYPE x [<!ENTITY a "b">]>', 1
    )
    with pytest.raises(UnsafeInputError, match="DTD"):
        read_script(_zip(entries), name="dtd.docx")


def test_docx_zip_that_is_not_word_refused() -> None:
    """A ZIP without Word parts (an .xlsx, a plain archive) is a FormatError."""
    with pytest.raises(FormatError, match="not a Word document"):
        read_script(_zip({"hello.txt": b"hi"}), name="a.docx")


def test_docx_renamed_text_file_refused(tmp_path) -> None:
    """A text file renamed .docx is refused, naming the problem."""
    p = tmp_path / "script.docx"
    p.write_text("INT. HOUSE - DAY\n\nNot really a docx.\n")
    with pytest.raises(FormatError, match="not a DOCX") as info:
        read_script(p)
    assert info.value.path == str(p)


def test_docx_truncated_zip_refused() -> None:
    """A truncated DOCX is a FormatError, not a traceback."""
    d = docx.Document()
    d.add_paragraph("Hello")
    data = _save(d)
    with pytest.raises(FormatError, match="corrupt or truncated"):
        read_script(data[: len(data) // 2], name="cut.docx")


def test_docx_encrypted_office_file_refused() -> None:
    """Password-protected Office files are OLE containers: refused with the reason."""
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024
    with pytest.raises(FormatError, match="password-protected"):
        read_script(ole, name="locked.docx")
