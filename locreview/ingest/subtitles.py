"""SRT and WebVTT subtitle files: one CUE element per cue, timecodes in the span.

Markup is stripped from the cue text (``<i>``, ``<b>``, ``<font ...>``, ``<c.x>``, inline
timestamps, ASS ``{\\an8}`` overrides, ruby annotations ``<rt>``), entities are decoded
(WebVTT), and ``Element.offsets`` maps every text character back to the file. A voice tag
``<v Name>`` (or a leading ``NAME:`` label) sets the element's speaker.

SRT is read leniently about timecode shapes seen in the wild (``.`` or ``,`` before the
milliseconds, one-digit fields, missing hours or milliseconds) but strictly about
meaning: a timing line that cannot be parsed, a cue ending before it starts, cues that
overlap (SRT only: WebVTT allows overlap) or a text block with no timing line are errors
that name the line.
"""

from __future__ import annotations

import re

from locreview.ingest._common import HUGE_ELEMENT, Builder, fail, line_bounds
from locreview.model import ElementKind, Script

_SRT_TIME = re.compile(r"[ \t]*(-?)(?:(\d{1,3}):)?(\d{1,3}):(\d{1,3})(?:[,.:](\d{1,3}))?[ \t]*")
_VTT_TIME = re.compile(r"[ \t\f]*(?:(\d{2,9}):)?(\d{2}):(\d{2})\.(\d{3})[ \t\f]*")
_ARROW = "-->"
_TAG = re.compile(r"<(/?)([^\s>/.]*)([^>\r\n]{0,300})>|\{\\[^}\r\n]{0,100}\}")
_ENTITY = re.compile(r"&(amp|lt|gt|nbsp|lrm|rlm|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_ENTITIES = {
    "amp": "&",
    "lt": "<",
    "gt": ">",
    "nbsp": "\u00a0",
    "lrm": "\u200e",
    "rlm": "\u200f",
    "quot": '"',
    "apos": "'",
}
# Characters that make a payload need the markup/entity pass; most cues have none.
_MARKUP_CHARS = re.compile(r"[<{&]")
_SPEAKER_LABEL = re.compile(r"[-–—]?[ \t]*([A-Z][A-Z0-9 .'\-]{0,30}[A-Z0-9.])[ \t]*:[ \t]+(?=\S)")


def looks_like_srt(head: str) -> bool:
    """True when the text starts like an SRT file (a number line, then a timing line)."""
    lines = [ln for ln in head.splitlines()[:4] if ln.strip()][:2]
    if not lines:
        return False
    if _ARROW in lines[0] and _srt_time_pair(lines[0]) is not None:
        return True
    return (
        len(lines) > 1
        and lines[0].strip().isdigit()
        and _ARROW in lines[1]
        and _srt_time_pair(lines[1]) is not None
    )


def _fmt_ms(ms: int) -> str:
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, milli = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{milli:03d}"


def _srt_time(s: str) -> int | None:
    m = _SRT_TIME.fullmatch(s)
    if m is None or m.group(1):
        return None
    h = int(m.group(2) or 0)
    mi = int(m.group(3))
    sec = int(m.group(4))
    frac = m.group(5) or "0"
    if mi >= 60 or sec >= 60 and len(m.group(4)) < 3:
        return None
    ms = int(frac.ljust(3, "0"))  # "05" is 50 ms: the field is a decimal fraction
    return ((h * 60 + mi) * 60 + sec) * 1000 + ms


def _vtt_time(s: str) -> int | None:
    m = _VTT_TIME.fullmatch(s)
    if m is None:
        return None
    h = int(m.group(1) or 0)
    mi, sec, ms = int(m.group(2)), int(m.group(3)), int(m.group(4))
    if mi >= 60 or sec >= 60:
        return None
    return ((h * 60 + mi) * 60 + sec) * 1000 + ms


