"""PDF drafts with a text layer (PDFium), screenplay layout recovered from indentation.

PDFium (pypdfium2, C) gives each page's text and, per line, where it starts; the reader
lays the page out as fixed-width lines whose leading spaces keep that horizontal position,
as pypdf's layout mode did. pypdf (pure Python, ~4x slower) remains the fallback for
files PDFium refuses, fonts it cannot map to Unicode, or pages where it finds no text.
The Script's text is built from those lines with the indentation removed (one line per
extracted line, pages one after the other), so spans slice it exactly; ``Span.page`` is
the 1-based page and ``attrs["page_line"]`` the line on that page.

Indentation relative to the page's left margin decides the kind, as on a printed
screenplay: headings and action at the margin, dialogue about ten characters in,
parentheticals a little further, character cues about twenty characters in, transitions
at the right. Documents with no headings or cues become PARAGRAPH elements.

A PDF whose pages carry no text (a scan) is an error, not an empty pass: run OCR first.
"""

from __future__ import annotations

import ctypes
import io
import math
import re
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from locreview.errors import FormatError, LocreviewError
from locreview.ingest._common import (
    HEADING_PREFIX,
    Builder,
    looks_like_cue,
    looks_like_transition,
    split_cue,
)
from locreview.model import ElementKind, Script

#: Width of one layout column in points: 12.5 columns per inch, the column pypdf's layout
#: mode used for 12-pt Courier (7.2 pt advance / 1.25), so indentation reads as before.
COLUMN_PT = 5.76
#: Indentation in layout columns, relative to the page margin, where dialogue starts
#: (printed screenplays: dialogue +1.0", parenthetical +1.6", character cue +2.2",
#: transitions further right).
DIALOGUE_MIN = 5
#: ... and where character cues (and right-hand transitions) start.
CUE_MIN = 22

_SCENE_NO_LEFT = re.compile(r"([A-Z0-9][A-Z0-9.\-]{0,5})[ ]{2,}(?=\S)")
_SCENE_NO_RIGHT = re.compile(r"[ ]{2,}([A-Z0-9][A-Z0-9.\-]{0,5})$")
_PAGE_NUMBER = re.compile(r"(?:page[ ]*)?\d{1,4}\.?$", re.IGNORECASE)
_PAGINATION = frozenset({"(MORE)", "(CONTINUED)", "CONTINUED:", "CONTINUED", "(CONT'D)"})

#: Most pages read from one PDF (a feature script has ~120; PDFium works in C memory).
MAX_PAGES = 10_000
_PDFIUM_LOCK = threading.Lock()
# A word for the per-word checks; PDFium marks a line-end hyphen U+FFFE and joins the next
# line's word to it, so the mark ends a word.
_WORD = re.compile(r"[^\s\ufffe]+\ufffe?|\ufffe")
_CONTROL = re.compile(r"[\x00-\x1f]")
_CONTROL_TO_SPACE = dict.fromkeys(range(32), " ")
_MAP_CHECK_LINES = 3
#: What all of a PDF's zlib streams may inflate to before PDFium is not trusted with it.
_MAX_INFLATED = 128 * 1024 * 1024
_CHUNK = 1 << 20
_STREAM_START = re.compile(rb"stream\r?\n")
_EXPANDING_FILTER = re.compile(rb"/(?:LZWDecode|RunLengthDecode|LZW|RL)\b")
# A name written with #xx escapes: "/Fl#61teDecode" is /FlateDecode to PDFium, invisible to
# a search for the plain name.
_ESCAPED_NAME = re.compile(rb"/([^\x00-\x20()<>\[\]{}/%]{0,64}#[0-9A-Fa-f]{2}[^\x00-\x20()<>\[\]{}/%]{0,64})")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_FILTER_NAMES = frozenset({
    b"Filter", b"DecodeParms", b"FlateDecode", b"Fl", b"LZWDecode", b"LZW", b"RunLengthDecode",
    b"RL", b"ASCII85Decode", b"A85", b"ASCIIHexDecode", b"AHx", b"Encrypt", b"Length",
})
_A85_BODY = re.compile(rb"[!-uz\s]*~>")
_HEX_BODY = re.compile(rb"[0-9A-Fa-f\s]*>")
# Bounds that keep a hostile PDF's coordinates from turning into huge padding.
_MAX_INDENT = 10_000
_MAX_BLANK_LINES = 1_000
_MAX_COORD = 1e7
_MIN_SIZE = 0.01
_MAX_SIZE = 10_000.0

