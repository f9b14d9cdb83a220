"""SARIF 2.1.0 writer: glossary entries as rules, flags as results.

Levels: critical/high → ``error``, medium → ``warning``, low/info → ``note``. Regions use the
report's 1-based line/column (end column exclusive) plus ``charOffset``/``charLength``; columns
count Unicode code points (``columnKind``), as Python strings do. The flag fingerprint goes
into ``partialFingerprints`` so code-scanning UIs track a finding across revisions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, TextIO
from urllib.parse import quote

from locreview.model import Flag, Report, Severity

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "locreviewFingerprint/v1"
INFORMATION_URI = "https://github.com/locreview/locreview"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

#: ``baselineState`` for the changes a diff reports.
BASELINE_STATE = {"new": "new", "unchanged": "unchanged", "resolved": "absent"}


def level(severity: Severity) -> str:
    """Return the SARIF level of a severity."""
    return _LEVEL[severity]


def artifact_uri(path: str) -> str:
    """Return a URI reference for a report path (relative stays relative, POSIX slashes)."""
    if re.match(r"^[A-Za-z]:[\\/]", path) or path.startswith("\\\\"):
        return PureWindowsPath(path).as_uri()
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return PurePosixPath(posix).as_uri()
    return quote(posix, safe="/-._~!$&'()*+,;=:@")


def _title(entry_id: str) -> str:
    """Return a PascalCase rule name from an entry id (``cn.taiwan-country`` → CnTaiwanCountry)."""
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", entry_id) if p)


def _entry_attr(entry: Any, name: str, default: Any = None) -> Any:
    if entry is None:
        return default
    if isinstance(entry, Mapping):
        return entry.get(name, default)
    return getattr(entry, name, default)


def _cite(source: Any) -> str:
    cite = getattr(source, "cite", None)
    return cite() if callable(cite) else str(source)


def build_rules(
    flags: Iterable[Flag], entries: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Return one rule per glossary entry that produced a flag (sorted by id).

    ``entries`` (entry id → glossary Entry or dict) supplies the description and all
    suggestions; without it the rule is built from what the flags carry.
    """
    entries = entries or {}
    by_id: dict[str, list[Flag]] = {}
    for f in flags:
        by_id.setdefault(f.entry_id, []).append(f)
    rules = []
    for entry_id in sorted(by_id):
        fl = by_id[entry_id]
        first = fl[0]
        entry = entries.get(entry_id)
        category = str(_entry_attr(entry, "category", first.category))
        category = getattr(_entry_attr(entry, "category"), "value", category)
        markets = sorted({f.market for f in fl})
        rationale = str(_entry_attr(entry, "rationale", first.rationale) or "")
        description = str(_entry_attr(entry, "description", "") or "")
        suggestions = list(_entry_attr(entry, "suggestions", []) or [])
        if not suggestions:
            suggestions = list(dict.fromkeys(f.suggestion for f in fl if f.suggestion))
        sources = [_cite(s) for s in (_entry_attr(entry, "sources", []) or [])]
        if not sources:
            sources = list(dict.fromkeys(s for f in fl for s in f.sources))
        worst = max((f.severity for f in fl), key=lambda s: s.rank)
        short = f"{category.replace('_', ' ').capitalize()} risk in {', '.join(markets)}: " + (
            first.term or first.text
        )
        full = description or rationale or short
        help_lines = [rationale] if rationale else []
        if suggestions:
            help_lines.append("Suggestions:")
            help_lines += [f"- {s}" for s in suggestions]
        if sources:
            help_lines.append("Sources:")
            help_lines += [f"- {s}" for s in sources]
        rules.append(
            {
                "id": entry_id,
                "name": _title(entry_id),
                "shortDescription": {"text": short},
                "fullDescription": {"text": full},
                "help": {"text": "\n".join(help_lines) or short},
                "defaultConfiguration": {"level": level(worst)},
                "properties": {
                    "category": category,
                    "markets": markets,
                    "tags": [category, *markets],
                    "suggestions": suggestions,
                    "sources": sources,
                },
            }
        )
    return rules


