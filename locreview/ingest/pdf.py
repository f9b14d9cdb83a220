"""PDF drafts with a text layer (pypdf), screenplay layout recovered from indentation.

pypdf's layout extraction keeps each line's horizontal position as leading spaces. The
Script's text is built from those lines with the indentation removed (one line per
extracted line, pages one after the other), so spans slice it exactly; ``Span.page`` is
the 1-based page and ``attrs["page_line"]`` the line on that page.

Indentation relative to the page's left margin decides the kind, as on a printed
screenplay: headings and action at the margin, dialogue about ten characters in,
parentheticals a little further, character cues about twenty characters in, transitions
at the right. Documents with no headings or cues become PARAGRAPH elements.

A PDF whose pages carry no text (a scan) is an error, not an empty pass: run OCR first.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from locreview.errors import FormatError, LocreviewError
from locreview.ingest._common import (
    HEADING_PREFIX,
    Builder,
    looks_like_cue,
    looks_like_transition,
    split_cue,
)
from locreview.model import ElementKind, Script

#: Indentation in pypdf layout columns (about 12 per inch), relative to the page margin,
#: where dialogue starts (printed screenplays: dialogue +1.0", parenthetical +1.6",
#: character cue +2.2", transitions further right).
DIALOGUE_MIN = 5
#: ... and where character cues (and right-hand transitions) start.
CUE_MIN = 22

_SCENE_NO_LEFT = re.compile(r"([A-Z0-9][A-Z0-9.\-]{0,5})[ ]{2,}(?=\S)")
_SCENE_NO_RIGHT = re.compile(r"[ ]{2,}([A-Z0-9][A-Z0-9.\-]{0,5})$")
_PAGE_NUMBER = re.compile(r"(?:page[ ]*)?\d{1,4}\.?$", re.IGNORECASE)
_PAGINATION = frozenset({"(MORE)", "(CONTINUED)", "CONTINUED:", "CONTINUED", "(CONT'D)"})


@dataclass(slots=True)
class _Line:
    page: int
    page_line: int
    indent: int
    content: str
    start: int = 0
    kind: ElementKind | None = None
    scene_number: str | None = None


def _extract(data: bytes, path: str) -> list[str]:
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
    pages = _extract(data, path)
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
    b.meta["text_source"] = "pypdf layout extraction"
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
