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
    "use-m3": {"default": 0.60},
    "e5": {"default": 0.88},
    "minilm": {"default": 0.60},
    "transformers": {"default": 0.60},
}
MARGINS: dict[str, float] = {"use-m3": 0.10, "e5": 0.01, "minilm": 0.04, "transformers": 0.04}

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


#: Languages the multilingual USE was not trained on (measured: 0 of 4 Vietnamese, 0 of 2
#: Tagalog and Hindi translations found, see models/README.md): their lines go to e5.
USE_UNSUPPORTED = frozenset({"vi", "tl", "hi", "ta", "id", "ms", "bn", "ur", "km", "my", "lo"})
FALLBACK_ENCODER = "e5"
FALLBACK_MIN_CONFIDENCE = 0.6
#: Line texts whose picks one semantic stage remembers for rescans (then it starts afresh).
PICK_CACHE_LINES = 200_000


class _Model:
    """One encoder with the entry anchors embedded: positives and look-alikes."""

    def __init__(self, spec: str, entries: Sequence[CompiledEntry], cache: Any, encoder_obj: Any,
                 thresholds: dict[str, float] | None, margin: float | None) -> None:
        from .encoders import get_encoder
        from .semantic import SemanticIndex

        self.encoder = encoder_obj or get_encoder(spec)
        family = spec.split(":", 1)[0]
        base = THRESHOLDS.get(family, THRESHOLDS["transformers"])
        self.thresholds = {**base, **(thresholds or {})}
        self.margin = MARGINS.get(family, 0.04) if margin is None else margin
        pos: list[tuple[str, str]] = []
        neg: list[tuple[str, str]] = []
        for ce in entries:
            key = str(ce.key)
            e = ce.entry
            pos.extend((key, t) for t in [e.description, *e.examples.flag, *_some_terms(e.all_terms())])
            neg.extend((key, t) for t in e.examples.pass_)
        self.pos = SemanticIndex(pos, self.encoder, cache)
        self.neg = SemanticIndex(neg, self.encoder, cache) if neg else None
        self.pos_keys = [int(k) for k in self.pos.keys]
        self.neg_col = {int(k): i for i, k in enumerate(self.neg.keys)} if self.neg else {}


