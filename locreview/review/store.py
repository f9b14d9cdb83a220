"""The review store: projects, draft revisions, flags, decisions, notes, suppressions, audit.

One SQLite file (WAL mode). Each public call opens its own connection, so a store object
can be shared by threads and processes; every write runs in one ``BEGIN IMMEDIATE``
transaction with ``synchronous=FULL``, so a call that returned has reached the disk and
a crash mid-write rolls back to the last acknowledged state. Every change also appends a
line to the audit log in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ReviewStoreError
from ..model import ElementRef, Flag, Report, Script, Severity, Span
from .schema import current_version, migrate
from .types import (
    DECISIONS,
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

MAX_NAME = 200
MAX_NOTE = 10_000

_SEVERITIES_DESC = sorted(Severity, key=lambda s: -s.rank)

_REVISION_SQL = """
SELECT r.*, d.name AS draft, p.id AS project_id, p.name AS project,
       (SELECT COUNT(*) FROM flags f WHERE f.revision_id = r.id) AS nflags
FROM revisions r JOIN drafts d ON d.id = r.draft_id JOIN projects p ON p.id = d.project_id
"""

_FLAG_SQL = """
SELECT f.*, d.status AS d_status, d.reason AS d_reason, d.note AS d_note,
       d.reviewer AS d_reviewer, d.decided_at AS d_decided_at, d.carried_from AS d_carried_from