#: A run of text on one baseline: baseline y, x of its first glyph, font size, text, and
#: the PDFium text index of its last character (for its right edge, asked only if needed).
_Seg = tuple[float, float, float, str, int]


@dataclass(slots=True)
class _Line:
    page: int
    page_line: int
    indent: int
    content: str
    start: int = 0
    kind: ElementKind | None = None
    scene_number: str | None = None


class _NeedsPypdf(Exception):
    """PDFium cannot read the file (or map its glyphs to Unicode): pypdf tries instead."""


def _extract(data: bytes, path: str) -> tuple[list[str], str]:
    """Return the layout text of each page and what produced it; clear errors for bad PDFs."""
    try:
        import pypdfium2  # noqa: F401 - importing it initialises the PDFium library
    except ImportError:  # pragma: no cover - a core dependency; pypdf still reads PDFs
        return _extract_pypdf(data, path), "pypdf layout extraction"
    try:
        risk = _inflation_risk(data)
        if risk:
            raise _NeedsPypdf(risk)  # pypdf caps what each stream may inflate to
        # PDFium is not thread-safe, and the reviewer UI reads uploads in worker threads.
        with _PDFIUM_LOCK:
            pages = _extract_pdfium(data, path)
        if not any(p.strip() for p in pages):
            # A scan, or fonts PDFium could not load (pypdf may still read the text): the
            # check is cheap, since pypdf's cost is in text it finds.
            try:
                again = _extract_pypdf(data, path)
            except LocreviewError:
                again = []
            if any(p.strip() for p in again):
                return again, "pypdf layout extraction (PDFium: no text found)"
        return pages, "PDFium text layer"
    except _NeedsPypdf as why:
        # e.g. afterwriting's CJK PDFs (a ToUnicode CMap PDFium rejects) and some damaged
        # files: pypdf reads them, slowly, or refuses them with its own clear error.
        return _extract_pypdf(data, path), f"pypdf layout extraction (PDFium: {why})"
    except LocreviewError:
        raise
    except Exception as exc:  # noqa: BLE001 - ctypes/PDFium failures of any kind
        msg = str(exc) or type(exc).__name__
        raise FormatError(
            f"cannot read the PDF (damaged or truncated?): {msg}"[:300], path=path
        ) from None


def _inflation_risk(data: bytes) -> str | None:
    """Why PDFium, which has no cap on what streams inflate to, should not get this file.

    A compression bomb (kilobytes that inflate to gigabytes) would exhaust memory inside
    PDFium. Every zlib stream is inflated here first, counting and discarding the output,
    so the total is known within a fixed memory; filters that could hide a bomb from the
    count (LZW, run-length, zlib inside zlib) send the file to pypdf as well.
    """
    if _EXPANDING_FILTER.search(data):
        return "LZW or run-length streams"
    if b"/Encrypt" in data:
        return "encrypted streams (the count cannot see into them)"
    for m in _ESCAPED_NAME.finditer(data):
        if _HEX_ESCAPE.sub(lambda h: bytes([int(h.group(1), 16)]), m.group(1)) in _FILTER_NAMES:
            return "a filter name written with #xx escapes"
    total = 0
    for m in _STREAM_START.finditer(data):
        body = memoryview(data)[m.end() :]
        head = data[m.end() : m.end() + 2]
        if len(head) < 2 or head[0] & 0x0F != 8 or (head[0] << 8 | head[1]) % 31:
            # An ASCII85 or hex wrapper around Flate (afterwriting writes those): decode
            # the wrapper (it only shrinks) and count what is inside.
            unwrapped = _unwrap_ascii(data, m.end())
            if unwrapped is None:
                continue  # not a zlib stream (PDFium inflates only those)
            body = memoryview(unwrapped)
        try:
            total = _count_inflated(body, total)
        except _Inflates as why:
            return str(why)
    return None


class _Inflates(Exception):
    """A stream inflates past the limit, or hides another zlib layer."""


