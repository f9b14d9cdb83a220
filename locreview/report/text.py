"""Plain-text writer: one grep-able line per flag, then a one-line summary."""

from __future__ import annotations

from typing import Any, TextIO

from locreview.model import Flag, Report, Severity

from ._common import flag_status, oneline

# ANSI colours per severity; only used when the caller asks for colour (a tty).
_COLORS = {
    Severity.CRITICAL: "\x1b[1;31m",
    Severity.HIGH: "\x1b[31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
    Severity.INFO: "\x1b[2m",
}
_RESET = "\x1b[0m"
# diff output: the mark in front of each line, like `diff -u`.
_CHANGE_MARK = {"new": "+", "unchanged": "=", "resolved": "-"}


def flag_line(
    path: str, flag: Flag, *, color: bool = False, store: Any = None, change: str | None = None
) -> str:
    """Return ``path:line:col: SEVERITY market category entry_id "text" — suggestion``."""
    sev = flag.severity.value.upper()
    if color:
        sev = f"{_COLORS[flag.severity]}{sev}{_RESET}"
    line = (
        f"{oneline(path)}:{flag.span.line}:{flag.span.column}: {sev} {flag.market} {flag.category} "
        f'{flag.entry_id} "{oneline(flag.text)}"'
    )
    if flag.suggestion:
        line += f" — {oneline(flag.suggestion)}"
    status = flag_status(flag, store)
    if status:
        line += f" [{oneline(status)}]"
    if change:
        line = f"{_CHANGE_MARK.get(change, '?')} {line}"
    return line


def summary_line(report: Report) -> str:
    """Return the one-line summary: counts of flags, documents, and per severity/market."""
    s = report.summary()
    sev = ", ".join(
        f"{n} {name}" for name, n in reversed(list(s["by_severity"].items())) if n
    )
    markets = ", ".join(f"{m} {n}" for m, n in s["by_market"].items())
    parts = [
        f"{s['flags']} flag{'s' if s['flags'] != 1 else ''}",
        f"in {s['documents']} document{'s' if s['documents'] != 1 else ''}",
    ]
    text = " ".join(parts)
    if sev:
        text += f" ({sev})"
    if markets:
        text += f"; markets: {markets}"
    if s["errors"]:
        text += f"; {s['errors']} unreadable"
    return text


def write(
    report: Report, out: TextIO, *, color: bool = False, store: Any = None, **_: Any
) -> None:
    """Write one line per flag (sorted by position), errors, then a summary line."""
    for doc in report.documents:
        if doc.error is not None:
            out.write(f"{oneline(doc.path)}: error: {oneline(doc.error)}\n")
        for flag in sorted(doc.flags, key=Flag.sort_key):
            out.write(flag_line(doc.path, flag, color=color, store=store) + "\n")
    out.write(summary_line(report) + "\n")
