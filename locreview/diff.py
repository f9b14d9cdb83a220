"""Compare two reports of a draft's revisions: which flags are new, unchanged or resolved.

Flags are matched by ``(market, fingerprint)``. The fingerprint leaves out line numbers and
the file name, so edits elsewhere in the draft, or a renamed file, keep a finding
"unchanged". When one finding occurs several times, occurrences pair up in reading order and
the surplus counts as new (or resolved).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from locreview.errors import ConfigError
from locreview.model import REPORT_VERSION, Flag, Report, Script, summarize

#: The formats a diff can be written in (same names as reports).
DIFF_FORMATS: tuple[str, ...] = ("text", "json", "csv", "html", "md", "sarif", "srt-notes")

CHANGES: tuple[str, ...] = ("new", "unchanged", "resolved")


@dataclass(frozen=True, slots=True)
class DiffItem:
    """One flag of a diff and the document path it belongs to."""

    path: str
    flag: Flag


@dataclass(slots=True)
class DiffResult:
    """Flags new in NEW, unchanged (NEW's copy), and resolved (OLD's copy, gone from NEW)."""

    new: list[DiffItem]
    unchanged: list[DiffItem]
    resolved: list[DiffItem]
    old_report: Report | None = field(default=None, repr=False)
    new_report: Report | None = field(default=None, repr=False)
    markets: list[str] = field(default_factory=list)

    def items(self) -> list[tuple[str, DiffItem]]:
        """Return ``(change, item)`` for every flag, new first, then unchanged, then resolved."""
        return [(c, it) for c in CHANGES for it in getattr(self, c)]

    def counts(self) -> dict[str, int]:
        """Return the number of new, unchanged and resolved flags."""
        return {c: len(getattr(self, c)) for c in CHANGES}

    def by_market(self) -> dict[str, dict[str, int]]:
        """Return counts per market and change."""
        out: dict[str, dict[str, int]] = {}
        for change, it in self.items():
            m = out.setdefault(it.flag.market, {c: 0 for c in CHANGES})
            m[change] += 1
        return dict(sorted(out.items()))


def _items(report: Report, markets: set[str] | None) -> list[DiffItem]:
    items = [
        DiffItem(d.path, f)
        for d in report.documents
        for f in d.flags
        if markets is None or f.market in markets
    ]
    return sorted(items, key=lambda it: (it.path, it.flag.sort_key()))


def diff_reports(
    old: Report, new: Report, *, markets: Iterable[str] | None = None
) -> DiffResult:
    """Match the flags of ``old`` and ``new`` by (market, fingerprint)."""
    wanted = {m.upper() for m in markets} if markets else None
    pending: dict[tuple[str, str], list[DiffItem]] = {}
    for it in _items(old, wanted):
        pending.setdefault((it.flag.market, it.flag.fingerprint), []).append(it)
    added: list[DiffItem] = []
    same: list[DiffItem] = []
    for it in _items(new, wanted):
        olds = pending.get((it.flag.market, it.flag.fingerprint))
        if olds:
            olds.pop(0)
            same.append(it)
        else:
            added.append(it)
    gone = sorted(
        (it for rest in pending.values() for it in rest),
        key=lambda it: (it.path, it.flag.sort_key()),
    )
    scope = sorted(wanted) if wanted else list(dict.fromkeys([*new.markets, *old.markets]))
    return DiffResult(added, same, gone, old, new, scope)


# -- writers ---------------------------------------------------------------------------


def diff_to_dict(result: DiffResult) -> dict[str, Any]:
    """Return the JSON form of a diff."""

    def side(r: Report | None) -> dict[str, Any]:
        if r is None:
            return {}
        return {
            "documents": [d.path for d in r.documents],
            "glossaries": dict(sorted(r.glossaries.items())),
            "tool_version": r.tool_version,
        }

    def flags(items: list[DiffItem]) -> list[dict[str, Any]]:
        return [{"path": it.path, **it.flag.to_dict()} for it in items]

    version = result.new_report.tool_version if result.new_report else "0"
    return {
        "version": REPORT_VERSION,
        "kind": "diff",
        "tool": {"name": "locreview", "version": version},
        "markets": list(result.markets),
        "old": side(result.old_report),
        "new": side(result.new_report),
        "summary": {**result.counts(), "by_market": result.by_market()},
        "flags": {c: flags(getattr(result, c)) for c in CHANGES},
    }


def _write_text(result: DiffResult, out: TextIO, *, color: bool, store: Any, **_: Any) -> None:
    from locreview.report.text import flag_line

    for change, it in result.items():
        out.write(flag_line(it.path, it.flag, color=color, store=store, change=change) + "\n")
    out.write(summary_line(result) + "\n")


def _write_json(result: DiffResult, out: TextIO, **_: Any) -> None:
    out.write(json.dumps(diff_to_dict(result), ensure_ascii=False, indent=2) + "\n")


def _write_csv(result: DiffResult, out: TextIO, *, bom: bool, store: Any, **_: Any) -> None:
    from locreview.report.csv_report import COLUMNS, flag_row, write_rows

    rows = ({"change": c, **flag_row(it.path, it.flag, store)} for c, it in result.items())
    write_rows(rows, ("change", *COLUMNS), out, bom=bom)


def _grouped(result: DiffResult) -> dict[str, list[tuple[Flag, str | None]]]:
    """Group diff flags by document path: NEW's documents first, then OLD-only paths."""
    order: list[str] = []
    for r in (result.new_report, result.old_report):
        if r is not None:
            order += [d.path for d in r.documents]
    groups: dict[str, list[tuple[Flag, str | None]]] = {p: [] for p in dict.fromkeys(order)}
    for change, it in result.items():
        groups.setdefault(it.path, []).append((it.flag, change))
    return {p: g for p, g in groups.items() if g}


