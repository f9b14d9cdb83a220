"""Review database schema: numbered migrations, applied in order, tracked in ``user_version``.

A database records its schema version in ``PRAGMA user_version``. Opening an older file
runs the missing migrations inside one transaction; a file written by a newer locreview
is refused rather than silently misread. Never edit a released migration: add one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# v1: the core review data — projects, drafts, revisions (uploads), flags, decisions and
# the append-only audit log. Triggers make the audit log impossible to rewrite.
_V1 = """
CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE TABLE revisions (
    id          INTEGER PRIMARY KEY,
    draft_id    INTEGER NOT NULL REFERENCES drafts(id),
    number      INTEGER NOT NULL,
    file_name   TEXT NOT NULL,
    file_hash   TEXT NOT NULL,
    format      TEXT NOT NULL,
    markets     TEXT NOT NULL,          -- JSON list of market codes
    glossaries  TEXT NOT NULL,          -- JSON {market: version}
    uploaded_by TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    text        TEXT,                   -- decoded draft text, for showing context
    elements    TEXT,                   -- JSON [[index, kind, scene, speaker, start, end]]
    UNIQUE (draft_id, number)
);
CREATE TABLE flags (
    id            INTEGER PRIMARY KEY,
    revision_id   INTEGER NOT NULL REFERENCES revisions(id),
    fingerprint   TEXT NOT NULL,
    market        TEXT NOT NULL,
    category      TEXT NOT NULL,
    severity      TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,
    entry_id      TEXT NOT NULL,
    entry_version TEXT NOT NULL DEFAULT '',
    detector      TEXT NOT NULL,
    score         REAL NOT NULL,
    text          TEXT NOT NULL,
    start         INTEGER NOT NULL,
    "end"         INTEGER NOT NULL,
    line          INTEGER NOT NULL,
    col           INTEGER NOT NULL,
    element_index INTEGER,
    element_kind  TEXT,
    scene         INTEGER,
    speaker       TEXT,
    scene_heading TEXT,
    data          TEXT NOT NULL         -- the flag's full JSON form (Flag.to_dict)
);
CREATE INDEX flags_revision ON flags(revision_id);
CREATE INDEX flags_fingerprint ON flags(fingerprint);
CREATE INDEX flags_entry ON flags(entry_id);
CREATE TABLE decisions (
    flag_id       INTEGER PRIMARY KEY REFERENCES flags(id),
    status        TEXT NOT NULL CHECK (status IN ('accepted', 'dismissed', 'needs_discussion')),
    reason        TEXT,
    note          TEXT NOT NULL DEFAULT '',
    reviewer      TEXT NOT NULL,
    decided_at    TEXT NOT NULL,
    carried_from  INTEGER REFERENCES flags(id)   -- set when inherited from an earlier revision
);
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    project_id  INTEGER,
    revision_id INTEGER,
    flag_id     INTEGER,
    detail      TEXT NOT NULL          -- JSON: what changed, before and after
);
CREATE INDEX audit_flag ON audit(flag_id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

# v2: free-text notes beside decisions, and project suppressions promoted from dismissals.
_V2 = """
CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    flag_id     INTEGER NOT NULL REFERENCES flags(id),
    author      TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX notes_flag ON notes(flag_id);
CREATE TABLE suppressions (
    id             INTEGER PRIMARY KEY,
    project_id     INTEGER NOT NULL REFERENCES projects(id),
    entry_id       TEXT NOT NULL,
    entry_version  TEXT NOT NULL DEFAULT '',
    term           TEXT,                 -- normalised matched text; NULL = any match
    markets        TEXT NOT NULL,        -- JSON list; empty = every market
    reason         TEXT NOT NULL,
    reviewer       TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT,
    source_flag_id INTEGER REFERENCES flags(id),
    status         TEXT NOT NULL DEFAULT 'active'
                   CHECK (status IN ('active', 'reopened', 'revoked')),
    closed_at      TEXT,
    closed_reason  TEXT
);
CREATE INDEX suppressions_entry ON suppressions(project_id, entry_id);
ALTER TABLE flags ADD COLUMN suppression_id INTEGER REFERENCES suppressions(id);
"""


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    def run(conn: sqlite3.Connection) -> None:
        # executescript would COMMIT the surrounding transaction; run statement by statement.
        for stmt in _split(sql):
            conn.execute(stmt)

    return run


def _split(sql: str) -> list[str]:
    """Split a migration into statements (triggers keep their inner ``;``)."""
    out: list[str] = []
    buf: list[str] = []
    for line in sql.splitlines():
        if line.strip().startswith("--") and not buf:
            continue
        buf.append(line)
        joined = "\n".join(buf).strip()
        if joined.endswith(";") and sqlite3.complete_statement(joined):
            out.append(joined)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        out.append(rest)
    return out


#: Migration ``i`` (1-based) brings a database from version ``i - 1`` to ``i``.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_script(_V1), _script(_V2)]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: sqlite3.Connection) -> int:
    """Return the schema version recorded in the database file."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> tuple[int, int]:
    """Apply missing migrations up to ``target`` in one transaction; return (from, to).

    Raises ``RuntimeError`` when the file is newer than this code knows.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        start = current_version(conn)
        if start > SCHEMA_VERSION:
            raise RuntimeError(
                f"database schema version {start} is newer than this locreview supports "
                f"({SCHEMA_VERSION}); upgrade locreview"
            )
        for version in range(start + 1, target + 1):
            MIGRATIONS[version - 1](conn)
            # user_version cannot take a bound parameter; version is our own int.
            conn.execute(f"PRAGMA user_version = {int(version)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return start, max(start, target)
