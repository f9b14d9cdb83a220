"""DOCX: screenplay styles, heuristics on plain paragraphs, zip-bomb and disguise refusals."""

from __future__ import annotations

import io
import time
import zipfile

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Inches
from spancheck import check_spans
from test_docx_equivalence import STYLES, W_NS, new_rows, package, par, reference_rows

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


# -- the lxml reader: where it deliberately differs from python-docx ----------------------
# (test_docx_equivalence.py checks that it matches python-docx everywhere else)


def test_docx_tracked_changes_read_as_the_document_shows() -> None:
    """Inserted and moved-in text is script text; deleted and moved-out text is not."""
    body = (
        '<w:p><w:r><w:t xml:space="preserve">Free </w:t></w:r>'
        '<w:ins w:id="1" w:author="ed"><w:r><w:t>Tibet</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="ed"><w:r><w:delText>Taiwan</w:delText></w:r></w:del>'
        '<w:moveFrom w:id="3" w:author="ed"><w:r><w:t>gone</w:t></w:r></w:moveFrom>'
        '<w:moveTo w:id="4" w:author="ed"><w:r><w:t xml:space="preserve"> now</w:t></w:r>'
        "</w:moveTo></w:p>"
    )
    data = package(body)
    assert [r[0] for r in new_rows(data)] == ["Free Tibet now"]
    assert [r[0] for r in reference_rows(data)] == ["Free "]  # python-docx lost the insertion
    s = read_script(data, name="tracked.docx")
    assert [e.text for e in s.elements] == ["Free Tibet now"]


def test_docx_content_controls_fields_and_smart_tags_are_read() -> None:
    """Text in content controls (block, inline, row), smart tags, fields, bidi runs counts."""
    body = (
        '<w:sdt><w:sdtPr><w:alias w:val="Title"/></w:sdtPr><w:sdtContent>'
        + par("THE ROAD NORTH")
        + "</w:sdtContent></w:sdt>"
        + '<w:customXml w:element="scene">'
        + par("INT. HOUSE - DAY")
        + "</w:customXml>"
        + "<w:p><w:sdt><w:sdtPr/><w:sdtContent><w:r><w:t>Li</w:t></w:r></w:sdtContent></w:sdt>"
        '<w:smartTag w:uri="urn:x" w:element="place"><w:r><w:t xml:space="preserve"> Wei'
        '</w:t></w:r></w:smartTag><w:fldSimple w:instr="PAGE"><w:r><w:t xml:space="preserve">'
        ' 3</w:t></w:r></w:fldSimple><w:dir w:val="rtl"><w:r><w:t xml:space="preserve">'
        " مرحبا</w:t></w:r></w:dir></w:p>"
        + "<w:tbl><w:sdt><w:sdtContent><w:tr><w:tc>"
        + par("in a row control")
        + "</w:tc></w:tr></w:sdtContent></w:sdt></w:tbl>"
    )
    data = package(body)
    assert [r[0] for r in new_rows(data)] == [
        "THE ROAD NORTH",
        "INT. HOUSE - DAY",
        "Li Wei 3 مرحبا",
        "in a row control",
    ]
    assert [r[0] for r in reference_rows(data)] == [""]  # python-docx saw one empty paragraph


def test_docx_indent_given_as_start_counts_like_left() -> None:
    """``w:ind/@w:start`` (the ISO 29500 name) is a left indent, on paragraphs and styles."""
    styles = STYLES + (
        '<w:style w:type="paragraph" w:styleId="Cue"><w:name w:val="Cue"/>'
        '<w:pPr><w:ind w:start="2880"/></w:pPr></w:style>'
    )
    data = package(par("one", None, 'w:start="1440"') + par("two", "Cue"), styles)
    assert [r[2] for r in new_rows(data)] == [1.0, 2.0]
    assert [r[2] for r in reference_rows(data)] == [None, None]


def test_docx_strict_ooxml_is_read() -> None:
    """A Strict OOXML document (other namespaces and relationship types) is read."""
    body = par("INT. HOUSE - DAY") + par("MEI", "Character") + par("Go now.", "Dialogue")
    s = read_script(package(body, strict=True), name="strict.docx")
    assert [(e.kind.value, e.text, e.speaker) for e in s.elements] == [
        ("scene_heading", "INT. HOUSE - DAY", None),
        ("character", "MEI", "MEI"),
        ("dialogue", "Go now.", "MEI"),
    ]
    assert s.elements[1].attrs["style"] == "Character"


def test_docx_without_styles_part_names_styles_by_id() -> None:
    """No styles part: the style id is the name (python-docx called unknown ids Normal)."""
    body = (
        par("ext. square - day", "SceneHeading")
        + par("Li Wei", "Character")
        + par("Run!", "Dialogue")
        + par("Act One", "Heading1")
        + par("Plain text.")
    )
    s = read_script(package(body, styles=None), name="nostyles.docx")
    assert [(e.kind.value, e.attrs.get("style")) for e in s.elements] == [
        ("scene_heading", "SceneHeading"),
        ("character", "Character"),
        ("dialogue", "Dialogue"),
        ("section", "Heading 1"),
        ("action", "Normal"),
    ]
    assert s.elements[3].attrs["level"] == 1


def test_docx_orphan_vertical_merge_is_skipped_not_fatal() -> None:
    """A vMerge continuation with no cell above fails python-docx; here it is skipped."""
    body = (
        "<w:tbl><w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr>"
        + par("orphan")
        + "</w:tc><w:tc>"
        + par("kept")
        + "</w:tc></w:tr></w:tbl>"
    )
    data = package(body)
    assert [r[0] for r in new_rows(data)] == ["kept"]
    with pytest.raises(ValueError, match="no tr above"):
        reference_rows(data)


