"""Glossary import/export: CSV (one row per term) and TBX (ISO 30042), plus pack diffs.

Both formats round-trip a locreview pack without loss: the standard parts (concept id,
subject field = category, definition = description, terms per language) are what other
terminology tools read; the rest of an entry travels in one extra column / one
``<descrip type="x-locreview">`` element as JSON. A termbase from another tool (no
locreview data) imports with the defaults given on the command line, its own file named
as the source, and each entry's first term as its flag example, so ``glossary test``
still exercises it; a consultant then completes rationale and sources.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

import yaml

from ..errors import GlossaryError
from .loader import pack_files, parse_pack
from .schema import Entry, Pack

CSV_COLUMNS = [
    "entry_id", "market", "category", "severity", "lang", "term", "description", "extra",
]  # fmt: skip
TBX_NS = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_STANDARD = {"id", "category", "severity", "terms", "description"}


def _extra(entry: Entry) -> dict[str, Any]:
    data = entry.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {k: v for k, v in data.items() if k not in _STANDARD}


def _packs(paths: Iterable[str | os.PathLike[str]] | None) -> list[Pack]:
    return [parse_pack(f).pack for f in pack_files(paths)]


def export_csv(paths: Iterable[str | os.PathLike[str]] | None, out: TextIO) -> None:
    """Write one CSV row per term of every entry."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for pack in _packs(paths):
        market = pack.market or ",".join(pack.markets or [])
        for e in pack.entries:
            extra = json.dumps(_extra(e), ensure_ascii=False, sort_keys=True)
            for i, (lang, term) in enumerate(e.all_terms()):
                # The long fields ride on the entry's first row only: smaller files, same data.
                first = i == 0
                w.writerow([e.id, market, e.category.value, e.severity.value, lang, term,
                            e.description if first else "", extra if first else ""])


def import_csv(source: str | os.PathLike[str], market: str) -> Pack:
    """Read a CSV termbase (as :func:`export_csv` writes it, or just entry_id,lang,term)."""
    text = _read(source)
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise GlossaryError("CSV termbase has no rows", path=str(source))
    missing = {"entry_id", "lang", "term"} - set(rows[0])
    if missing:
        raise GlossaryError(f"CSV needs columns {sorted(missing)}", path=str(source), line=1)
    entries: dict[str, dict[str, Any]] = {}
    for n, row in enumerate(rows, start=2):
        eid = (row.get("entry_id") or "").strip()
        if not eid:
            raise GlossaryError("empty entry_id", path=str(source), line=n)
        d = entries.setdefault(eid, {"id": eid, "terms": {}})
        d["terms"].setdefault(row["lang"].strip(), []).append(row["term"])
        for key in ("category", "severity", "description"):
            if row.get(key):
                d.setdefault(key, row[key])
        if row.get("extra"):
            try:
                d.update(json.loads(row["extra"]))
            except json.JSONDecodeError as e:
                raise GlossaryError(f"bad JSON in 'extra': {e.msg}", path=str(source), line=n) from None
    return _pack(market, [_complete(d, source) for d in entries.values()], source)


def export_tbx(paths: Iterable[str | os.PathLike[str]] | None, out: TextIO) -> None:
    """Write a TBX (ISO 30042, TBX-Basic dialect) termbase of the packs."""
    from xml.sax.saxutils import escape, quoteattr

    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="{TBX_NS}">\n')
    out.write("  <tbxHeader><fileDesc><sourceDesc><p>locreview glossary export</p>"
              "</sourceDesc></fileDesc></tbxHeader>\n  <text><body>\n")
    for pack in _packs(paths):
        market = pack.market or ",".join(pack.markets or [])
        for e in pack.entries:
            out.write(f"    <conceptEntry id={quoteattr(e.id)}>\n")
            out.write(f'      <descrip type="subjectField">{escape(e.category.value)}</descrip>\n')
            out.write(f'      <descrip type="definition">{escape(e.description)}</descrip>\n')
            out.write(f'      <admin type="x-locreview-market">{escape(market)}</admin>\n')
            out.write(f'      <admin type="x-locreview-severity">{escape(e.severity.value)}</admin>\n')
            extra = json.dumps(_extra(e), ensure_ascii=False, sort_keys=True)
            out.write(f'      <descrip type="x-locreview">{escape(extra)}</descrip>\n')
            for lang, words in e.terms.items():
                out.write(f"      <langSec xml:lang={quoteattr(lang)}>\n")
                for w in words:
                    out.write(f"        <termSec><term>{escape(w)}</term></termSec>\n")
                out.write("      </langSec>\n")
            out.write("    </conceptEntry>\n")
    out.write("  </body></text>\n</tbx>\n")


