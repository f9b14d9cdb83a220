"""The Dask engine: documents as tasks on a ``distributed`` cluster, one Detector per worker.

- Without a scheduler address a ``LocalCluster`` of worker *processes* starts on 127.0.0.1
  (no dashboard); with one (``tcp://host:8786``, or a scheduler JSON file as written by
  ``dask scheduler --scheduler-file`` / dask-jobqueue / dask-mpi) the scan joins that cluster.
- The Detector is built once per worker by a :class:`DetectorPlugin` (a ``WorkerPlugin``:
  workers that join or restart later build theirs when they start). Tasks carry a
  :class:`CatalogItem` (the path), never a parsed Script, so the client never reads a draft
  and the graph stays small; drafts and glossaries must be visible to every worker under the
  same absolute paths (a shared volume), as in any Dask deployment.
- A worker that dies mid-task has its tasks rescheduled by the scheduler; a document that
  kills workers repeatedly (``distributed.scheduler.allowed-failures``) is reported as an
  error for that document, and the catalog goes on.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from locreview.engine.catalog import (
    CatalogItem,
    DetectorOptions,
    context_digest,
    error_result,
    scan_path,
    warm_up,
)
from locreview.engine.local import OnResult
from locreview.engine.results import document_from_dict, document_to_payload, write_result_file
from locreview.errors import ConfigError, LocreviewError

#: How long to wait for at least one worker of an existing cluster before giving up.
WORKER_WAIT_S = 120.0
#: How long to wait to connect to a scheduler.
CONNECT_TIMEOUT_S = 30.0

# Dask settings for every cluster this module starts or joins. Nothing here listens beyond
# 127.0.0.1 (LocalCluster gets host=127.0.0.1, no dashboards); GPU probing is off because a
# scan never uses it.
DASK_CONFIG: dict[str, Any] = {
    "distributed.diagnostics.nvml": False,
    # Tasks fail instead of waiting forever when every worker is gone and none comes back.
    "distributed.scheduler.no-workers-timeout": "300s",
}

# ------------------------------------------------------------------ worker side

#: Per worker process: (options token, context digest) -> Detector.
_DETECTORS: dict[tuple[str, str], Any] = {}
_LOCK = threading.Lock()
#: How many Detectors this process built (tests check "once per worker").
BUILDS = 0


def _detector_for(options: DetectorOptions, input_format: str | None, context: str) -> Any:
    """Return this process's Detector for ``options``, building it on first use.

    Keyed by the client's context digest too: on a long-lived cluster, edited glossaries
    give a new Detector instead of the stale one.
    """
    global BUILDS
    cache_key = (options.token(), context)
    with _LOCK:  # threads of one worker must not build it twice
        detector = _DETECTORS.get(cache_key)
        if detector is None:
            detector = options.build()
            if context_digest(options, detector.glossary, input_format) != context:
                raise ConfigError(
                    f"worker pid {os.getpid()} loaded other glossaries (or another locreview"
                    " version) than the client: were glossary files edited during the scan, or"
                    " does this worker see another copy? Results would be inconsistent"
                )
            warm_up(detector)
            _DETECTORS[cache_key] = detector
            BUILDS += 1
    return detector


def _worker_plugin_base() -> type:
    from distributed import WorkerPlugin

    return WorkerPlugin


class DetectorPlugin(_worker_plugin_base()):  # type: ignore[misc]
    """Builds the Detector when a worker starts (or when registered), once per worker process."""

    #: Registering the same scan setup again (same name) keeps the loaded Detector.
    idempotent = True

    def __init__(self, options: DetectorOptions, input_format: str | None, context: str) -> None:
        self.options = options
        self.input_format = input_format
        self.context = context

    def setup(self, worker: Any) -> None:
        """Load glossaries and the pipeline now, so no task pays for it."""
        _detector_for(self.options, self.input_format, self.context)

    def teardown(self, worker: Any) -> None:
        """Drop the Detector when the plugin is removed (a shared cluster gets its memory back)."""
        with _LOCK:
            _DETECTORS.pop((self.options.token(), self.context), None)


def scan_task(
    item: CatalogItem,
    options: DetectorOptions,
    input_format: str | None,
    max_bytes: int | None,
    context: str,
    store_dir: str | None,
) -> dict[str, Any]:
    """Scan one document on a worker; write it to a shared results directory when given."""
    detector = _detector_for(options, input_format, context)
    key, doc = scan_path(item, detector, context, input_format=input_format, max_bytes=max_bytes)
    stored = False
    if store_dir and key is not None and doc.error is None:
        try:
            write_result_file(Path(store_dir), key, document_to_payload(key, doc))
            stored = True
        except OSError:
            stored = False  # the client stores it instead
    return {
        "index": item.index,
        "key": key,
        "document": doc.to_dict(),
        "seconds": doc.seconds,
        "stored": stored,
        "pid": os.getpid(),
    }


def worker_info() -> dict[str, Any]:
    """Return this worker's pid and how many Detectors it built (run with ``client.run``)."""
    return {"pid": os.getpid(), "builds": BUILDS, "cached": len(_DETECTORS)}


# ------------------------------------------------------------------ client side


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ConfigError(
            "the dask engine needs Dask: pip install 'locreview[dist]'"
            " (dask[distributed]==2026.8.0)"
        ) from None
    return distributed