FROM flags f LEFT JOIN decisions d ON d.flag_id = f.id
"""


def normalise_term(text: str) -> str:
    """Fold case and whitespace of a matched text, as suppressions compare it."""
    return " ".join(text.casefold().split())


def entry_version(flag: Flag, glossaries: dict[str, str] | None = None) -> str:
    """Return the version of the glossary entry behind a flag (best information available)."""
    explained = flag.explanation.get("entry_version") if isinstance(flag.explanation, dict) else None
    return str(explained or flag.glossary_version or (glossaries or {}).get(flag.market) or "")


def _describe(exc: sqlite3.Error, timeout: float) -> str:
    msg = str(exc)
    low = msg.lower()
    if "unable to open database" in low:
        return f"cannot open the review database ({msg}): does the folder exist and is it writable?"
    if "readonly" in low or "read-only" in low:
        return f"the review database is read-only ({msg}); nothing was saved"
    if "disk is full" in low or "disk full" in low:
        return f"the disk is full ({msg}); nothing was saved"
    if "disk i/o error" in low or "i/o error" in low:
        return (
            f"the review database could not be written ({msg}: disk full, quota or a failing "
            "disk?); nothing was saved"
        )
    if "locked" in low or "busy" in low:
        return f"the review database stayed busy for {timeout:g}s ({msg}); try again"
    if "not a database" in low or "malformed" in low:
        return f"this file is not a readable locreview review database ({msg})"
    return f"review database error: {msg}"


class ReviewStore:
    """A review database at ``path`` (created and migrated on first use)."""

    def __init__(
        self,
        path: str | Path,
        *,
        timeout: float = 10.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not str(path) or str(path) == ":memory:":
            raise ReviewStoreError("the review store needs a database file path", path=str(path))
        self.path = Path(path).expanduser()
        self.timeout = timeout
        self._clock = clock or (lambda: datetime.now(UTC))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ReviewStoreError(
                f"cannot create the folder for the review database: {exc.strerror}",
                path=str(self.path),
            ) from None
        conn = self._connect()
        try:
            with self._translate():
                # WAL lets readers work while one writer commits; the mode is stored in the file.
                conn.execute("PRAGMA journal_mode=WAL")
                migrate(conn)
        except RuntimeError as exc:
            raise ReviewStoreError(str(exc), path=str(self.path)) from None
        finally:
            conn.close()

    # -- plumbing ---------------------------------------------------------------------

    @contextmanager
    def _translate(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise ReviewStoreError(_describe(exc, self.timeout), path=str(self.path)) from None

    def _connect(self) -> sqlite3.Connection:
        with self._translate():
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            # FULL: a commit that returned survives power loss too, not only a killed process.
            conn.execute("PRAGMA synchronous = FULL")
            return conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            with self._translate():
                yield conn
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            with self._translate():
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        finally:
            conn.close()

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="milliseconds")

    def _audit(
        self,
        conn: sqlite3.Connection,
        actor: str,
        action: str,
        detail: dict[str, Any],
        *,
        project_id: int | None = None,
        revision_id: int | None = None,
        flag_id: int | None = None,
    ) -> None:
        conn.execute(
            "INSERT INTO audit (at, actor, action, project_id, revision_id, flag_id, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self._now(), actor, action, project_id, revision_id, flag_id,
             json.dumps(detail, ensure_ascii=False, sort_keys=True)),
        )

    @property
    def schema_version(self) -> int:
        """The schema version of the database file."""
        with self._read() as conn:
            return current_version(conn)

    # -- projects, drafts, revisions ------------------------------------------------------

    def _ensure_project(self, conn: sqlite3.Connection, name: str, actor: str) -> int:
        name = _clean_name(name, "project")
        row = conn.execute("SELECT id FROM projects WHERE name = ?", (name,)).fetchone()
        if row:
            return int(row["id"])
        cur = conn.execute(
            "INSERT INTO projects (name, created_at, created_by) VALUES (?, ?, ?)",
            (name, self._now(), actor),
        )
        pid = int(cur.lastrowid or 0)
        self._audit(conn, actor, "project.created", {"name": name}, project_id=pid)
        return pid

    def ensure_project(self, name: str, *, actor: str) -> Project:
        """Return the project called ``name``, creating it if needed."""
        with self._write() as conn:
            pid = self._ensure_project(conn, name, _clean_actor(actor))
            row = conn.execute("SELECT * FROM projects WHERE id = ?", (pid,)).fetchone()
        return Project(row["id"], row["name"], row["created_at"], row["created_by"])

    def projects(self) -> list[Project]:
        """Return every project, by name."""
        with self._read() as conn:
            rows = conn.execute("SELECT * FROM projects ORDER BY name").fetchall()
        return [Project(r["id"], r["name"], r["created_at"], r["created_by"]) for r in rows]

    def drafts(self, project: str | None = None) -> list[Draft]:
        """Return drafts (of one project, or all) with their revision counts."""
        sql = (
            "SELECT d.*, p.name AS project, (SELECT COUNT(*) FROM revisions r"
            " WHERE r.draft_id = d.id) AS nrev FROM drafts d JOIN projects p"
            " ON p.id = d.project_id"
        )
        args: tuple[Any, ...] = ()
        if project is not None:
            sql += " WHERE p.name = ?"
            args = (project,)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY p.name, d.name", args).fetchall()
        return [
            Draft(r["id"], r["project_id"], r["project"], r["name"], r["created_at"], r["nrev"])
            for r in rows
        ]

    def revision(self, revision_id: int) -> Revision:
        """Return one revision (ReviewStoreError when there is none)."""
        with self._read() as conn:
            row = conn.execute(_REVISION_SQL + " WHERE r.id = ?", (int(revision_id),)).fetchone()
        if row is None:
            raise ReviewStoreError(f"no revision {revision_id}", path=str(self.path))
        return _revision(row)

    def revisions(self, *, draft_id: int | None = None, project: str | None = None) -> list[Revision]:
        """Return revisions, newest first (of one draft, one project, or all)."""
        sql, args = _REVISION_SQL, []
        where = []
        if draft_id is not None:
            where.append("r.draft_id = ?")
            args.append(int(draft_id))
        if project is not None:
            where.append("p.name = ?")
            args.append(project)
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY r.id DESC", args).fetchall()
        return [_revision(r) for r in rows]

    def latest_revision(self) -> Revision | None:
        """Return the most recently recorded revision of any draft, or None."""
        revs = self.revisions()
        return revs[0] if revs else None

    def revision_text(self, revision_id: int) -> tuple[str, list[dict[str, Any]]]:
        """Return the decoded draft text of a revision and its elements (empty if not kept)."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT text, elements FROM revisions WHERE id = ?", (int(revision_id),)
            ).fetchone()
        if row is None:
            raise ReviewStoreError(f"no revision {revision_id}", path=str(self.path))
        keys = ("index", "kind", "scene", "speaker", "start", "end")
        elements = [dict(zip(keys, e, strict=True)) for e in json.loads(row["elements"] or "[]")]
        return row["text"] or "", elements

    def record_revision(
        self,
        project: str,
        draft: str,
        report: Report,
        *,
        file_name: str,
        actor: str,
        data: bytes | None = None,
        file_hash: str | None = None,
        script: Script | None = None,
        document: int = 0,
    ) -> RecordResult:
        """Store one scanned upload as the next revision of ``draft``, carrying decisions over.

        Flags whose fingerprint matches a decided flag of an earlier revision inherit that
        decision (marked carried over); flags matching an active project suppression are
        marked suppressed, unless their glossary entry changed version, which reopens the
        suppression. Uploading the same bytes with the same markets and glossary versions
        again returns the latest revision instead of a duplicate.
        """
        actor = _clean_actor(actor)
        draft = _clean_name(draft, "draft")
        if not report.documents or not 0 <= document < len(report.documents):
            raise ReviewStoreError("the report has no such document to record", path=str(self.path))
        doc = report.documents[document]
        if doc.error is not None:
            raise ReviewStoreError(f"cannot record a draft that failed to scan: {doc.error}")
        if file_hash is None:
            if data is None:
                raise ReviewStoreError("record_revision needs the file bytes or their hash")
            file_hash = hashlib.sha256(data).hexdigest()
        markets = list(report.markets)
        glossaries = {k: str(v) for k, v in sorted(report.glossaries.items())}
        text = script.text if script is not None else None
        elements = None
        if script is not None:
            elements = json.dumps(
                [[e.index, e.kind.value, e.scene, e.speaker, e.span.start, e.span.end]
                 for e in script.elements],
                ensure_ascii=False,
            )
        now = self._now()
        with self._write() as conn:
            pid = self._ensure_project(conn, project, actor)
            row = conn.execute(
                "SELECT id FROM drafts WHERE project_id = ? AND name = ?", (pid, draft)
            ).fetchone()
            if row is None:
                did = int(conn.execute(
                    "INSERT INTO drafts (project_id, name, created_at) VALUES (?, ?, ?)",
                    (pid, draft, now),
                ).lastrowid or 0)
            else:
                did = int(row["id"])
            prev = conn.execute(
                "SELECT * FROM revisions WHERE draft_id = ? ORDER BY number DESC LIMIT 1", (did,)
            ).fetchone()
            if (
                prev is not None
                and prev["file_hash"] == file_hash
                and json.loads(prev["markets"]) == markets
                and json.loads(prev["glossaries"]) == glossaries
            ):
                rev = _revision(conn.execute(_REVISION_SQL + " WHERE r.id = ?", (prev["id"],)).fetchone())
                return RecordResult(rev, rev.flags, 0, 0, [], reused=True)
            number = (prev["number"] if prev else 0) + 1
            rid = int(conn.execute(
                "INSERT INTO revisions (draft_id, number, file_name, file_hash, format, markets,"
                " glossaries, uploaded_by, created_at, text, elements)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (did, number, _clean_name(file_name, "file name"), file_hash, doc.format,
                 json.dumps(markets), json.dumps(glossaries), actor, now, text, elements),
            ).lastrowid or 0)
            # The latest decision per fingerprint over all earlier revisions of this draft.
            inherited: dict[str, sqlite3.Row] = {}
            for r in conn.execute(
                "SELECT f.fingerprint, f.id AS fid, r.number, d.* FROM flags f"
                " JOIN decisions d ON d.flag_id = f.id JOIN revisions r ON r.id = f.revision_id"
                " WHERE r.draft_id = ? AND r.id != ? ORDER BY r.number, f.id",
                (did, rid),
            ):
                inherited[r["fingerprint"]] = r
            sups = [
                _suppression(s)
                for s in conn.execute(
                    "SELECT * FROM suppressions WHERE project_id = ? AND status = 'active'", (pid,)
                )
            ]
            carried = suppressed = 0
            reopened: list[int] = []
            for flag in doc.flags:
                ev = entry_version(flag, glossaries)
                fid = _insert_flag(conn, rid, flag, ev)
                old = inherited.get(flag.fingerprint)
                if old is not None:
                    conn.execute(
                        "INSERT INTO decisions (flag_id, status, reason, note, reviewer,"
                        " decided_at, carried_from) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (fid, old["status"], old["reason"], old["note"], old["reviewer"],
                         old["decided_at"], old["fid"]),
                    )
                    carried += 1
                    self._audit(
                        conn, actor, "decision.carried_over",
                        {"status": old["status"], "from_flag": old["fid"],
                         "from_revision": old["number"], "fingerprint": flag.fingerprint},
                        project_id=pid, revision_id=rid, flag_id=fid,
                    )
                for s in list(sups):
                    if not _suppression_matches(s, flag) or _expired(s, self._clock()):
                        continue
                    if s.entry_version and ev and s.entry_version != ev:
                        why = f"entry {s.entry_id} changed version {s.entry_version} -> {ev}"
                        conn.execute(
                            "UPDATE suppressions SET status = 'reopened', closed_at = ?,"
                            " closed_reason = ? WHERE id = ?",
                            (now, why, s.id),
                        )
                        self._audit(conn, "system", "suppression.reopened",
                                    {"suppression": s.id, "reason": why}, project_id=pid,
                                    revision_id=rid, flag_id=fid)
                        sups.remove(s)
                        reopened.append(s.id)
                        continue
                    conn.execute("UPDATE flags SET suppression_id = ? WHERE id = ?", (s.id, fid))
                    if old is None:
                        suppressed += 1
                    break
            prev_fps = set()
            if prev is not None:
                prev_fps = {r[0] for r in conn.execute(
                    "SELECT fingerprint FROM flags WHERE revision_id = ?", (prev["id"],))}
            resolved = len(prev_fps - {f.fingerprint for f in doc.flags})
            self._audit(
                conn, actor, "revision.recorded",
                {"draft": draft, "number": number, "file_name": file_name, "file_hash": file_hash,
                 "format": doc.format, "markets": markets, "glossaries": glossaries,
                 "flags": len(doc.flags), "carried_over": carried, "suppressed": suppressed,
                 "resolved": resolved},
                project_id=pid, revision_id=rid,
            )
            rev = _revision(conn.execute(_REVISION_SQL + " WHERE r.id = ?", (rid,)).fetchone())
        return RecordResult(rev, len(doc.flags), carried, suppressed, reopened)

    # -- flags and decisions ------------------------------------------------------------

    def flags(self, revision_id: int) -> list[StoredFlag]:
        """Return the flags of a revision in reading order (most severe first at one spot)."""
        with self._read() as conn:
            rows = conn.execute(
                _FLAG_SQL + " WHERE f.revision_id = ? ORDER BY f.start, f.\"end\","
                " f.severity_rank DESC, f.market, f.entry_id, f.id",
                (int(revision_id),),
            ).fetchall()
        return [_stored_flag(r) for r in rows]

    def flag(self, flag_id: int) -> StoredFlag:
        """Return one flag with its current decision (ReviewStoreError when unknown)."""
        with self._read() as conn:
            row = conn.execute(_FLAG_SQL + " WHERE f.id = ?", (int(flag_id),)).fetchone()
        if row is None:
            raise ReviewStoreError(f"no flag {flag_id}", path=str(self.path))
        return _stored_flag(row)

    def _flag_context(self, conn: sqlite3.Connection, flag_id: int) -> sqlite3.Row:
        row = conn.execute(
            _FLAG_SQL.replace("FROM flags f", ", r.draft_id, dr.project_id FROM flags f")
            + " JOIN revisions r ON r.id = f.revision_id JOIN drafts dr ON dr.id = r.draft_id"
            " WHERE f.id = ?",
            (int(flag_id),),
        ).fetchone()
        if row is None:
            raise ReviewStoreError(f"no flag {flag_id}", path=str(self.path))
        return row

    def decide(
        self,
        flag_id: int,
        status: str,
        *,
        reviewer: str,
        note: str = "",
        reason: str | None = None,
    ) -> Decision:
        """Record a decision on a flag; a dismissal needs a reason (``reason`` or the note)."""
        reviewer = _clean_actor(reviewer)
        if status not in DECISIONS:
            raise ConfigError(f"unknown decision {status!r} (expected one of {', '.join(DECISIONS)})")
        note = _clean_text(note, "note")
        reason = _clean_text(reason or "", "reason") or None
        if status == "dismissed":
            reason = reason or note or None
            if not reason:
                raise ConfigError("dismissing a flag needs a reason: say why it is not a problem here")
        now = self._now()
        with self._write() as conn:
            row = self._flag_context(conn, flag_id)
            before = _decision(row)
            conn.execute(
                "INSERT INTO decisions (flag_id, status, reason, note, reviewer, decided_at,"
                " carried_from) VALUES (?, ?, ?, ?, ?, ?, NULL) ON CONFLICT(flag_id) DO UPDATE"
                " SET status = excluded.status, reason = excluded.reason, note = excluded.note,"
                " reviewer = excluded.reviewer, decided_at = excluded.decided_at,"
                " carried_from = NULL",
                (int(flag_id), status, reason, note, reviewer, now),
            )
            after = Decision(int(flag_id), status, reason, note, reviewer, now, None)
            self._audit(
                conn, reviewer, "decision.set",
                {"before": _decision_dict(before), "after": _decision_dict(after),
                 "fingerprint": row["fingerprint"]},
                project_id=row["project_id"], revision_id=row["revision_id"], flag_id=int(flag_id),
            )
        return after

    def clear_decision(self, flag_id: int, *, reviewer: str, note: str = "") -> None:
        """Remove a flag's decision (e.g. revert a carried-over one): the flag is open again."""
        reviewer = _clean_actor(reviewer)
        note = _clean_text(note, "note")
        with self._write() as conn:
            row = self._flag_context(conn, flag_id)
            before = _decision(row)
            if before is None:
                return
            conn.execute("DELETE FROM decisions WHERE flag_id = ?", (int(flag_id),))
            self._audit(
                conn, reviewer, "decision.cleared",
                {"before": _decision_dict(before), "note": note, "fingerprint": row["fingerprint"]},
                project_id=row["project_id"], revision_id=row["revision_id"], flag_id=int(flag_id),
            )

    def add_note(self, flag_id: int, text: str, *, author: str) -> Note:
        """Append a free-text note to a flag."""
        author = _clean_actor(author)
        text = _clean_text(text, "note")
        if not text:
            raise ConfigError("a note cannot be empty")
        now = self._now()
        with self._write() as conn:
            row = self._flag_context(conn, flag_id)
            nid = int(conn.execute(
                "INSERT INTO notes (flag_id, author, text, created_at) VALUES (?, ?, ?, ?)",
                (int(flag_id), author, text, now),
            ).lastrowid or 0)
            self._audit(conn, author, "note.added", {"note": nid, "text": text},
                        project_id=row["project_id"], revision_id=row["revision_id"],
                        flag_id=int(flag_id))
        return Note(nid, int(flag_id), author, text, now)

    def notes(self, flag_id: int) -> list[Note]:
        """Return a flag's notes, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT * FROM notes WHERE flag_id = ? ORDER BY id", (int(flag_id),)
            ).fetchall()
        return [Note(r["id"], r["flag_id"], r["author"], r["text"], r["created_at"]) for r in rows]

    def audit(
        self,
        *,
        flag_id: int | None = None,
        project: str | None = None,
        limit: int = 1000,
    ) -> list[AuditEntry]:
        """Return audit lines, oldest first (of one flag, one project, or all)."""
        sql, args = "SELECT a.* FROM audit a", []
        if project is not None:
            sql += " JOIN projects p ON p.id = a.project_id WHERE p.name = ?"
            args.append(project)
        if flag_id is not None:
            sql += (" AND" if project is not None else " WHERE") + " a.flag_id = ?"
            args.append(int(flag_id))
        sql += " ORDER BY a.id DESC LIMIT ?"
        args.append(int(limit))
        with self._read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [
            AuditEntry(r["id"], r["at"], r["actor"], r["action"], r["project_id"],
                       r["revision_id"], r["flag_id"], json.loads(r["detail"]))
            for r in reversed(rows)
        ]

    # -- revision view, readiness, rule health --------------------------------------------

    def diff(self, revision_id: int) -> RevisionDiff:
        """Compare a revision with the previous revision of the same draft."""
        rev = self.revision(revision_id)
        with self._read() as conn:
            prev = conn.execute(
                "SELECT id FROM revisions WHERE draft_id = ? AND number < ?"
                " ORDER BY number DESC LIMIT 1",
                (rev.draft_id, rev.number),
            ).fetchone()
        current = self.flags(revision_id)
        before = self.flags(prev["id"]) if prev else []
        old_fps = {f.fingerprint for f in before}
        new_fps = {f.fingerprint for f in current}
        return RevisionDiff(
            revision_id=rev.id,
            previous_id=prev["id"] if prev else None,
            new=[f for f in current if f.fingerprint not in old_fps],
            carried_over=[f for f in current if f.decision and f.decision.carried_over],
            unchanged=[
                f for f in current
                if f.fingerprint in old_fps and not (f.decision and f.decision.carried_over)
            ],
            resolved=[f for f in before if f.fingerprint not in new_fps],
        )

    def readiness(
        self, revision_id: int, *, block_at: Severity | str = Severity.MEDIUM
    ) -> list[MarketReadiness]:
        """Per market: counts by status and severity and a verdict ("ready", "2 critical open")."""
        block = Severity.parse(block_at)
        rev = self.revision(revision_id)
        flags = self.flags(revision_id)
        markets = list(dict.fromkeys([*rev.markets, *sorted({f.market for f in flags})]))
        out = []
        for m in markets:
            counts: dict[str, dict[str, int]] = {
                st: {s.value: 0 for s in Severity}
                for st in ("open", "needs_discussion", "accepted", "dismissed", "suppressed")
            }
            for f in flags:
                if f.market == m:
                    counts[f.status][f.severity] = counts[f.status].get(f.severity, 0) + 1
            unresolved = {
                s: counts["open"][s.value] + counts["needs_discussion"][s.value]
                for s in _SEVERITIES_DESC
            }
            blocking = [(s, n) for s, n in unresolved.items() if n and s.rank >= block.rank]
            accepted = sum(counts["accepted"].values())
            minor = sum(n for s, n in unresolved.items() if s.rank < block.rank)
            if blocking:
                verdict = ", ".join(f"{n} {s.value} open" for s, n in blocking)
            elif accepted:
                verdict = f"{accepted} accepted to fix"
            else:
                verdict = "ready" + (f" ({minor} below {block.value} open)" if minor else "")
            out.append(MarketReadiness(m, counts, verdict, not blocking and not accepted))
        return out

    def rule_health(self, *, project: str | None = None, min_findings: int = 1) -> list[RuleHealth]:
        """Per glossary entry: findings and dismissal rate across drafts, noisiest first.

        A finding is one fingerprint in one draft, counted once at its latest revision so
        carried-over decisions are not counted again for every re-upload.
        """
        sql = (
            _FLAG_SQL.replace("FROM flags f", ", r.draft_id, r.number FROM flags f")
            + " JOIN revisions r ON r.id = f.revision_id JOIN drafts dr ON dr.id = r.draft_id"
            " JOIN projects p ON p.id = dr.project_id"
        )
        args: tuple[Any, ...] = ()
        if project is not None:
            sql += " WHERE p.name = ?"
            args = (project,)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY r.number, f.id", args).fetchall()
        latest: dict[tuple[int, str], sqlite3.Row] = {}
        for r in rows:
            latest[(r["draft_id"], r["fingerprint"])] = r
        stats: dict[str, dict[str, Any]] = {}
        for r in latest.values():
            st = stats.setdefault(r["entry_id"], {"markets": set(), "reasons": [], "n": 0,
                                                  "accepted": 0, "dismissed": 0,
                                                  "needs_discussion": 0, "open": 0})
            st["n"] += 1
            st["markets"].add(r["market"])
            status = r["d_status"] or ("dismissed" if r["suppression_id"] else "open")
            st[status] += 1
            if status == "dismissed" and r["d_reason"] and r["d_reason"] not in st["reasons"]:
                st["reasons"].append(r["d_reason"])
        out = [
            RuleHealth(e, sorted(s["markets"]), s["n"], s["accepted"], s["dismissed"],
                       s["needs_discussion"], s["open"], s["reasons"][:5])
            for e, s in stats.items()
            if s["n"] >= min_findings
        ]
        out.sort(key=lambda h: (-h.dismissal_rate, -h.dismissed, h.entry_id))
        return out

    # -- suppressions -------------------------------------------------------------------

    def promote_to_suppression(
        self,
        flag_id: int,
        *,
        reviewer: str,
        reason: str | None = None,
        markets: Sequence[str] | None = None,
        expires: str | date | None = None,
        any_match: bool = False,
    ) -> Suppression:
        """Turn a dismissed flag into a project suppression later scans honour.

        ``markets`` defaults to the flag's market (``["*"]`` or ``[]`` means every market);
        ``any_match`` suppresses every match of the entry, not only this matched text.
        """
        reviewer = _clean_actor(reviewer)
        expires_at = _parse_expiry(expires)
        scope = [m.strip().upper() for m in (markets or []) if m.strip()]
        now = self._now()
        with self._write() as conn:
            row = self._flag_context(conn, flag_id)
            if row["d_status"] != "dismissed":
                raise ConfigError("only a dismissed flag can become a suppression: dismiss it first")
            why = _clean_text(reason or "", "reason") or row["d_reason"] or ""
            if not why:
                raise ConfigError("a suppression needs a reason")
            if markets is None:
                scope = [row["market"]]
            elif "*" in scope:
                scope = []
            term = None if any_match else normalise_term(row["text"])
            sid = int(conn.execute(
                "INSERT INTO suppressions (project_id, entry_id, entry_version, term, markets,"
                " reason, reviewer, created_at, expires_at, source_flag_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row["project_id"], row["entry_id"], row["entry_version"], term,
                 json.dumps(scope), why, reviewer, now, expires_at, int(flag_id)),
            ).lastrowid or 0)
            sup = _suppression(conn.execute("SELECT * FROM suppressions WHERE id = ?", (sid,)).fetchone())
            # Undecided look-alikes in the same revision are covered at once.
            for f in conn.execute(
                "SELECT f.* FROM flags f LEFT JOIN decisions d ON d.flag_id = f.id"
                " WHERE f.revision_id = ? AND d.flag_id IS NULL AND f.suppression_id IS NULL",
                (row["revision_id"],),
            ).fetchall():
                if _suppression_matches(sup, _FlagLike(f["entry_id"], f["market"], f["text"])):
                    conn.execute("UPDATE flags SET suppression_id = ? WHERE id = ?", (sid, f["id"]))
            self._audit(
                conn, reviewer, "suppression.created",
                {"suppression": sid, "entry_id": row["entry_id"], "term": term, "markets": scope,
                 "reason": why, "expires_at": expires_at, "entry_version": row["entry_version"]},
                project_id=row["project_id"], revision_id=row["revision_id"], flag_id=int(flag_id),
            )
        return sup

    def revoke_suppression(self, suppression_id: int, *, reviewer: str, reason: str) -> None:
        """Withdraw a suppression; later scans flag its matches again."""
        reviewer = _clean_actor(reviewer)
        reason = _clean_text(reason, "reason")
        if not reason:
            raise ConfigError("revoking a suppression needs a reason")
        with self._write() as conn:
            row = conn.execute(
                "SELECT * FROM suppressions WHERE id = ?", (int(suppression_id),)
            ).fetchone()
            if row is None:
                raise ReviewStoreError(f"no suppression {suppression_id}", path=str(self.path))
            conn.execute(
                "UPDATE suppressions SET status = 'revoked', closed_at = ?, closed_reason = ?"
                " WHERE id = ?",
                (self._now(), reason, int(suppression_id)),
            )
            self._audit(conn, reviewer, "suppression.revoked",
                        {"suppression": int(suppression_id), "reason": reason},
                        project_id=row["project_id"])

    def suppressions(self, project: str | None = None) -> list[Suppression]:
        """Return suppressions (of one project, or all), newest first."""
        sql, args = "SELECT s.* FROM suppressions s", ()
        if project is not None:
            sql += " JOIN projects p ON p.id = s.project_id WHERE p.name = ?"
            args = (project,)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY s.id DESC", args).fetchall()
        return [_suppression(r) for r in rows]

    def suppression_state(self, sup: Suppression) -> str:
        """Return active, expired, reopened or revoked."""
        if sup.status == "active" and _expired(sup, self._clock()):
            return "expired"
        return sup.status

    # -- export -------------------------------------------------------------------------

    def to_flags(self, revision_id: int) -> list[Flag]:
        """Rebuild a revision's flags as ``Flag`` objects with their review status set."""
        out = []
        for sf in self.flags(revision_id):
            flag = flag_from_dict(sf.data)
            flag.status = sf.status
            out.append(flag)
        return out


