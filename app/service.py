"""What the reviewer UI does, without the UI: upload, scan, tables, details, decisions, export.

Every method takes the signed-in :class:`~app.auth.User` and checks the role first, so a
handler called through the API cannot do more than its button. Nothing here imports
gradio; values returned are plain text, lists and paths. Script text is only ever
returned as plain strings for components that escape it (never HTML or markdown).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import locreview
from locreview.errors import ConfigError, InputError, InputTooLargeError, LocreviewError
from locreview.model import (
    DocumentResult,
    Element,
    ElementKind,
    LineIndex,
    Report,
    Script,
    Severity,
)
from locreview.review import RecordResult, ReviewStore, StoredFlag

from .auth import User

#: Extensions the upload accepts (the formats ``locreview.read_script`` reads).
UPLOAD_TYPES: tuple[str, ...] = (
    ".fountain", ".spmd", ".fdx", ".docx", ".pdf", ".srt", ".vtt", ".webvtt", ".txt", ".text",
)
EXPORT_FORMATS: tuple[str, ...] = ("html", "csv", "json")
FLAG_COLUMNS: list[str] = [
    "id", "market", "severity", "category", "entry", "detector", "status", "scene", "speaker",
    "line", "text",
]
SORTS: dict[str, Callable[[StoredFlag], Any]] = {
    "position": lambda f: (f.start, -f.severity_rank, f.market),
    "severity": lambda f: (-f.severity_rank, f.market, f.start),
    "market": lambda f: (f.market, -f.severity_rank, f.start),
    "status": lambda f: (f.status, -f.severity_rank, f.start),
    "category": lambda f: (f.category, -f.severity_rank, f.start),
    "detector": lambda f: (f.detector, -f.severity_rank, f.start),
}
ALL = "all"
CONTEXT_CHARS = 1500


class AccessDenied(LocreviewError):
    """The signed-in user's role does not allow this action."""

    code = "E401"


Scanner = Callable[..., Report]


@dataclass(frozen=True, slots=True)
class Filters:
    """The flag table's filters (``all`` or empty means no filter)."""

    market: str = ALL
    category: str = ALL
    severity: str = ALL
    detector: str = ALL
    status: str = ALL
    scene: str = ALL
    speaker: str = ALL

    def keep(self, f: StoredFlag) -> bool:
        """True when ``f`` passes every filter."""
        checks = (
            (self.market, f.market), (self.category, f.category), (self.severity, f.severity),
            (self.detector, f.detector), (self.status, f.status),
            (self.scene, "" if f.scene is None else str(f.scene)), (self.speaker, f.speaker or ""),
        )
        return all(want in (ALL, "", None) or want == have for want, have in checks)


def safe_display_name(name: str) -> str:
    """Reduce an uploaded file name to a harmless display name (never used as a path)."""
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in "<>:\"|?*")
    base = base.strip(" .") or "upload"
    return base[:120]