def _unwrap_ascii(data: bytes, at: int) -> bytes | None:
    """The bytes inside an ASCII85 or hex stream body at ``at`` if they start like zlib."""
    import base64
    import binascii

    m = _A85_BODY.match(data, at) or _HEX_BODY.match(data, at)
    if m is None or m.end() == at + 1:
        return None
    raw = data[at : m.end()]
    try:
        if raw.endswith(b"~>"):
            out = base64.a85decode(raw[:-2])
        else:
            digits = b"".join(raw[:-1].split())
            out = binascii.unhexlify(digits + b"0" * (len(digits) % 2))  # odd: pad a 0
    except (ValueError, binascii.Error):
        return None
    if len(out) < 2 or out[0] & 0x0F != 8 or (out[0] << 8 | out[1]) % 31:
        return None
    return out


def _count_inflated(body: memoryview, total: int) -> int:
    """Inflate one zlib stream in chunks, discarding output; return the running total."""
    inflater = zlib.decompressobj()
    at = 0
    first = True
    try:
        while not inflater.eof and at < len(body):
            piece = inflater.decompress(body[at : at + _CHUNK], _CHUNK)
            at += _CHUNK
            while True:
                if first and len(piece) >= 2:
                    first = False
                    if piece[0] & 0x0F == 8 and not (piece[0] << 8 | piece[1]) % 31:
                        raise _Inflates("zlib inside zlib")
                total += len(piece)
                if total > _MAX_INFLATED:
                    raise _Inflates(f"streams inflate to more than {_MAX_INFLATED >> 20} MiB")
                if not inflater.unconsumed_tail or inflater.eof:
                    break
                piece = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
    except zlib.error:
        pass  # PDFium keeps what inflated before the damage: counted already
    return total


_LOAD_ERRORS = {1: "unknown error", 3: "not a PDF or corrupted", 6: "page not found"}


def _extract_pdfium(data: bytes, path: str) -> list[str]:
    """Layout text of each page from PDFium's text layer (caller holds ``_PDFIUM_LOCK``)."""
    import pypdfium2.raw as pdfium_c

    buf = ctypes.create_string_buffer(data, len(data))  # PDFium reads it until the close
    doc = pdfium_c.FPDF_LoadMemDocument64(buf, len(data), None)
    if not doc:
        err = pdfium_c.FPDF_GetLastError()
        if err == pdfium_c.FPDF_ERR_PASSWORD:
            raise FormatError(
                "the PDF is encrypted (password-protected): export it without a password",
                path=path,
            )
        if err == pdfium_c.FPDF_ERR_SECURITY:
            raise FormatError(
                "the PDF is encrypted with an unsupported security handler (password-"
                "protected?): export it without a password",
                path=path,
            )
        raise _NeedsPypdf(_LOAD_ERRORS.get(err, "not a PDF or corrupted"))
    try:
        count = pdfium_c.FPDF_GetPageCount(doc)
        if count <= 0:
            raise _NeedsPypdf("no pages found")
        if count > MAX_PAGES:
            raise FormatError(
                f"the PDF has {count:,} pages, over the limit of {MAX_PAGES:,}", path=path
            )
        pages = []
        for i in range(count):
            page = pdfium_c.FPDF_LoadPage(doc, i)
            if not page:
                raise _NeedsPypdf(f"cannot load page {i + 1}")
            try:
                tp = pdfium_c.FPDFText_LoadPage(page)
                if not tp:
                    raise _NeedsPypdf(f"cannot load the text of page {i + 1}")
                try:
                    pages.append(_layout_page(pdfium_c, tp))
                finally:
                    pdfium_c.FPDFText_ClosePage(tp)
            finally:
                pdfium_c.FPDF_ClosePage(page)
        return pages
    finally:
        pdfium_c.FPDF_CloseDocument(doc)