# The timing line almost every file uses ("00:01:02,345 --> 00:01:04,000"): one regex call
# instead of splitting and parsing two times; anything else takes the general path.
_COMMON_PAIR = re.compile(
    r"(\d\d):([0-5]\d):([0-5]\d)([,.])(\d{3}) --> (\d\d):([0-5]\d):([0-5]\d)([,.])(\d{3})[ \t]*"
)


def _common_pair(line: str, sep: str) -> tuple[int, int] | None:
    m = _COMMON_PAIR.fullmatch(line)
    if m is None or m.group(4) != sep or m.group(9) != sep:
        return None
    h, mi, s, _, ms, h2, mi2, s2, _, ms2 = m.groups()
    return (
        ((int(h) * 60 + int(mi)) * 60 + int(s)) * 1000 + int(ms),
        ((int(h2) * 60 + int(mi2)) * 60 + int(s2)) * 1000 + int(ms2),
    )


def _srt_time_pair(line: str) -> tuple[int, int] | None:
    fast = _common_pair(line, ",")
    if fast is not None:
        return fast
    left, _, right = line.partition(_ARROW)
    # SRT may carry position hints after the end time ("X1:40 X2:600 ...").
    right = right.strip().split(" ")[0] if right.strip() else ""
    a, b = _srt_time(left), _srt_time(right)
    if a is None or b is None:
        return None
    return a, b


def _vtt_time_pair(line: str) -> tuple[int, int] | None:
    fast = _common_pair(line, ".")
    if fast is not None:
        return fast
    left, _, right = line.partition(_ARROW)
    parts = right.split()
    if not parts:
        return None
    a, b = _vtt_time(left), _vtt_time(parts[0])
    if a is None or b is None:
        return None
    return a, b


