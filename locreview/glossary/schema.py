"""Glossary schema: what a market pack and its entries may contain (pydantic models).

A pack is one YAML file per market (``glossaries/CN.yaml``)::

    market: CN
    version: "2026.12.0"
    name: Mainland China
    changelog: [{version: "2026.12.0", date: "2026-12-01", changes: [...]}]
    extends: []            # other packs (paths relative to this file) whose entries apply too
    entries:
      - id: cn.tiananmen-1989
        category: historical
        severity: critical
        terms: {en: [...], zh-Hans: [...], zh-Hant: [...]}
        context: {requires_any: [...], excludes_any: [...], window: 8}
        scope: [dialogue, action]
        description: one or two sentences: the idea, used by the semantic stage
        rationale: why this hurts in this market, in our own words
        sources: [{kind: law, title: ..., url: ..., date: ...}]
        suggestions: [...]
        examples: {flag: [...], pass: [...]}

Entries apply to the pack's market. A project glossary (``kind: project``) may add
entries, override severities and suppress entries with a recorded reason.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..model import Category, ElementKind, Severity

#: Language tags we accept in ``terms``: BCP 47 primary language, optional script and
#: region (``en``, ``ko``, ``zh-Hans``, ``zh-Hant``, ``pt-BR``); ``und`` for symbols,
#: numbers and romanisations that belong to no one language.
LANG_TAG = re.compile(r"^(?:[a-z]{2,3}|und)(?:-[A-Z][a-z]{3})?(?:-[A-Z]{2})?$")
ENTRY_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,80}$")

SourceKind = Literal["law", "regulation", "guideline", "incident", "official", "court", "reference"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(_Strict):
    """A checkable source: a law and section, a regulator guideline, a documented incident."""

    kind: SourceKind
    title: str = Field(min_length=3)
    url: str | None = None
    date: str | None = None  # ISO date or year
    publisher: str | None = None  # regulator, court, outlet

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s<>\"]+$", v):
            raise ValueError(f"source url must be http(s) without spaces: {v!r}")
        return v

    def cite(self) -> str:
        """Return a one-line citation."""
        parts = [self.title]
        if self.publisher:
            parts.append(self.publisher)
        if self.date:
            parts.append(self.date)
        text = ", ".join(parts)
        return f"{text} <{self.url}>" if self.url else text


class ContextRule(_Strict):
    """Words or concepts that must (or must not) appear near a match for it to count."""

    requires_any: list[str] = Field(default_factory=list)
    excludes_any: list[str] = Field(default_factory=list)
    #: how near: a number of tokens either side, or the whole element / scene
    window: int | Literal["element", "scene"] = "element"
    #: apply the rule only to matches of terms in these languages (e.g. the English "king"
    #: needs Thai context, the Thai ในหลวง does not); empty = all languages
    langs: list[str] = Field(default_factory=list)

    @field_validator("window")
    @classmethod
    def _window(cls, v: int | str) -> int | str:
        if isinstance(v, int) and not 1 <= v <= 200:
            raise ValueError("context window must be between 1 and 200 tokens")
        return v


class ThemeRule(_Strict):
    """How a theme entry aggregates evidence: how many supporting elements, over what."""

    level: Literal["scene", "script"] = "scene"
    min_evidence: int = Field(default=2, ge=1, le=50)


class Examples(_Strict):
    """Sentences the entry must flag, and look-alikes it must let pass."""

    flag: list[str] = Field(min_length=1)
    pass_: list[str] = Field(alias="pass", min_length=1)


class Entry(_Strict):
    """One glossary entry of one market pack."""

    id: str
    category: Category
    severity: Severity
    kind: Literal["term", "theme"] = "term"
    terms: dict[str, list[str]]
    description: str = Field(min_length=10)
    rationale: str = Field(min_length=10)
    sources: list[Source] = Field(min_length=1)
    suggestions: list[str] = Field(min_length=1)
    examples: Examples
    context: ContextRule | None = None
    scope: list[ElementKind] | None = None
    theme: ThemeRule | None = None
    case_sensitive: bool = False
    tags: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not ENTRY_ID.match(v):
            raise ValueError(
                f"entry id {v!r} must be lower-case letters, digits, '.', '_' or '-' (2-81 chars)"
            )
        return v

    @field_validator("terms")
    @classmethod
    def _terms(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        if not v:
            raise ValueError("terms must name at least one language")
        for tag, words in v.items():
            if not LANG_TAG.match(tag):
                raise ValueError(f"broken language tag {tag!r} (use BCP 47: en, ko, zh-Hans, ...)")
            if not isinstance(words, list) or not words:
                raise ValueError(f"terms[{tag}] must be a non-empty list")
            for w in words:
                if not isinstance(w, str) or not w.strip():
                    raise ValueError(f"terms[{tag}] contains an empty term")
        return v

    @field_validator("sources", mode="before")
    @classmethod
    def _sources(cls, v: Any) -> Any:
        if isinstance(v, list) and not v:
            raise ValueError("sources is empty: every entry needs a checkable source")
        return v

    @model_validator(mode="after")
    def _theme(self) -> Entry:
        if self.kind == "theme" and self.theme is None:
            object.__setattr__(self, "theme", ThemeRule())
        return self

    def all_terms(self) -> list[tuple[str, str]]:
        """Return (language, term) pairs, in file order."""
        return [(lang, t) for lang, words in self.terms.items() for t in words]


class ChangelogItem(_Strict):
    """One version's changes to a pack."""

    version: str
    date: str
    changes: list[str] = Field(min_length=1)


class Override(_Strict):
    """A project's change to an entry of another pack: severity, or suppression with a reason."""

    id: str
    market: str | None = None
    severity: Severity | None = None
    suppress: bool = False
    reason: str | None = None

    @model_validator(mode="after")
    def _reason(self) -> Override:
        if self.suppress and not (self.reason and self.reason.strip()):
            raise ValueError(f"suppressing {self.id} needs a reason")
        if not self.suppress and self.severity is None:
            raise ValueError(f"override of {self.id} changes nothing (give severity or suppress)")
        return self


class Pack(_Strict):
    """A market pack (``kind: market``) or a project layer (``kind: project``)."""

    kind: Literal["market", "project"] = "market"
    market: str | None = None
    markets: list[str] | None = None  # project layers may target several markets
    version: str = Field(min_length=1)
    name: str | None = None
    description: str | None = None
    extends: list[str] = Field(default_factory=list)
    changelog: list[ChangelogItem] = Field(default_factory=list)
    entries: list[Entry] = Field(default_factory=list)
    overrides: list[Override] = Field(default_factory=list)
    allow: list[str] = Field(default_factory=list)  # project vocabulary: story names never flagged

    @model_validator(mode="after")
    def _market(self) -> Pack:
        if self.kind == "market" and not self.market:
            raise ValueError("a market pack needs 'market: XX'")
        return self
