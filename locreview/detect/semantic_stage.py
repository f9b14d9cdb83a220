"""The semantic stage: paraphrases and lines in languages the glossary does not spell out.

Each entry is represented by its ``description``, a few of its terms and its own
``examples.flag`` sentences (positive anchors); its ``examples.pass`` sentences are
negative anchors. An element flags an entry when

* its best cosine to the entry's positive anchors reaches the category's threshold, and
* it is nearer to the positives than to the entry's own look-alikes by a margin.

The negative anchors are what keeps "the king of comedy" away from a lèse-majesté entry
without a rule per phrase. Thresholds are per encoder and category, calibrated on the
development set (see README, "Detection quality"); every flag carries the anchor that won
and its score so a consultant can judge the evidence.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..model import Element, ElementKind

if TYPE_CHECKING:
    from .pipeline import Candidate, CompiledEntry

DEFAULT_ENCODER = os.environ.get("LOCREVIEW_ENCODER", "use-m3")

#: Cosine thresholds per encoder; a category may override the default. Calibrated on the
#: development set; the held-out set, not these numbers, is what counts.
THRESHOLDS: dict[str, dict[str, float]] = {
    "use-m3": {"default": 0.50},
    "e5": {"default": 0.88},
    "minilm": {"default": 0.60},
    "transformers": {"default": 0.60},
}
MARGINS: dict[str, float] = {"use-m3": 0.04, "e5": 0.01, "minilm": 0.04, "transformers": 0.04}

#: Element kinds whose text is worth embedding (cues, transitions and page breaks are not).
SEMANTIC_KINDS = frozenset(
    {
        ElementKind.ACTION,
        ElementKind.DIALOGUE,
        ElementKind.PARAGRAPH,
        ElementKind.CUE,
        ElementKind.LYRIC,
        ElementKind.CENTERED,
        ElementKind.GENERAL,
        ElementKind.SYNOPSIS,
        ElementKind.SCENE_HEADING,
        ElementKind.SHOT,
    }
)
MIN_CHARS = 6
TOP_K = 3
TERMS_PER_ENTRY = 6


class SemanticStage:
    """Embeds glossary anchors once and proposes element-level candidates."""

    def __init__(
        self,
        entries: Sequence[CompiledEntry],
        *,
        encoder: str | None = None,
        encoder_obj: Any = None,
        cache: Any = None,
        thresholds: dict[str, float] | None = None,
        margin: float | None = None,
    ) -> None:
        from .encoders import EmbeddingCache, get_encoder
        from .semantic import SemanticIndex

        spec = encoder or DEFAULT_ENCODER
        self.encoder = encoder_obj or get_encoder(spec)
        family = spec.split(":", 1)[0]
        self.family = family
        base = THRESHOLDS.get(family, THRESHOLDS["transformers"])
        self.thresholds = {**base, **(thresholds or {})}
        self.margin = MARGINS.get(family, 0.04) if margin is None else margin
        self.min_threshold = min(self.thresholds.values())
        self.entries = list(entries)
        if cache is None:
            cache = EmbeddingCache()
        self.cache = cache
        pos: list[tuple[str, str]] = []
        neg: list[tuple[str, str]] = []
        self.anchor_text: dict[str, list[str]] = {}
        for ce in self.entries:
            key = str(ce.key)
            e = ce.entry
            texts = [e.description, *e.examples.flag, *_some_terms(e.all_terms())]
            pos.extend((key, t) for t in texts)
            neg.extend((key, t) for t in e.examples.pass_)
        self.pos = SemanticIndex(pos, self.encoder, cache)
        self.neg = SemanticIndex(neg, self.encoder, cache) if neg else None
        self._pos_col = {int(k): i for i, k in enumerate(self.pos.keys)}
        self._neg_col = {int(k): i for i, k in enumerate(self.neg.keys)} if self.neg else {}

    def threshold(self, category: str) -> float:
        """The cosine a line needs to flag an entry of ``category``."""
        return self.thresholds.get(category, self.thresholds["default"])

    def scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """Cosines of each text to each entry's positive and look-alike anchors."""
        pos = self.pos.key_scores(texts)
        neg = self.neg.key_scores(texts) if self.neg else None
        return pos, neg

    def pick(self, pos_row: np.ndarray, neg_row: np.ndarray | None) -> list[tuple[int, float, float]]:
        """Entries (key, cosine, look-alike cosine) a line flags, best first, at most TOP_K."""
        out: list[tuple[int, float, float]] = []
        for col in np.argsort(-pos_row)[: TOP_K * 4]:
            s = float(pos_row[col])
            key = int(self.pos.keys[col])
            if s < self.threshold(self.entries[key].entry.category.value):
                if s < self.min_threshold:
                    break  # sorted: nothing further can pass any category's threshold
                continue
            ncol = self._neg_col.get(key)
            n = float(neg_row[ncol]) if neg_row is not None and ncol is not None else -1.0
            if s - n < self.margin:
                continue
            out.append((key, s, n))
            if len(out) >= TOP_K:
                break
        return out

    def candidates(
        self, elements: Sequence[Element], literal: Sequence[Candidate]
    ) -> list[Candidate]:
        """Return semantic candidates for ``elements`` (skipping entries found literally)."""
        from .pipeline import Candidate

        todo = [
            el
            for el in elements
            if el.kind in SEMANTIC_KINDS and len(el.text.strip()) >= MIN_CHARS
        ]
        if not todo or not self.entries:
            return []
        pos, neg = self.scores([" ".join(el.text.split()) for el in todo])
        seen = {(c.key, c.element.index) for c in literal}
        out: list[Candidate] = []
        for row, el in enumerate(todo):
            for key, s, n in self.pick(pos[row], neg[row] if neg is not None else None):
                if (key, el.index) in seen:
                    continue
                ce = self.entries[key]
                left, right = _local_trim(el.text)
                start, end = el.original_offset(left), el.original_offset(right - 1) + 1
                out.append(
                    Candidate(
                        key,
                        el,
                        start,
                        end,
                        "semantic",
                        round(s, 4),
                        None,
                        False,
                        {
                            "nearest": " ".join(ce.entry.description.split()),
                            "cosine": round(s, 4),
                            "lookalike_cosine": round(n, 4),
                            "encoder": self.encoder.name,
                        },
                        left,
                        right,
                    )
                )
        return out


def _some_terms(terms: list[tuple[str, str]]) -> list[str]:
    """A few terms per language: enough to anchor names, not so many that noise wins."""
    out: list[str] = []
    per_lang: dict[str, int] = {}
    for lang, t in terms:
        if per_lang.get(lang, 0) >= 2 or len(out) >= TERMS_PER_ENTRY:
            continue
        if len(t) < 3 and lang not in ("zh-Hans", "zh-Hant", "ja", "ko"):
            continue
        per_lang[lang] = per_lang.get(lang, 0) + 1
        out.append(t)
    return out


def _local_trim(text: str) -> tuple[int, int]:
    """[start, end) of ``text`` without surrounding whitespace (whole text if blank)."""
    left = len(text) - len(text.lstrip())
    right = len(text.rstrip())
    return (left, right) if right > left else (0, len(text))
