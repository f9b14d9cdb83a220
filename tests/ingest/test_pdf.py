"""PDF: text layer, pages and lines, layout recovered from indentation, clear refusals."""

from __future__ import annotations

import io

import pytest
from pdf_fixture import make_pdf, screenplay_page
from spancheck import check_spans

from locreview.errors import FormatError
from locreview.ingest import read_script, sniff_format
from locreview.model import ElementKind


def test_pdf_screenplay_layout_recovered() -> None:
    """Headings, action, cues, parentheticals, dialogue and transitions come from indentation."""
    data = make_pdf([screenplay_page(), [(108, 700, "The van drives off."), (500, 750, "2.")]])
    s = read_script(data, name="s.pdf")
    check_spans(s)
    assert s.format == "pdf"
    assert [(e.kind.value, e.speaker, e.span.page) for e in s.elements] == [
        ("scene_heading", None, 1),
        ("action", None, 1),
        ("character", "TENZIN", 1),
        ("parenthetical", "TENZIN", 1),
        ("dialogue", "TENZIN", 1),
        ("transition", None, 1),
        ("action", None, 2),
    ]
    action = s.elements[1]
    assert action.text == "Monks chant. A portrait of the Dalai Lama hangs\nabove the altar."
    assert action.attrs["page_line"] == 3
    assert s.elements[2].attrs["extension"] == "(V.O.)"
    assert s.elements[4].text == "We must leave before dawn.\nThey are coming."
    # The page number "2." is layout, not text to scan.
    assert "2." not in [e.text for e in s.elements]
    assert s.elements[-1].attrs["page_line"] >= 1 and s.meta["pages"] == 2


def test_pdf_prose_becomes_paragraphs() -> None:
    """A PDF without screenplay structure gives PARAGRAPH elements split at blank lines."""
    data = make_pdf(
        [[(72, 700, "First paragraph line one"), (72, 688, "line two."), (72, 652, "Second.")]]
    )
    s = read_script(data, name="p.pdf")
    assert [(e.kind, e.text) for e in s.elements] == [
        (ElementKind.PARAGRAPH, "First paragraph line one\nline two."),
        (ElementKind.PARAGRAPH, "Second."),
    ]


def test_pdf_image_only_is_no_text_layer() -> None:
    """A scanned/image-only PDF is a clear 'no text layer' error, not an empty pass."""
    with pytest.raises(FormatError, match="no text layer") as info:
        read_script(make_pdf([[], []]), name="scan.pdf")
    assert info.value.path == "scan.pdf"


def test_pdf_encrypted_is_refused() -> None:
    """A password-protected PDF is refused with a message saying so."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([screenplay_page()]))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(FormatError, match="encrypted"):
        read_script(buf.getvalue(), name="locked.pdf")


def test_pdf_encrypted_with_empty_password_reads() -> None:
    """Permissions-only encryption (empty user password) still reads."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([screenplay_page()]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    s = read_script(buf.getvalue(), name="perm.pdf")
    assert s.elements[0].text == "INT. TEMPLE - NIGHT"


@pytest.mark.parametrize("cut", [0.5, 0.2])
def test_pdf_truncated_is_clear_error(cut: float) -> None:
    """A truncated PDF is a FormatError naming the file, never a traceback."""
    data = make_pdf([screenplay_page()])
    with pytest.raises(FormatError, match="PDF") as info:
        read_script(data[: int(len(data) * cut)], name="cut.pdf")
    assert "cut.pdf" in str(info.value)


def test_pdf_sniffed_by_content_and_renamed_pdf_refused(tmp_path) -> None:
    """%PDF content is a PDF whatever its name; a .pdf holding text is refused."""
    data = make_pdf([screenplay_page()])
    assert sniff_format(data, "draft.txt") == "pdf"
    fake = tmp_path / "draft.pdf"
    fake.write_text("INT. HOUSE - DAY\n\nJust text.\n")
    with pytest.raises(FormatError, match="not a PDF"):
        read_script(fake)


@pytest.mark.skipif(
    not (__import__("ingest_peers").CORPUS / "fdx/jumpcut").is_dir(), reason="corpus missing"
)
def test_pdf_final_draft_reference_layout() -> None:
    """Final Draft's own PDF of title-page-cast-page gives cues and dialogue with speakers."""
    from ingest_peers import CORPUS

    s = read_script(CORPUS / "fdx/jumpcut/title-page-cast-page-reference.pdf")
    check_spans(s)
    kinds = [e.kind for e in s.elements]
    assert ElementKind.SCENE_HEADING in kinds
    cues = [e for e in s.elements if e.kind is ElementKind.CHARACTER]
    assert [c.speaker for c in cues][:4] == ["EMILY", "ALAN", "JULIET", "ALAN"]
    first_line = next(e for e in s.elements if e.kind is ElementKind.DIALOGUE)
    assert first_line.text == "Do it again!" and first_line.speaker == "EMILY"
    assert first_line.span.page == 3
