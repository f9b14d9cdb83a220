"""locreview: screen script drafts for cultural and political risks in each market.

Public API::

    import locreview
    report = locreview.scan("episode1.fountain", markets=["CN", "KR", "JP"])
    for flag in report.flags: ...

Errors a user can cause are raised as :class:`LocreviewError` (with path and line).
"""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    ConfigError,
    EncodingError,
    FormatError,
    GlossaryError,
    InputError,
    InputTooLargeError,
    LocreviewError,
    ReviewStoreError,
    UnsafeInputError,
)
from .model import (  # noqa: E402
    Category,
    DocumentResult,
    Element,
    ElementKind,
    ElementRef,
    Flag,
    Report,
    Script,
    Severity,
    Span,
)


def __getattr__(name: str):  # noqa: ANN202
    # The heavy parts load on first use so `import locreview` stays cheap.
    if name in ("scan", "build_detector", "scan_script", "resolve_markets"):
        from . import api

        return getattr(api, name)
    if name == "load_glossaries":
        from .glossary.loader import load_glossaries

        return load_glossaries
    if name == "read_script":
        from .ingest import read_script

        return read_script
    raise AttributeError(f"module 'locreview' has no attribute {name!r}")


__all__ = [
    "Category",
    "ConfigError",
    "DocumentResult",
    "Element",
    "ElementKind",
    "ElementRef",
    "EncodingError",
    "Flag",
    "FormatError",
    "GlossaryError",
    "InputError",
    "InputTooLargeError",
    "LocreviewError",
    "Report",
    "ReviewStoreError",
    "Script",
    "Severity",
    "Span",
    "UnsafeInputError",
    "__version__",
    "build_detector",
    "load_glossaries",
    "read_script",
    "scan",
    "scan_script",
]