def start_local_cluster(workers: int, **kwargs: Any) -> Any:
    """Start a LocalCluster of ``workers`` single-threaded processes on 127.0.0.1, no dashboard."""
    distributed = _import_distributed()
    import dask

    if workers < 1:
        raise ConfigError("workers must be at least 1")
    opts: dict[str, Any] = {
        "n_workers": workers,
        "threads_per_worker": 1,  # spaCy pipelines are not shared across threads
        "processes": True,
        "host": "127.0.0.1",
        "dashboard_address": None,
        "worker_dashboard_address": None,
        # The scheduler serves /health and /metrics even without a dashboard, by default on
        # port 8787: a random port on 127.0.0.1 instead, so two scans never collide.
        "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"},
        # The Detector's size is fixed once loaded: a memory budget split across workers
        # would only make the nanny restart workers that reload their models in a loop.
        "memory_limit": 0,
        "silence_logs": logging.ERROR,
    }
    opts.update(kwargs)
    with dask.config.set(DASK_CONFIG):
        return distributed.LocalCluster(**opts)


def _connect(scheduler: str | None, cluster: Any) -> Any:
    distributed = _import_distributed()
    try:
        if cluster is not None:
            return distributed.Client(cluster, timeout=CONNECT_TIMEOUT_S)
        assert scheduler is not None
        if scheduler.endswith(".json") and os.path.isfile(scheduler):
            return distributed.Client(scheduler_file=scheduler, timeout=CONNECT_TIMEOUT_S)
        return distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as e:
        raise ConfigError(f"cannot connect to the Dask scheduler {scheduler!r}: {e}") from None
    except ValueError as e:
        raise ConfigError(f"bad Dask scheduler address {scheduler!r}: {e}") from None


def run_dask(
    items: Sequence[CatalogItem],
    options: DetectorOptions,
    context: str,
    on_result: OnResult,
    *,
    input_format: str | None = None,
    max_bytes: int | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    store_dir: str | None = None,
    cluster: Any = None,
) -> dict[str, Any]:
    """Scan ``items`` as Dask tasks; call ``on_result`` as each one finishes (any order).

    ``cluster`` (an already started cluster object) is for tests and embedding; otherwise a
    LocalCluster starts when ``scheduler`` is None and is closed again at the end.
    """
    distributed = _import_distributed()
    import dask

    t0 = time.perf_counter()
    with ExitStack() as stack:
        stack.enter_context(dask.config.set(DASK_CONFIG))
        own = cluster is None and scheduler is None
        if own:
            cluster = start_local_cluster(workers)
            stack.callback(cluster.close)
        client = _connect(scheduler, cluster)
        stack.callback(client.close)
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_S)
        except TimeoutError:
            raise ConfigError(
                f"no Dask worker joined the scheduler {scheduler or 'started here'} within"
                f" {WORKER_WAIT_S:.0f} s"
            ) from None
        plugin_name = f"locreview-detector-{options.token()}-{context[:16]}"
        try:
            client.register_plugin(DetectorPlugin(options, input_format, context), name=plugin_name)
        except LocreviewError:
            raise
        except Exception as e:  # noqa: BLE001 - a worker-side failure arrives as anything
            raise ConfigError(f"Dask workers could not load the detector: {e}") from None
        if scheduler is not None:
            # On a shared cluster give the workers their memory back when the scan ends.
            stack.callback(_unregister, client, plugin_name)
        n_workers = len(client.scheduler_info(n_workers=-1).get("workers", {}))
        t_submit = time.perf_counter()
        startup = t_submit - t0

        run_id = os.urandom(4).hex()  # fresh keys: a shared scheduler must not reuse old results
        futures = client.map(
            scan_task,
            list(items),
            options=options,
            input_format=input_format,
            max_bytes=max_bytes,
            context=context,
            store_dir=store_dir,
            key=[f"locreview-scan-{run_id}-{it.index}" for it in items],
            pure=False,
        )
        by_key = {f.key: it for f, it in zip(futures, items, strict=True)}
        stack.callback(client.cancel, futures)  # an interrupted scan leaves no work behind
        pids: set[int] = set()
        for fut in distributed.as_completed(futures):
            item = by_key[fut.key]
            try:
                # result() also waits out a "lost" future (its worker died after computing it
                # and before we fetched it): the scheduler computes it again elsewhere.
                out = fut.result()
            except LocreviewError:
                raise  # a configuration problem on the workers: every task would fail
            except (Exception, asyncio.CancelledError, concurrent.futures.CancelledError) as exc:
                # KilledWorker (a document that took workers down with it) and the like: this
                # document failed, not the catalog.
                on_result(
                    item, None,
                    error_result(
                        item.name, input_format,
                        f"{item.name}: scan failed on the cluster: {type(exc).__name__}: {exc}",
                    ),
                    False,
                )
            else:
                doc = document_from_dict(out["document"], path=item.name)
                doc.seconds = float(out.get("seconds") or 0.0)
                pids.add(int(out["pid"]))
                on_result(item, out["key"], doc, bool(out["stored"]))
            fut.release()
        return {
            "engine": "dask",
            "workers": n_workers,
            "scheduler": client.scheduler.address,
            "worker_pids": sorted(pids),
            "startup_seconds": startup,
            # submit -> last result: the scan itself, without cluster start-up or teardown
            "tasks_seconds": time.perf_counter() - t_submit,
        }


def _unregister(client: Any, name: str) -> None:
    try:
        client.unregister_worker_plugin(name)
    except Exception:  # noqa: BLE001, S110 - best effort on the way out
        pass
