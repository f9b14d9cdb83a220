"""Review store: drafts, revisions, flags, decisions, notes, suppressions and an audit log.

``ReviewStore(path)`` opens (creating and migrating) one SQLite file. The Gradio app and
the CLI only call this API; nothing here imports a UI toolkit.
"""

from __future__ import annotations

from .schema import SCHEMA_VERSION
from .store import ReviewStore, entry_version, flag_from_dict, normalise_term
from .types import (
    DECISIONS,
    STATUSES,
    AuditEntry,
    Decision,
    Draft,
    MarketReadiness,
    Note,
    Project,
    RecordResult,
    Revision,
    RevisionDiff,
    RuleHealth,
    StoredFlag,
    Suppression,
)

__all__ = [
    "DECISIONS",
    "SCHEMA_VERSION",
    "STATUSES",
    "AuditEntry",
    "Decision",
    "Draft",
    "MarketReadiness",
    "Note",
    "Project",
    "RecordResult",
    "ReviewStore",
    "Revision",
    "RevisionDiff",
    "RuleHealth",
    "StoredFlag",
    "Suppression",
    "entry_version",
    "flag_from_dict",
    "normalise_term",
]
