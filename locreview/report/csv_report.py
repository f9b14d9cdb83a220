"""CSV writer: one row per flag, a fixed column order, optional BOM so Excel reads UTF-8."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

from locreview.model import Flag, Report

from ._common import flag_status

#: The column order is part of the contract: add columns at the end only.
COLUMNS: tuple[str, ...] = (
    "path",
    "market",
    "severity",
    "category",
    "entry_id",
    "detector",
    "score",
    "text",
    "line",
    "column",
    "end_line",
    "end_column",
    "start",
    "end",
    "page",
    "time_start",
    "time_end",
    "scene",
    "scene_heading",
    "speaker",
    "element_kind",
    "term",
    "rationale",
    "suggestion",
    "sources",
    "fingerprint",
    "glossary_version",
    "status",
    "obfuscated",
)

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection);
# a leading apostrophe makes Excel and LibreOffice show it as text instead.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Sources are joined into one cell with this separator.
SOURCE_SEPARATOR = " | "


def neutralise(value: str) -> str:
    """Return ``value`` prefixed with ``'`` when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def flag_row(path: str, flag: Flag, store: Any = None) -> dict[str, Any]:
    """Return the CSV row of one flag (text cells neutralised, numbers as numbers)."""
    ref = flag.element
    row: dict[str, Any] = {
        "path": path,
        "market": flag.market,
        "severity": flag.severity.value,
        "category": flag.category,
        "entry_id": flag.entry_id,
        "detector": flag.detector,
        "score": round(float(flag.score), 4),
        "text": flag.text,
        "line": flag.span.line,
        "column": flag.span.column,
        "end_line": flag.span.end_line,
        "end_column": flag.span.end_column,
        "start": flag.span.start,
        "end": flag.span.end,
        "page": flag.span.page,
        "time_start": flag.span.time_start,
        "time_end": flag.span.time_end,
        "scene": ref.scene,
        "scene_heading": ref.scene_heading,
        "speaker": ref.speaker,
        "element_kind": ref.kind,
        "term": flag.term,
        "rationale": flag.rationale,
        "suggestion": flag.suggestion,
        "sources": SOURCE_SEPARATOR.join(flag.sources),
        "fingerprint": flag.fingerprint,
        "glossary_version": flag.glossary_version,
        "status": flag_status(flag, store),
        "obfuscated": "true" if flag.obfuscated else "false",
    }
    return {k: (neutralise(v) if isinstance(v, str) else ("" if v is None else v))
            for k, v in row.items()}


def write_rows(
    rows: Iterable[dict[str, Any]], columns: tuple[str, ...], out: TextIO, *, bom: bool = False
) -> None:
    """Write a header and ``rows`` as CSV (``\\n`` line ends; the caller opens newline="")."""
    if bom:
        out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n",
                            quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    writer.writerows(rows)


def write(report: Report, out: TextIO, *, bom: bool = False, store: Any = None, **_: Any) -> None:
    """Write one row per flag, documents in report order, flags by position."""
    rows = (
        flag_row(doc.path, f, store)
        for doc in report.documents
        for f in sorted(doc.flags, key=Flag.sort_key)
    )
    write_rows(rows, COLUMNS, out, bom=bom)
