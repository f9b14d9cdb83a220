"""What both engines share: detector options, the catalog's documents, result keys, one scan.

Both engines call :func:`scan_path` for each document, so a document's result depends only
on its bytes, its name and the detector, never on the engine that ran it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from locreview import __version__
from locreview.errors import ConfigError, LocreviewError
from locreview.glossary.loader import Glossary
from locreview.ingest import DRAFT_EXTENSIONS, iter_drafts, read_script
from locreview.model import DocumentResult, Severity

#: Part of every result key: bump when a change invalidates stored results for the same
#: locreview version (it is also keyed by ``__version__``).
KEY_SCHEMA = "locreview-catalog-1"

_HASH_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class DetectorOptions:
    """Everything a worker needs to build the same Detector as the client (picklable, hashable).

    Glossary paths are absolute, so a worker started in another directory loads the same files.
    """

    markets: tuple[str, ...]
    glossaries: tuple[str, ...] | None = None
    detectors: tuple[str, ...] | None = None
    min_severity: str | None = None
    encoder: str | None = None

    def build(self, glossary: Glossary | None = None) -> Any:
        """Build the Detector (the expensive part: glossaries, spaCy, maybe an encoder)."""
        from locreview.api import build_detector

        return build_detector(
            list(self.markets),
            glossaries=list(self.glossaries) if self.glossaries is not None else None,
            detectors=list(self.detectors) if self.detectors is not None else None,
            min_severity=self.min_severity,
            encoder=self.encoder,
            glossary=glossary,
        )

    def load_glossary(self) -> Glossary:
        """Load only the glossaries (cheap): versions and files for the report and the keys."""
        from locreview.api import _glossary_paths
        from locreview.glossary.loader import load_glossaries

        glossary = load_glossaries(
            _glossary_paths(list(self.glossaries) if self.glossaries is not None else None),
            markets=list(self.markets),
        )
        missing = [
            m for m in self.markets if m not in glossary.versions and not glossary.for_market(m)
        ]
        if missing:
            # The same check as api.build_detector, so both engines refuse the same configs.
            raise ConfigError(
                f"no glossary covers market(s) {', '.join(missing)}: a scan would silently pass"
                f" them (loaded: {', '.join(sorted(glossary.versions)) or 'none'})"
            )
        return glossary

    def detector_names(self) -> tuple[str, ...]:
        """The stages that will run (the report's ``detectors``)."""
        return self.detectors or default_detectors()

    def token(self) -> str:
        """A short stable id of these options (names the per-worker detector)."""
        raw = json.dumps(
            [self.markets, self.glossaries, self.detectors, self.min_severity, self.encoder]
        )
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


def resolve_options(
    markets: str | Sequence[str],
    *,
    glossaries: Iterable[str | os.PathLike[str]] | None = None,
    detectors: Iterable[str] | str | None = None,
    min_severity: Severity | str | None = None,
    encoder: str | None = None,
) -> DetectorOptions:
    """Validate scan options on the client (ConfigError) and make them worker-portable."""
    from locreview.api import resolve_markets
    from locreview.detect.pipeline import DETECTORS

    codes = tuple(resolve_markets(markets))
    dets: tuple[str, ...] | None = None
    if detectors is not None:
        items = detectors.split(",") if isinstance(detectors, str) else list(detectors)
        dets = tuple(d.strip() for d in items if d.strip()) or None
        for d in dets or ():
            if d not in DETECTORS:
                raise ConfigError(f"unknown detector {d!r} (choose from {', '.join(DETECTORS)})")
    sev: str | None = None
    if min_severity is not None:
        try:
            sev = Severity.parse(min_severity).value
        except ValueError as e:
            raise ConfigError(str(e)) from None
    gl = tuple(os.path.abspath(os.fspath(g)) for g in glossaries) if glossaries else None
    # Resolved here, not on each worker: every worker runs the stages the client chose.
    return DetectorOptions(codes, gl or None, dets or default_detectors(), sev, encoder)


def default_detectors() -> tuple[str, ...]:
    """The stages api.build_detector runs when none are named (semantic only when installed)."""
    from locreview.detect import pipeline

    available = getattr(pipeline, "available_detectors", None)
    return tuple(available()) if available is not None else tuple(pipeline.DEFAULT_DETECTORS)


def context_digest(
    options: DetectorOptions, glossary: Glossary, input_format: str | None
) -> str:
    """Digest of everything but the draft that decides a result: glossaries, options, version."""
    h = hashlib.sha256()
    h.update(KEY_SCHEMA.encode())
    h.update(json.dumps(sorted(glossary.versions.items())).encode())
    # Pack contents too: an entry edited without a version bump must not reuse old results.
    for pack in sorted(glossary.packs):
        h.update(b"\x1f" + pack.encode("utf-8", "surrogateescape") + b"\x1f")
        try:
            h.update(hashlib.sha256(Path(pack).read_bytes()).digest())
        except OSError:
            h.update(b"<unreadable>")
    h.update(
        json.dumps(
            {
                "markets": list(options.markets),
                "detectors": list(options.detector_names()),
                "min_severity": options.min_severity,
                "encoder": options.encoder,
                "format": input_format,
                "locreview": __version__,
            },
            sort_keys=True,
        ).encode()
    )
    return h.hexdigest()


def result_key(context: str, content_sha256: str, name: str) -> str:
    """Key of one document's result: its bytes + the scan context + its extension's format hint.

    The extension is part of it because format sniffing uses it (the same bytes as .srt and
    as .txt can parse differently); the rest of the path is not, so moved or copied drafts
    reuse their results.
    """
    hint = DRAFT_EXTENSIONS.get(os.path.splitext(name)[1].lower(), "")
    raw = f"{context}\x1f{content_sha256}\x1f{hint}"
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """One document of a catalog: its index, how the report names it, where to read it."""

    index: int
    name: str  # the path as given (the report's ``path``), like api.scan
    path: str  # absolute: a worker in another working directory reads the same file


def expand_catalog(
    paths_or_dir: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
) -> list[CatalogItem]:
    """List a catalog's documents in api.scan's order (directories walked sorted, recursively)."""
    if isinstance(paths_or_dir, (str, os.PathLike)):
        sources: list[str | os.PathLike[str]] = [paths_or_dir]
    else:
        sources = list(paths_or_dir)
    names: list[str] = []
    for s in sources:
        if isinstance(s, bytes):
            raise ConfigError("a catalog scan takes file or directory paths, not bytes")
        p = Path(os.fspath(s))
        if p.is_dir():
            names.extend(str(f) for f in iter_drafts(p))
        else:
            names.append(str(p))  # normalised the way read_script names a Script
    return [CatalogItem(i, n, os.path.abspath(n)) for i, n in enumerate(names)]


def max_bytes_limit(max_bytes: int | None) -> int:
    """The size limit read_script would apply (ConfigError when invalid)."""
    from locreview.ingest import _env_max_bytes

    limit = max_bytes if max_bytes is not None else _env_max_bytes()
    if limit <= 0:
        raise ConfigError("max_bytes must be positive")
    return limit


def file_sha256(path: str, limit: int) -> str | None:
    """sha256 of a regular file of at most ``limit`` bytes; None when it cannot be hashed.

    None sends the document to a scan, which reports the precise problem.
    """
    try:
        st = os.stat(path)
        if not os.path.isfile(path) or st.st_size > limit:
            return None
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(_HASH_CHUNK):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def error_result(name: str, input_format: str | None, message: str) -> DocumentResult:
    """The result of a document that could not be scanned (exactly what api.scan records)."""
    return DocumentResult(
        path=name, format=input_format or "unknown", elements=0, flags=[], error=message
    )


def scan_path(
    item: CatalogItem,
    detector: Any,
    context: str,
    *,
    input_format: str | None = None,
    max_bytes: int | None = None,
) -> tuple[str | None, DocumentResult]:
    """Read and scan one document; return (result key or None, result). Never raises for input.

    The key is computed from the bytes actually scanned, so a file replaced between the
    client's look-up and the scan is stored under its new content.
    """
    from locreview.api import scan_script
    from locreview.ingest import _read_bytes

    try:
        limit = max_bytes_limit(max_bytes)
        try:
            data = _read_bytes(Path(item.path), limit)
        except LocreviewError as e:
            if e.path == item.path:
                e.path = item.name  # report the path as given, as api.scan does
            raise
        key = result_key(context, hashlib.sha256(data).hexdigest(), item.name)
        script = read_script(data, input_format, name=item.name, max_bytes=limit)
        return key, scan_script(script, detector)
    except LocreviewError as e:
        return None, error_result(item.name, input_format, str(e))
    except Exception as e:  # noqa: BLE001 - one bad document must not sink a catalog
        # A bug, not bad input: keep the catalog going but say so, with where it happened.
        where = traceback.extract_tb(e.__traceback__)[-1:]
        at = f" at {where[0].filename}:{where[0].lineno}" if where else ""
        return None, error_result(
            item.name,
            input_format,
            f"{item.name}: internal error: {type(e).__name__}: {e}{at} (please report it)",
        )


#: A few lines in the scripts the pipeline handles, scanned once after a Detector is built:
#: tokenizers and language tools load lazily on first use, and that one-off cost belongs to
#: start-up, not to whichever document happens to come first.
WARM_UP_TEXT = (
    "INT. HARBOUR - NIGHT\n\nThe ferry leaves at ten.\n\n"
    "오늘 회의는 몇 시에 시작해요?\n\n明日は会議があります。\n\n我们明天去上海。\n\n"
    "他說要等十分鐘。\n\nพรุ่งนี้เจอกันตอนสิบโมง\n\nHôm nay trời đẹp quá.\n"
)


def warm_up(detector: Any) -> None:
    """Load everything a Detector loads lazily (encoder, tokenizers) by scanning a tiny draft."""
    from locreview.api import scan_script

    detector.warm_up()
    try:
        scan_script(read_script(WARM_UP_TEXT.encode(), "text", name="<warm-up>"), detector)
    except LocreviewError:
        pass  # a warm-up is an optimisation; a real document will report a real problem


def now() -> float:
    """Monotonic seconds (one clock for timings and throughput)."""
    return time.perf_counter()
