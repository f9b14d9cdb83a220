"""Shared helpers of the readers: decoding, line iteration and the element builder."""

from __future__ import annotations

import codecs
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from locreview.errors import EncodingError, FormatError
from locreview.model import Element, ElementKind, LineIndex, Script, new_element, new_span

# Encodings a draft may plausibly be in when it is not UTF-8 or UTF-16. Restricting
# charset-normalizer to these keeps it from "detecting" exotic code pages on short files.
LEGACY_ENCODINGS: tuple[str, ...] = (
    "gb18030",
    "big5",
    "cp949",
    "euc_kr",
    "shift_jis",
    "cp932",
    "euc_jp",
    "tis_620",
    "cp874",
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "koi8_r",
    "latin_1",
)

#: Elements longer than this many characters are kept as raw source slices (no markup
#: stripped, no per-character offset map): only pathological input gets there.
HUGE_ELEMENT = 1_000_000

# Decoding names as reported in Script.encoding (Python codec names, normalised).
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

# C0 controls other than tab, LF, VT, FF, CR, ESC: their presence means binary data.
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _utf16_without_bom(data: bytes) -> str | None:
    """Return 'utf-16-le'/'utf-16-be' when NUL bytes sit at every other position."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    # ASCII-heavy UTF-16 has NULs in (almost) every high byte and none in the low bytes.
    if odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def looks_binary(data: bytes) -> bool:
    """True when the start of ``data`` has control bytes no text file has (and no BOM)."""
    for bom, _, _ in _BOMS:
        if data.startswith(bom):
            return False
    if _utf16_without_bom(data):
        return False
    sample = data[:8192]
    if not sample:
        return False
    hits = len(_BINARY_BYTES.findall(sample))
    return hits > 0 and (b"\x00" in sample or hits > len(sample) // 100)


def decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    """Decode a draft's bytes: BOM first, then strict UTF-8, then detection; return (text, encoding).

    The BOM is not part of the returned text, so offsets count from the first real character.
    """
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec.replace("-sig", "")), name
            except UnicodeDecodeError as exc:
                raise EncodingError(
                    f"file starts with a {name} byte-order mark but is not valid {name} "
                    f"(byte {exc.start + len(bom)})",
                    path=path,
                ) from None
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    if b"\x00" in data[:8192]:
        raise EncodingError("binary data: not a text file (NUL bytes)", path=path)
    return _detect_legacy(data, path, bad_at)


def _detect_legacy(data: bytes, path: str, bad_at: int) -> tuple[str, str]:
    """Detect a legacy code page with charset-normalizer, restricted to plausible ones."""
    from charset_normalizer import from_bytes

    line = data.count(b"\n", 0, bad_at) + 1
    matches = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS), threshold=0.2)
    best = matches.best()
    if best is None:
        raise EncodingError(
            "not valid UTF-8 and no plausible legacy encoding found "
            f"(first invalid byte at offset {bad_at})",
            path=path,
            line=line,
        )
    name = codecs.lookup(best.encoding).name
    try:
        return data.decode(name), name
    except UnicodeDecodeError as exc:  # pragma: no cover - detection guarantees decoding
        raise EncodingError(f"cannot decode as {name}: {exc.reason}", path=path) from None


_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def line_bounds(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
    """Return (start, content_end, next_start) of each physical line in text[start:end].

    CRLF, CR and LF all end a line (as in LineIndex); a final line break opens no new line.
    """
    n = len(text) if end is None else end
    if start >= n:
        return []
    chunk = text if (start == 0 and n == len(text)) else text[start:n]
    out: list[tuple[int, int, int]] = []
    crs = chunk.count("\r")
    if crs == 0 or crs == chunk.count("\r\n"):
        # Fast path for LF or CRLF text (no lone CR): str.split runs in C.
        pos = start
        for ln in chunk.split("\n"):
            full = len(ln)
            le = pos + full
            if crs and full and ln[-1] == "\r":
                out.append((pos, le - 1, le + 1))
            else:
                out.append((pos, le, le + 1))
            pos = le + 1
        if chunk.endswith("\n"):
            out.pop()
        s0, e0, nx = out[-1]
        out[-1] = (s0, e0, n if chunk.endswith("\n") else min(nx - 1, n))
        return out
    pos = start
    while pos < n:
        m = _LINE_RE.match(text, pos, n)
        assert m is not None  # the pattern matches the empty string
        stop = m.end()
        content_end = stop
        if content_end > pos and text[content_end - 1] == "\n":
            content_end -= 1
        if content_end > pos and text[content_end - 1] == "\r":
            content_end -= 1
        out.append((pos, content_end, stop))
        if stop == pos:  # pragma: no cover - only at end of text
            break
        pos = stop
    return out


def iter_lines(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, int]]:
    """Iterate over :func:`line_bounds`."""
    return iter(line_bounds(text, start, end))


_NO_EXTRA: dict[str, Any] = {}
_BREAKS = re.compile(r"\r\n|\r|\n")


def fast_line_index(text: str) -> LineIndex:
    """Build a LineIndex equal to ``LineIndex(text)`` with a C-speed regex scan."""
    idx = LineIndex.__new__(LineIndex)
    starts = [0]
    if "\r" in text:
        starts.extend(m.end() for m in _BREAKS.finditer(text))
    else:
        pos = text.find("\n")
        find = text.find
        while pos >= 0:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
    idx._starts = starts
    idx._len = len(text)
    return idx


@dataclass(slots=True)
class Pending:
    """An element before indexes and scenes are assigned (readers may emit out of order)."""

    kind: ElementKind
    start: int
    end: int
    text: str
    offsets: tuple[int, ...] | None
    speaker: str | None
    extra: dict[str, Any]
    attrs: dict[str, Any] = field(default_factory=dict)
    host: Pending | None = None
    order: int = 0
    # Sort after this element instead of by own start (FDX notes anchored in a paragraph).
    after: Pending | None = None


class Builder:
    """Collects elements of one draft, then builds the Script (indexes, scenes, spans)."""

    def __init__(self, text: str, path: str, fmt: str, encoding: str) -> None:
        self.text = text
        self.path = path
        self.format = fmt
        self.encoding = encoding
        self.lines = fast_line_index(text)
        self.pending: list[Pending] = []
        self.title: dict[str, str] = {}
        self.meta: dict[str, Any] = {"encoding": encoding}
        self._sorted = True

    def add(
        self,
        kind: ElementKind,
        start: int,
        end: int,
        *,
        text: str | None = None,
        offsets: Sequence[int] | None = None,
        speaker: str | None = None,
        page: int | None = None,
        time_start: str | None = None,
        time_end: str | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> Pending:
        """Add an element covering original [start, end); ``text`` defaults to that slice."""
        if text is None:
            text = self.text[start:end]
            offsets = None
        extra: dict[str, Any] = _NO_EXTRA
        if page is not None or time_start is not None:
            extra = {}
            if page is not None:
                extra["page"] = page
            if time_start is not None:
                extra["time_start"] = time_start
                extra["time_end"] = time_end
        p = Pending(
            kind,
            start,
            end,
            text,
            tuple(offsets) if offsets is not None else None,
            speaker,
            extra,
            dict(attrs) if attrs else {},
            None,
            len(self.pending),
        )
        if self.pending and start < self.pending[-1].start:
            self._sorted = False
        self.pending.append(p)
        return p

    def add_segments(
        self,
        kind: ElementKind,
        segments: Sequence[tuple[int, int]],
        **kw: Any,
    ) -> Pending | None:
        """Add an element made of original-text segments (markup between them dropped)."""
        segs = [(s, e) for s, e in segments if e > s]
        if not segs:
            return None
        start, end = segs[0][0], segs[-1][1]
        if len(segs) == 1:
            return self.add(kind, start, end, **kw)
        text = "".join(self.text[s:e] for s, e in segs)
        offsets: list[int] = []
        for s, e in segs:
            offsets.extend(range(s, e))
        return self.add(kind, start, end, text=text, offsets=offsets, **kw)

    def build(self) -> Script:
        """Return the Script: elements sorted by position, indexed, with scene ordinals."""
        pend = self.pending
        if not self._sorted or any(p.after is not None for p in pend):

            def key(p: Pending) -> tuple[int, int, int]:
                if p.after is not None:
                    return (p.after.start, p.after.order + 1, p.order)
                return (p.start, p.order, 0)

            pend = sorted(pend, key=key)
        has_hosts = any(p.host is not None for p in pend)
        index_of = {id(p): i for i, p in enumerate(pend)} if has_hosts else {}
        scene: int | None = None
        elements: list[Element] = []
        append = elements.append
        # Inlined LineIndex.span (same arithmetic): this loop runs once per element and
        # dominates large drafts, so it avoids per-element method calls.
        starts = self.lines._starts
        n_lines = len(starts)
        n = len(self.text)
        heading = ElementKind.SCENE_HEADING
        title = ElementKind.TITLE
        for i, p in enumerate(pend):
            kind = p.kind
            if kind is heading:
                scene = (scene or 0) + 1
            attrs = p.attrs
            if p.host is not None:
                attrs["in_element"] = index_of[id(p.host)]
            s0 = p.start if p.start < n else n
            e0 = p.end
            li = bisect_right(starts, s0) - 1
            last = s0 if e0 - 1 < s0 else (e0 - 1 if e0 - 1 < n else n)
            # Most elements end on the line they start on: one bisect instead of two.
            lj = li if li + 1 >= n_lines or starts[li + 1] > last else bisect_right(starts, last) - 1
            end_col = last - starts[lj] + (2 if e0 > s0 else 1)
            ex = p.extra
            if ex:
                span = new_span(
                    s0, e0, li + 1, s0 - starts[li] + 1, lj + 1, end_col,
                    ex.get("page"), ex.get("time_start"), ex.get("time_end"),
                )
            else:
                span = new_span(
                    s0, e0, li + 1, s0 - starts[li] + 1, lj + 1, end_col, None, None, None
                )
            append(
                new_element(
                    i,
                    kind,
                    p.text,
                    span,
                    None if kind is title else scene,
                    p.speaker,
                    None,
                    p.offsets,
                    attrs,
                )
            )
        return Script(
            path=self.path,
            format=self.format,
            text=self.text,
            elements=elements,
            encoding=self.encoding,
            title=self.title,
            meta=self.meta,
            _lines=self.lines,
        )


def fail(
    message: str, path: str, line: int | None = None, column: int | None = None
) -> FormatError:
    """Return a FormatError (callers ``raise fail(...)`` so the raise stays visible)."""
    return FormatError(message, path=path, line=line, column=column)


# -- screenplay heuristics shared by the DOCX, PDF and plain-paragraph readers ------------

HEADING_PREFIX = re.compile(
    r"[ \t]*(?:int\.?/ext|int/ext|i/e|int|ext|est|инт|нат|экст)(?:\.|。| )",
    re.IGNORECASE,
)
_CUE_EXTENSIONS = re.compile(r"(?:[ \t]*[(（][^()（）\r\n]{0,40}[)）])+[ \t]*\^?[ \t]*$")


def split_cue(s: str) -> tuple[str, str, bool]:
    """Split a character cue into (name, extension, dual): ``BOB (V.O.) ^`` -> BOB, (V.O.)."""
    s = s.strip()
    if s.startswith("@"):
        s = s[1:]
    dual = s.endswith("^")
    if dual:
        s = s[:-1].rstrip()
    m = _CUE_EXTENSIONS.search(s)
    if m is None:
        return s, "", dual
    return s[: m.start()].strip(), m.group().strip(), dual


def looks_like_cue(s: str) -> bool:
    """True for an upper-case character cue line (``JOHN``, ``MARY (V.O.)``)."""
    s = s.strip()
    if not s or len(s) > 60 or s.endswith(":") or HEADING_PREFIX.match(s):
        return False
    name, _, _ = split_cue(s)
    if not name or not name[0].isalpha() or len(name) > 40:
        return False
    return any(c.isupper() for c in name) and name.upper() == name and "^" not in name


def looks_like_transition(s: str) -> bool:
    """True for an upper-case transition (``CUT TO:``, ``FADE OUT.``)."""
    s = s.strip()
    return s.isupper() and (s.endswith("TO:") or s in ("FADE OUT.", "FADE IN:", "FADE TO BLACK."))
