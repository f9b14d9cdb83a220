"""Nearest-entry search with a sentence encoder: cross-lingual and paraphrase matching.

:class:`SemanticIndex` embeds a list of ``(key, text)`` items once — for a glossary, the
caller passes each entry's description and a few of its terms under the entry's id — and
answers "which keys are nearest to these lines?" with one matrix product. A key's score
for a line is the best cosine over that key's texts. The entry matrix is cached on disk
keyed by the encoder's name and a hash of all items, and query lines go through the
:class:`~locreview.detect.encoders.EmbeddingCache`, so a re-scan embeds only new lines.

Thresholds are not applied here: scores are raw cosines whose scale differs per encoder
(e5 bunches everything in 0.75–0.93), so the pipeline calibrates them per category.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

from locreview.detect.encoders import EmbeddingCache, Encoder

Match = tuple[str, float]
#: Query rows per matrix product.
QUERY_CHUNK = 1024


def items_hash(items: Sequence[tuple[str, str]]) -> str:
    """sha256 over the (key, text) items in order (the index's identity on disk)."""
    h = hashlib.sha256()
    for key, text in items:
        for part in (key, text):
            data = part.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "little"))  # length-prefixed: no ambiguity
            h.update(data)
    return h.hexdigest()


class SemanticIndex:
    """Embeds (key, text) items once; ``query`` returns the nearest keys by cosine."""

    def __init__(
        self,
        entries_texts: Sequence[tuple[str, str]],
        encoder: Encoder,
        cache: EmbeddingCache | None = None,
        batch_size: int = 64,
    ) -> None:
        items = [(str(k), str(t)) for k, t in entries_texts if str(t).strip()]
        # Group rows by key (stable) so a per-key maximum is one np.maximum.reduceat.
        order = sorted(range(len(items)), key=lambda i: items[i][0])
        self.items: list[tuple[str, str]] = [items[i] for i in order]
        self.encoder = encoder
        self.cache = cache
        self.batch_size = batch_size
        self.keys: list[str] = []
        starts: list[int] = []
        for row, (key, _) in enumerate(self.items):
            if not self.keys or self.keys[-1] != key:
                self.keys.append(key)
                starts.append(row)
        self._starts = np.asarray(starts, dtype=np.intp)
        self.fingerprint = f"{encoder.name}|{items_hash(self.items)}"
        self.matrix = self._build()

    def _build(self) -> np.ndarray:
        texts = [t for _, t in self.items]
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        if self.cache is None:
            return np.asarray(self.encoder.encode(texts, self.batch_size), dtype=np.float32)
        stored = self.cache.get_matrix(self.fingerprint)
        if stored is not None and stored.shape == (len(texts), self.encoder.dim):
            return stored.astype(np.float32, copy=False)
        # A changed glossary still reuses the per-text vectors of unchanged entries.
        matrix = self.cache.encode(self.encoder, texts, self.batch_size)
        self.cache.put_matrix(self.fingerprint, matrix)
        return matrix

    def __len__(self) -> int:
        return len(self.keys)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed query texts (through the cache when there is one)."""
        texts = list(texts)
        if self.cache is not None:
            return self.cache.encode(self.encoder, texts, self.batch_size)
        return np.asarray(self.encoder.encode(texts, self.batch_size), dtype=np.float32)

    def key_scores(self, texts: Sequence[str]) -> np.ndarray:
        """Return (len(texts), len(keys)) cosines: each key's best over its texts.

        Blank texts score 0 against every key (an empty line matches nothing).
        """
        texts = list(texts)
        out = np.zeros((len(texts), len(self.keys)), dtype=np.float32)
        live = [i for i, t in enumerate(texts) if t.strip()]
        if not live or not self.keys:
            return out
        queries = self.embed([texts[i] for i in live])
        rows = np.asarray(live, dtype=np.intp)
        # Chunked so a long script against a large glossary stays a few MiB at a time.
        for start in range(0, len(rows), QUERY_CHUNK):
            sims = queries[start : start + QUERY_CHUNK] @ self.matrix.T  # unit rows: cosine
            out[rows[start : start + QUERY_CHUNK]] = np.maximum.reduceat(sims, self._starts, axis=1)
        return out

    def query(self, texts: Sequence[str], top_k: int = 3) -> list[list[Match]]:
        """For each text, the ``top_k`` nearest keys as (key, cosine), best first."""
        texts = list(texts)
        if not texts:
            return []
        scores = self.key_scores(texts)
        k = min(max(0, int(top_k)), len(self.keys))
        results: list[list[Match]] = []
        for i, text in enumerate(texts):
            if k == 0 or not text.strip():
                results.append([])
                continue
            row = scores[i]
            top = np.argpartition(-row, k - 1)[:k] if k < len(row) else np.arange(len(row))
            top = top[np.argsort(-row[top], kind="stable")]
            results.append([(self.keys[j], float(row[j])) for j in top])
        return results


def best_score_per_key(matches: Iterable[Sequence[Match]]) -> dict[str, float]:
    """Collapse query results (for many lines) to each key's best score."""
    best: dict[str, float] = {}
    for row in matches:
        for key, score in row:
            if score > best.get(key, float("-inf")):
                best[key] = score
    return best