def _write_html(
    result: DiffResult,
    out: TextIO,
    *,
    store: Any,
    scripts: Mapping[str, Script],
    old_scripts: Mapping[str, Script],
    **_: Any,
) -> None:
    from locreview.report.html import document_view, render

    docs = [
        document_view(path, pairs, scripts, store, old_scripts=old_scripts)
        for path, pairs in _grouped(result).items()
    ]
    current = [it.flag for it in (*result.new, *result.unchanged)]
    new = result.new_report
    out.write(
        render(
            title="locreview diff",
            documents=docs,
            flags=current,
            markets=result.markets,
            glossaries=new.glossaries if new else {},
            tool_version=new.tool_version if new else "0",
            store=store,
            diff_counts=result.counts(),
            documents_count=len(new.documents) if new else len(docs),
        )
    )


def _write_md(
    result: DiffResult,
    out: TextIO,
    *,
    store: Any,
    scripts: Mapping[str, Script],
    old_scripts: Mapping[str, Script],
    **_: Any,
) -> None:
    from locreview.report.markdown import document_lines, escape, summary_table

    c = result.counts()
    current = [it.flag for it in (*result.new, *result.unchanged)]
    lines = [
        "## locreview diff",
        "",
        f"**{c['new']} new**, {c['unchanged']} unchanged, {c['resolved']} resolved · markets: "
        + escape(", ".join(result.markets)),
        "",
        "Flags in the new revision:",
        "",
        *summary_table(current, result.markets),
    ]
    for path, pairs in _grouped(result).items():
        lines += document_lines(path, pairs, scripts, store, old_scripts=old_scripts)
    out.write("\n".join(lines) + "\n")


def _write_sarif(result: DiffResult, out: TextIO, *, store: Any, **_: Any) -> None:
    from locreview.report.sarif import build_log

    new = result.new_report
    log = build_log(
        [(it.path, it.flag, c) for c, it in result.items()],
        paths=[d.path for d in new.documents] if new else [],
        tool_version=new.tool_version if new else "0",
        markets=result.markets,
        glossaries=new.glossaries if new else {},
        store=store,
    )
    out.write(json.dumps(log, ensure_ascii=False, indent=2) + "\n")


def _write_srt(result: DiffResult, out: TextIO, **_: Any) -> None:
    from locreview.report.subtitles import write_notes

    # Resolved flags carry the OLD cut's timecodes, which do not apply to the new video.
    write_notes(((it.path, it.flag) for it in (*result.new, *result.unchanged)), out)


_WRITERS = {
    "text": _write_text,
    "json": _write_json,
    "csv": _write_csv,
    "html": _write_html,
    "md": _write_md,
    "markdown": _write_md,
    "sarif": _write_sarif,
    "srt-notes": _write_srt,
}


def write_diff(
    result: DiffResult,
    fmt: str,
    out: TextIO,
    *,
    bom: bool = False,
    color: bool = False,
    store: Any = None,
    scripts: Mapping[str, Script] | None = None,
    old_scripts: Mapping[str, Script] | None = None,
) -> None:
    """Write a diff in ``fmt`` (one of :data:`DIFF_FORMATS`); ConfigError when unknown.

    ``scripts`` are the NEW drafts (path → Script) and ``old_scripts`` the OLD ones, so
    HTML and Markdown can show passages in context for new/unchanged and resolved flags.
    """
    from locreview.report._common import resolve_store

    key = (fmt or "").strip().lower()
    writer = _WRITERS.get(key)
    if writer is None:
        raise ConfigError(
            f"unknown diff format {fmt!r} (expected one of {', '.join(DIFF_FORMATS)})"
        )
    writer(
        result,
        out,
        bom=bom,
        color=color,
        store=resolve_store(store),
        scripts=scripts or {},
        old_scripts=old_scripts or {},
    )


def summary_line(result: DiffResult) -> str:
    """Return ``N new, N unchanged, N resolved`` plus the new flags per market."""
    c = result.counts()
    line = f"{c['new']} new, {c['unchanged']} unchanged, {c['resolved']} resolved"
    per = summarize(it.flag for it in result.new)["by_market"]
    if per:
        line += "; new by market: " + ", ".join(f"{m} {n}" for m, n in per.items())
    return line
