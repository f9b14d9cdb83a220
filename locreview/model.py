"""Core types: the contract every reader, detector, report writer and the UI speak.

Positions are always character offsets into the *decoded original text* of a draft (the
string the reader decoded from the file's bytes), plus 1-based line/column computed on
that same text. Normalisation never rewrites these: detectors work on a normalised copy
with an offset map back (see ``locreview.detect.normalize``).
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

REPORT_VERSION = "1.0"

#: Markets are ISO 3166-1 alpha-2 codes. This is the set we ship glossaries for or
#: plan to; an unknown code is a usage error rather than a silent empty scan.
KNOWN_MARKETS: frozenset[str] = frozenset(
    "CN HK TW MO KR KP JP TH VN PH MY ID SG IN PK BD LK NP MM KH LA AE SA QA KW BH OM "
    "IR TR EG IL RU UA US GB CA AU NZ FR DE ES IT BR MX AR".split()
)


class Severity(StrEnum):
    """How badly a flag can hurt a release in that market."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Return 0 (info) .. 4 (critical), for ordering and thresholds."""
        return _SEVERITY_ORDER[self]

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        """Parse a severity name case-insensitively (raises ValueError)."""
        if isinstance(value, Severity):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (expected one of {names})") from None


_SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}


class Category(StrEnum):
    """The closed vocabulary of risk categories (see ARCHITECTURE.md)."""

    POLITICAL = "political"
    TERRITORIAL = "territorial"
    HISTORICAL = "historical"
    RELIGIOUS = "religious"
    ROYALTY = "royalty"
    NATIONAL_SYMBOL = "national_symbol"
    ETHNIC_SLUR = "ethnic_slur"
    SEXUALITY = "sexuality"
    VIOLENCE = "violence"
    DRUGS = "drugs"
    GAMBLING = "gambling"
    SUPERNATURAL = "supernatural"
    PROFANITY = "profanity"
    CULTURAL_APPROPRIATION = "cultural_appropriation"
    PRODUCT_PLACEMENT = "product_placement"
    STEREOTYPE = "stereotype"


class ElementKind(StrEnum):
    """What an element of a script is."""

    TITLE = "title"  # a title-page field
    SCENE_HEADING = "scene_heading"
    ACTION = "action"
    CHARACTER = "character"
    DIALOGUE = "dialogue"
    PARENTHETICAL = "parenthetical"
    TRANSITION = "transition"
    CENTERED = "centered"
    LYRIC = "lyric"
    NOTE = "note"
    SECTION = "section"
    SYNOPSIS = "synopsis"
    PAGE_BREAK = "page_break"
    CUE = "cue"  # a subtitle cue
    PARAGRAPH = "paragraph"  # plain text without screenplay structure
    SHOT = "shot"
    GENERAL = "general"


def _positional_constructor(cls: type) -> Any:
    """A constructor taking every field positionally, for readers' hot loops.

    A frozen dataclass's ``__init__`` stores each field through
    ``object.__setattr__``, which costs about half the time of building an element from a
    parsed line; this writes the slots directly (the class stays frozen to everyone else).
    The result equals ``cls(*args)``; it exists only because readers create one Span and
    one Element per line of a draft (tests/test_model.py checks the two agree).
    """
    names = [f.name for f in fields(cls)]
    ns: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    for n in names:
        ns[f"_set_{n}"] = getattr(cls, n).__set__
    body = "".join(f"    _set_{n}(o, {n})\n" for n in names)
    exec(f"def make({', '.join(names)}):\n    o = _new(_cls)\n{body}    return o\n", ns)
    return ns["make"]


