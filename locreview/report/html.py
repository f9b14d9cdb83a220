"""HTML writer: one self-contained page (inline CSS, no scripts, no external fetch).

All text reaches the page through Jinja2 with autoescaping on; the highlighted passage is
handed to the template as ``(text, is_match)`` pieces, never as mark-up strings, and only
plain http(s) source URLs become links.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from locreview.model import Flag, Report, Script, summarize

from ._common import (
    SEVERITIES,
    flag_status,
    group_by_scene,
    location,
    passage,
    split_citation,
)

TEMPLATE_DIR = Path(__file__).with_name("templates")


@lru_cache(maxsize=1)
def environment() -> Environment:
    """Return the Jinja2 environment (autoescape on for every template)."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,  # every template, whatever its suffix: script text is hostile input
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class FlagView:
    """What the template shows for one flag."""

    severity: str
    market: str
    category: str
    entry_id: str
    detector: str
    score: str
    location: str
    speaker: str | None
    passage: list[tuple[str, bool]]
    rationale: str
    suggestion: str
    sources: list[dict[str, str | None]]
    fingerprint: str
    status: str | None
    change: str | None = None


@dataclass
class DocumentView:
    """A document section: its metadata and flags grouped by scene."""

    path: str
    format: str
    encoding: str | None
    elements: int
    error: str | None
    scenes: list[tuple[str, list[FlagView]]] = field(default_factory=list)
    count: int = 0


def flag_view(
    flag: Flag, script: Script | None, store: Any = None, change: str | None = None
) -> FlagView:
    """Build the template view of one flag."""
    cites = [split_citation(s) for s in flag.sources]
    return FlagView(
        severity=flag.severity.value,
        market=flag.market,
        category=flag.category,
        entry_id=flag.entry_id,
        detector=flag.detector,
        score=f"{float(flag.score):.2f}",
        location=location(flag),
        speaker=flag.element.speaker,
        passage=passage(flag, script),
        rationale=flag.rationale,
        suggestion=flag.suggestion,
        sources=[{"text": c.text, "url": c.url} for c in cites],
        fingerprint=flag.fingerprint,
        status=flag_status(flag, store),
        change=change,
    )


def document_view(
    path: str,
    flags: Iterable[tuple[Flag, str | None]],
    scripts: Mapping[str, Script],
    store: Any = None,
    *,
    format: str = "",
    encoding: str | None = None,
    elements: int = 0,
    error: str | None = None,
    old_scripts: Mapping[str, Script] | None = None,
) -> DocumentView:
    """Build a document section from ``(flag, change)`` pairs."""
    pairs = list(flags)
    changes = {id(f): c for f, c in pairs}
    script = scripts.get(path)
    # A resolved flag's offsets point into the OLD draft: only its own script may show it.
    old_script = (old_scripts or {}).get(path)
    doc = DocumentView(path, format, encoding, elements, error, count=len(pairs))
    for label, group in group_by_scene(f for f, _ in pairs):
        views = []
        for f in group:
            change = changes.get(id(f))
            views.append(
                flag_view(f, old_script if change == "resolved" else script, store, change)
            )
        doc.scenes.append((label, views))
    return doc


def render(
    *,
    title: str,
    documents: list[DocumentView],
    flags: list[Flag],
    markets: list[str],
    glossaries: Mapping[str, str],
    tool_version: str,
    store: Any = None,
    diff_counts: Mapping[str, int] | None = None,
    documents_count: int | None = None,
) -> str:
    """Render the page from prepared views."""
    summary = summarize(flags)
    ms = summary["by_market_severity"]
    rows = []
    for m in dict.fromkeys([*markets, *ms.keys()]):
        counts = [ms.get(m, {}).get(s.value, 0) for s in SEVERITIES]
        rows.append((m, counts, sum(counts)))
    totals = [summary["by_severity"][s.value] for s in SEVERITIES]
    show_status = store is not None or any(
        fv.status for d in documents for _, g in d.scenes for fv in g
    )
    return environment().get_template("report.html.j2").render(
        title=title,
        tool_version=tool_version,
        markets=list(markets),
        glossaries=dict(sorted(glossaries.items())),
        severities=[s.value for s in SEVERITIES],
        rows=rows,
        totals=totals,
        total=summary["flags"],
        by_category=summary["by_category"],
        documents=documents,
        documents_count=len(documents) if documents_count is None else documents_count,
        show_status=show_status,
        diff_counts=dict(diff_counts) if diff_counts is not None else None,
    )


def write(
    report: Report,
    out: TextIO,
    *,
    store: Any = None,
    scripts: Mapping[str, Script] | None = None,
    **_: Any,
) -> None:
    """Write the report as one self-contained HTML page."""
    scripts = scripts or {}
    docs = [
        document_view(
            d.path,
            ((f, None) for f in d.flags),
            scripts,
            store,
            format=d.format,
            encoding=d.encoding,
            elements=d.elements,
            error=d.error,
        )
        for d in report.documents
    ]
    out.write(
        render(
            title="locreview report",
            documents=docs,
            flags=report.flags,
            markets=report.markets,
            glossaries=report.glossaries,
            tool_version=report.tool_version,
            store=store,
        )
    )


__all__ = ["write", "render", "document_view", "flag_view"]
