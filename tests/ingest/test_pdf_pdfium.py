"""PDF reader on PDFium: layout from text positions, pypdf fallback, limits, threads, crashes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import zlib
from pathlib import Path

import pytest
from ingest_peers import CORPUS
from pdf_fixture import make_pdf, screenplay_page
from spancheck import check_spans

from locreview.errors import FormatError
from locreview.ingest import pdf as pdf_reader
from locreview.ingest import read_script
from locreview.model import ElementKind

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FD_PDF = CORPUS / "fdx/jumpcut/title-page-cast-page-reference.pdf"
FD_MULTI_PDF = CORPUS / "fdx/jumpcut/title-pages-multi-reference.pdf"
JP_PDF = CORPUS / "fountain/afterwriting/jp.pdf"
needs_corpus = pytest.mark.skipif(not FD_PDF.is_file(), reason="corpus missing")


def _raw_pdf(content: str | bytes, filters: bytes = b"") -> bytes:
    """A one-page PDF (12-pt Courier as /F1) whose content stream is ``content``."""
    stream = content.encode("latin-1") if isinstance(content, str) else content
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d %s>>\nstream\n" % (len(stream), filters) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_pdf_text_comes_from_pdfium() -> None:
    """An ordinary text PDF is read through PDFium, and the layout gives the same kinds."""
    s = read_script(make_pdf([screenplay_page()]), name="s.pdf")
    assert s.meta["text_source"] == "PDFium text layer"
    assert [e.kind for e in s.elements][:3] == [
        ElementKind.SCENE_HEADING,
        ElementKind.ACTION,
        ElementKind.CHARACTER,
    ]
    # 12.5 layout columns per inch, as pypdf's layout mode gave for 12-pt Courier.
    assert s.elements[2].attrs["indent"] == int((266 - 108) // pdf_reader.COLUMN_PT) == 27


def test_pdf_scene_numbers_in_separate_text_objects() -> None:
    """Scene numbers drawn left and right of the heading are cut off as the scene number."""
    page = [
        (54, 700, "12"),
        (108, 700, "INT. TEMPLE - NIGHT"),
        (540, 700, "12"),
        (108, 676, "Monks chant."),
    ]
    s = read_script(make_pdf([page]), name="n.pdf")
    check_spans(s)
    head = s.elements[0]
    assert head.kind is ElementKind.SCENE_HEADING and head.text == "INT. TEMPLE - NIGHT"
    assert head.attrs["scene_number"] == "12"
    assert s.elements[1].kind is ElementKind.ACTION


def test_pdf_words_as_separate_text_objects_join_with_wide_gaps_kept() -> None:
    """Per-word text objects make one line; a wide gap on the same baseline stays wide."""
    words = [(108 + 7.2 * i, 700, w) for i, w in [(0, "ALAN"), (13, "Late"), (18, "30s,")]]
    words += [(108 + 7.2 * 23, 700, "anxious.")]
    s = read_script(make_pdf([words + [(108, 688, "Next line.")]]), name="w.pdf")
    lines = s.text.split("\n")
    assert lines[0].startswith("ALAN") and lines[0].split() == ["ALAN", "Late", "30s,", "anxious."]
    # A wide gap pads to the next word's layout column (12.5 per inch: 93.6 pt -> 16).
    assert lines[0].startswith("ALAN" + " " * 12 + "Late 30s, anxious.")
    assert lines[1] == "Next line."


def test_pdf_glyph_by_glyph_text_objects() -> None:
    """A PDF that places every glyph on its own (Final Draft on macOS does) reads as words."""
    glyphs = [(108 + 7.2 * i, 700, ch) for i, ch in enumerate("Do it again!") if ch != " "]
    glyphs += [(180 + 7.2 * i, 688, ch) for i, ch in enumerate("Daddy needs a break.") if ch != " "]
    s = read_script(make_pdf([glyphs]), name="g.pdf")
    assert s.text.split("\n")[:2] == ["Do it again!", "Daddy needs a break."]


def test_pdf_text_printed_twice_in_place_reads_once() -> None:
    """Fake bold (the same text drawn twice at one spot) is read once."""
    page = [(108, 700, "FADE IN:"), (108, 700, "FADE IN:"), (108, 676, "A room.")]
    s = read_script(make_pdf([page]), name="b.pdf")
    assert s.text.split("\n")[0] == "FADE IN:"


def test_pdf_rotated_text_is_left_out() -> None:
    """A rotated watermark is not script text (pypdf's layout mode left it out too)."""
    data = _raw_pdf(
        "BT /F1 12 Tf 108 700 Td (INT. HOUSE - DAY) Tj ET\n"
        "BT /F1 12 Tf 0 1 -1 0 300 200 Tm (CONFIDENTIAL WATERMARK) Tj ET\n"
        "BT /F1 12 Tf 108 676 Td (Rain on the windows.) Tj ET"
    )
    s = read_script(data, name="r.pdf")
    assert "WATERMARK" not in s.text
    assert [e.text for e in s.elements] == ["INT. HOUSE - DAY", "Rain on the windows."]


def test_pdf_font_size_from_text_matrix_spaces_lines() -> None:
    """Text set with Tf 1 and the size in the text matrix still gives blank lines by size."""
    data = _raw_pdf(
        "BT /F1 1 Tf 12 0 0 12 108 700 Tm (INT. HOUSE - DAY) Tj ET\n"
        "BT /F1 1 Tf 12 0 0 12 108 676 Tm (Rain on the windows.) Tj ET"
    )
    s = read_script(data, name="m.pdf")
    assert s.text == "INT. HOUSE - DAY\n\nRain on the windows.\n"
    assert [e.kind for e in s.elements] == [ElementKind.SCENE_HEADING, ElementKind.ACTION]


def test_pdf_page_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """More pages than MAX_PAGES is a clear error naming the limit, not a long read."""
    monkeypatch.setattr(pdf_reader, "MAX_PAGES", 2)
    data = make_pdf([screenplay_page()] * 3)
    with pytest.raises(FormatError, match="3 pages, over the limit of 2") as info:
        read_script(data, name="long.pdf")
    assert info.value.path == "long.pdf"


def test_pdf_damaged_file_pdfium_refuses_goes_to_pypdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """When PDFium cannot load a file, pypdf gets its chance (and names itself as source)."""

    def refuse(data: bytes, path: str) -> list[str]:
        raise pdf_reader._NeedsPypdf("not a PDF or corrupted")

    monkeypatch.setattr(pdf_reader, "_extract_pdfium", refuse)
    s = read_script(make_pdf([screenplay_page()]), name="d.pdf")
    assert s.meta["text_source"] == "pypdf layout extraction (PDFium: not a PDF or corrupted)"
    assert s.elements[0].text == "INT. TEMPLE - NIGHT"


def test_pdf_compression_bomb_is_not_given_to_pdfium(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDFium inflates streams without a cap: a file whose streams inflate past the limit
    goes to pypdf, which caps each stream (and reads this one)."""
    monkeypatch.setattr(pdf_reader, "_MAX_INFLATED", 1 << 20)
    content = b"BT /F1 12 Tf 108 700 Td (INT. HOUSE - DAY) Tj ET\n" + b" " * (3 << 20)
    data = _raw_pdf(zlib.compress(content, 9), b"/Filter /FlateDecode ")
    assert len(data) < 20_000
    s = read_script(data, name="bomb.pdf")
    assert s.meta["text_source"] == (
        "pypdf layout extraction (PDFium: streams inflate to more than 1 MiB)"
    )
    assert s.elements[0].text == "INT. HOUSE - DAY"
    # Under the limit the same file goes to PDFium.
    monkeypatch.setattr(pdf_reader, "_MAX_INFLATED", 4 << 20)
    assert read_script(data, name="ok.pdf").meta["text_source"] == "PDFium text layer"


def test_pdf_filters_that_could_hide_a_bomb_go_to_pypdf() -> None:
    """zlib inside zlib, LZW and run-length streams are not counted: pypdf reads them."""
    content = b"BT /F1 12 Tf 108 700 Td (INT. HOUSE - DAY) Tj ET"
    nested = _raw_pdf(
        zlib.compress(zlib.compress(content)), b"/Filter [/FlateDecode /FlateDecode] "
    )
    assert pdf_reader._inflation_risk(nested) == "zlib inside zlib"
    s = read_script(nested, name="nested.pdf")
    assert s.elements[0].text == "INT. HOUSE - DAY"
    assert s.meta["text_source"] == "pypdf layout extraction (PDFium: zlib inside zlib)"
    lzw = _raw_pdf(content.decode(), b"/Filter /LZWDecode ")
    assert pdf_reader._inflation_risk(lzw) == "LZW or run-length streams"
    assert pdf_reader._inflation_risk(make_pdf([screenplay_page()])) is None


def test_pdf_bombs_behind_ascii_wrappers_escaped_names_or_encryption_are_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The count looks inside ASCII85/hex wrappers; #xx-escaped filter names and encrypted
    streams (which it cannot see into) send the file to pypdf."""
    import base64

    monkeypatch.setattr(pdf_reader, "_MAX_INFLATED", 1 << 20)
    big = zlib.compress(b"BT /F1 12 Tf 108 700 Td (X) Tj ET\n" + b" " * (3 << 20), 9)
    a85 = _raw_pdf(base64.a85encode(big).decode("latin-1") + "~>",
                   b"/Filter [/ASCII85Decode /FlateDecode] ")
    assert pdf_reader._inflation_risk(a85) == "streams inflate to more than 1 MiB"
    hexed = _raw_pdf(big.hex() + ">", b"/Filter [/AHx /Fl] ")
    assert pdf_reader._inflation_risk(hexed) == "streams inflate to more than 1 MiB"
    small = _raw_pdf(base64.a85encode(zlib.compress(b"BT ET")).decode("latin-1") + "~>",
                     b"/Filter [/ASCII85Decode /FlateDecode] ")
    assert pdf_reader._inflation_risk(small) is None
    escaped = _raw_pdf("abc", b"/Filter /L#5AWDecode ")
    assert pdf_reader._inflation_risk(escaped) == "a filter name written with #xx escapes"
    encrypted = _raw_pdf("abc", b"/Encrypt 9 0 R ")
    assert pdf_reader._inflation_risk(encrypted) is not None


def test_pdf_reads_in_parallel_threads() -> None:
    """Reads from several threads at once (the UI's workers) give the sequential results."""
    datas = [make_pdf([screenplay_page()] * k) for k in (1, 2, 3, 4)]
    expected = [read_script(d, name="t.pdf").text for d in datas]
    got: dict[tuple[int, int], str] = {}
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for rep in range(5):
                i = (t + rep) % len(datas)
                got[(t, rep)] = read_script(datas[i], name="t.pdf").text
                assert got[(t, rep)] == expected[i]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors and len(got) == 30


@needs_corpus
def test_pdf_final_draft_hyphen_at_line_end_kept() -> None:
    """PDFium joins a line ending in a hyphen to the next; the reader keeps both lines."""
    s = read_script(FD_PDF)
    check_spans(s)
    alan = next(e for e in s.elements if e.text.startswith("Nine thirteen"))
    assert alan.kind is ElementKind.DIALOGUE and alan.speaker == "ALAN"
    assert "possibly be nine-\nfucking-thirteen? We did like ten\n" in alan.text
    cast = next(e for e in s.elements if e.text.startswith("ALAN"))
    assert cast.text.startswith("ALAN         Late 30s")  # the cast list's column kept


@needs_corpus
def test_pdf_final_draft_fake_bold_page_number_once() -> None:
    """Final Draft prints the roman page number twice in place: it reads once."""
    s = read_script(FD_MULTI_PDF)
    assert "ii" in [e.text for e in s.elements] and "iiii" not in s.text


@pytest.mark.skipif(not JP_PDF.is_file(), reason="corpus missing")
def test_pdf_font_without_usable_unicode_map_falls_back_to_pypdf() -> None:
    """afterwriting's CJK PDFs carry a ToUnicode CMap PDFium rejects: pypdf reads them."""
    s = read_script(JP_PDF)
    check_spans(s)
    assert s.meta["text_source"] == "pypdf layout extraction (PDFium: no Unicode map for a font)"
    assert s.elements[0].text.startswith("初低しだ各絵ユ事経")
    assert not any(ord(ch) < 32 and ch != "\n" for ch in s.text)


_MUTATE = textwrap.dedent(
    """
    import random, sys
    sys.path[:0] = [sys.argv[1]]
    from pdf_fixture import make_pdf, screenplay_page
    from locreview.errors import LocreviewError
    from locreview.ingest import read_script
    seeds = [make_pdf([screenplay_page(), [(108, 700, "The van drives off."), (500, 750, "2.")]])]
    seeds += [open(p, "rb").read() for p in sys.argv[3:]]
    tokens = [b"obj", b"endobj", b"stream", b"endstream", b"xref", b"<<", b">>", b"(", b")",
              b"[", b"]", b"Tj", b"TJ", b"BT", b"ET", b"Tm", b"1e308", b"/Count 999999999",
              b"/Length 99999999", b"-1", b"0 0 0 0 0 0 cm"]
    rng = random.Random(20260101)
    outcome = {"ok": 0, "refused": 0}
    for _ in range(int(sys.argv[2])):
        d = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            op, pos = rng.choice("ftdcub"), rng.randint(0, len(d))
            if op == "f" and d:
                d[min(pos, len(d) - 1)] ^= 1 << rng.randint(0, 7)
            elif op == "t":
                d[pos:pos] = rng.choice(tokens) * rng.randint(1, 20)
            elif op == "d":
                del d[pos:pos + rng.randint(1, 400)]
            elif op == "c" and pos > 16:
                del d[pos:]
            elif op == "u":
                d[pos:pos] = d[pos:pos + rng.randint(1, 2000)] * rng.randint(1, 5)
            else:
                d[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        try:
            read_script(bytes(d), "pdf", name="m.pdf")
            outcome["ok"] += 1
        except LocreviewError:
            outcome["refused"] += 1
    print(outcome["ok"], outcome["refused"])
    """
)


@pytest.mark.slow
def test_pdf_mutated_files_never_crash_the_process() -> None:
    """PDFium is C: hundreds of mutated PDFs read in a child process, which must survive
    (no segfault, no abort) with only LocreviewError raised."""
    seeds = [str(p) for p in (FD_PDF, FD_MULTI_PDF) if p.is_file()]
    proc = subprocess.run(
        [sys.executable, "-c", _MUTATE, str(HERE), "300", *seeds],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    ok, refused = map(int, proc.stdout.split()[-2:])
    assert ok + refused == 300 and ok > 0 and refused > 0
