"""Reviewer subtitle track (``--format srt-notes``): one cue per flag, at the flag's timecode.

Subtitle and dub editors load it beside the video as a second track. Flags without a
timecode (screenplay drafts) cannot be placed and are left out; flags sharing a timecode
share one cue. Several subtitle documents in one report get the document name in each cue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TextIO

from locreview.model import Flag, Report

from ._common import oneline

#: How long a cue lasts when the flag has a start but no end timecode.
DEFAULT_DURATION_MS = 2000

_TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")


def parse_time(value: str) -> int:
    """Parse ``HH:MM:SS.mmm`` (comma or dot; hours optional) into milliseconds."""
    m = _TIME.match(value.strip())
    if not m:
        raise ValueError(f"bad timecode {value!r}")
    h, mi, s, ms = m.groups()
    return ((int(h or 0) * 60 + int(mi)) * 60 + int(s)) * 1000 + int((ms or "0").ljust(3, "0"))


def format_time(ms: int, *, vtt: bool = False) -> str:
    """Format milliseconds as an SRT (``00:00:01,000``) or VTT (``00:00:01.000``) timecode."""
    ms = max(0, ms)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, milli = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{'.' if vtt else ','}{milli:03d}"


def _clean(value: str, vtt: bool) -> str:
    """Make ``value`` safe inside one cue line (no blank lines, no '-->', no tags)."""
    text = oneline(value).replace("-->", "→")
    if vtt:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # SRT has no escapes, and players read <i>/<font> tags: show angle brackets as lookalikes.
    return text.replace("<", "‹").replace(">", "›")


def cue_lines(flag: Flag, *, vtt: bool = False, doc: str | None = None) -> list[str]:
    """Return the text lines of one flag's note."""
    head = f"[{flag.severity.value.upper()} {flag.market} {flag.category}] “{flag.text}”"
    if doc:
        head = f"{doc}: {head}"
    lines = [_clean(head, vtt)]
    if flag.suggestion:
        lines.append(_clean(f"→ {flag.suggestion}", vtt))
    if flag.status:
        lines.append(_clean(f"status: {flag.status}", vtt))
    lines.append(_clean(f"({flag.entry_id})", vtt))
    return lines


def timed_flags(items: Iterable[tuple[str, Flag]]) -> list[tuple[int, int, str, Flag]]:
    """Return ``(start_ms, end_ms, path, flag)`` for every flag with a usable timecode."""
    out = []
    for path, f in items:
        if not f.span.time_start:
            continue
        try:
            start = parse_time(f.span.time_start)
            end = parse_time(f.span.time_end) if f.span.time_end else start + DEFAULT_DURATION_MS
        except ValueError:
            continue  # a malformed timecode cannot be placed; the other outputs still show it
        out.append((start, max(end, start + 1), path, f))
    out.sort(key=lambda t: (t[0], t[1], -t[3].severity.rank, t[3].market, t[3].entry_id))
    return out


def write_notes(items: Iterable[tuple[str, Flag]], out: TextIO, *, vtt: bool = False) -> int:
    """Write an SRT (or WebVTT) reviewer track from ``(path, flag)``; return the cue count."""
    timed = timed_flags(items)
    several = len({p for _, _, p, _ in timed}) > 1
    cues: dict[tuple[int, int], list[str]] = {}
    for start, end, path, f in timed:
        cues.setdefault((start, end), []).extend(
            cue_lines(f, vtt=vtt, doc=path if several else None)
        )
    if vtt:
        out.write("WEBVTT - locreview reviewer notes\n\n")
    for n, ((start, end), lines) in enumerate(cues.items(), 1):
        out.write(f"{n}\n{format_time(start, vtt=vtt)} --> {format_time(end, vtt=vtt)}\n")
        out.write("\n".join(lines) + "\n\n")
    return len(cues)


def write(report: Report, out: TextIO, **_: Any) -> None:
    """Write the report's timed flags as an SRT reviewer track."""
    write_notes(((d.path, f) for d in report.documents for f in d.flags), out)


def write_vtt(report: Report, out: TextIO, **_: Any) -> None:
    """Write the report's timed flags as a WebVTT reviewer track."""
    write_notes(((d.path, f) for d in report.documents for f in d.flags), out, vtt=True)