# -- helpers ---------------------------------------------------------------------------


class _FlagLike:
    __slots__ = ("entry_id", "market", "text")

    def __init__(self, entry_id: str, market: str, text: str) -> None:
        self.entry_id, self.market, self.text = entry_id, market, text


def _suppression_matches(s: Suppression, flag: Any) -> bool:
    if flag.entry_id != s.entry_id:
        return False
    if s.markets and flag.market not in s.markets:
        return False
    return s.term is None or normalise_term(flag.text) == s.term


def _expired(s: Suppression, now: datetime) -> bool:
    if not s.expires_at:
        return False
    return datetime.fromisoformat(s.expires_at) <= now.astimezone(UTC)


def _parse_expiry(value: str | date | None) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, datetime):
            when = value
        elif isinstance(value, date):
            when = datetime.combine(value + timedelta(days=1), datetime.min.time())
        elif len(value.strip()) == 10:
            # A plain date means "valid through that day".
            when = datetime.combine(date.fromisoformat(value.strip()) + timedelta(days=1),
                                    datetime.min.time())
        else:
            when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"bad expiry {value!r}: use a date like 2027-01-31") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="seconds")


def _clean_name(value: str, what: str) -> str:
    value = " ".join(str(value or "").split())
    if not value:
        raise ConfigError(f"the {what} cannot be empty")
    if len(value) > MAX_NAME:
        raise ConfigError(f"the {what} is longer than {MAX_NAME} characters")
    return value


