"""Catalog screening: the same scan over thousands of drafts, locally or on a Dask cluster.

::

    from locreview.engine import scan_catalog
    report = scan_catalog("catalog/", ["CN", "KR"], engine="dask", results="results/")

``scan_catalog`` returns exactly the Report ``locreview.api.scan`` gives for the same inputs
(same documents in the same order, same flags); ``run_catalog`` also says how many documents
were scanned, reused from the results store or failed. A results store makes a scan
resumable: a rerun after an interruption scans only the documents it has no result for.
Dask is optional (``pip install 'locreview[dist]'``) and imported only by ``engine="dask"``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from locreview import __version__
from locreview.engine.catalog import (
    CatalogItem,
    DetectorOptions,
    context_digest,
    expand_catalog,
    file_sha256,
    max_bytes_limit,
    now,
    resolve_options,
    result_key,
    warm_up,
)
from locreview.engine.progress import CatalogProgress, ProgressSnapshot
from locreview.engine.results import (
    DirectoryResultStore,
    ResultStore,
    SQLiteResultStore,
    document_from_dict,
    flag_from_dict,
    open_store,
    payload_to_document,
)
from locreview.errors import ConfigError
from locreview.model import DocumentResult, Report, Severity

__all__ = [
    "ENGINES",
    "CatalogProgress",
    "CatalogResult",
    "DirectoryResultStore",
    "ProgressSnapshot",
    "ResultStore",
    "SQLiteResultStore",
    "document_from_dict",
    "flag_from_dict",
    "open_store",
    "run_catalog",
    "scan_catalog",
]

ENGINES = ("local", "dask")

Progress = Callable[[int, int, str], None]
PathsOrDir = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


@dataclass(slots=True)
class CatalogResult:
    """A catalog scan: the Report plus what this run did to produce it."""

    report: Report
    scanned: int  # documents scanned in this run (including those that failed)
    reused: int  # documents taken from the results store
    failed: int  # documents that could not be scanned (reported in their ``error``)
    seconds: float
    engine: str
    info: dict[str, Any] = field(default_factory=dict)  # engine facts: workers, scheduler ...

    @property
    def throughput(self) -> float:
        """Documents scanned per second in this run (store hits excluded)."""
        return self.scanned / self.seconds if self.seconds > 0 else 0.0


def run_catalog(
    paths_or_dir: PathsOrDir,
    markets: str | Sequence[str],
    *,
    engine: str = "local",
    scheduler: str | None = None,
    results: str | os.PathLike[str] | ResultStore | None = None,
    workers: int = 2,
    glossaries: Iterable[str | os.PathLike[str]] | None = None,
    detectors: Iterable[str] | str | None = None,
    min_severity: Severity | str | None = None,
    encoder: str | None = None,
    format: str | None = None,  # noqa: A002 - the name api.scan uses
    max_bytes: int | None = None,
    progress: Progress | None = None,
    detector: Any = None,
    cluster: Any = None,
) -> CatalogResult:
    """Scan a catalog (directories and/or files) with the local or the Dask engine.

    A document that cannot be read is recorded in its ``error`` and the catalog goes on.
    ``detector`` (local engine only) reuses an already built Detector. ``cluster`` (Dask
    only) uses an already started cluster object instead of ``scheduler``.
    """
    t0 = now()
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if engine == "local" and (scheduler or cluster is not None):
        raise ConfigError("--scheduler needs --engine dask")
    if engine == "dask" and detector is not None:
        raise ConfigError("a prebuilt detector cannot be shipped to Dask workers; pass options")
    if detector is not None:
        options = DetectorOptions(
            tuple(detector.markets), None, tuple(detector.detectors),
            detector.min_severity.value if detector.min_severity else None, detector.encoder,
        )
    else:
        options = resolve_options(
            markets, glossaries=glossaries, detectors=detectors,
            min_severity=min_severity, encoder=encoder,
        )
    if format is not None:
        from locreview.ingest import _normalise_format

        _normalise_format(format)  # fail before any work, not once per file
    limit = max_bytes_limit(max_bytes)
    items = expand_catalog(paths_or_dir)

    store = open_store(results)  # a bad store path fails before anything slow
    own_store = isinstance(results, (str, os.PathLike))  # a store passed in stays open
    docs: list[DocumentResult | None] = [None] * len(items)
    reused = 0
    try:
        # Glossaries only (cheap): the pipeline is built when there is something to scan, by
        # this process (local) or by each worker (dask), so a fully stored rerun is instant.
        glossary = detector.glossary if detector is not None else options.load_glossary()
        context = context_digest(options, glossary, format)
        t_load = now() - t0
        todo = list(items)
        if store is not None:
            todo, reused = _reuse(items, store, context, limit, docs)
        total, done = len(items), reused
        failed = 0
        if progress:
            progress(done, total, "")

        def on_result(item: CatalogItem, key: str | None, doc: DocumentResult, stored: bool) -> None:
            nonlocal done, failed
            if store is not None and key is not None and doc.error is None and not stored:
                store.put(key, doc)  # stored before progress: an interrupt loses nothing done
            if doc.error is not None:
                failed += 1
            docs[item.index] = doc
            done += 1
            if progress:
                progress(done, total, item.name)

        t_scan = now()
        if not todo:
            info = {"engine": engine, "workers": 0}  # all reused: no cluster to start
        elif engine == "local":
            from locreview.engine.local import run_local

            if detector is None:
                detector = options.build(glossary)
            warm_up(detector)
            t_load += now() - t_scan
            t_scan = now()
            info = run_local(todo, detector, context, on_result, input_format=format,
                             max_bytes=limit)
        else:
            try:
                from locreview.engine.dask_engine import run_dask
            except ImportError:
                raise ConfigError(
                    "the dask engine needs Dask: pip install 'locreview[dist]'"
                ) from None
            store_dir = store.location if store is not None and store.shared else None
            if store_dir is not None:
                store_dir = os.path.abspath(store_dir)
            info = run_dask(todo, options, context, on_result, input_format=format,
                            max_bytes=limit, scheduler=scheduler, workers=workers,
                            store_dir=store_dir, cluster=cluster)
        scan_seconds = now() - t_scan
    finally:
        if own_store and store is not None:
            store.close()
    missing = [it.name for it, d in zip(items, docs, strict=True) if d is None]
    if missing:  # cannot happen unless an engine loses a task: never return a partial report
        raise RuntimeError(f"catalog scan lost {len(missing)} document(s), e.g. {missing[0]}")
    report = Report(
        markets=list(options.markets),
        glossaries=dict(glossary.versions),
        documents=[d for d in docs if d is not None],
        detectors=list(options.detector_names()),
        timings={"load": t_load, "total": now() - t0},
        tool_version=__version__,
    )
    info = {**info, "scan_seconds": scan_seconds}
    return CatalogResult(
        report=report,
        scanned=len(todo),
        reused=reused,
        failed=failed,
        seconds=scan_seconds,
        engine=engine,
        info=info,
    )


def _reuse(
    items: Sequence[CatalogItem],
    store: ResultStore,
    context: str,
    limit: int,
    docs: list[DocumentResult | None],
) -> tuple[list[CatalogItem], int]:
    """Fill ``docs`` from the store; return the items still to scan and how many were reused."""
    keys: dict[int, str] = {}
    for it in items:
        sha = file_sha256(it.path, limit)
        if sha is not None:
            keys[it.index] = result_key(context, sha, it.name)
    found = store.get_many(keys.values())
    todo: list[CatalogItem] = []
    reused = 0
    for it in items:
        key = keys.get(it.index)
        doc = payload_to_document(found[key], it.name) if key in found else None
        if doc is None:
            todo.append(it)
        else:
            docs[it.index] = doc
            reused += 1
    return todo, reused


def scan_catalog(
    paths_or_dir: PathsOrDir,
    markets: str | Sequence[str],
    **kwargs: Any,
) -> Report:
    """Scan a catalog and return the Report (see :func:`run_catalog` for the options)."""
    return run_catalog(paths_or_dir, markets, **kwargs).report
