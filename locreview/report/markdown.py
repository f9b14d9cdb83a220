"""Markdown writer, for pull-request comments (GitHub-flavoured).

Every piece of script or glossary text is escaped: Markdown punctuation is backslash-escaped,
``<``/``>``/``&`` become entities (so no raw HTML reaches the renderer), and ``@``/``#``
become entities so a draft cannot ping people or link issues from a comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from locreview.model import Flag, Report, Script, summarize

from ._common import (
    SEVERITIES,
    flag_status,
    group_by_scene,
    location,
    oneline,
    passage,
    split_citation,
)

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "&#64;", "#": "&#35;"}
# Inline mark-up characters ($ is GitHub math). Block mark-up only matters at the start of a
# line, which _guard_start handles.
_PUNCT = set("\\`*_[]!|~$")
_BLOCK_START = re.compile(r"^(\d{1,9})([.)])|^([-+=>:])")


def escape(value: str) -> str:
    """Escape ``value`` for inline Markdown on one line (table cells, list items)."""
    out = []
    for c in oneline(value):
        if c in _ENTITIES:
            out.append(_ENTITIES[c])
        elif c in _PUNCT:
            out.append("\\" + c)
        else:
            out.append(c)
    return _guard_start("".join(out))


def _guard_start(text: str) -> str:
    """Escape a leading list/quote/heading marker so the text stays a plain paragraph."""
    m = _BLOCK_START.match(text)
    if not m:
        return text
    if m.group(3):
        return "\\" + text
    return f"{m.group(1)}\\{m.group(2)}{text[m.end():]}"


def _link_url(url: str) -> str:
    """Percent-encode the characters that would end a Markdown link target."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _sources(sources: list[str]) -> str:
    parts = []
    for s in sources:
        c = split_citation(s)
        if c.url:
            parts.append(f"[{escape(c.text)}]({_link_url(c.url)})")
        else:
            parts.append(escape(c.text))
    return "; ".join(parts)


def _passage(flag: Flag, script: Script | None) -> str:
    pieces = passage(flag, script)
    # Bold only the match; the pieces were escaped first so ** cannot be closed early.
    return "".join(f"**{escape(t)}**" if m else escape(t) for t, m in pieces)


def flag_item(
    flag: Flag, script: Script | None, store: Any = None, change: str | None = None
) -> str:
    """Return one flag as a Markdown list item (with indented detail lines)."""
    head = [
        f"**{flag.severity.value.upper()}**",
        escape(flag.market),
        escape(flag.category),
        escape(flag.entry_id),
        f"line {escape(location(flag))}",
    ]
    if change:
        head.insert(0, f"_{escape(change)}_")
    status = flag_status(flag, store)
    if status:
        head.append(f"status: {escape(status)}")
    lines = [f"- {' · '.join(head)}", f"  > {_passage(flag, script)}"]
    if flag.rationale:
        lines.append(f"  - Why: {escape(flag.rationale)}")
    if flag.suggestion:
        lines.append(f"  - Suggestion: {escape(flag.suggestion)}")
    if flag.sources:
        lines.append(f"  - Sources: {_sources(flag.sources)}")
    return "\n".join(lines)


def summary_table(flags: Iterable[Flag], markets: list[str]) -> list[str]:
    """Return the market × severity table as Markdown lines."""
    s = summarize(flags)
    ms = s["by_market_severity"]
    head = "| Market | " + " | ".join(sv.value for sv in SEVERITIES) + " | total |"
    sep = "|---|" + "---:|" * (len(SEVERITIES) + 1)
    lines = [head, sep]
    for m in dict.fromkeys([*markets, *ms.keys()]):
        counts = [ms.get(m, {}).get(sv.value, 0) for sv in SEVERITIES]
        lines.append(f"| {escape(m)} | " + " | ".join(map(str, counts)) + f" | {sum(counts)} |")
    totals = [s["by_severity"][sv.value] for sv in SEVERITIES]
    lines.append("| **all** | " + " | ".join(map(str, totals)) + f" | {s['flags']} |")
    return lines


def document_lines(
    path: str,
    pairs: list[tuple[Flag, str | None]],
    scripts: Mapping[str, Script],
    store: Any = None,
    error: str | None = None,
    old_scripts: Mapping[str, Script] | None = None,
) -> list[str]:
    """Return a document section: heading, error, flags grouped by scene."""
    n = len(pairs)
    lines = ["", f"### {escape(path)} ({n} flag{'s' if n != 1 else ''})"]
    if error:
        lines += ["", f"**Could not read this draft:** {escape(error)}"]
    changes = {id(f): c for f, c in pairs}
    script = scripts.get(path)
    old_script = (old_scripts or {}).get(path)  # resolved flags point into the old draft
    for label, group in group_by_scene(f for f, _ in pairs):
        lines += ["", f"#### {escape(label)}", ""]
        for f in group:
            change = changes.get(id(f))
            sc = old_script if change == "resolved" else script
            lines.append(flag_item(f, sc, store, change))
    return lines


def write(
    report: Report,
    out: TextIO,
    *,
    store: Any = None,
    scripts: Mapping[str, Script] | None = None,
    **_: Any,
) -> None:
    """Write the report as Markdown: summary table, then flags per document and scene."""
    scripts = scripts or {}
    s = report.summary()
    lines = [
        "## locreview report",
        "",
        f"**{s['flags']} flag{'s' if s['flags'] != 1 else ''}** in {s['documents']} "
        f"document{'s' if s['documents'] != 1 else ''} · markets: "
        + escape(", ".join(report.markets)),
        "",
        *summary_table(report.flags, report.markets),
    ]
    for doc in report.documents:
        if not doc.flags and doc.error is None:
            continue
        lines += document_lines(doc.path, [(f, None) for f in doc.flags], scripts, store,
                                doc.error)
    out.write("\n".join(lines) + "\n")