def _clean_actor(value: str) -> str:
    return _clean_name(value, "reviewer name")


def _clean_text(value: str, what: str) -> str:
    value = str(value or "").strip()
    if len(value) > MAX_NOTE:
        raise ConfigError(f"the {what} is longer than {MAX_NOTE} characters")
    return value


def _insert_flag(conn: sqlite3.Connection, rid: int, f: Flag, ev: str) -> int:
    cur = conn.execute(
        "INSERT INTO flags (revision_id, fingerprint, market, category, severity, severity_rank,"
        " entry_id, entry_version, detector, score, text, start, \"end\", line, col,"
        " element_index, element_kind, scene, speaker, scene_heading, data)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (rid, f.fingerprint, f.market, str(f.category), f.severity.value, f.severity.rank,
         f.entry_id, ev, f.detector, float(f.score), f.text, f.span.start, f.span.end,
         f.span.line, f.span.column, f.element.index, f.element.kind, f.element.scene,
         f.element.speaker, f.element.scene_heading,
         json.dumps(f.to_dict(), ensure_ascii=False, default=str)),
    )
    return int(cur.lastrowid or 0)


def flag_from_dict(d: dict[str, Any]) -> Flag:
    """Rebuild a ``Flag`` from its JSON form (``Flag.to_dict``)."""
    span = Span(
        int(d["start"]), int(d["end"]), int(d["line"]), int(d["column"]),
        int(d.get("end_line", d["line"])), int(d.get("end_column", d["column"])),
        d.get("page"), d.get("time_start"), d.get("time_end"),
    )
    el = d.get("element") or {}
    ref = ElementRef(int(el.get("index", -1)), str(el.get("kind", "")), el.get("scene"),
                     el.get("speaker"), el.get("lang"), el.get("scene_heading"))
    return Flag(
        market=d["market"], category=d["category"], severity=Severity.parse(d["severity"]),
        entry_id=d["entry_id"], detector=d["detector"], score=float(d["score"]), text=d["text"],
        span=span, element=ref, rationale=d.get("rationale") or "",
        suggestion=d.get("suggestion") or "", sources=list(d.get("sources") or []),
        fingerprint=d["fingerprint"], term=d.get("term"),
        explanation=dict(d.get("explanation") or {}), obfuscated=bool(d.get("obfuscated")),
        glossary_version=d.get("glossary_version"),
    )


