"""Report writers: one module per output format, dispatched by :func:`write_report`.

Every writer has the signature ``write(report, out, **options)``; the options a writer does
not use are ignored, so the CLI can pass the same keywords for every format.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, TextIO

from locreview.errors import ConfigError
from locreview.model import Report, Script

from ._common import resolve_store

FORMATS: tuple[str, ...] = ("text", "json", "csv", "html", "md", "sarif", "srt-notes")

# Modules are imported on demand: `--format text` should not pay for Jinja2.
_MODULES = {
    "text": "text",
    "json": "json_report",
    "csv": "csv_report",
    "html": "html",
    "md": "markdown",
    "sarif": "sarif",
    "srt-notes": "subtitles",
}


def _writer(fmt: str) -> Any:
    """Return the module that writes ``fmt`` (raises ConfigError on an unknown format)."""
    key = (fmt or "").strip().lower()
    if key == "markdown":
        key = "md"
    if key not in _MODULES:
        raise ConfigError(f"unknown report format {fmt!r} (expected one of {', '.join(FORMATS)})")
    return importlib.import_module(f"{__name__}.{_MODULES[key]}")


def write_report(
    report: Report,
    fmt: str,
    out: TextIO,
    *,
    bom: bool = False,
    color: bool = False,
    store: Any = None,
    scripts: Mapping[str, Script] | None = None,
    entries: Mapping[str, Any] | None = None,
) -> None:
    """Write ``report`` to ``out`` in format ``fmt`` (one of :data:`FORMATS`).

    ``store`` (a ReviewStore or a ``{(market, fingerprint): status}`` mapping) adds review
    decisions; ``scripts`` (path → Script) lets HTML and Markdown show each flag's passage
    in context; ``entries`` (entry id → glossary Entry) enriches SARIF rules.
    """
    module = _writer(fmt)
    module.write(
        report,
        out,
        bom=bom,
        color=color,
        store=resolve_store(store),
        scripts=scripts or {},
        entries=entries,
    )


__all__ = ["FORMATS", "write_report"]