def test_docx_malformed_document_xml_names_part_line_and_column() -> None:
    """Broken XML in the main part is a FormatError with the part, line and column."""
    good = zipfile.ZipFile(io.BytesIO(package(par("Hello"))))
    entries = {i.filename: good.read(i) for i in good.infolist()}
    entries["word/document.xml"] = (
        f'<?xml version="1.0"?>\n<w:document xmlns:w="{W_NS}">\n<w:body><w:p></w:body>'
    ).encode()
    with pytest.raises(FormatError, match=r"word/document\.xml.*not well-formed") as info:
        read_script(_zip(entries), name="broken.docx")
    assert info.value.path == "broken.docx"
    assert info.value.line == 3 and info.value.column is not None


def test_docx_malformed_styles_xml_is_a_format_error() -> None:
    """Broken XML in the styles part is a FormatError naming that part."""
    data = package(par("Hello"), styles='<w:style w:styleId="x">')
    with pytest.raises(FormatError, match=r"word/styles\.xml"):
        read_script(data, name="broken.docx")


def test_docx_main_part_found_through_relationships() -> None:
    """The main part is the package relationship's target; word/document.xml is a fallback."""
    moved = package(par("Moved main part."), main="word/script.xml")
    assert [e.text for e in read_script(moved, name="a.docx").elements] == ["Moved main part."]
    no_rels = package(par("No package rels."), package_rels=False)
    assert [e.text for e in read_script(no_rels, name="b.docx").elements] == ["No package rels."]
    lost = package(par("Unreachable."), main="word/script.xml", package_rels=False)
    with pytest.raises(FormatError, match="no main document part"):
        read_script(lost, name="c.docx")


def test_docx_main_part_must_be_wordprocessingml() -> None:
    """A relationship to something that is not a w:document is refused, not misread."""
    good = zipfile.ZipFile(io.BytesIO(package(par("Hello"))))
    entries = {i.filename: good.read(i) for i in good.infolist()}
    entries["_rels/.rels"] = entries["_rels/.rels"].replace(b"document.xml", b"styles.xml")
    with pytest.raises(FormatError, match="not a WordprocessingML document"):
        read_script(_zip(entries), name="odd.docx")


def test_docx_reader_is_fast() -> None:
    """A 2,000-paragraph screenplay reads well under the time python-docx needed (~1.3 s)."""
    styles = (
        STYLES
        + '<w:style w:type="paragraph" w:styleId="SceneHeading"><w:name w:val="Scene Heading"/></w:style>'
    )
    line = "We leave before dawn, whatever the border guards say."
    body = "".join(
        par(f"INT. ROOM {i} - DAY", "SceneHeading")
        + par("MEI", "Character")
        + par(line, "Dialogue")
        + par("")
        for i in range(500)
    )
    data = package(body, styles)
    read_script(data, name="warm.docx")
    t0 = time.perf_counter()
    s = read_script(data, name="big.docx")
    took = time.perf_counter() - t0
    assert len(s.elements) == 1500
    assert took < 0.5, f"{took:.2f}s for 2,000 paragraphs"


def test_docx_main_part_outside_xml_names_is_still_checked() -> None:
    """A main part that is not *.xml (found through the relationships) gets the DTD refusal."""
    good = zipfile.ZipFile(io.BytesIO(package(par("Hello"))))
    entries = {i.filename: good.read(i) for i in good.infolist()}
    doc = entries.pop("word/document.xml")
    entries["word/main.dat"] = doc.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "b">]>', 1)
    entries["word/_rels/main.dat.rels"] = entries.pop("word/_rels/document.xml.rels")
    entries["_rels/.rels"] = entries["_rels/.rels"].replace(b"document.xml", b"main.dat")
    with pytest.raises(UnsafeInputError, match="DTD"):
        read_script(_zip(entries), name="dat.docx")
    entries["word/main.dat"] = doc
    s = read_script(_zip(entries), name="dat.docx")
    assert [e.text for e in s.elements] == ["Hello"]


def test_docx_style_tables_are_cached_by_content_and_bounded() -> None:
    """Drafts sharing a styles part share its parsed table; the cache stays small."""
    docx_reader._STYLE_CACHE.clear()
    read_script(package(par("MEI", "Character")), name="a.docx")
    read_script(package(par("LI", "Character") + par("Hi.", "Dialogue")), name="b.docx")
    assert len(docx_reader._STYLE_CACHE) == 1
    for i in range(docx_reader._STYLE_CACHE_SIZE + 5):
        extra = f'<w:style w:type="paragraph" w:styleId="S{i}"><w:name w:val="S{i}"/></w:style>'
        s = read_script(package(par("MEI", "Character"), STYLES + extra), name="c.docx")
        assert s.elements[0].attrs["style"] == "Character"
    assert len(docx_reader._STYLE_CACHE) == docx_reader._STYLE_CACHE_SIZE


def test_docx_parts_never_read_are_never_inflated() -> None:
    """Only the parts the reader parses are inflated and held to the DTD rule: a DTD in an
    unreferenced part is not even opened, while the same DTD in the main part is refused."""
    good = zipfile.ZipFile(io.BytesIO(package(par("Hello"))))
    entries = {i.filename: good.read(i) for i in good.infolist()}
    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    s = read_script(_zip({**entries, "word/unused.xml": dtd}), name="extra.docx")
    assert [e.text for e in s.elements] == ["Hello"]
    doc = entries["word/document.xml"].replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "b">]>', 1)
    with pytest.raises(UnsafeInputError, match="DTD"):
        read_script(_zip({**entries, "word/document.xml": doc}), name="dtd.docx")