class ReviewService:
    """The reviewer's operations over one review store and the locreview library."""

    def __init__(
        self,
        store: ReviewStore,
        *,
        max_upload_bytes: int = 20 * 1024 * 1024,
        scanner: Scanner | None = None,
        markets: Sequence[str] | None = None,
        default_project: str = "default",
        export_dir: Path | None = None,
        detectors: Sequence[str] | None = None,
    ) -> None:
        self.store = store
        self.max_upload_bytes = max_upload_bytes
        self._scanner = scanner
        self._markets = list(markets) if markets is not None else None
        self.default_project = default_project
        self.export_dir = export_dir or Path(tempfile.mkdtemp(prefix="locreview-export-"))
        self.detectors = list(detectors) if detectors else None
        self._detectors: dict[tuple[str, ...], Any] = {}
        self._lock = threading.Lock()

    # -- access -------------------------------------------------------------------------

    @staticmethod
    def require(user: User | None, permission: str) -> User:
        """Return ``user`` when signed in with ``permission``; raise AccessDenied otherwise."""
        if user is None:
            raise AccessDenied("sign in first")
        if not user.can(permission):
            raise AccessDenied(f"the {user.role} role may not {permission}")
        return user

    def markets(self) -> list[str]:
        """Markets a draft can be screened for (those with a glossary)."""
        if self._markets is None:
            try:
                self._markets = sorted(locreview.load_glossaries().markets)
            except LocreviewError:
                self._markets = []
        return list(self._markets)

    # -- upload and scan ----------------------------------------------------------------

    def _scan(self, script: Script, markets: list[str], progress: Any) -> Report:
        if self._scanner is not None:
            return self._scanner(script, markets, progress=progress)
        key = tuple(markets)
        with self._lock:
            detector = self._detectors.get(key)
            if detector is None:
                detector = locreview.build_detector(markets, detectors=self.detectors)
                self._detectors[key] = detector
        return locreview.scan(script, markets, detector=detector, progress=progress)

    def upload(
        self,
        user: User | None,
        path: str | os.PathLike[str],
        *,
        file_name: str | None = None,
        markets: Sequence[str],
        project: str | None = None,
        draft: str | None = None,
        progress: Callable[[float, str], None] | None = None,
        remove: bool = True,
    ) -> RecordResult:
        """Read, scan and record an uploaded draft as the next revision of its draft.

        ``path`` is the server-side temporary copy of the upload; it is deleted afterwards
        when ``remove``. The client's file name is only shown, never used as a path.
        """
        src = Path(path)
        shown = safe_display_name(file_name or src.name)
        try:
            user = self.require(user, "upload")
            if not markets:
                raise ConfigError("pick at least one market to screen for")
            unknown = [m for m in markets if m not in self.markets()]
            if unknown:
                raise ConfigError(f"no glossary for market(s) {', '.join(unknown)}")
            ext = Path(shown).suffix.lower()
            if ext not in UPLOAD_TYPES:
                raise InputError(
                    f"unsupported file type {ext or '(none)'}; upload one of "
                    f"{', '.join(UPLOAD_TYPES)}", path=shown)
            try:
                size = src.stat().st_size
                if size > self.max_upload_bytes:
                    raise InputTooLargeError(
                        f"the upload is {size} bytes, over the limit of {self.max_upload_bytes}",
                        path=shown)
                data = src.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read the upload: {exc.strerror}", path=shown) from None
        finally:
            if remove:
                src.unlink(missing_ok=True)
        if progress:
            progress(0.1, f"reading {shown}")
        script = locreview.read_script(data, name=shown, max_bytes=self.max_upload_bytes)
        if progress:
            progress(0.3, f"scanning {len(script.elements)} elements for {', '.join(markets)}")

        def step(i: int, total: int, _name: str = "") -> None:
            if progress and total:
                progress(0.3 + 0.6 * i / total, "scanning")

        report = self._scan(script, list(markets), step)
        if progress:
            progress(0.9, "saving")
        return self.store.record_revision(
            (project or "").strip() or self.default_project,
            (draft or "").strip() or Path(shown).stem or shown,
            report,
            file_name=shown,
            actor=user.name,
            data=data,
            script=script,
        )

    # -- tables -------------------------------------------------------------------------

    def revision_choices(self, user: User | None) -> list[tuple[str, int]]:
        """(label, id) for every revision, newest first."""
        self.require(user, "read")
        return [(r.label, r.id) for r in self.store.revisions()]

    def filter_options(self, user: User | None, revision_id: int | None) -> dict[str, list[str]]:
        """Values each filter can take in a revision."""
        self.require(user, "read")
        flags = self.store.flags(revision_id) if revision_id else []
        sev = [s.value for s in sorted(Severity, key=lambda s: -s.rank)]

        def vals(fn: Callable[[StoredFlag], Any]) -> list[str]:
            return sorted({str(v) for f in flags if (v := fn(f)) not in (None, "")})

        return {
            "market": [ALL, *vals(lambda f: f.market)],
            "category": [ALL, *vals(lambda f: f.category)],
            "severity": [ALL, *[s for s in sev if s in {f.severity for f in flags}]],
            "detector": [ALL, *vals(lambda f: f.detector)],
            "status": [ALL, "open", "accepted", "dismissed", "needs_discussion", "suppressed"],
            "scene": [ALL, *sorted(vals(lambda f: f.scene), key=int)],
            "speaker": [ALL, *vals(lambda f: f.speaker)],
        }

    def flag_rows(
        self,
        user: User | None,
        revision_id: int | None,
        filters: Filters = Filters(),
        sort: str = "position",
    ) -> list[list[Any]]:
        """Rows of the flag table (see :data:`FLAG_COLUMNS`), filtered and sorted."""
        self.require(user, "read")
        if not revision_id:
            return []
        flags = [f for f in self.store.flags(revision_id) if filters.keep(f)]
        flags.sort(key=SORTS.get(sort, SORTS["position"]))
        return [
            [f.id, f.market, f.severity, f.category, f.entry_id, f.detector, f.status,
             "" if f.scene is None else f.scene, f.speaker or "", f.line, f.text]
            for f in flags
        ]

    def summary_rows(self, user: User | None, revision_id: int | None) -> list[list[Any]]:
        """Per market: verdict, then unresolved counts by severity and decided counts."""
        self.require(user, "read")
        if not revision_id:
            return []
        rows = []
        for r in self.store.readiness(revision_id):
            open_ = {s: r.counts["open"][s] + r.counts["needs_discussion"][s]
                     for s in r.counts["open"]}
            rows.append([r.market, r.verdict, open_["critical"], open_["high"], open_["medium"],
                         open_["low"] + open_["info"], r.total("accepted"), r.total("dismissed"),
                         r.total("suppressed")])
        return rows

    def revision_rows(self, user: User | None, revision_id: int | None) -> tuple[str, list[list[Any]]]:
        """The revision view: a one-line summary and rows of new/carried/resolved flags."""
        self.require(user, "read")
        if not revision_id:
            return "No revision yet.", []
        diff = self.store.diff(revision_id)
        rev = self.store.revision(revision_id)
        rows: list[list[Any]] = []
        for change, flags in (("new", diff.new), ("carried over", diff.carried_over),
                              ("resolved", diff.resolved)):
            for f in flags:
                rows.append([change, f.id, f.market, f.severity, f.entry_id, f.status, f.line,
                             f.text])
        since = "first revision" if diff.previous_id is None else "since the previous revision"
        head = (f"{rev.label} ({since}): {len(diff.new)} new, {len(diff.carried_over)} carried "
                f"over, {len(diff.resolved)} resolved, {len(diff.unchanged)} unchanged")
        return head, rows

    def rule_health_rows(self, user: User | None) -> list[list[Any]]:
        """Per entry: findings, decisions and dismissal rate across drafts, noisiest first."""
        self.require(user, "read")
        return [
            [h.entry_id, ", ".join(h.markets), h.findings, h.accepted, h.dismissed,
             h.needs_discussion, h.open, f"{h.dismissal_rate:.0%}", " | ".join(h.reasons)]
            for h in self.store.rule_health()
        ]

    def suppression_rows(self, user: User | None) -> list[list[Any]]:
        """Every suppression with its scope, reason, reviewer, expiry and state."""
        self.require(user, "read")
        names = {p.id: p.name for p in self.store.projects()}
        return [
            [s.id, names.get(s.project_id, ""), s.entry_id, s.term or "(any match)",
             ", ".join(s.markets) or "all", s.reason, s.reviewer, s.expires_at or "",
             self.store.suppression_state(s), s.closed_reason or ""]
            for s in self.store.suppressions()
        ]

    # -- one flag -----------------------------------------------------------------------

    def passage(self, user: User | None, flag_id: int) -> list[tuple[str, str | None]]:
        """The flagged passage in its scene context as (text, label) segments."""
        self.require(user, "read")
        f = self.store.flag(flag_id)
        text, elements = self.store.revision_text(f.revision_id)
        label = f"{f.severity} {f.category}"
        if not text:
            return [(f.text, label)]
        lo, hi = max(0, f.start - 300), min(len(text), f.end + 300)
        if f.scene is not None:
            scene = [e for e in elements if e["scene"] == f.scene]
            if scene:
                lo, hi = min(e["start"] for e in scene), max(e["end"] for e in scene)
        # Long scenes are cut around the match so the passage stays readable.
        lo = max(lo, f.start - CONTEXT_CHARS)
        hi = min(hi, f.end + CONTEXT_CHARS)
        lo, hi = min(lo, f.start), max(hi, f.end)
        segments: list[tuple[str, str | None]] = []
        if lo < f.start:
            segments.append((("…" if lo > 0 else "") + text[lo:f.start], None))
        segments.append((text[f.start:f.end], label))
        if f.end < hi:
            segments.append((text[f.end:hi] + ("…" if hi < len(text) else ""), None))
        return segments

    def details(self, user: User | None, flag_id: int) -> str:
        """Plain-text details of a flag: what matched, why, sources, suggestion."""
        self.require(user, "read")
        f = self.store.flag(flag_id)
        where = [f"line {f.line}"]
        if f.scene is not None:
            where.append(f"scene {f.scene}" + (f" ({f.scene_heading})" if f.scene_heading else ""))
        if f.speaker:
            where.append(f"speaker {f.speaker}")
        lines = [
            f"{f.market} · {f.severity} · {f.category} · {f.entry_id}",
            f"Found by the {f.detector} detector (score {f.score:.2f}), {', '.join(where)}",
            f"Matched: {f.text}",
            "",
            f"Why: {f.rationale}",
            f"Suggestion: {f.suggestion}",
            "Sources:",
            *[f"  - {s}" for s in f.sources],
        ]
        expl = f.data.get("explanation") or {}
        if expl:
            lines += ["", "Explanation: " + "; ".join(f"{k}={v}" for k, v in expl.items())]
        lines += ["", f"Glossary entry version: {f.entry_version or 'unknown'}",
                  f"Fingerprint: {f.fingerprint}"]
        return "\n".join(lines)

    def decision_text(self, user: User | None, flag_id: int) -> str:
        """The current decision, its provenance, and the notes, as plain text."""
        self.require(user, "read")
        f = self.store.flag(flag_id)
        d = f.decision
        if d is None:
            head = f"Status: {f.status}"
            if f.suppression_id is not None:
                head += f" (project suppression #{f.suppression_id})"
        else:
            head = f"Status: {d.status} by {d.reviewer} at {d.decided_at}"
            if d.carried_over:
                head += f" — carried over from flag #{d.carried_from} of an earlier revision"
            if d.reason:
                head += f"\nReason: {d.reason}"
            if d.note and d.note != d.reason:
                head += f"\nNote: {d.note}"
        notes = self.store.notes(flag_id)
        if notes:
            head += "\nNotes:\n" + "\n".join(f"  [{n.created_at}] {n.author}: {n.text}"
                                             for n in notes)
        return head

    def decide(self, user: User | None, flag_id: int, action: str, note: str = "") -> str:
        """Apply a decision button: accepted, dismissed, needs_discussion or reopen."""
        user = self.require(user, "decide")
        if action == "reopen":
            self.store.clear_decision(flag_id, reviewer=user.name, note=note)
        else:
            self.store.decide(flag_id, action, reviewer=user.name, note=note)
        return self.decision_text(user, flag_id)

    def add_note(self, user: User | None, flag_id: int, text: str) -> str:
        """Attach a note to a flag without deciding it."""
        user = self.require(user, "note")
        self.store.add_note(flag_id, text, author=user.name)
        return self.decision_text(user, flag_id)

    def suppress(
        self,
        user: User | None,
        flag_id: int,
        *,
        reason: str = "",
        markets: str = "",
        expires: str = "",
        any_match: bool = False,
    ) -> str:
        """Promote a dismissed flag to a project suppression."""
        user = self.require(user, "suppress")
        scope = [m for m in re.split(r"[,\s]+", markets) if m] or None
        sup = self.store.promote_to_suppression(
            flag_id, reviewer=user.name, reason=reason or None, markets=scope,
            expires=expires or None, any_match=any_match,
        )
        return (f"Suppression #{sup.id} for {sup.entry_id} in "
                f"{', '.join(sup.markets) or 'every market'}"
                + (f" until {sup.expires_at}" if sup.expires_at else ""))

    def revoke(self, user: User | None, suppression_id: int, reason: str) -> None:
        """Withdraw a suppression."""
        user = self.require(user, "suppress")
        self.store.revoke_suppression(suppression_id, reviewer=user.name, reason=reason)

    # -- export -------------------------------------------------------------------------

    def export(self, user: User | None, revision_id: int, fmt: str) -> Path:
        """Write the revision's current state as an HTML, CSV or JSON report; return the file."""
        self.require(user, "export")
        fmt = fmt.lower()
        if fmt not in EXPORT_FORMATS:
            raise ConfigError(f"export as one of {', '.join(EXPORT_FORMATS)}")
        from locreview.report import write_report

        rev = self.store.revision(revision_id)
        flags = self.store.to_flags(revision_id)
        text, elements = self.store.revision_text(revision_id)
        doc = DocumentResult(path=rev.file_name, format=rev.format, elements=len(elements),
                             flags=flags)
        report = Report(markets=rev.markets, glossaries=rev.glossaries, documents=[doc],
                        tool_version=locreview.__version__)
        scripts = {rev.file_name: _script(rev.file_name, rev.format, text, elements)} if text else {}
        statuses = {(f.market, f.fingerprint): f.status or "open" for f in flags}
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{rev.project}-{rev.draft}").strip("-") or "draft"
        self.export_dir.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=self.export_dir))
        out = folder / f"locreview-{stem}-rev{rev.number}.{fmt}"
        with out.open("w", encoding="utf-8", newline="") as fh:
            write_report(report, fmt, fh, store=statuses, scripts=scripts)
        return out


def _script(name: str, fmt: str, text: str, elements: list[dict[str, Any]]) -> Script:
    """Rebuild enough of a Script from the stored text to show passages in a report."""
    li = LineIndex(text)
    els = []
    for e in elements:
        try:
            kind = ElementKind(e["kind"])
        except ValueError:
            kind = ElementKind.GENERAL
        els.append(Element(e["index"], kind, text[e["start"]:e["end"]], li.span(e["start"], e["end"]),
                           scene=e["scene"], speaker=e["speaker"]))
    return Script(path=name, format=fmt, text=text, elements=els)
