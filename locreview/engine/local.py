"""The local engine: one process, one Detector, documents in order (the reference path)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from locreview.engine.catalog import CatalogItem, scan_path
from locreview.model import DocumentResult

#: Called once per finished document: (item, result key or None, result, stored by the worker).
OnResult = Callable[[CatalogItem, "str | None", DocumentResult, bool], None]


def run_local(
    items: Sequence[CatalogItem],
    detector: Any,
    context: str,
    on_result: OnResult,
    *,
    input_format: str | None = None,
    max_bytes: int | None = None,
) -> dict[str, Any]:
    """Scan ``items`` one after the other in this process; return engine facts for the report."""
    for item in items:
        key, doc = scan_path(item, detector, context, input_format=input_format, max_bytes=max_bytes)
        on_result(item, key, doc, False)
    return {"engine": "local", "workers": 1}
