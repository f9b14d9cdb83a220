"""The pipeline stages as spaCy components (``@Language.factory``).

One spaCy ``Doc`` holds a whole script: the texts of its elements joined by blank lines,
with the per-script working state (``ScriptState``) in ``doc.user_data["locreview"]``.
Each stage reads that state, adds or removes candidates, and mirrors them into
``doc.spans["locreview"]`` whose ``Span._.locreview`` attribute carries entry, detector,
score and evidence. Stages never call each other; the order and the switches come from the
config that :func:`locreview.detect.pipeline.build_nlp` assembles, so a pipeline is
reproducible from its config (factories are versioned: ``locreview_literal`` reads a
compiled glossary registered as ``locreview.compiled_glossary.v1``).

Why one Doc per script rather than per element: context rules may look at the whole scene
and theme entries aggregate over scenes, so a stage needs to see every element at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from ..model import Element, ElementKind, Script
from .context import phrases_near

if TYPE_CHECKING:
    from .pipeline import Candidate, CompiledGlossary, Suppression, TextAnalysis

SPAN_KEY = "locreview"
STATE_KEY = "locreview"
SEPARATOR = "\n\n"

if not Span.has_extension("locreview"):
    Span.set_extension("locreview", default=None)

# Compiled glossaries are large Python objects, not config values: a Detector registers its
# compiled glossary here under a key, and the config names the key.
_COMPILED: dict[str, CompiledGlossary] = {}


def register_compiled(key: str, compiled: CompiledGlossary) -> None:
    """Make a compiled glossary available to components configured with ``key``."""
    _COMPILED[key] = compiled


def unregister_compiled(key: str) -> None:
    """Forget a compiled glossary (the Detector that owned it is gone)."""
    _COMPILED.pop(key, None)


@registry.misc("locreview.compiled_glossary.v1")
def compiled_glossary(key: str) -> CompiledGlossary:
    """Return the compiled glossary registered under ``key``."""
    return _COMPILED[key]


@dataclass(slots=True)
class ScriptState:
    """What the stages share while one script goes through the pipeline."""

    script: Script
    elements: list[Element]  # the elements that are scanned (not notes or page breaks)
    doc_offsets: dict[int, int] = field(default_factory=dict)  # element index -> Doc offset
    analyses: dict[int, TextAnalysis] = field(default_factory=dict)
    scene_phrases: dict[int | None, set[int]] = field(default_factory=lambda: defaultdict(set))
    langs: dict[int, str] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)


def make_doc(nlp: Language, script: Script) -> Doc:
    """Build the Doc of a script: scanned element texts joined by blank lines."""
    elements = [
        el
        for el in script.elements
        if el.kind not in (ElementKind.NOTE, ElementKind.PAGE_BREAK) and el.text.strip()
    ]
    state = ScriptState(script, elements)
    parts: list[str] = []
    pos = 0
    for el in elements:
        state.doc_offsets[el.index] = pos
        parts.append(el.text)
        pos += len(el.text) + len(SEPARATOR)
    doc = nlp.make_doc(SEPARATOR.join(parts))
    doc.user_data[STATE_KEY] = state
    doc.spans[SPAN_KEY] = []
    return doc


def state_of(doc: Doc) -> ScriptState:
    """The ScriptState of a Doc made by :func:`make_doc`."""
    return doc.user_data[STATE_KEY]


def sync_spans(doc: Doc, state: ScriptState) -> None:
    """Mirror the candidates into ``doc.spans["locreview"]``."""
    spans: list[Span] = []
    for c in state.candidates:
        base = state.doc_offsets.get(c.element.index)
        if base is None:
            continue
        span = doc.char_span(base + c.l_start, base + c.l_end, alignment_mode="expand")
        if span is None:
            continue
        span._.locreview = c
        spans.append(span)
    doc.spans[SPAN_KEY] = spans


# -- stages ------------------------------------------------------------------------------


class NormalizeStage:
    """Normalise each element (offset map kept), find its context phrases and terms once."""

    def __init__(self, compiled: CompiledGlossary) -> None:
        self.compiled = compiled

    def __call__(self, doc: Doc) -> Doc:
        state = state_of(doc)
        analyse = self.compiled.analyse
        for el in state.elements:
            a = analyse(el.text)
            state.analyses[el.index] = a
            state.scene_phrases[el.scene].update(h.phrase for h in a.context.hits)
        return doc


class LanguageStage:
    """Set each element's language: Unicode-script evidence plus a statistical backend."""

    def __init__(self, backend: str) -> None:
        self.backend = backend

    def __call__(self, doc: Doc) -> Doc:
        from .language import detect_languages

        state = state_of(doc)
        todo = [el for el in state.elements if el.lang is None]
        guesses = detect_languages([el.text for el in todo], backend=self.backend)
        conf: dict[int, float] = {}
        for el, g in zip(todo, guesses, strict=True):
            state.langs[el.index] = g.lang
            conf[el.index] = g.confidence
        if state.langs:
            els = state.script.elements
            for idx, lang in state.langs.items():
                attrs = {**els[idx].attrs, "lang_confidence": round(conf.get(idx, 0.0), 3)}
                els[idx] = replace(els[idx], lang=lang, attrs=attrs)
            by_index = {el.index: el for el in els}
            state.elements = [by_index[el.index] for el in state.elements]
        return doc


