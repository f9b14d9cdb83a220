"""The lxml DOCX reader against python-docx 1.2 (the previous reader) as the reference.

python-docx stays a test dependency for this: it builds documents and, through a small
extraction below, says what each paragraph's text, style name and left indent must be.
The reader's deliberate differences from python-docx are tested in test_docx.py.
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.shared import Cm, Inches, Pt
from docx.text.paragraph import Paragraph

from locreview.ingest import docx as docx_reader
from locreview.model import ElementKind

ROOT = Path(__file__).resolve().parents[2]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships"
_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"

STYLES = (
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
    "</w:style>"
    '<w:style w:type="paragraph" w:styleId="Character"><w:name w:val="Character"/>'
    '<w:pPr><w:ind w:left="3168"/></w:pPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="Dialogue"><w:name w:val="Dialogue"/>'
    '<w:pPr><w:ind w:left="1.5in"/></w:pPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/></w:style>'
    '<w:style w:type="character" w:styleId="Emph"><w:name w:val="Emphasis"/></w:style>'
)


def package(
    body: str,
    styles: str | None = STYLES,
    *,
    strict: bool = False,
    main: str = "word/document.xml",
    package_rels: bool = True,
) -> bytes:
    """A DOCX whose document body is ``body`` (w:-prefixed XML), styled by ``styles``."""
    ns, rel = (W_STRICT_NS, _REL_STRICT) if strict else (W_NS, _REL)
    folder, name = main.rsplit("/", 1)
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main}" ContentType="{_CT}.document.main+xml"/>'
        f'<Override PartName="/{folder}/styles.xml" ContentType="{_CT}.styles+xml"/></Types>'
    )
    rels_head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    )
    entries = {
        "[Content_Types].xml": types,
        main: (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>'
        ),
    }
    if package_rels:
        entries["_rels/.rels"] = (
            f'{rels_head}<Relationship Id="rId1" Type="{rel}/officeDocument" Target="{main}"/>'
            "</Relationships>"
        )
    if styles is not None:
        entries[f"{folder}/_rels/{name}.rels"] = (
            f'{rels_head}<Relationship Id="rId1" Type="{rel}/styles" Target="styles.xml"/>'
            "</Relationships>"
        )
        entries[f"{folder}/styles.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<w:styles xmlns:w="{ns}">{styles}</w:styles>'
        )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for entry, text in entries.items():
            zf.writestr(entry, text.encode("utf-8"))
    return buf.getvalue()


def par(text: str, style: str | None = None, ind: str = "") -> str:
    """One paragraph with one run (``ind``: raw w:ind attributes such as 'w:left="720"')."""
    ppr = ""
    if style is not None or ind:
        ppr = "<w:pPr>"
        ppr += f'<w:pStyle w:val="{style}"/>' if style is not None else ""
        ppr += f"<w:ind {ind}/>" if ind else ""
        ppr += "</w:pPr>"
    run = f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""
    return f"<w:p>{ppr}{run}</w:p>"


# -- python-docx reference -----------------------------------------------------------------

Ref = tuple[str, str, float | None]


def reference_rows(data: bytes) -> list[Ref]:
    """(text, style name, left indent in inches) per paragraph, read with python-docx 1.2.

    The previous reader's semantics: body order of paragraphs and tables, table cells row
    by row, a merged cell once (cells are compared by element, kept alive so that identity
    holds), the paragraph's left indent else its style's.
    """
    doc = docx.Document(io.BytesIO(data))
    out: list[Ref] = []
    seen: dict[int, object] = {}

    def row(p: Paragraph) -> Ref:
        style = p.style
        try:
            ind = p.paragraph_format.left_indent
            if ind is None and style is not None:
                ind = style.paragraph_format.left_indent
        except ValueError:  # an unreadable measure: the previous reader gave no indent
            ind = None
        name = (style.name if style is not None else "") or ""
        return p.text, name, None if ind is None else ind / 914400

    def walk(container: object) -> None:
        for item in container.iter_inner_content():  # type: ignore[attr-defined]
            if isinstance(item, Paragraph):
                out.append(row(item))
                continue
            for r in item.rows:
                for cell in r.cells:
                    if id(cell._tc) not in seen:
                        seen[id(cell._tc)] = cell._tc
                        walk(cell)

    walk(doc)
    return out


def new_rows(data: bytes) -> list[Ref]:
    """The same triple from the lxml reader."""
    zf = docx_reader.check_zip(data, "x.docx")
    with zf:
        return [(t, name, ind) for t, _, name, _, ind in docx_reader._rows(zf, "x.docx")]


def _save(d: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# -- generated documents -------------------------------------------------------------------

_STYLE_NAMES = ("Scene Heading", "Character", "Dialogue", "Parenthetical", "Transition",
                "Action", "Shot", "General", "Notes", "Lyrics")  # fmt: skip
_WORDS = "INT. EXT. HOUSE DAY JOHN MEI (quietly) CUT TO: Free Tibet a flag. 我们走吧 ฉาก".split()


def random_document(seed: int) -> bytes:
    """A python-docx document: screenplay styles (some indented), headings, built-in
    styles, direct indents, runs with tabs and breaks, tables with merged and nested cells."""
    rng = random.Random(seed)
    d = docx.Document()
    styles = ["Normal"]
    for name in rng.sample(_STYLE_NAMES, rng.randint(0, len(_STYLE_NAMES))):
        st = d.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if rng.random() < 0.5:
            st.paragraph_format.left_indent = rng.choice([Inches(1.5), Inches(0.8), Cm(2)])
        styles.append(name)

    def text() -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 6)))

    def paragraph(container: object) -> None:
        r = rng.random()
        style = None
        if r < 0.35:
            style = rng.choice(styles)
        elif r < 0.45:
            style = f"Heading {rng.randint(1, 9)}"
        elif r < 0.5:
            style = rng.choice(["Title", "Subtitle", "Caption", "Quote", "List Paragraph"])
        p = container.add_paragraph(style=style)  # type: ignore[attr-defined]
        for _ in range(rng.randint(0, 3)):
            run = p.add_run(text() + rng.choice(["", "\t", "\n", " "]))
            if rng.random() < 0.15:
                run.add_break(rng.choice([WD_BREAK.LINE, WD_BREAK.PAGE, WD_BREAK.COLUMN]))
        if rng.random() < 0.3:
            p.paragraph_format.left_indent = rng.choice([Inches(1), Inches(2.5), Pt(7), 0])

    def fill(container: object, depth: int) -> None:
        for _ in range(rng.randint(1, 20)):
            if rng.random() < 0.12 and depth < 3:
                rows, cols = rng.randint(1, 4), rng.randint(1, 4)
                t = container.add_table(rows=rows, cols=cols)  # type: ignore[attr-defined]
                for i in range(rows):
                    for j in range(cols):
                        t.cell(i, j).text = text()
                        if rng.random() < 0.15:
                            fill(t.cell(i, j), depth + 1)
                # One merge per table: python-docx itself cannot read some overlapping ones.
                if rng.random() < 0.5 and rows > 1:
                    j = rng.randrange(cols)
                    t.cell(0, j).merge(t.cell(rows - 1, j))
                elif rng.random() < 0.5 and cols > 1:
                    i = rng.randrange(rows)
                    t.cell(i, 0).merge(t.cell(i, cols - 1))
            else:
                paragraph(container)

    fill(d, 0)
    return _save(d)


#: python-docx semantics on raw XML it does not write itself: hyperlinks, every run
#: content element, break types, unknown and non-paragraph style ids, lower-case built-in
#: names, universal-measure and unreadable indents, gridSpan and vMerge, nested tables,
#: markup to ignore (bookmarks, proofing marks, field codes, rendered page breaks).
RAW_BODY = (
    par("INT. HOUSE - DAY", "Heading3")
    + '<w:p><w:pPr><w:pStyle w:val="Character"/></w:pPr><w:bookmarkStart w:id="0" w:name="a"/>'
    '<w:r><w:t>MEI</w:t></w:r><w:bookmarkEnd w:id="0"/><w:proofErr w:type="spellStart"/>'
    '<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve"> (O.S.)</w:t></w:r></w:p>'
    '<w:p><w:pPr><w:pStyle w:val="Dialogue"/></w:pPr><w:r><w:t>Go</w:t><w:tab/><w:t>now</w:t>'
    '<w:br/><w:t>here</w:t><w:br w:type="page"/><w:br w:type="column"/><w:cr/>'
    '<w:noBreakHyphen/><w:ptab w:relativeTo="margin" w:alignment="right" w:leader="none"/>'
    "<w:lastRenderedPageBreak/><w:t>x</w:t></w:r>"
    '<w:hyperlink r:id="rId9" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><w:r><w:t> link</w:t></w:r></w:hyperlink>'
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    + par("unknown style id", "NoSuchStyle")
    + par("character style id", "Emph")
    + par("empty style id", "")
    + par("twips", None, 'w:left="720"')
    + par("centimetres", "Character", 'w:left="2cm"')
    + par("points over a style", "Dialogue", 'w:left="36pt" w:right="5"')
    + par("unreadable indent", "Dialogue", 'w:left="abc"')
    + par("no left, style indent", "Character", 'w:right="720"')
    + "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>"
    '<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr>' + par("tall") + "</w:tc>"
    '<w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr>' + par("wide") + par("wide 2") + "</w:tc>"
    "</w:tr><w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr>" + par("") + "</w:tc>"
    "<w:tc>"
    + par("b1")
    + "<w:tbl><w:tr><w:tc>"
    + par("nested")
    + "</w:tc></w:tr></w:tbl>"
    + par("after nested")
    + "</w:tc><w:tc>"
    + par("b2")
    + "</w:tc></w:tr>"
    '<w:tr><w:tc><w:tcPr><w:vMerge w:val="continue"/></w:tcPr>' + par("") + "</w:tc>"
    "<w:tc>"
    + par("c1")
    + "</w:tc><w:tc>"
    + par("c2")
    + "</w:tc></w:tr></w:tbl>"
    + par("")
    + par("last")
    + "<w:sectPr/>"
)


def test_raw_wordprocessingml_matches_python_docx() -> None:
    """Run content, styles, indents and tables from raw XML read as python-docx reads them."""
    data = package(RAW_BODY)
    ref = reference_rows(data)
    assert new_rows(data) == ref
    # The reference itself is what this test pins down (not a vacuous comparison).
    assert ref[2] == ("Go\tnow\nhere\n-\tx link7", "Dialogue", 1.5)
    assert ref[0][1] == "Heading 3" and ref[3][1] == ref[4][1] == ref[5][1] == "Normal"
    assert [r[2] for r in ref[6:11]] == [0.5, pytest.approx(2 / 2.54), 0.5, None, 2.2]
    assert [r[0] for r in ref[11:19]] == [
        "tall", "wide", "wide 2", "b1", "nested", "after nested", "b2", "c1",
    ]  # fmt: skip


@pytest.mark.parametrize("seed", range(25))
def test_generated_documents_match_python_docx(seed: int) -> None:
    """Random python-docx documents: the same paragraphs, style names and indents."""
    data = random_document(seed)
    ref = reference_rows(data)
    assert ref, "the generator made an empty document"
    assert new_rows(data) == ref


def test_benchmark_draft_matches_python_docx() -> None:
    """The benchmark's generated draft (a quarter feature) reads the same as python-docx."""
    sys.path.insert(0, str(ROOT / "bench"))
    import draftgen

    data = draftgen.render(draftgen.generate(0.25, {}), "docx")
    ref = reference_rows(data)
    assert len(ref) > 400
    assert new_rows(data) == ref
    script = docx_reader.read(data, "draft.docx")
    assert {e.kind for e in script.elements} >= {
        ElementKind.SCENE_HEADING, ElementKind.CHARACTER, ElementKind.DIALOGUE,
    }  # fmt: skip


