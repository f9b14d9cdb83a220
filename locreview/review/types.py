"""Plain records the review store returns (frozen dataclasses; no database handles)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: What a reviewer can decide about a flag.
DECISIONS: tuple[str, ...] = ("accepted", "dismissed", "needs_discussion")
#: Every status a flag can show: undecided, a decision, or honoured by a suppression.
STATUSES: tuple[str, ...] = ("open", *DECISIONS, "suppressed")


@dataclass(frozen=True, slots=True)
class Project:
    """A production: the unit suppressions and rule health are scoped to."""

    id: int
    name: str
    created_at: str
    created_by: str


@dataclass(frozen=True, slots=True)
class Draft:
    """A named document of a project; each upload of it is a revision."""

    id: int
    project_id: int
    project: str
    name: str
    created_at: str
    revisions: int


@dataclass(frozen=True, slots=True)
class Revision:
    """One upload of a draft: file hash, format, markets and glossary versions used."""

    id: int
    draft_id: int
    draft: str
    project_id: int
    project: str
    number: int
    file_name: str
    file_hash: str
    format: str
    markets: list[str]
    glossaries: dict[str, str]
    uploaded_by: str
    created_at: str
    flags: int

    @property
    def label(self) -> str:
        """Return a one-line name for menus: ``project / draft / rev N``."""
        return f"{self.project} / {self.draft} / rev {self.number}"


@dataclass(frozen=True, slots=True)
class Decision:
    """A reviewer's current decision on a flag (carried over from an earlier revision or not)."""

    flag_id: int
    status: str
    reason: str | None
    note: str
    reviewer: str
    decided_at: str
    carried_from: int | None = None

    @property
    def carried_over(self) -> bool:
        """True when the decision was inherited from an earlier revision's flag."""
        return self.carried_from is not None


@dataclass(frozen=True, slots=True)
class StoredFlag:
    """A flag as stored for one revision, with its current status."""

    id: int
    revision_id: int
    fingerprint: str
    market: str
    category: str
    severity: str
    severity_rank: int
    entry_id: str
    entry_version: str
    detector: str
    score: float
    text: str
    start: int
    end: int
    line: int
    column: int
    element_index: int | None
    element_kind: str | None
    scene: int | None
    speaker: str | None
    scene_heading: str | None
    data: dict[str, Any]
    decision: Decision | None = None
    suppression_id: int | None = None

    @property
    def status(self) -> str:
        """Return open, accepted, dismissed, needs_discussion or suppressed."""
        if self.decision is not None:
            return self.decision.status
        if self.suppression_id is not None:
            return "suppressed"
        return "open"

    @property
    def rationale(self) -> str:
        """Why the entry matters in this market."""
        return str(self.data.get("rationale") or "")

    @property
    def suggestion(self) -> str:
        """What to write instead."""
        return str(self.data.get("suggestion") or "")

    @property
    def sources(self) -> list[str]:
        """Checkable sources behind the entry."""
        return [str(s) for s in self.data.get("sources") or []]


@dataclass(frozen=True, slots=True)
class Note:
    """A free-text note on a flag."""

    id: int
    flag_id: int
    author: str
    text: str
    created_at: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One appended line of the audit log."""

    id: int
    at: str
    actor: str
    action: str
    project_id: int | None
    revision_id: int | None
    flag_id: int | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Suppression:
    """A project-wide suppression promoted from a dismissal."""

    id: int
    project_id: int
    entry_id: str
    entry_version: str
    term: str | None
    markets: list[str]
    reason: str
    reviewer: str
    created_at: str
    expires_at: str | None
    source_flag_id: int | None
    status: str
    closed_at: str | None
    closed_reason: str | None


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What recording a revision did: its id and number, and what carried over."""

    revision: Revision
    flags: int
    carried_over: int
    suppressed: int
    reopened_suppressions: list[int]
    reused: bool = False


@dataclass(frozen=True, slots=True)
class RevisionDiff:
    """A revision against the one before it: new, carried-over, still-open and resolved flags."""

    revision_id: int
    previous_id: int | None
    new: list[StoredFlag]
    carried_over: list[StoredFlag]
    unchanged: list[StoredFlag]
    resolved: list[StoredFlag]


@dataclass(frozen=True, slots=True)
class MarketReadiness:
    """Counts by status and severity for one market, and a verdict a producer can read."""

    market: str
    counts: dict[str, dict[str, int]]  # status -> severity -> n
    verdict: str
    ready: bool

    def total(self, status: str) -> int:
        """Return how many flags have ``status`` across severities."""
        return sum(self.counts.get(status, {}).values())


@dataclass(frozen=True, slots=True)
class RuleHealth:
    """How often an entry's findings were dismissed across drafts (noisy rules rank first)."""

    entry_id: str
    markets: list[str]
    findings: int
    accepted: int
    dismissed: int
    needs_discussion: int
    open: int
    reasons: list[str] = field(default_factory=list)

    @property
    def decided(self) -> int:
        """Findings with an accept or dismiss decision."""
        return self.accepted + self.dismissed

    @property
    def dismissal_rate(self) -> float:
        """Share of decided findings that were dismissed (0 when none decided)."""
        return self.dismissed / self.decided if self.decided else 0.0
