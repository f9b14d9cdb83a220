"""The resumable results store: one finished DocumentResult per key, in SQLite or a directory.

A key names *what was scanned with what* (see :func:`locreview.engine.catalog.result_key`):
the sha256 of the draft's bytes, the glossary versions and contents, the detector options
and the locreview version. The same bytes under another path reuse the stored result (the
path is put back on read), and any change to the draft, the glossaries or the pipeline
misses the store and is scanned again.

- ``*.sqlite`` / ``*.sqlite3`` / ``*.db``: one SQLite file in WAL mode, one transaction per
  result. For one machine (and for a Dask client that writes what its workers return):
  SQLite must not live on a network file system that several hosts write to.
- anything else: a directory of JSON files, ``<dir>/<key[:2]>/<key>.json``, each written to
  a temporary file and renamed into place, so every worker of a cluster can write its own
  results to a shared volume and a reader never sees half a file.

Only successful scans are stored: a draft that could not be read is tried again next time
(the cause may be transient: a mount that went away, a file being copied).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from locreview.errors import ConfigError
from locreview.model import DocumentResult, ElementRef, Flag, Severity, Span

#: Bumped when the stored payload changes shape; older payloads are ignored (rescanned).
STORE_SCHEMA = 1

SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")

_SPAN_KEYS = ("start", "end", "line", "column", "end_line", "end_column")


# --------------------------------------------------------------------------- round trip


def span_from_dict(d: dict[str, Any]) -> Span:
    """Rebuild a Span from the flat fields of a flag's JSON form."""
    return Span(
        start=int(d["start"]),
        end=int(d["end"]),
        line=int(d["line"]),
        column=int(d["column"]),
        end_line=int(d["end_line"]),
        end_column=int(d["end_column"]),
        page=d.get("page"),
        time_start=d.get("time_start"),
        time_end=d.get("time_end"),
    )


def flag_from_dict(d: dict[str, Any]) -> Flag:
    """Rebuild a Flag from :meth:`Flag.to_dict` output (inverse up to score rounding)."""
    el = d["element"]
    return Flag(
        market=d["market"],
        category=d["category"],
        severity=Severity.parse(d["severity"]),
        entry_id=d["entry_id"],
        detector=d["detector"],
        score=float(d["score"]),
        text=d["text"],
        span=span_from_dict(d),
        element=ElementRef(
            index=int(el["index"]),
            kind=el["kind"],
            scene=el.get("scene"),
            speaker=el.get("speaker"),
            lang=el.get("lang"),
            scene_heading=el.get("scene_heading"),
        ),
        rationale=d.get("rationale", ""),
        suggestion=d.get("suggestion", ""),
        sources=list(d.get("sources") or []),
        fingerprint=d["fingerprint"],
        term=d.get("term"),
        explanation=dict(d.get("explanation") or {}),
        obfuscated=bool(d.get("obfuscated", False)),
        glossary_version=d.get("glossary_version"),
        status=d.get("status"),
    )


def document_from_dict(d: dict[str, Any], *, path: str | None = None) -> DocumentResult:
    """Rebuild a DocumentResult from :meth:`DocumentResult.to_dict` output (``path`` overrides)."""
    return DocumentResult(
        path=path if path is not None else d["path"],
        format=d["format"],
        elements=int(d["elements"]),
        flags=[flag_from_dict(f) for f in d.get("flags") or []],
        encoding=d.get("encoding"),
        languages={str(k): int(v) for k, v in (d.get("languages") or {}).items()},
        error=d.get("error"),
        seconds=float(d.get("seconds", 0.0)),
        suppressed=list(d.get("suppressed") or []),
    )


def document_to_payload(key: str, doc: DocumentResult) -> dict[str, Any]:
    """Return the stored form of one result: the JSON document plus its scan time."""
    return {
        "schema": STORE_SCHEMA,
        "key": key,
        "stored": time.time(),
        "seconds": doc.seconds,
        "document": doc.to_dict(),
    }


def payload_to_document(payload: dict[str, Any], path: str) -> DocumentResult | None:
    """Return the DocumentResult of a stored payload under ``path`` (None when unusable)."""
    if not isinstance(payload, dict) or payload.get("schema") != STORE_SCHEMA:
        return None
    try:
        doc = document_from_dict(payload["document"], path=path)
    except (KeyError, TypeError, ValueError):
        return None  # a damaged or foreign entry is a miss, not a crash: it is rescanned
    doc.seconds = float(payload.get("seconds") or 0.0)
    return doc


# --------------------------------------------------------------------------- stores


