"""The Dask engine on a real scheduler with two worker processes, on 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import signal
import time
import warnings
from pathlib import Path

import pytest
from engine_helpers import GLOSSARIES, MARKETS, documents_json, make_catalog

import locreview
from locreview.engine import run_catalog
from locreview.errors import ConfigError

distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")
dask_engine = pytest.importorskip("locreview.engine.dask_engine")

pytestmark = pytest.mark.slow

OPTS = {"glossaries": [GLOSSARIES], "detectors": "literal,context"}


@pytest.fixture(scope="module")
def cluster():  # type: ignore[no-untyped-def]
    """A LocalCluster: scheduler + 2 single-threaded worker processes on 127.0.0.1."""
    c = dask_engine.start_local_cluster(2)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture(scope="module")
def client(cluster):  # type: ignore[no-untyped-def]
    """A client for inspecting the cluster's workers."""
    with distributed.Client(cluster) as cl:
        yield cl


@pytest.fixture(scope="module")
def reference(tmp_path_factory, detector):  # type: ignore[no-untyped-def]
    """A 50-document catalog and the local engine's report on it."""
    root = tmp_path_factory.mktemp("dask") / "catalog"
    make_catalog(root, 50, lines=120)
    return root, locreview.scan(str(root), MARKETS, detector=detector)


def _only_localhost(pids: list[int]) -> list[str]:
    """Every inet socket of ``pids`` that is bound to or talks to anything but 127.0.0.1."""
    bad = []
    for pid in pids:
        try:
            conns = psutil.Process(pid).net_connections(kind="inet")
        except psutil.NoSuchProcess:
            continue
        for c in conns:
            if c.laddr and c.laddr.ip != "127.0.0.1":
                bad.append(f"{pid} listens/binds on {c.laddr}")
            if c.raddr and c.raddr.ip != "127.0.0.1":
                bad.append(f"{pid} connects to {c.raddr}")
    return bad


def test_engine_dask_identical_to_local_and_detector_built_once_per_worker(
    cluster, client, reference
) -> None:
    root, ref = reference
    res = run_catalog(str(root), MARKETS, engine="dask", cluster=cluster, **OPTS)
    assert res.report.to_dict()["documents"] == ref.to_dict()["documents"]  # same order too
    assert documents_json(res.report) == documents_json(ref)
    assert res.report.glossaries == ref.glossaries and res.report.detectors == ref.detectors
    assert res.failed == 2 and res.scanned == 50
    assert len(res.info["worker_pids"]) == 2  # both workers took documents

    # A second scan with the same setup reuses each worker's Detector.
    res2 = run_catalog(str(root), MARKETS, engine="dask", cluster=cluster, **OPTS)
    assert documents_json(res2.report) == documents_json(ref)
    info = client.run(dask_engine.worker_info)
    assert len(info) == 2
    assert all(i["builds"] == 1 and i["cached"] == 1 for i in info.values()), info


def test_engine_dask_worker_killed_mid_run_result_complete(cluster, client, reference) -> None:
    root, ref = reference
    pids = client.run(os.getpid)  # worker address -> pid
    killed: dict[str, object] = {}

    def kill_one(done: int, total: int, name: str) -> None:
        if killed or done < 10:
            return
        # Prefer a worker that is running a task right now, so that task must be rescheduled.
        busy = [a for a, ws in cluster.scheduler.workers.items() if ws.processing and a in pids]
        addr = (busy or sorted(pids))[0]
        killed.update(addr=addr, pid=pids[addr], busy=bool(busy), at=done)
        os.kill(pids[addr], signal.SIGKILL)

    res = run_catalog(str(root), MARKETS, engine="dask", cluster=cluster, progress=kill_one, **OPTS)
    assert killed and killed["at"] < 50
    assert killed["busy"], "the killed worker had a task in flight (it had to be rescheduled)"
    assert not psutil.pid_exists(int(killed["pid"])) or (
        psutil.Process(int(killed["pid"])).status() == psutil.STATUS_ZOMBIE
    )
    assert len(res.report.documents) == 50
    assert [json.dumps(d.to_dict()) for d in res.report.documents] == [
        json.dumps(d.to_dict()) for d in ref.documents
    ]
    assert res.failed == 2  # only the two broken drafts, nothing lost to the dead worker