class SemanticStage:
    """Embeds glossary anchors once and proposes element-level candidates.

    For each line and each market, only the market's single nearest entry can flag, and
    only if it clears the category threshold and is nearer than that entry's own
    look-alikes by the margin. Per-market ranking matters because the same concept lives
    in several market packs (comfort women in KR, CN and TW): a global top-k would let
    one market's copies crowd out another's.
    """

    def __init__(
        self,
        entries: Sequence[CompiledEntry],
        *,
        encoder: str | None = None,
        encoder_obj: Any = None,
        cache: Any = None,
        thresholds: dict[str, float] | None = None,
        margin: float | None = None,
        fallback: str | None = FALLBACK_ENCODER,
    ) -> None:
        from .encoders import EmbeddingCache

        self.spec = encoder or DEFAULT_ENCODER
        self.entries = list(entries)
        self.cache = cache if cache is not None else EmbeddingCache()
        self.primary = _Model(self.spec, self.entries, self.cache, encoder_obj, thresholds, margin)
        self.encoder = self.primary.encoder
        # Lines in languages the primary encoder does not know go to the fallback, which is
        # built on first need (e5 is slower; most drafts never need it).
        self._fallback_spec = fallback if self.spec.startswith("use-m3") and encoder_obj is None else None
        self._fallback: _Model | None = None
        self._by_market: dict[str, list[int]] = {}
        for ce in self.entries:
            for m in ce.markets:
                self._by_market.setdefault(m, []).append(ce.key)
        # One index array per market: numpy's argmax replaces a Python max() over ~700
        # keys per market and line in pick() (the rescan's largest cost, measured).
        self._market_keys = [np.asarray(k, dtype=np.intp) for k in self._by_market.values()]
        # What pick() chose per line text, keyed by the model and its current settings: a
        # rescan of unchanged lines then skips scoring them against every anchor (with the
        # vectors cached, that scoring was most of a rescan's time, measured).
        self._picks: dict[tuple[Any, str], list[tuple[int, float, float]]] = {}

    # Calibration tools adjust these on the primary model.
    @property
    def thresholds(self) -> dict[str, float]:
        """Per-category cosine thresholds of the primary encoder."""
        return self.primary.thresholds

    @thresholds.setter
    def thresholds(self, value: dict[str, float]) -> None:
        self.primary.thresholds = value

    @property
    def margin(self) -> float:
        """Look-alike margin of the primary encoder."""
        return self.primary.margin

    @margin.setter
    def margin(self, value: float) -> None:
        self.primary.margin = value

    def _model_for(self, lang: str | None, confidence: float = 1.0) -> _Model:
        # A confident guess only: the fallback's first use embeds every anchor again (minutes
        # on a cold cache), which one misdetected English line must not trigger.
        if self._fallback_spec and lang in USE_UNSUPPORTED and confidence >= FALLBACK_MIN_CONFIDENCE:
            if self._fallback is None:
                try:
                    self._fallback = _Model(self._fallback_spec, self.entries, self.cache, None, None, None)
                except Exception:  # the fallback is an improvement; without it, use the primary
                    self._fallback_spec = None
                    return self.primary
            return self._fallback
        return self.primary

    def scores(self, texts: Sequence[str], model: _Model | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """Cosines of each text to each entry (columns in entry-key order) and its look-alikes."""
        model = model or self.primary
        raw = model.pos.key_scores(texts)
        pos = np.zeros((len(texts), len(self.entries)), dtype=np.float32)
        pos[:, model.pos_keys] = raw
        neg = None
        if model.neg is not None:
            rawn = model.neg.key_scores(texts)
            neg = np.full((len(texts), len(self.entries)), -1.0, dtype=np.float32)
            for key, col in model.neg_col.items():
                neg[:, key] = rawn[:, col]
        return pos, neg

    def pick(
        self, pos_row: np.ndarray, neg_row: np.ndarray | None, model: _Model | None = None
    ) -> list[tuple[int, float, float]]:
        """Entries (key, cosine, look-alike cosine) a line flags: each market's best, if good."""
        model = model or self.primary
        chosen: dict[int, tuple[int, float, float]] = {}
        for keys in self._market_keys:
            best = int(keys[int(np.argmax(pos_row[keys]))])  # first maximum, as max() keeps
            s = float(pos_row[best])
            if s < model.thresholds.get(
                self.entries[best].entry.category.value, model.thresholds["default"]
            ):
                continue
            n = float(neg_row[best]) if neg_row is not None else -1.0
            if s - n < model.margin:
                continue
            chosen[best] = (best, s, n)
        return sorted(chosen.values(), key=lambda t: -t[1])

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
        groups: dict[int, tuple[_Model, list[Element]]] = {}
        for el in todo:
            model = self._model_for(el.lang, float(el.attrs.get("lang_confidence", 1.0)))
            groups.setdefault(id(model), (model, []))[1].append(el)
        seen = {(c.key, c.element.index) for c in literal}
        out: list[Candidate] = []
        for model, els in groups.values():
            settings = (id(model), model.margin, tuple(sorted(model.thresholds.items())))
            texts = [" ".join(el.text.split()) for el in els]
            todo_texts = list(dict.fromkeys(t for t in texts if (settings, t) not in self._picks))
            if todo_texts:
                pos, neg = self.scores(todo_texts, model)
                if len(self._picks) + len(todo_texts) > PICK_CACHE_LINES:
                    self._picks.clear()
                for row, t in enumerate(todo_texts):
                    self._picks[(settings, t)] = self.pick(
                        pos[row], neg[row] if neg is not None else None, model
                    )
            for el, text in zip(els, texts, strict=True):
                picks = self._picks.get((settings, text))
                if picks is None:  # emptied while this batch was added: score it alone
                    pos, neg = self.scores([text], model)
                    picks = self.pick(pos[0], neg[0] if neg is not None else None, model)
                for key, s, n in picks:
                    if (key, el.index) in seen:
                        continue
                    ce = self.entries[key]
                    left, right = _local_trim(el.text)
                    start, end = el.original_offset(left), el.original_offset(right - 1) + 1
                    out.append(
                        Candidate(
                            key, el, start, end, "semantic", round(s, 4), None, False,
                            {
                                "nearest": " ".join(ce.entry.description.split()),
                                "cosine": round(s, 4),
                                "lookalike_cosine": round(n, 4),
                                "encoder": model.encoder.name,
                            },
                            left, right,
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
