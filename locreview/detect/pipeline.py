"""The detection pipeline: from a Script and the selected glossaries to Flags.

Stages run per element in a fixed order — normalise, literal terms, context rules,
scope, vocabularies and in-draft ignore notes, optional semantic matching, then theme
aggregation per scene or script — and each candidate becomes one Flag per market the
entry applies to. A :class:`Detector` compiles the glossaries once (automata, context
vocabulary, semantic index) and is reused for every document of a scan.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
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
from .context import ContextVocabulary, ElementContext, phrases_near, token_starts
from .literal import LiteralMatcher, Match, TermInfo
from .normalize import Normalized, normalize

DETECTORS = ("literal", "context", "semantic")
DEFAULT_DETECTORS = ("literal", "context", "semantic")

# In-draft ignore notes: "[[locreview: ignore ENTRY-ID because the reason]]".
_IGNORE = re.compile(
    r"locreview\s*:\s*ignore\s+(?P<ids>[a-z0-9][a-z0-9._-]*(?:\s*,\s*[a-z0-9][a-z0-9._-]*)*)"
    r"(?:\s+(?:because|reason:?)\s+(?P<reason>.+))?",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(slots=True)
class CompiledEntry:
    """One glossary entry with the markets it applies to (severity and version per market)."""

    key: int
    entry: Entry
    markets: dict[str, LoadedEntry]
    requires: set[int] = field(default_factory=set)
    excludes: set[int] = field(default_factory=set)


@dataclass(slots=True)
class Candidate:
    """A finding before it is split per market."""

    key: int
    element: Element
    o_start: int  # original offsets
    o_end: int
    detector: str
    score: float
    term: str | None
    obfuscated: bool = False
    explanation: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Suppression:
    """A match that was not flagged, and why (for the report's audit trail)."""

    entry_id: str
    element: int
    reason: str


class Detector:
    """Compiled glossaries + stages; call :meth:`detect` per Script."""

    def __init__(
        self,
        glossary: Glossary,
        markets: Sequence[str],
        detectors: Iterable[str] = DEFAULT_DETECTORS,
        *,
        min_severity: Severity | str | None = None,
        encoder: str | None = None,
        semantic_factory: Callable[[list[CompiledEntry]], Any] | None = None,
    ) -> None:
        self.markets = [m.upper() for m in markets]
        self.detectors = tuple(detectors)
        for d in self.detectors:
            if d not in DETECTORS:
                raise ConfigError(f"unknown detector {d!r} (choose from {', '.join(DETECTORS)})")
        self.min_severity = Severity.parse(min_severity) if min_severity else None
        self.glossary = glossary
        self.entries: list[CompiledEntry] = []
        by_id: dict[str, CompiledEntry] = {}
        for le in glossary.entries:
            if le.market not in self.markets:
                continue
            ce = by_id.get(le.id)
            if ce is None:
                ce = CompiledEntry(len(self.entries), le.entry, {})
                by_id[le.id] = ce
                self.entries.append(ce)
            ce.markets[le.market] = le
        self.vocab = ContextVocabulary([])
        use_context = "context" in self.detectors
        for ce in self.entries:
            rule = ce.entry.context
            if rule and use_context:
                ce.requires = {self.vocab.intern(p) for p in rule.requires_any}
                ce.excludes = {self.vocab.intern(p) for p in rule.excludes_any}
        self.matcher = LiteralMatcher(
            TermInfo(ce.key, term, lang, ce.entry.case_sensitive)
            for ce in self.entries
            for lang, term in ce.entry.all_terms()
        )
        self.allow = LiteralMatcher(
            TermInfo(i, t, "und") for i, t in enumerate(glossary.allow)
        ) if glossary.allow else None
        self.semantic = None
        if "semantic" in self.detectors:
            if semantic_factory is None:
                from .semantic_stage import SemanticStage

                self.semantic = SemanticStage(self.entries, encoder=encoder)
            else:
                self.semantic = semantic_factory(self.entries)

    # -- the stages -------------------------------------------------------------------

    def detect(self, script: Script) -> tuple[list[Flag], list[Suppression]]:
        """Return the flags of one script (sorted) and the matches suppressed in it."""
        ignores = _ignore_notes(script)
        suppressions: list[Suppression] = []
        candidates: list[Candidate] = []
        norms: dict[int, Normalized] = {}
        contexts: dict[int, ElementContext] = {}
        scene_phrases: dict[int | None, set[int]] = defaultdict(set)
        literal_on = "literal" in self.detectors or "context" in self.detectors
        for el in script.elements:
            if el.kind in (ElementKind.NOTE, ElementKind.PAGE_BREAK) or not el.text.strip():
                continue
            norm = normalize(el.text)
            norms[el.index] = norm
            hits = self.vocab.find(norm.text)
            contexts[el.index] = ElementContext(hits, token_starts(norm.text) if hits else [])
            scene_phrases[el.scene].update(h.phrase for h in hits)
        if literal_on:
            for idx, norm in norms.items():
                el = script.elements[idx]
                candidates.extend(self._literal(el, norm, contexts[idx], scene_phrases, suppressions))
        if self.semantic is not None:
            elems = [script.elements[i] for i in norms]
            candidates.extend(self.semantic.candidates(elems, candidates))
        candidates = self._themes(script, candidates)
        candidates = [c for c in candidates if self._not_ignored(c, ignores, suppressions)]
        flags = self._flags(script, candidates, suppressions)
        flags.sort(key=Flag.sort_key)
        return flags, suppressions

    def _literal(
        self,
        el: Element,
        norm: Normalized,
        ctx: ElementContext,
        scene_phrases: dict[int | None, set[int]],
        suppressions: list[Suppression],
    ) -> list[Candidate]:
        out: list[Candidate] = []
        matches = self.matcher.find(norm)
        if not matches:
            return out
        allowed = self.allow.find(norm) if self.allow else []
        for m in matches:
            ce = self.entries[m.info.key]
            entry = ce.entry
            if entry.scope and el.kind not in entry.scope:
                continue
            if any(a.start <= m.start and m.end <= a.end for a in allowed):
                suppressions.append(Suppression(entry.id, el.index, "project vocabulary (allow list)"))
                continue
            o_start, o_end = self._original(el, norm, m)
            if entry.case_sensitive and not _same_case(el, norm, m, o_start, o_end):
                continue
            detector = "literal"
            score = 0.9
            explanation: dict[str, Any] = {"term": m.info.term, "lang": m.info.lang}
            rule = entry.context
            if (
                rule is not None
                and "context" in self.detectors
                and (not rule.langs or m.info.lang in rule.langs)
            ):
                window = rule.window
                sp = scene_phrases.get(el.scene)
                if ce.excludes and phrases_near(m, ctx, ce.excludes, window, sp):
                    continue
                if ce.requires:
                    if not phrases_near(m, ctx, ce.requires, window, sp):
                        continue
                    detector = "context"
                    score = 0.95
                    near = sorted(
                        {self.vocab.phrases[h.phrase] for h in ctx.hits if h.phrase in ce.requires}
                    )
                    explanation["context"] = near or ["(same scene)"]
            obf = norm.obfuscated_at(*norm.original_span(m.start, m.end))
            if obf:
                explanation["obfuscated"] = True
            out.append(
                Candidate(ce.key, el, o_start, o_end, detector, score, m.info.term, obf, explanation)
            )
        return out

    @staticmethod
    def _original(el: Element, norm: Normalized, m: Match) -> tuple[int, int]:
        s, e = norm.original_span(m.start, m.end)
        return el.original_offset(s), el.original_offset(e - 1) + 1

    def _themes(self, script: Script, candidates: list[Candidate]) -> list[Candidate]:
        """Replace evidence of theme entries by one flag per scene (or script) that has enough."""
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
                )
            )
        return out

    def _not_ignored(
        self, c: Candidate, ignores: dict[int, dict[str, str]], suppressions: list[Suppression]
    ) -> bool:
        notes = ignores.get(c.element.index)
        if not notes:
            return True
        entry_id = self.entries[c.key].entry.id
        reason = notes.get(entry_id)
        if reason is None:
            return True
        suppressions.append(Suppression(entry_id, c.element.index, f"in-draft note: {reason}"))
        return False

    def _flags(
        self, script: Script, candidates: list[Candidate], suppressions: list[Suppression]
    ) -> list[Flag]:
        best: dict[tuple[int, int, int, int], Candidate] = {}
        for c in candidates:
            k = (c.key, c.element.index, c.o_start, c.o_end)
            prev = best.get(k)
            if prev is None or c.score > prev.score:
                if prev is not None:
                    c.explanation.setdefault("also", []).append(prev.detector)
                best[k] = c
        flags: list[Flag] = []
        for c in best.values():
            ce = self.entries[c.key]
            entry = ce.entry
            el = c.element
            span = _span(script, el, c.o_start, c.o_end)
            text = script.text[c.o_start : c.o_end] if el.offsets is None else el.text[
                _local(el, c.o_start) : _local(el, c.o_end - 1) + 1
            ]
            ref = ElementRef(
                el.index,
                el.kind.value,
                el.scene,
                el.speaker,
                el.lang,
                script.scene_heading(el.scene),
            )
            for market, le in ce.markets.items():
                if (entry.id, market) in self.glossary.suppressed:
                    suppressions.append(
                        Suppression(entry.id, el.index, self.glossary.suppressed[(entry.id, market)])
                    )
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
                        fingerprint=make_fingerprint(entry.id, market, text, el.text),
                        term=c.term,
                        explanation=dict(c.explanation),
                        obfuscated=c.obfuscated,
                        glossary_version=le.version,
                    )
                )
        return flags


def _same_case(el: Element, norm: Normalized, m: Match, o_start: int, o_end: int) -> bool:
    import unicodedata

    written = unicodedata.normalize("NFKC", el.text[_local(el, o_start) : _local(el, o_end - 1) + 1])
    return " ".join(m.info.term.split()) in " ".join(written.split())


def _local(el: Element, original: int) -> int:
    """Map an original offset back to an index of ``el.text``."""
    if el.offsets is None:
        return original - el.span.start
    from bisect import bisect_left

    return min(bisect_left(el.offsets, original), max(0, len(el.text) - 1))


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