class LiteralStage:
    """Find every term of every selected entry in one automaton pass per element."""

    def __init__(self, compiled: CompiledGlossary, context_enabled: bool) -> None:
        self.compiled = compiled
        self.context_enabled = context_enabled

    def __call__(self, doc: Doc) -> Doc:
        state = state_of(doc)
        for el in state.elements:
            state.candidates.extend(
                self.compiled.literal_candidates(
                    el, state.analyses[el.index], state.suppressions, self.context_enabled
                )
            )
        sync_spans(doc, state)
        return doc


class ContextStage:
    """Apply ``requires_any`` / ``excludes_any`` rules around literal matches."""

    def __init__(self, compiled: CompiledGlossary) -> None:
        self.compiled = compiled

    def __call__(self, doc: Doc) -> Doc:
        state = state_of(doc)
        kept: list[Candidate] = []
        for c in state.candidates:
            ce = self.compiled.entries[c.key]
            rule = ce.entry.context
            if (
                c.match is None
                or rule is None
                or (rule.langs and c.match.info.lang not in rule.langs)
            ):
                kept.append(c)
                continue
            ctx = state.analyses[c.element.index].context
            sp = state.scene_phrases.get(c.element.scene)
            if ce.excludes and phrases_near(c.match, ctx, ce.excludes, rule.window, sp):
                continue
            if ce.requires:
                if not phrases_near(c.match, ctx, ce.requires, rule.window, sp):
                    continue
                c.detector = "context"
                c.score = max(c.score, 0.95)
                vocab = self.compiled.vocab.phrases
                near = sorted({vocab[h.phrase] for h in ctx.hits if h.phrase in ce.requires})
                c.explanation["context"] = near or ["(same scene)"]
            kept.append(c)
        state.candidates = kept
        sync_spans(doc, state)
        return doc


class SemanticStage:
    """Embed elements and propose entries whose anchors they are near (see semantic_stage)."""

    def __init__(self, compiled: CompiledGlossary, encoder: str | None) -> None:
        self.compiled = compiled
        self.encoder = encoder

    def __call__(self, doc: Doc) -> Doc:
        state = state_of(doc)
        stage = self.compiled.semantic_stage(self.encoder)
        state.candidates.extend(stage.candidates(state.elements, state.candidates))
        sync_spans(doc, state)
        return doc


class ThemeStage:
    """Turn evidence of theme entries into one flag per scene (or script) that has enough."""

    def __init__(self, compiled: CompiledGlossary) -> None:
        self.compiled = compiled

    def __call__(self, doc: Doc) -> Doc:
        state = state_of(doc)
        state.candidates = self.compiled.aggregate_themes(state.script, state.candidates)
        sync_spans(doc, state)
        return doc


class SuppressStage:
    """Drop matches that an in-draft note ignores (``[[locreview: ignore ID because ...]]``)."""

    def __init__(self, compiled: CompiledGlossary) -> None:
        self.compiled = compiled

    def __call__(self, doc: Doc) -> Doc:
        state = state_of(doc)
        state.candidates = self.compiled.apply_ignore_notes(
            state.script, state.candidates, state.suppressions
        )
        sync_spans(doc, state)
        return doc


# -- factories (names are the config's contract) ----------------------------------------

_GLOSSARY = {"@misc": "locreview.compiled_glossary.v1", "key": "default"}


@Language.factory("locreview_normalize", default_config={"glossary": _GLOSSARY})
def make_normalize(nlp: Language, name: str, glossary: Any) -> NormalizeStage:
    """Factory of the normalisation stage."""
    return NormalizeStage(glossary)


@Language.factory("locreview_language", default_config={"backend": "lingua"})
def make_language(nlp: Language, name: str, backend: str) -> LanguageStage:
    """Factory of the language-identification stage."""
    return LanguageStage(backend)


@Language.factory(
    "locreview_literal", default_config={"glossary": _GLOSSARY, "context_enabled": True}
)
def make_literal(nlp: Language, name: str, glossary: Any, context_enabled: bool) -> LiteralStage:
    """Factory of the literal term stage."""
    return LiteralStage(glossary, context_enabled)


@Language.factory("locreview_context", default_config={"glossary": _GLOSSARY})
def make_context(nlp: Language, name: str, glossary: Any) -> ContextStage:
    """Factory of the context-rule stage."""
    return ContextStage(glossary)


@Language.factory(
    "locreview_semantic", default_config={"glossary": _GLOSSARY, "encoder": None}
)
def make_semantic(nlp: Language, name: str, glossary: Any, encoder: str | None) -> SemanticStage:
    """Factory of the sentence-encoder stage."""
    return SemanticStage(glossary, encoder)


@Language.factory("locreview_theme", default_config={"glossary": _GLOSSARY})
def make_theme(nlp: Language, name: str, glossary: Any) -> ThemeStage:
    """Factory of the theme-aggregation stage."""
    return ThemeStage(glossary)


@Language.factory("locreview_suppress", default_config={"glossary": _GLOSSARY})
def make_suppress(nlp: Language, name: str, glossary: Any) -> SuppressStage:
    """Factory of the in-draft ignore-note stage."""
    return SuppressStage(glossary)