def test_single_pass_reader_matches_the_general_walk() -> None:
    """Plain documents take the one-pass path; it gives what the general walk gives."""
    plain = [random_document(seed) for seed in range(40)]
    plain.append(package(RAW_BODY.split("<w:hyperlink")[0] + "</w:p>" + par("end", "Dialogue")))
    used = 0
    for data in plain:
        zf = docx_reader.check_zip(data, "x.docx")
        with zf:
            fast = docx_reader._rows(zf, "x.docx")
            slow = docx_reader._rows(zf, "x.docx", simple=False)
            root = docx_reader._Package(zf, "x").xml("word/document.xml")
        assert fast == slow
        w = docx_reader._NAMESPACES[W_NS]
        used += next(root.iter(*w.not_simple), None) is None
    assert used >= 10, "too few documents exercised the single-pass path"


def _corpus_docx() -> list[Path]:
    return sorted((ROOT / ".." / "shared" / "corpus").resolve().rglob("*.docx"))


@pytest.mark.parametrize("path", _corpus_docx(), ids=lambda p: p.name)
def test_corpus_documents_match_python_docx(path: Path) -> None:
    """Every DOCX of the shared corpus (none has a clear licence yet) reads the same."""
    data = path.read_bytes()
    assert new_rows(data) == reference_rows(data)