@dataclass(frozen=True, slots=True)
class Span:
    """A region of the original text: offsets plus 1-based line/column, page, timecodes."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    page: int | None = None
    time_start: str | None = None  # subtitle cue start, "HH:MM:SS.mmm"
    time_end: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (optional fields only when set)."""
        d: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }
        if self.page is not None:
            d["page"] = self.page
        if self.time_start is not None:
            d["time_start"] = self.time_start
            d["time_end"] = self.time_end
        return d


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Maps character offsets of a text to 1-based (line, column), treating CRLF as one break."""

    __slots__ = ("_starts", "_len")

    def __init__(self, text: str) -> None:
        # A line ends at \n, \r\n or a lone \r (old Mac files); the regex scan runs in C,
        # which matters for 50 MB drafts.
        self._starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
        self._len = len(text)

    def position(self, offset: int) -> tuple[int, int]:
        """Return (line, column), both 1-based, of a character offset."""
        offset = max(0, min(offset, self._len))
        li = bisect.bisect_right(self._starts, offset) - 1
        return li + 1, offset - self._starts[li] + 1

    def line_start(self, line: int) -> int:
        """Return the offset where 1-based ``line`` starts."""
        return self._starts[line - 1]

    @property
    def line_count(self) -> int:
        """Number of lines (a trailing newline opens an empty last line)."""
        return len(self._starts)

    def span(self, start: int, end: int, **extra: Any) -> Span:
        """Build a Span for [start, end); end line/column point at the last character."""
        line, col = self.position(start)
        last = max(start, end - 1)
        end_line, end_col = self.position(last)
        if end > start:
            end_col += 1  # exclusive end column, like SARIF's endColumn
        return Span(start, end, line, col, end_line, end_col, **extra)


@dataclass(frozen=True, slots=True)
class Element:
    """One unit of a script: scene heading, action, cue, dialogue line, subtitle cue ...

    ``text`` is what detectors read. When ``offsets`` is None, ``text`` equals
    ``original[span.start:span.end]`` exactly. Readers that strip markup (FDX XML,
    subtitle tags) give ``offsets``: one original offset per character of ``text``.
    """

    index: int
    kind: ElementKind
    text: str
    span: Span
    scene: int | None = None  # 1-based ordinal of the scene; None before the first heading
    speaker: str | None = None
    lang: str | None = None
    offsets: tuple[int, ...] | None = None
    attrs: dict[str, Any] = field(default_factory=dict)

    def original_offset(self, i: int) -> int:
        """Map index ``i`` of ``text`` (0..len) to an offset in the original text."""
        if self.offsets is None:
            return self.span.start + i
        if i < len(self.offsets):
            return self.offsets[i]
        return (self.offsets[-1] + 1) if self.offsets else self.span.end




#: ``Span(...)`` / ``Element(...)`` with every field given positionally, about twice as
#: fast (see :func:`_positional_constructor`); used by ``ingest._common.Builder``.
new_span = _positional_constructor(Span)
new_element = _positional_constructor(Element)


@dataclass(frozen=True, slots=True)
class Scene:
    """A scene: its 1-based ordinal, heading text (None for the prologue) and elements."""

    number: int
    heading: str | None
    element_indexes: tuple[int, ...]
    scene_number: str | None = None  # as written in the draft ("#1A#")


@dataclass(slots=True)
class Script:
    """A parsed draft: the decoded original text and its elements in order."""

    path: str
    format: str
    text: str
    elements: list[Element]
    encoding: str = "utf-8"
    title: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    _lines: LineIndex | None = field(default=None, repr=False)

    @property
    def lines(self) -> LineIndex:
        """Line index over ``text`` (built on first use)."""
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    @property
    def scenes(self) -> list[Scene]:
        """Group elements into scenes by their ``scene`` ordinal."""
        groups: dict[int, list[int]] = {}
        heads: dict[int, str | None] = {}
        for el in self.elements:
            key = el.scene or 0
            groups.setdefault(key, []).append(el.index)
            if el.kind is ElementKind.SCENE_HEADING and key not in heads:
                heads[key] = el.text
        return [
            Scene(number=k, heading=heads.get(k), element_indexes=tuple(v))
            for k, v in sorted(groups.items())
        ]

    def scene_heading(self, scene: int | None) -> str | None:
        """Return the heading text of scene ``scene`` (None if it has none)."""
        if not scene:
            return None
        for el in self.elements:
            if el.scene == scene and el.kind is ElementKind.SCENE_HEADING:
                return el.text
        return None


@dataclass(frozen=True, slots=True)
class ElementRef:
    """The element a flag sits in, as the JSON report shows it."""

    index: int
    kind: str
    scene: int | None
    speaker: str | None
    lang: str | None = None
    scene_heading: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "index": self.index,
            "kind": self.kind,
            "scene": self.scene,
            "speaker": self.speaker,
            "lang": self.lang,
            "scene_heading": self.scene_heading,
        }


@dataclass(slots=True)
class Flag:
    """One finding: an entry of a market's glossary matched at a span of a draft."""

    market: str
    category: str
    severity: Severity
    entry_id: str
    detector: str
    score: float
    text: str
    span: Span
    element: ElementRef
    rationale: str
    suggestion: str
    sources: list[str]
    fingerprint: str
    term: str | None = None
    explanation: dict[str, Any] = field(default_factory=dict)
    obfuscated: bool = False
    glossary_version: str | None = None
    status: str | None = None  # a review decision, when a review store is attached

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (the report contract)."""
        d: dict[str, Any] = {
            "market": self.market,
            "category": self.category,
            "severity": self.severity.value,
            "entry_id": self.entry_id,
            "detector": self.detector,
            "score": round(float(self.score), 4),
            "text": self.text,
            **self.span.to_dict(),
            "element": self.element.to_dict(),
            "term": self.term,
            "rationale": self.rationale,
            "suggestion": self.suggestion,
            "sources": list(self.sources),
            "fingerprint": self.fingerprint,
            "obfuscated": self.obfuscated,
            "explanation": self.explanation,
        }
        if self.glossary_version is not None:
            d["glossary_version"] = self.glossary_version
        if self.status is not None:
            d["status"] = self.status
        return d

    @property
    def line(self) -> int:
        """1-based line of the original file where the match starts."""
        return self.span.line

    @property
    def column(self) -> int:
        """1-based column where the match starts."""
        return self.span.column

    @property
    def start(self) -> int:
        """Character offset of the match in the original text."""
        return self.span.start

    @property
    def end(self) -> int:
        """Character offset just past the match in the original text."""
        return self.span.end

    def sort_key(self) -> tuple[int, int, int, str, str]:
        """Order flags by position, then most severe first, then market and entry."""
        return (self.span.start, self.span.end, -self.severity.rank, self.market, self.entry_id)


def make_fingerprint(entry_id: str, market: str, matched: str, context: str) -> str:
    """Return a stable id for a finding: entry + market + normalised match and context.

    The line number is deliberately left out so a decision survives edits elsewhere in
    the draft; whitespace and case are folded so reflowing a line does not change it.
    """
    norm = " ".join(context.casefold().split())
    payload = "\x1f".join([entry_id, market, " ".join(matched.casefold().split()), norm])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


@dataclass(slots=True)
class DocumentResult:
    """The scan result for one draft."""

    path: str
    format: str
    elements: int
    flags: list[Flag]
    encoding: str | None = None
    languages: dict[str, int] = field(default_factory=dict)
    error: str | None = None  # set when the draft could not be read (directory scans go on)
    seconds: float = 0.0
    #: matches not flagged on purpose: allow-listed, ignored by an in-draft note, suppressed
    suppressed: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        d: dict[str, Any] = {
            "path": self.path,
            "format": self.format,
            "encoding": self.encoding,
            "elements": self.elements,
            "languages": dict(self.languages),
            "flags": [f.to_dict() for f in self.flags],
            "suppressed": list(self.suppressed),
        }
        if self.error is not None:
            d["error"] = self.error
        return d


def summarize(flags: Iterable[Flag]) -> dict[str, Any]:
    """Count flags per market, severity, category and detector."""
    by_market: dict[str, int] = {}
    by_severity: dict[str, int] = {s.value: 0 for s in Severity}
    by_category: dict[str, int] = {}
    by_detector: dict[str, int] = {}
    by_market_severity: dict[str, dict[str, int]] = {}
    total = 0
    for f in flags:
        total += 1
        by_market[f.market] = by_market.get(f.market, 0) + 1
        by_severity[f.severity.value] += 1
        by_category[f.category] = by_category.get(f.category, 0) + 1
        by_detector[f.detector] = by_detector.get(f.detector, 0) + 1
        ms = by_market_severity.setdefault(f.market, {})
        ms[f.severity.value] = ms.get(f.severity.value, 0) + 1
    return {
        "flags": total,
        "by_market": dict(sorted(by_market.items())),
        "by_severity": by_severity,
        "by_category": dict(sorted(by_category.items())),
        "by_detector": dict(sorted(by_detector.items())),
        "by_market_severity": dict(sorted(by_market_severity.items())),
    }


@dataclass(slots=True)
class Report:
    """A whole scan: documents with their flags, glossary versions, summary, timings."""

    markets: list[str]
    glossaries: dict[str, str]
    documents: list[DocumentResult]
    detectors: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    tool_version: str = "0"
    #: the parsed drafts, kept only when a caller asks (HTML/Markdown show passages in context)
    scripts: dict[str, Script] = field(default_factory=dict, repr=False)

    @property
    def flags(self) -> list[Flag]:
        """All flags of all documents."""
        return [f for d in self.documents for f in d.flags]

    @property
    def errors(self) -> list[DocumentResult]:
        """Documents that could not be read."""
        return [d for d in self.documents if d.error is not None]

    def summary(self) -> dict[str, Any]:
        """Return summary counts over all documents."""
        s = summarize(self.flags)
        s["documents"] = len(self.documents)
        s["elements"] = sum(d.elements for d in self.documents)
        s["errors"] = len(self.errors)
        return s

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON report (the contract of the skeleton issue)."""
        return {
            "version": REPORT_VERSION,
            "tool": {"name": "locreview", "version": self.tool_version},
            "markets": list(self.markets),
            "detectors": list(self.detectors),
            "glossaries": dict(sorted(self.glossaries.items())),
            "documents": [d.to_dict() for d in self.documents],
            "summary": self.summary(),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


def parse_markets(value: str | Sequence[str] | None) -> list[str]:
    """Parse ``"CN,kr, JP"`` or a list into upper-case codes (raises ValueError on unknown)."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    out: list[str] = []
    for raw in items:
        code = str(raw).strip().upper()
        if not code:
            continue
        if len(code) != 2 or not code.isalpha() or code not in KNOWN_MARKETS:
            raise ValueError(f"unknown market code {raw!r} (use ISO 3166-1 alpha-2, e.g. CN, KR, JP)")
        if code not in out:
            out.append(code)
    return out