def import_tbx(source: str | os.PathLike[str], market: str) -> Pack:
    """Read a TBX termbase (entities and DTDs refused) into a pack for ``market``."""
    from defusedxml import ElementTree as DET
    from defusedxml.common import DefusedXmlException

    text = _read(source)
    try:
        root = DET.fromstring(text.encode("utf-8"), forbid_dtd=True)
    except DefusedXmlException as e:
        raise GlossaryError(f"unsafe XML refused ({type(e).__name__})", path=str(source)) from None
    except Exception as e:  # ParseError carries a position
        pos = getattr(e, "position", None)
        raise GlossaryError(
            f"invalid TBX XML: {e}", path=str(source), line=pos[0] if pos else None,
            column=pos[1] + 1 if pos else None,
        ) from None

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    entries: list[dict[str, Any]] = []
    for concept in root.iter():
        if local(concept.tag) not in ("conceptEntry", "termEntry"):
            continue
        d: dict[str, Any] = {"id": concept.get("id") or f"imported.{len(entries) + 1}", "terms": {}}
        for child in concept:
            kind, typ = local(child.tag), child.get("type")
            if kind == "descrip" and typ == "subjectField":
                d["category"] = (child.text or "").strip()
            elif kind == "descrip" and typ == "definition":
                d["description"] = (child.text or "").strip()
            elif kind == "descrip" and typ == "x-locreview":
                try:
                    d.update(json.loads(child.text or "{}"))
                except json.JSONDecodeError:
                    raise GlossaryError(
                        f"bad x-locreview data in {d['id']}", path=str(source)
                    ) from None
            elif kind == "admin" and typ == "x-locreview-severity":
                d["severity"] = (child.text or "").strip()
            elif kind in ("langSec", "langSet"):
                lang = child.get(XML_LANG) or child.get("lang") or "und"
                for term in child.iter():
                    if local(term.tag) == "term" and (term.text or "").strip():
                        d["terms"].setdefault(lang, []).append(term.text.strip())
        if d["terms"]:
            entries.append(d)
    if not entries:
        raise GlossaryError("TBX file has no concept entries with terms", path=str(source))
    return _pack(market, [_complete(d, source) for d in entries], source)


def _read(source: str | os.PathLike[str]) -> str:
    p = Path(source)
    try:
        if p.stat().st_size > 50 * 1024 * 1024:
            raise GlossaryError("termbase over 50 MB", path=str(p))
        return p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise GlossaryError("termbase not found", path=str(p)) from None
    except UnicodeDecodeError as e:
        raise GlossaryError(f"not UTF-8 (byte {e.start})", path=str(p)) from None


def _complete(d: dict[str, Any], source: str | os.PathLike[str]) -> dict[str, Any]:
    """Fill what a foreign termbase lacks, honestly: the termbase itself is the source."""
    first = next(iter(next(iter(d["terms"].values()))), "")
    d.setdefault("category", "political")
    d.setdefault("severity", "medium")
    d.setdefault("description", f"Imported term: {first}.")
    d.setdefault("rationale", f"Imported from the termbase {Path(source).name}; review before use.")
    d.setdefault("sources", [{"kind": "reference", "title": f"Imported termbase {Path(source).name}"}])
    d.setdefault("suggestions", ["Review with a cultural consultant"])
    d.setdefault("examples", {"flag": [first], "pass": ["A line without any listed term."]})
    return d


def _pack(market: str, entries: list[dict[str, Any]], source: str | os.PathLike[str]) -> Pack:
    data = {"kind": "market", "market": market.upper(), "version": "imported", "entries": entries}
    try:
        return Pack.model_validate(data)
    except Exception as e:
        raise GlossaryError(f"imported entries are invalid: {e}", path=str(source)) from None


class _NoAliasDumper(yaml.SafeDumper):
    """Never writes anchors/aliases: our loader refuses them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_pack_yaml(pack: Pack, out: TextIO) -> None:
    """Write a pack as YAML (the format of ``glossaries/``)."""
    data = pack.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    data = {"kind": pack.kind, "market": pack.market, "version": pack.version, **data}
    yaml.dump(data, out, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=100)


def diff_packs(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> dict[str, list[str]]:
    """Entries added, removed and changed (with the changed fields) between two pack sets."""
    def entries(p: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for pack in _packs([p]):
            for e in pack.entries:
                out[e.id] = e.model_dump(mode="json", by_alias=True)
        return out

    a, b = entries(old), entries(new)
    changed = []
    for eid in sorted(a.keys() & b.keys()):
        fields = sorted(k for k in a[eid].keys() | b[eid].keys() if a[eid].get(k) != b[eid].get(k))
        if fields:
            changed.append(f"{eid} ({', '.join(fields)})")
    return {
        "added": sorted(b.keys() - a.keys()),
        "removed": sorted(a.keys() - b.keys()),
        "changed": changed,
    }
