"""Glossary tooling behind ``locreview glossary``: validate, test, stats, diff, import/export."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from ..errors import GlossaryError
from ..model import KNOWN_MARKETS
from .loader import ParsedPack, pack_files, parse_pack

Paths = Iterable[str | os.PathLike[str]] | None


def validate(paths: Paths = None) -> tuple[list[str], int]:
    """Check every pack; return (problems as 'file:line: id: problem', entries checked)."""
    problems: list[str] = []
    parsed: list[ParsedPack] = []
    for f in pack_files(paths):
        try:
            parsed.append(parse_pack(f))
        except GlossaryError as e:
            problems.extend(str(p) for p in getattr(e, "problems", None) or [e])
    ids: dict[str, tuple[str, int | None]] = {}
    terms: dict[tuple[str, str], tuple[str, int | None, str]] = {}
    count = 0
    from ..detect.normalize import normalize_term

    for pp in parsed:
        pack = pp.pack
        markets = [pack.market] if pack.kind == "market" else list(pack.markets or [])
        for m in markets:
            if m and m.upper() not in KNOWN_MARKETS:
                problems.append(f"{pp.path}:1: [E200] unknown market {m!r}")
        for entry, line in zip(pack.entries, pp.entry_lines, strict=True):
            count += 1
            where = f"{pp.path}:{line}"
            if entry.id in ids:
                p0, l0 = ids[entry.id]
                problems.append(f"{where}: {entry.id}: [E201] duplicate id (also at {p0}:{l0})")
            else:
                ids[entry.id] = (str(pp.path), line)
            for _lang, t in entry.all_terms():
                for m in markets:
                    key = ((m or "").upper(), normalize_term(t))
                    prev = terms.get(key)
                    if prev is not None and prev[2] != entry.id:
                        problems.append(
                            f"{where}: {entry.id}: [E202] term {t!r} also in {prev[2]} "
                            f"({prev[0]}:{prev[1]}) for market {key[0]}"
                        )
                    elif prev is None:
                        terms[key] = (str(pp.path), line, entry.id)
            for s in entry.sources:
                if not s.title.strip():
                    problems.append(f"{where}: {entry.id}: [E203] a source has no title")
    return problems, count


@dataclass(slots=True)
class ExampleFailure:
    """One example that did not behave as its entry says."""

    path: str
    line: int | None
    entry_id: str
    market: str
    expected: str  # "flag" or "pass"
    text: str


def run_examples(paths: Paths = None, detectors: Iterable[str] = ("literal", "context")):
    """Run each entry's examples through the real pipeline; return (failures, examples run)."""
    from ..api import build_detector
    from ..glossary.loader import load_glossaries
    from ..ingest import read_script

    glossary = load_glossaries(pack_files(paths))
    failures: list[ExampleFailure] = []
    count = 0
    by_market: dict[str, list] = defaultdict(list)
    for le in glossary.entries:
        by_market[le.market].append(le)
    for market, les in sorted(by_market.items()):
        det = build_detector([market], glossary=glossary, detectors=list(detectors))
        for le in les:
            ex = le.entry.examples
            for kind, texts in (("flag", ex.flag), ("pass", ex.pass_)):
                for text in texts:
                    count += 1
                    script = read_script(text.encode("utf-8"), "text", name="<example>")
                    flags, _ = det.detect(script)
                    hit = any(f.entry_id == le.id for f in flags)
                    if hit != (kind == "flag"):
                        failures.append(
                            ExampleFailure(le.origin.path, le.origin.line, le.id, market, kind, text)
                        )
    return failures, count


def print_failures(failures: list[ExampleFailure], out: TextIO) -> None:
    """Print a table of failing examples."""
    if not failures:
        return
    out.write(f"{'where':40} {'entry':36} {'should':6} example\n")
    for f in failures:
        where = f"{f.path}:{f.line}"
        out.write(f"{where[-40:]:40} {f.entry_id[:36]:36} {f.expected:6} {f.text}\n")


def stats(paths: Paths = None) -> dict:
    """Count entries per market, category and language."""
    from .loader import load_glossaries

    g = load_glossaries(pack_files(paths))
    per_market: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    langs: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for le in g.entries:
        per_market[le.market][le.entry.category.value] += 1
        for lang in le.entry.terms:
            langs[le.market][lang] += 1
    return {
        "versions": dict(sorted(g.versions.items())),
        "total": len(g.entries),
        "markets": {m: dict(sorted(c.items())) for m, c in sorted(per_market.items())},
        "languages": {m: dict(sorted(c.items())) for m, c in sorted(langs.items())},
    }


def print_stats(paths: Paths, fmt: str, out: TextIO) -> None:
    """Print entries per market x category x language as text, Markdown or JSON."""
    s = stats(paths)
    if fmt == "json":
        out.write(json.dumps(s, ensure_ascii=False, indent=2) + "\n")
        return
    cats = sorted({c for m in s["markets"].values() for c in m})
    if fmt == "md":
        out.write("| market | version | entries | " + " | ".join(cats) + " | languages |\n")
        out.write("|---" * (len(cats) + 4) + "|\n")
    for m, counts in s["markets"].items():
        total = sum(counts.values())
        langs = ", ".join(f"{k} {v}" for k, v in s["languages"][m].items())
        cells = [str(counts.get(c, 0)) for c in cats]
        if fmt == "md":
            out.write(f"| {m} | {s['versions'].get(m, '')} | {total} | " + " | ".join(cells) + f" | {langs} |\n")
        else:
            detail = ", ".join(f"{c} {n}" for c, n in counts.items())
            out.write(f"{m} {s['versions'].get(m, '')}: {total} entries ({detail}); languages: {langs}\n")
    if fmt == "md":
        out.write(f"\n**Total: {s['total']} entries in {len(s['markets'])} markets.**\n")
    else:
        out.write(f"total: {s['total']} entries in {len(s['markets'])} markets\n")


def diff_packs(old: str, new: str) -> dict[str, list[str]]:
    """Entries added, removed or changed between two pack versions (files or folders)."""
    from .io import diff_packs as _diff

    return _diff(old, new)


def print_pack_diff(changes: dict[str, list[str]], out: TextIO) -> None:
    """Print a pack diff, one line per entry."""
    for kind, sign in (("added", "+"), ("removed", "-"), ("changed", "~")):
        for item in changes.get(kind, []):
            out.write(f"{sign} {item}\n")
    out.write(
        f"{len(changes['added'])} added, {len(changes['removed'])} removed, "
        f"{len(changes['changed'])} changed\n"
    )


def export(paths: Paths, fmt: str, out: TextIO) -> None:
    """Export packs as CSV (one row per term) or TBX."""
    from .io import export_csv, export_tbx

    (export_csv if fmt == "csv" else export_tbx)(paths, out)


def import_termbase(source: str, market: str, out: TextIO) -> None:
    """Import a CSV or TBX termbase and write it as a YAML pack."""
    from .io import import_csv, import_tbx, write_pack_yaml

    lower = source.lower()
    pack = import_tbx(source, market) if lower.endswith((".tbx", ".xml")) else import_csv(source, market)
    write_pack_yaml(pack, out)