class _Reader:
    def __init__(self, text: str, path: str, encoding: str, fmt: str) -> None:
        self.text = text
        self.path = path
        self.fmt = fmt
        self.b = Builder(text, path, fmt, encoding)
        self.lines = line_bounds(text)
        # Line texts and blankness computed once: the cue loop asks for them repeatedly.
        self._texts = [text[ls:le] for ls, le, _ in self.lines]
        self._blank = [not t.strip() for t in self._texts]
        self.prev_end = -1
        self.prev_line = 0

    def line_text(self, i: int) -> str:
        return self._texts[i]

    def blank(self, i: int) -> bool:
        return i >= len(self._blank) or self._blank[i]

    def lineno(self, i: int) -> int:
        return self.b.lines.position(self.lines[i][0])[0]

    def timing(self, i: int) -> tuple[int, int]:
        """Parse the timing line i; raise with its line number when malformed."""
        line = self._texts[i]
        pair = _srt_time_pair(line) if self.fmt == "srt" else _vtt_time_pair(line)
        if pair is None:
            what = "negative" if re.search(r"(^|-->)\s*-\d", line) else "malformed"
            raise fail(
                f"{what} timecode in timing line {line.strip()[:80]!r}", self.path, self.lineno(i)
            )
        start, end = pair
        if end < start:
            raise fail(
                f"cue ends before it starts ({_fmt_ms(start)} --> {_fmt_ms(end)})",
                self.path,
                self.lineno(i),
            )
        if self.fmt == "srt" and start < self.prev_end:
            raise fail(
                f"cue starting {_fmt_ms(start)} overlaps the previous cue (line "
                f"{self.lineno(self.prev_line)}), which ends {_fmt_ms(self.prev_end)}",
                self.path,
                self.lineno(i),
            )
        if end > self.prev_end:
            self.prev_end = end
        self.prev_line = i  # a line index: its number is looked up only for a message
        return start, end

    def cue(self, i: int, ident: str | None, start: int, end: int) -> int:
        """Collect the payload after timing line i; emit the CUE; return the next line."""
        n = len(self.lines)
        j = i + 1
        first = last = -1
        blank = self._blank
        texts = self._texts
        while j < n and not blank[j] and _ARROW not in texts[j]:
            if first < 0:
                first = j
            last = j
            j += 1
        if first >= 0:
            self.emit(self.lines[first][0], self.lines[last][1], ident, start, end)
        return j

    def emit(self, ps: int, pe: int, ident: str | None, start: int, end: int) -> None:
        """Strip markup from payload [ps, pe) and add the CUE element."""
        t = self.text
        if pe - ps > HUGE_ELEMENT:
            # Not a real cue: keep the raw slice instead of a per-character offset map.
            self.b.add(
                ElementKind.CUE,
                ps,
                pe,
                time_start=_fmt_ms(start),
                time_end=_fmt_ms(end),
                attrs={"raw": True, **({"id": ident} if ident else {})},
            )
            return
        if _MARKUP_CHARS.search(t, ps, pe) is None:
            self._emit_plain(ps, pe, ident, start, end)
            return
        chars: list[str] = []
        offs: list[int] = []
        speaker: str | None = None
        skip_depth = 0  # inside <rt>: ruby annotations are pronunciation, not text
        pos = ps
        for m in _TAG.finditer(t, ps, pe):
            if skip_depth == 0:
                self._plain(pos, m.start(), chars, offs)
            pos = m.end()
            if m.group(0).startswith("{"):
                continue
            closing, name = m.group(1), m.group(2).lower()
            if name == "rt":
                skip_depth = 0 if closing else 1
            elif name == "v" and not closing and speaker is None:
                label = m.group(3)
                if label.startswith("."):
                    label = label.partition(" ")[2]  # <v.class Name>: drop the classes
                label = label.strip()
                if label:
                    speaker = label
        if skip_depth == 0:
            self._plain(pos, pe, chars, offs)
        # Trim whitespace the markup left at both ends.
        a, z = 0, len(chars)
        while a < z and chars[a].isspace():
            a += 1
        while z > a and chars[z - 1].isspace():
            z -= 1
        if z <= a:
            return
        text = "".join(chars[a:z])
        offsets = offs[a:z]
        span_start, span_end = offsets[0], offsets[-1] + 1
        plain = text == t[span_start:span_end]  # markup only around the text: a plain slice
        self._add_cue(
            text, span_start, None if plain else offsets, ident, speaker, start, end
        )

    def _emit_plain(self, ps: int, pe: int, ident: str | None, start: int, end: int) -> None:
        """Add a payload without markup or entities: the element is a trimmed slice."""
        seg = self.text[ps:pe]
        left = seg.lstrip()
        text = left.rstrip()
        if text:
            self._add_cue(text, ps + len(seg) - len(left), None, ident, None, start, end)

    def _add_cue(
        self,
        text: str,
        span_start: int,
        offsets: list[int] | None,
        ident: str | None,
        voice: str | None,
        start: int,
        end: int,
    ) -> None:
        """Add one CUE; without a voice tag, a ``NAME:`` label at the start names the speaker."""
        attrs: dict[str, object] = {"id": ident} if ident else {}
        speaker = voice
        if voice is not None:
            attrs["speaker_source"] = "voice"
        elif (m := _SPEAKER_LABEL.match(text)) is not None:
            speaker = m.group(1).strip()
            attrs["speaker_source"] = "label"
        span_end = offsets[-1] + 1 if offsets else span_start + len(text)
        self.b.add(
            ElementKind.CUE,
            span_start,
            span_end,
            text=text,
            offsets=offsets,
            speaker=speaker,
            time_start=_fmt_ms(start),
            time_end=_fmt_ms(end),
            attrs=attrs,
        )

    def _plain(self, a: int, z: int, chars: list[str], offs: list[int]) -> None:
        """Append text [a, z) with entities decoded (WebVTT only)."""
        t = self.text
        if self.fmt != "vtt" or "&" not in t[a:z]:
            chars.extend(t[a:z])
            offs.extend(range(a, z))
            return
        pos = a
        for m in _ENTITY.finditer(t, a, z):
            chars.extend(t[pos : m.start()])
            offs.extend(range(pos, m.start()))
            name = m.group(1)
            if name.startswith("#"):
                try:
                    code = int(name[2:], 16) if name[1:2] in "xX" else int(name[1:])
                    ch = chr(code)
                except (ValueError, OverflowError):
                    ch = m.group(0)
            else:
                ch = _ENTITIES[name]
            chars.append(ch if len(ch) == 1 else "\ufffd")
            offs.append(m.start())
            pos = m.end()
        chars.extend(t[pos:z])
        offs.extend(range(pos, z))

    # -- formats ------------------------------------------------------------------------

    def srt(self) -> Script:
        n = len(self.lines)
        i = 0
        while i < n:
            if self.blank(i):
                i += 1
                continue
            line = self.line_text(i)
            ident: str | None = None
            if _ARROW not in line:
                nxt = i + 1
                if line.strip().isdigit() and nxt < n and _ARROW in self.line_text(nxt):
                    ident = line.strip()
                    i = nxt
                elif (
                    line.strip().isdigit()
                    and self.blank(nxt)
                    and all(self.blank(k) for k in range(nxt, min(n, nxt + 3)))
                    and nxt + 3 > n
                ):
                    self.b.meta.setdefault("warnings", []).append(
                        f"line {self.lineno(i)}: cue number at end of file without a cue"
                    )
                    i = nxt
                    continue
                else:
                    raise fail(
                        f"subtitle block without a timing line ({line.strip()[:60]!r})",
                        self.path,
                        self.lineno(i),
                    )
            start, end = self.timing(i)
            i = self.cue(i, ident, start, end)
        if not self.b.pending:
            self.b.meta.setdefault("warnings", []).append("no cues with text")
        return self.b.build()

    def vtt(self) -> Script:
        n = len(self.lines)
        if not n or not self.line_text(0).lstrip("\ufeff").startswith("WEBVTT"):
            raise fail("not a WebVTT file: the first line must be 'WEBVTT'", self.path, 1)
        head = self.line_text(0).lstrip("\ufeff")
        if len(head) > 6 and head[6] not in " \t":
            raise fail("not a WebVTT file: 'WEBVTT' must be followed by a space", self.path, 1)
        i = 1
        # Header lines (metadata, old-style "Region:" settings) run until the first blank line,
        # unless a timing line comes first (some files omit the blank line).
        while i < n and not self.blank(i) and _ARROW not in self.line_text(i):
            i += 1
        skipped: list[int] = []
        while i < n:
            if self.blank(i):
                i += 1
                continue
            line = self.line_text(i)
            word = line.split(None, 1)[0] if line.strip() else ""
            if (
                _ARROW not in line
                and word in ("NOTE", "STYLE", "REGION")
                and (line.strip() == word or line[len(word) : len(word) + 1] in (" ", "\t"))
            ):
                while i < n and not self.blank(i):
                    i += 1
                continue
            ident: str | None = None
            if (
                _ARROW in line
                and _vtt_time_pair(line) is None
                and i + 1 < n
                and _vtt_time_pair(self.line_text(i + 1)) is not None
            ):
                # An identifier may not contain "-->"; the spec drops such a cue whole.
                skipped.append(self.lineno(i))
                while i < n and not self.blank(i):
                    i += 1
                continue
            if _ARROW not in line:
                if i + 1 < n and not self.blank(i + 1) and _ARROW in self.line_text(i + 1):
                    ident = line.strip()
                    i += 1
                else:
                    # Per the WebVTT parsing rules a block without timing is ignored.
                    skipped.append(self.lineno(i))
                    while i < n and not self.blank(i):
                        i += 1
                    continue
            start, end = self.timing(i)
            i = self.cue(i, ident, start, end)
        if skipped:
            self.b.meta["skipped_blocks_at_lines"] = skipped
        return self.b.build()


def read(text: str, path: str, encoding: str, fmt: str) -> Script:
    """Parse an SRT (``fmt="srt"``) or WebVTT (``fmt="vtt"``) file into CUE elements."""
    r = _Reader(text, path, encoding, fmt)
    return r.srt() if fmt == "srt" else r.vtt()