def _revision(r: sqlite3.Row) -> Revision:
    return Revision(
        r["id"], r["draft_id"], r["draft"], r["project_id"], r["project"], r["number"],
        r["file_name"], r["file_hash"], r["format"], json.loads(r["markets"]),
        json.loads(r["glossaries"]), r["uploaded_by"], r["created_at"], r["nflags"],
    )


def _decision(r: sqlite3.Row) -> Decision | None:
    if r["d_status"] is None:
        return None
    return Decision(r["id"], r["d_status"], r["d_reason"], r["d_note"], r["d_reviewer"],
                    r["d_decided_at"], r["d_carried_from"])


def _decision_dict(d: Decision | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"status": d.status, "reason": d.reason, "note": d.note, "reviewer": d.reviewer,
            "decided_at": d.decided_at, "carried_from": d.carried_from}


def _stored_flag(r: sqlite3.Row) -> StoredFlag:
    return StoredFlag(
        r["id"], r["revision_id"], r["fingerprint"], r["market"], r["category"], r["severity"],
        r["severity_rank"], r["entry_id"], r["entry_version"], r["detector"], r["score"],
        r["text"], r["start"], r["end"], r["line"], r["col"], r["element_index"],
        r["element_kind"], r["scene"], r["speaker"], r["scene_heading"], json.loads(r["data"]),
        _decision(r), r["suppression_id"],
    )


def _suppression(r: sqlite3.Row) -> Suppression:
    return Suppression(
        r["id"], r["project_id"], r["entry_id"], r["entry_version"], r["term"],
        json.loads(r["markets"]), r["reason"], r["reviewer"], r["created_at"], r["expires_at"],
        r["source_flag_id"], r["status"], r["closed_at"], r["closed_reason"],
    )