def _layout_page(pdfium_c: Any, tp: Any) -> str:
    """One page's text, each line's horizontal position given as leading spaces.

    PDFium gives the page text with its own line breaks; per line (never per character)
    it is asked for the first character's origin and size. Only a line made of several
    text objects is checked word by word: a word on another baseline starts a new line
    (PDFium joins some lines of per-glyph PDFs) and a wide gap starts a new segment at its
    own column (scene numbers, dual dialogue, "NAME     description" casts).
    """
    n = pdfium_c.FPDFText_CountChars(tp)
    if n <= 0:
        return ""
    cap = 2 * n + 2  # UTF-16 units: a character outside the BMP takes two
    wbuf = (ctypes.c_ushort * cap)()
    got = pdfium_c.FPDFText_GetText(tp, 0, n, wbuf)
    text = ctypes.string_at(wbuf, max(min(got, cap) - 1, 0) * 2).decode("utf-16-le", "replace")
    same = len(text) == n  # text index == character index (nothing excluded or inserted)
    to_char = pdfium_c.FPDFText_GetCharIndexFromTextIndex
    count_rects = pdfium_c.FPDFText_CountRects
    origin = pdfium_c.FPDFText_GetCharOrigin
    map_error = pdfium_c.FPDFText_HasUnicodeMapError
    font_size = pdfium_c.FPDFText_GetFontSize
    get_matrix = pdfium_c.FPDFText_GetMatrix
    loose_box = pdfium_c.FPDFText_GetLooseCharBox
    x = ctypes.c_double()
    y = ctypes.c_double()
    mat = pdfium_c.FS_MATRIX()
    box = pdfium_c.FS_RECTF()
    # Glyphs PDFium cannot map to Unicode come out as their raw codes, often control
    # characters: check the first lines of every page, and every line of a page with them.
    control = _CONTROL.search(text.replace("\r\n", "")) is not None
    to_check = _MAP_CHECK_LINES
    raws = text.split("\r\n")
    # One text object per line (most generators): no line needs the per-word checks.
    simple = count_rects(tp, 0, n) <= sum(1 for r in raws if r.strip())
    segs: list[_Seg] = []
    pos = 0
    for raw in raws:
        start = pos
        pos += len(raw) + 2
        line = (raw.translate(_CONTROL_TO_SPACE) if control else raw).rstrip()
        body = line.lstrip()
        if not body:
            continue
        lead = len(line) - len(body)
        c0 = start + lead if same else to_char(tp, start + lead)
        if c0 < 0 or not origin(tp, c0, x, y) or not get_matrix(tp, c0, mat):
            continue
        if to_check > 0 or control:
            to_check -= 1
            if map_error(tp, c0):
                raise _NeedsPypdf("no Unicode map for a font")
        if abs(mat.b) > 1e-3 * abs(mat.a) or abs(mat.c) > 1e-3 * abs(mat.d):
            continue  # rotated text (a margin note, a watermark) is not part of the layout
        size = font_size(tp, c0) * math.hypot(mat.b, mat.d)
        x0, y0 = x.value, y.value
        if not (
            _MIN_SIZE <= size <= _MAX_SIZE
            and -_MAX_COORD < x0 < _MAX_COORD
            and -_MAX_COORD < y0 < _MAX_COORD
        ):
            continue  # NaN, huge or tiny values from a hostile file
        t1 = start + len(line) - 1
        if simple or t1 == start + lead:
            segs.append((y0, x0, size, body, t1))
            continue
        c1 = t1 if same else to_char(tp, t1)
        if c1 <= c0 or count_rects(tp, c0, c1 - c0 + 1) <= 1:
            segs.append((y0, x0, size, body, t1))
            continue
        seg_x, seg_y, seg_from = x0, y0, lead
        prev_end = lead  # end (exclusive) of the previous word, in ``line``
        for m in _WORD.finditer(line, lead):
            if m.start() == lead:
                prev_end = m.end()
                continue
            w0 = start + m.start()
            last = start + prev_end - 1
            if not (
                origin(tp, w0 if same else to_char(tp, w0), x, y)
                and loose_box(tp, last if same else to_char(tp, last), box)
            ):
                prev_end = m.end()
                continue
            if abs(y.value - seg_y) > 0.5 * size or x.value - box.right > size:
                segs.append((seg_y, seg_x, size, line[seg_from:prev_end], last))
                seg_x, seg_y, seg_from = x.value, y.value, m.start()
            prev_end = m.end()
        segs.append((seg_y, seg_x, size, line[seg_from:], t1))

    def right_edge(text_index: int) -> float:
        ok = loose_box(tp, text_index if same else to_char(tp, text_index), box)
        return box.right if ok else -_MAX_COORD

    return _join_lines(segs, right_edge)