class ResultStore(Protocol):
    """Where finished documents are kept between runs."""

    location: str
    #: True when workers of a cluster may write results themselves (a shared directory).
    shared: bool

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Return the stored payloads of the ``keys`` present."""
        ...

    def put(self, key: str, doc: DocumentResult) -> None:
        """Store one successful result (atomically)."""
        ...

    def __len__(self) -> int:
        """Number of stored results."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...


class SQLiteResultStore:
    """Results in one SQLite file (WAL): for a single machine or a client-side store."""

    shared = False

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.location = str(path)
        self._lock = threading.Lock()
        p = Path(path)
        if p.is_dir():
            raise ConfigError("results store is a directory, expected an SQLite file", path=str(p))
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            # check_same_thread=False + our lock: progress callbacks may run on other threads.
            self._db = sqlite3.connect(str(p), timeout=30, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, payload TEXT NOT NULL,"
                " stored REAL NOT NULL)"
            )
            self._db.commit()
        except (sqlite3.Error, OSError) as e:
            raise ConfigError(f"cannot open results store: {e}", path=str(p)) from None

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Return the stored payloads of the ``keys`` present."""
        wanted = list(dict.fromkeys(keys))
        out: dict[str, dict[str, Any]] = {}
        with self._lock:
            for i in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
                chunk = wanted[i : i + 500]
                marks = ",".join("?" * len(chunk))
                try:
                    rows = self._db.execute(
                        f"SELECT key, payload FROM results WHERE key IN ({marks})", chunk
                    ).fetchall()
                except sqlite3.Error as e:
                    raise ConfigError(f"cannot read results store: {e}", path=self.location) from None
                for key, raw in rows:
                    with contextlib.suppress(ValueError):
                        out[key] = json.loads(raw)
        return out

    def put(self, key: str, doc: DocumentResult) -> None:
        """Store one successful result in its own transaction."""
        raw = json.dumps(document_to_payload(key, doc), ensure_ascii=False)
        with self._lock:
            try:
                with self._db:  # commits, or rolls back on error
                    self._db.execute(
                        "INSERT OR REPLACE INTO results (key, payload, stored) VALUES (?, ?, ?)",
                        (key, raw, time.time()),
                    )
            except sqlite3.Error as e:
                raise ConfigError(f"cannot write results store: {e}", path=self.location) from None

    def __len__(self) -> int:
        """Number of stored results."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def close(self) -> None:
        """Close the database."""
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.close()


class DirectoryResultStore:
    """Results as ``<dir>/<key[:2]>/<key>.json``, written atomically: shareable by a cluster."""

    shared = True

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.root = Path(path)
        self.location = str(path)
        if self.root.exists() and not self.root.is_dir():
            raise ConfigError(
                "results store must be a directory or an .sqlite file", path=self.location
            )
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ConfigError(f"cannot create results directory: {e.strerror}", path=self.location) from None

    def _file(self, key: str) -> Path:
        if not key.isalnum():  # keys are hex digests; anything else must not become a path
            raise ValueError(f"bad result key {key!r}")
        return self.root / key[:2] / f"{key}.json"

    def get_many(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Return the stored payloads of the ``keys`` present."""
        out: dict[str, dict[str, Any]] = {}
        for key in dict.fromkeys(keys):
            payload = read_result_file(self._file(key))
            if payload is not None:
                out[key] = payload
        return out

    def put(self, key: str, doc: DocumentResult) -> None:
        """Write one result atomically (temporary file + rename)."""
        try:
            write_result_file(self.root, key, document_to_payload(key, doc))
        except OSError as e:
            raise ConfigError(f"cannot write results store: {e}", path=self.location) from None

    def __len__(self) -> int:
        """Number of stored results."""
        return sum(1 for _ in self.root.glob("*/*.json"))

    def close(self) -> None:
        """Nothing to release."""


def read_result_file(path: Path) -> dict[str, Any] | None:
    """Read one stored JSON result; None when absent or unreadable."""
    try:
        with open(path, encoding="utf-8") as fh:
            payload = json.load(fh)
    except (OSError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def write_result_file(root: Path, key: str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` as ``root/key[:2]/key.json`` atomically; return the path (OSError on failure)."""
    if not key.isalnum():
        raise ValueError(f"bad result key {key!r}")
    folder = root / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{key}.json"
    fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False)
            fh.flush()
            # fsync before rename: after a crash the name points at a complete file or none.
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def open_store(location: str | os.PathLike[str] | ResultStore | None) -> ResultStore | None:
    """Open a results store: an ``.sqlite``/``.db`` file, else a directory (None: no store)."""
    if location is None:
        return None
    if not isinstance(location, (str, os.PathLike)):
        return location
    text = os.fspath(location)
    if not text.strip():
        raise ConfigError("empty results store path")
    p = Path(text)
    if p.suffix.lower() in SQLITE_SUFFIXES:
        return SQLiteResultStore(p)
    return DirectoryResultStore(p)
