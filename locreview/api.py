"""The public API behind the CLI, the reviewer UI, the benchmarks and the Dask engine."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from . import __version__
from .detect.pipeline import Detector, available_detectors
from .errors import ConfigError, EncodingError, LocreviewError
from .glossary.loader import Glossary, load_glossaries
from .ingest import iter_drafts, read_script
from .model import DocumentResult, Report, Script, Severity, parse_markets

Source = str | os.PathLike[str] | bytes | Script
Progress = Callable[[int, int, str], None]


def resolve_markets(markets: str | Sequence[str] | None) -> list[str]:
    """Parse and check market codes (raises ConfigError)."""
    try:
        codes = parse_markets(markets)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    if not codes:
        raise ConfigError("no markets given (e.g. --markets CN,KR,JP)")
    return codes


def build_detector(
    markets: str | Sequence[str],
    *,
    glossaries: Iterable[str | os.PathLike[str]] | None = None,
    detectors: Iterable[str] | str | None = None,
    min_severity: Severity | str | None = None,
    encoder: str | None = None,
    glossary: Glossary | None = None,
) -> Detector:
    """Load glossaries for ``markets`` and compile a reusable Detector."""
    codes = resolve_markets(markets)
    if glossary is None:
        glossary = load_glossaries(_glossary_paths(glossaries), markets=codes)
    missing = [m for m in codes if m not in glossary.versions and not glossary.for_market(m)]
    if missing:
        raise ConfigError(
            f"no glossary covers market(s) {', '.join(missing)}: a scan would silently pass them"
            f" (loaded: {', '.join(sorted(glossary.versions)) or 'none'})"
        )
    if isinstance(detectors, str):
        detectors = [d.strip() for d in detectors.split(",") if d.strip()]
    if min_severity is not None:
        try:
            min_severity = Severity.parse(min_severity)
        except ValueError as e:
            raise ConfigError(str(e)) from None
    return Detector(
        glossary,
        codes,
        detectors or available_detectors(),
        min_severity=min_severity,
        encoder=encoder,
    )


def _glossary_paths(glossaries: Iterable[str | os.PathLike[str]] | None):
    """The shipped packs plus any project layers (``--glossaries`` adds, never replaces)."""
    if glossaries is None:
        return None
    extra = [Path(g) for g in glossaries]
    if not extra:
        return None
    from .glossary.loader import default_glossary_dir, parse_pack

    # A layer of kind "project" extends the shipped packs; a directory or market pack given
    # explicitly replaces them (a team's own termbase).
    project_only = all(p.is_file() and parse_pack(p).pack.kind == "project" for p in extra)
    return [default_glossary_dir(), *extra] if project_only else extra


def scan_script(script: Script, detector: Detector) -> DocumentResult:
    """Run the detector over one parsed script."""
    t0 = time.perf_counter()
    flags, suppressions = detector.detect(script)
    langs: dict[str, int] = {}
    for el in script.elements:
        if el.lang:
            langs[el.lang] = langs.get(el.lang, 0) + 1
    doc = DocumentResult(
        path=script.path,
        format=script.format,
        elements=len(script.elements),
        flags=flags,
        encoding=script.encoding,
        languages=langs,
        seconds=time.perf_counter() - t0,
    )
    doc.suppressed = [
        {"entry_id": s.entry_id, "element": s.element, "reason": s.reason} for s in suppressions
    ]
    return doc


def _expand(sources: Sequence[Source]) -> list[Source]:
    out: list[Source] = []
    for s in sources:
        if isinstance(s, (str, os.PathLike)) and not isinstance(s, bytes):
            p = Path(s)
            if _is_path_like(s) and p.is_dir():
                out.extend(iter_drafts(p))
                continue
        out.append(s)
    return out


def _is_path_like(s: str | os.PathLike[str]) -> bool:
    if isinstance(s, os.PathLike):
        return True
    return "\n" not in s and len(s) < 4096


def scan(
    source: Source | Sequence[Source],
    markets: str | Sequence[str],
    *,
    glossaries: Iterable[str | os.PathLike[str]] | None = None,
    detectors: Iterable[str] | str | None = None,
    min_severity: Severity | str | None = None,
    encoder: str | None = None,
    format: str | None = None,
    max_bytes: int | None = None,
    detector: Detector | None = None,
    progress: Progress | None = None,
    keep_going: bool | None = None,
    keep_scripts: bool = False,
) -> Report:
    """Scan drafts (paths, directories, raw text or bytes, or Scripts) for ``markets``.

    A single unreadable file raises its :class:`LocreviewError`; when several drafts or a
    directory are scanned, a bad file is recorded in its document's ``error`` and the scan
    goes on (``keep_going`` overrides that choice).
    """
    t0 = time.perf_counter()
    if detector is None:
        detector = build_detector(
            markets,
            glossaries=glossaries,
            detectors=detectors,
            min_severity=min_severity,
            encoder=encoder,
        )
    t_load = time.perf_counter() - t0
    many = isinstance(source, (list, tuple))
    items = _expand(list(source) if many else [source])  # type: ignore[arg-type]
    if keep_going is None:
        keep_going = many or len(items) != 1 or (
            isinstance(source, (str, os.PathLike))
            and not isinstance(source, bytes)
            and _is_path_like(source)
            and Path(source).is_dir()
        )
    docs: list[DocumentResult] = []
    scripts: dict[str, Script] = {}
    for i, item in enumerate(items):
        name = _display(item)
        if progress:
            progress(i, len(items), name)
        try:
            script = item if isinstance(item, Script) else _read(item, format, max_bytes)
            docs.append(scan_script(script, detector))
            if keep_scripts:
                scripts[script.path] = script
        except LocreviewError as e:
            if not keep_going:
                raise
            docs.append(DocumentResult(path=name, format=format or "unknown", elements=0, flags=[], error=str(e)))
    if progress:
        progress(len(items), len(items), "")
    return Report(
        markets=list(detector.markets),
        glossaries=dict(detector.glossary.versions),
        documents=docs,
        detectors=list(detector.detectors),
        timings={"load": t_load, "total": time.perf_counter() - t0},
        tool_version=__version__,
        scripts=scripts,
    )


def _display(item: Source) -> str:
    if isinstance(item, Script):
        return item.path
    if isinstance(item, bytes):
        return "<bytes>"
    if isinstance(item, os.PathLike) or _is_path_like(item):
        return str(item)
    return "<text>"


def _read(item: Source, fmt: str | None, max_bytes: int | None) -> Script:
    if isinstance(item, bytes):
        return read_script(item, fmt, name="<bytes>", max_bytes=max_bytes)
    if isinstance(item, os.PathLike) or (_is_path_like(item) and not _looks_like_text(item)):
        return read_script(item, fmt, max_bytes=max_bytes)
    try:
        data = item.encode("utf-8")
    except UnicodeEncodeError as exc:
        # Lone surrogates (from a bad decode upstream) are not text any reader could map back.
        raise EncodingError(
            f"the text has an unpaired surrogate U+{ord(item[exc.start]):04X} at character "
            f"{exc.start}: not valid Unicode",
            path="<text>",
        ) from None
    return read_script(data, fmt or "text", name="<text>", max_bytes=max_bytes)


def _looks_like_text(s: str) -> bool:
    """A str that is not an existing path and reads like a sentence is scanned as text."""
    if Path(s).exists():
        return False
    return " " in s.strip() or not any(ch in s for ch in "/\\.")