def _region(flag: Flag) -> dict[str, Any]:
    sp = flag.span
    region: dict[str, Any] = {
        "startLine": sp.line,
        "startColumn": sp.column,
        "endLine": sp.end_line,
        "endColumn": max(sp.end_column, sp.column),
        "charOffset": sp.start,
        "charLength": max(0, sp.end - sp.start),
    }
    if flag.text:
        region["snippet"] = {"text": flag.text}
    return region


def result(
    path: str,
    flag: Flag,
    rule_index: int,
    artifact_index: int,
    *,
    store: Any = None,
    change: str | None = None,
) -> dict[str, Any]:
    """Return the SARIF result of one flag."""
    from ._common import flag_status

    message = f'{flag.market} {flag.severity.value}: "{flag.text}"'
    if flag.rationale:
        message += f" — {flag.rationale}"
    if flag.suggestion:
        message += f" Suggestion: {flag.suggestion}"
    props: dict[str, Any] = {
        "market": flag.market,
        "category": flag.category,
        "severity": flag.severity.value,
        "detector": flag.detector,
        "score": round(float(flag.score), 4),
        "elementKind": flag.element.kind,
        "sources": list(flag.sources),
    }
    for key, value in (
        ("scene", flag.element.scene),
        ("sceneHeading", flag.element.scene_heading),
        ("speaker", flag.element.speaker),
        ("page", flag.span.page),
        ("timeStart", flag.span.time_start),
        ("timeEnd", flag.span.time_end),
        ("glossaryVersion", flag.glossary_version),
        ("status", flag_status(flag, store)),
    ):
        if value is not None:
            props[key] = value
    res: dict[str, Any] = {
        "ruleId": flag.entry_id,
        "ruleIndex": rule_index,
        "level": level(flag.severity),
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(path), "index": artifact_index},
                    "region": _region(flag),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: flag.fingerprint},
        "properties": props,
    }
    if flag.span.page is not None:
        res["locations"][0]["physicalLocation"]["region"]["properties"] = {"page": flag.span.page}
    if change is not None:
        res["baselineState"] = BASELINE_STATE[change]
    return res


def build_log(
    items: list[tuple[str, Flag, str | None]],
    *,
    paths: Iterable[str],
    tool_version: str,
    markets: list[str],
    glossaries: Mapping[str, str],
    errors: Iterable[tuple[str, str]] = (),
    store: Any = None,
    entries: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build a SARIF log from ``(path, flag, change)`` items."""
    rules = build_rules((f for _, f, _ in items), entries)
    rule_index = {r["id"]: i for i, r in enumerate(rules)}
    artifact_paths = list(dict.fromkeys([*paths, *(p for p, _, _ in items)]))
    artifact_index = {p: i for i, p in enumerate(artifact_paths)}
    artifacts = [
        {"location": {"uri": artifact_uri(p)}, "roles": ["analysisTarget"]}
        for p in artifact_paths
    ]
    ordered = sorted(items, key=lambda it: (artifact_index[it[0]], it[1].sort_key()))
    results = [
        result(p, f, rule_index[f.entry_id], artifact_index[p], store=store, change=c)
        for p, f, c in ordered
    ]
    notifications = [
        {
            "level": "error",
            "message": {"text": f"could not read {p}: {err}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(p)}}}],
        }
        for p, err in errors
    ]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "locreview",
                        "version": tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [invocation],
                "artifacts": artifacts,
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"markets": list(markets), "glossaries": dict(glossaries)},
            }
        ],
    }


def write(
    report: Report,
    out: TextIO,
    *,
    store: Any = None,
    entries: Mapping[str, Any] | None = None,
    **_: Any,
) -> None:
    """Write the report as a SARIF 2.1.0 log."""
    log = build_log(
        [(d.path, f, None) for d in report.documents for f in d.flags],
        paths=[d.path for d in report.documents],
        tool_version=report.tool_version,
        markets=report.markets,
        glossaries=report.glossaries,
        errors=[(d.path, d.error) for d in report.documents if d.error is not None],
        store=store,
        entries=entries,
    )
    out.write(json.dumps(log, ensure_ascii=False, indent=2))
    out.write("\n")