def _join_lines(segs: list[_Seg], right_edge: Callable[[int], float]) -> str:
    """Lay segments out as fixed-width lines: rows by baseline, columns by x, and blank
    lines for vertical gaps of a line or more (the layout pypdf's layout mode gave).

    Segments on one baseline join by the gap between them: none (glyph by glyph), one
    space (word by word), or a wide gap kept as padding to the column of the next one.
    """
    if not segs:
        return ""
    min_x = min(s[1] for s in segs)
    segs.sort(key=_row_order)
    out: list[str] = []
    last_key = 0
    i, n = 0, len(segs)
    while i < n:
        y, x, size, text, _ = segs[i]
        j = i + 1
        while j < n and y - segs[j][0] <= 0.5 * min(size, segs[j][2]):
            j += 1  # the same baseline, give or take half a line
        key = int(y)
        if out:
            blank = int(abs(key - last_key) / size) - 1
            if blank > 0:
                out.extend([""] * min(blank, _MAX_BLANK_LINES))
        if j == i + 1:
            out.append(" " * min(int((x - min_x) // COLUMN_PT), _MAX_INDENT) + text)
        else:
            line = ""
            prev: _Seg | None = None
            for seg in sorted(segs[i:j], key=_column_order):
                _, x, size, text, last = seg
                col = min(int((x - min_x) // COLUMN_PT), _MAX_INDENT)
                if prev is None:
                    line = " " * col + text
                elif prev[3] == text and abs(prev[1] - x) < 0.5:
                    continue  # the same text printed twice in place (fake bold)
                else:
                    gap = x - right_edge(prev[4])
                    if gap > size:
                        line += " " * max(col - len(line), 2) + text
                    elif gap > 0.15 * size and not (line.endswith(" ") or text[0].isspace()):
                        line += " " + text
                    else:
                        line += text
                prev = seg
            out.append(line)
        last_key = key
        i = j
    return "\n".join(out).replace("\ufffe", "-")  # PDFium's line-end hyphen mark


def _row_order(seg: _Seg) -> tuple[float, float]:
    return (-seg[0], seg[1])


def _column_order(seg: _Seg) -> tuple[float, float]:
    return (seg[1], -seg[0])


def _extract_pypdf(data: bytes, path: str) -> list[str]:
    """Return the layout text of each page; raise a clear error for unreadable PDFs."""
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - a core dependency
        raise FormatError("pypdf is not installed: cannot read PDF", path=path) from None
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # pypdf raises DependencyError/NotImplementedError for AES
                ok = 0
            if not ok:
                raise FormatError(
                    "the PDF is encrypted (password-protected): export it without a password",
                    path=path,
                )
        pages = []
        for page in reader.pages:
            pages.append(page.extract_text(extraction_mode="layout") or "")
    except LocreviewError:
        raise
    except RecursionError:
        raise FormatError("the PDF nests objects too deeply to read", path=path) from None
    except Exception as exc:  # pypdf raises many types on damaged files
        msg = str(exc) or type(exc).__name__
        raise FormatError(
            f"cannot read the PDF (damaged or truncated?): {msg}"[:300], path=path
        ) from None
    return pages


def _lines(pages: list[str]) -> list[_Line]:
    out: list[_Line] = []
    for pno, ptext in enumerate(pages, start=1):
        raw_lines = ptext.split("\n")
        nonblank = [i for i, r in enumerate(raw_lines) if r.strip()]
        for i, raw in enumerate(raw_lines):
            raw = raw.rstrip()
            content = raw.lstrip()
            indent = len(raw) - len(content)
            ln = _Line(pno, i + 1, indent, content)
            if content:
                m = _SCENE_NO_LEFT.match(content)
                if m and HEADING_PREFIX.match(content, m.end()):
                    ln.scene_number = m.group(1)
                    ln.indent += m.end()
                    ln.content = content = content[m.end() :]
                    m2 = _SCENE_NO_RIGHT.search(content)
                    if m2 and m2.group(1) == ln.scene_number:
                        ln.content = content[: m2.start()].rstrip()
                if (i == nonblank[0] or i == nonblank[-1]) and _PAGE_NUMBER.fullmatch(content):
                    ln.kind = ElementKind.GENERAL  # a page number, not script text
            out.append(ln)
        out.append(_Line(pno, len(raw_lines) + 1, 0, ""))  # pages never run together
    return out


def _classify(lines: list[_Line]) -> bool:
    """Set each line's kind from its indentation; return True if it looks like a screenplay."""
    margins: dict[int, int] = {}
    for ln in lines:
        if ln.content and ln.kind is None:
            margins[ln.page] = min(margins.get(ln.page, ln.indent), ln.indent)
    structured = False
    in_dialogue = False
    prev_blank = True
    n = len(lines)
    for i, ln in enumerate(lines):
        s = ln.content
        if not s:
            in_dialogue = False
            prev_blank = True
            continue
        if ln.kind is not None:
            continue
        rel = ln.indent - margins.get(ln.page, 0)
        nxt = lines[i + 1] if i + 1 < n else None
        if s.upper() in _PAGINATION:
            ln.kind = ElementKind.GENERAL
        elif rel >= CUE_MIN:
            next_rel = (nxt.indent - margins.get(nxt.page, 0)) if nxt and nxt.content else -1
            if looks_like_cue(s) and DIALOGUE_MIN <= next_rel < rel:
                ln.kind = ElementKind.CHARACTER
                in_dialogue = True
                structured = True
            elif looks_like_transition(s) or (s.isupper() and s.endswith(":")):
                ln.kind = ElementKind.TRANSITION
                in_dialogue = False
            else:
                ln.kind = ElementKind.CENTERED
                in_dialogue = False
        elif rel >= DIALOGUE_MIN and in_dialogue:
            prev = lines[i - 1]
            if s.startswith("(") or (
                prev.kind is ElementKind.PARENTHETICAL and not prev.content.endswith(")")
            ):
                ln.kind = ElementKind.PARENTHETICAL
            else:
                ln.kind = ElementKind.DIALOGUE
        elif HEADING_PREFIX.match(s) and prev_blank:
            ln.kind = ElementKind.SCENE_HEADING
            structured = True
            in_dialogue = False
        elif looks_like_transition(s):
            ln.kind = ElementKind.TRANSITION
            in_dialogue = False
        else:
            ln.kind = ElementKind.ACTION
            in_dialogue = False
        prev_blank = False
    return structured


_MERGE = (ElementKind.ACTION, ElementKind.DIALOGUE, ElementKind.PARAGRAPH, ElementKind.CENTERED)


def read(data: bytes, path: str) -> Script:
    """Parse a PDF with a text layer into a Script."""
    pages, source = _extract(data, path)
    if not any(p.strip() for p in pages):
        raise FormatError(
            f"no text layer: the PDF's {len(pages)} page(s) hold no extractable text "
            "(a scanned or image-only PDF); run OCR first",
            path=path,
        )
    lines = _lines(pages)
    pos = 0
    for ln in lines:
        ln.start = pos
        pos += len(ln.content) + 1
    text = "\n".join(ln.content for ln in lines)
    structured = _classify(lines)
    b = Builder(text, path, "pdf", "utf-8")
    b.meta["pages"] = len(pages)
    b.meta["text_source"] = source
    speaker: str | None = None
    i = 0
    n = len(lines)
    while i < n:
        ln = lines[i]
        kind = ln.kind
        if not ln.content or kind is None:
            i += 1
            continue
        if kind is ElementKind.GENERAL:
            i += 1
            continue  # page numbers and (MORE)/(CONTINUED) are layout, not script text
        if kind is ElementKind.ACTION and not structured:
            kind = ElementKind.PARAGRAPH
        j = i + 1
        if kind in _MERGE or kind is ElementKind.PARENTHETICAL:
            while (
                j < n and lines[j].content and lines[j].kind is ln.kind and lines[j].page == ln.page
            ):
                if kind is ElementKind.PARENTHETICAL and ln.content.endswith(")") and j == i + 1:
                    break
                j += 1
        last = lines[j - 1]
        attrs: dict[str, object] = {"page_line": ln.page_line, "indent": ln.indent}
        if ln.scene_number:
            attrs["scene_number"] = ln.scene_number
        spk: str | None = None
        if kind is ElementKind.CHARACTER:
            name, ext, dual = split_cue(ln.content)
            speaker = name or None
            spk = speaker
            if ext:
                attrs["extension"] = ext
        elif kind in (ElementKind.DIALOGUE, ElementKind.PARENTHETICAL):
            spk = speaker
        elif kind is not ElementKind.CENTERED:
            speaker = None
        b.add(
            kind, ln.start, last.start + len(last.content), speaker=spk, page=ln.page, attrs=attrs
        )
        i = j
    return b.build()