def test_engine_dask_resume_from_shared_directory(
    cluster, reference, tmp_path: Path, raise_after
) -> None:
    root, ref = reference
    store = tmp_path / "results"
    stop = raise_after(20)
    with pytest.raises(stop.Interrupted):
        run_catalog(str(root), MARKETS, engine="dask", cluster=cluster, results=store,
                    progress=stop, **OPTS)
    # Workers write their own results: at least the 20 finished ones (minus the 2 broken
    # drafts, never stored) are there, maybe a few more finished while the client stopped.
    stored = len(list(store.glob("*/*.json")))
    assert 18 <= stored < 48
    res = run_catalog(str(root), MARKETS, engine="dask", cluster=cluster, results=store, **OPTS)
    # A task already running when the client stopped may still have finished and written
    # its result since: the rerun reuses whatever the store holds and scans only the rest.
    assert res.reused >= stored and res.scanned == 50 - res.reused
    assert [d.to_dict() for d in res.report.documents] == [d.to_dict() for d in ref.documents]
    assert len(list(store.glob("*/*.json"))) == 48


def test_engine_dask_sqlite_store_written_by_client(cluster, reference, tmp_path: Path) -> None:
    root, ref = reference
    db = tmp_path / "r.sqlite"
    first = run_catalog(str(root), MARKETS, engine="dask", cluster=cluster, results=db, **OPTS)
    assert first.scanned == 50
    again = run_catalog(str(root), MARKETS, engine="dask", cluster=cluster, results=db, **OPTS)
    assert (again.reused, again.scanned) == (48, 2)
    assert documents_json(again.report) == documents_json(ref)


def test_engine_dask_joins_existing_scheduler_by_address(cluster, client, reference) -> None:
    root, ref = reference
    res = run_catalog(str(root), MARKETS, engine="dask", scheduler=cluster.scheduler_address,
                      **OPTS)
    assert documents_json(res.report) == documents_json(ref)
    assert res.info["scheduler"] == cluster.scheduler_address
    # A scan that joined a shared cluster gives the workers' memory back at the end.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if all(i["cached"] == 0 for i in client.run(dask_engine.worker_info).values()):
            break
        time.sleep(0.2)
    assert all(i["cached"] == 0 for i in client.run(dask_engine.worker_info).values())


def test_engine_dask_own_local_cluster_stays_on_localhost(tmp_path: Path, detector) -> None:
    root = tmp_path / "small"
    make_catalog(root, 6, bad=False)
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}  # the module cluster's processes
    seen: dict[str, list[str]] = {}

    def check(done: int, total: int, name: str) -> None:
        if name and "bad" not in seen:
            procs = [me.pid, *(p.pid for p in me.children(recursive=True))]
            seen["procs"] = [str(p) for p in procs]
            seen["bad"] = _only_localhost(procs)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = run_catalog(str(root), MARKETS, engine="dask", workers=2, progress=check, **OPTS)
    # No fixed port: the scheduler's HTTP endpoint takes a free port on 127.0.0.1, not 8787.
    assert not [w for w in caught if "8787" in str(w.message)]
    assert res.info["scheduler"].startswith("tcp://127.0.0.1:")
    assert res.info["workers"] == 2
    assert len(seen["procs"]) >= 3  # this process plus two worker processes
    assert seen["bad"] == []
    ref = locreview.scan(str(root), MARKETS, detector=detector)
    assert [d.to_dict() for d in res.report.documents] == [d.to_dict() for d in ref.documents]
    # The cluster this scan started is gone again.
    left = [p for p in me.children(recursive=True) if p.pid not in before and p.is_running()
            and p.status() != psutil.STATUS_ZOMBIE]
    assert not left


def test_engine_dask_unreachable_scheduler_is_a_config_error(
    monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT_S", 2.0)
    (tmp_path / "a.txt").write_text("The chart calls it the Sea of Japan.", encoding="utf-8")
    t0 = time.monotonic()
    with pytest.raises(ConfigError, match="cannot connect"):
        run_catalog(str(tmp_path), MARKETS, engine="dask", scheduler="tcp://127.0.0.1:9", **OPTS)
    assert time.monotonic() - t0 < 30
