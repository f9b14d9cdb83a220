"""Load market packs and project layers from YAML, validated, with file:line errors.

YAML is parsed with a safe loader that also refuses anchors/aliases (glossaries never need
them, and alias bombs are a classic denial of service) and any tag beyond the plain YAML
types. Each entry remembers the file and line it came from so that every problem can be
reported as ``path:line: entry-id: problem``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import GlossaryError
from ..model import KNOWN_MARKETS, Severity
from .schema import Entry, Pack

MAX_GLOSSARY_BYTES = 20 * 1024 * 1024

#: The packs shipped with locreview: ``glossaries/`` beside the package (a source checkout)
#: or the directory named by $LOCREVIEW_GLOSSARIES.
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "glossaries"


def default_glossary_dir() -> Path:
    """Return the directory of the shipped market packs."""
    env = os.environ.get("LOCREVIEW_GLOSSARIES")
    return Path(env) if env else DEFAULT_DIR


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an entry (or a problem) is written."""

    path: str
    line: int | None


@dataclass(slots=True)
class LoadedEntry:
    """An entry as it applies to one market, with its severity after project overrides."""

    entry: Entry
    market: str
    severity: Severity
    version: str
    origin: Origin

    @property
    def id(self) -> str:
        """The entry id."""
        return self.entry.id


@dataclass(slots=True)
class Glossary:
    """All entries that apply to the selected markets, plus versions, vocabulary, suppressions."""

    entries: list[LoadedEntry]
    versions: dict[str, str]
    allow: list[str] = field(default_factory=list)
    suppressed: dict[tuple[str, str], str] = field(default_factory=dict)  # (id, market) -> reason
    packs: list[str] = field(default_factory=list)

    def for_market(self, market: str) -> list[LoadedEntry]:
        """Entries that apply to ``market``."""
        return [e for e in self.entries if e.market == market]

    @property
    def markets(self) -> list[str]:
        """Markets that have at least one entry."""
        return sorted({e.market for e in self.entries})

    def entry_models(self) -> list[Entry]:
        """The distinct validated entry models (pydantic), in load order."""
        seen: dict[str, Entry] = {}
        for e in self.entries:
            seen.setdefault(e.entry.id, e.entry)
        return list(seen.values())


class _NoAliasLoader(yaml.SafeLoader):
    """Safe loader that refuses anchors and aliases."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            ev = self.peek_event()
            raise GlossaryError(
                "YAML aliases (*name) are not allowed in glossaries",
                line=ev.start_mark.line + 1,
                column=ev.start_mark.column + 1,
            )
        ev = self.peek_event()
        if getattr(ev, "anchor", None):
            raise GlossaryError(
                "YAML anchors and aliases (&name, *name) are not allowed in glossaries",
                line=ev.start_mark.line + 1,
                column=ev.start_mark.column + 1,
            )
        return super().compose_node(parent, index)


def _read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise GlossaryError("glossary file not found", path=str(path)) from None
    except OSError as e:
        raise GlossaryError(f"cannot read glossary: {e.strerror}", path=str(path)) from None
    size = st.st_size
    if stat.S_ISDIR(st.st_mode):
        raise GlossaryError("is a directory, expected a .yaml file", path=str(path))
    if not stat.S_ISREG(st.st_mode):
        # A FIFO or a device (/dev/zero) would block or never end: refuse before reading.
        raise GlossaryError("not a regular file, expected a .yaml file", path=str(path))
    if size > MAX_GLOSSARY_BYTES:
        raise GlossaryError(
            f"glossary is {size} bytes, over the {MAX_GLOSSARY_BYTES}-byte limit", path=str(path)
        )
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise GlossaryError(f"not UTF-8 (byte {e.start})", path=str(path)) from None
    except OSError as e:
        raise GlossaryError(f"cannot read glossary: {e.strerror}", path=str(path)) from None
    try:
        # The reader checks characters when it is built: NULs and controls fail here.
        loader = _NoAliasLoader(text)
    except yaml.YAMLError as e:
        raise GlossaryError(f"invalid YAML: {e}".splitlines()[0], path=str(path)) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except GlossaryError as e:
        e.path = str(path)
        raise
    except RecursionError:
        raise GlossaryError("invalid YAML: nested too deeply", path=str(path)) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise GlossaryError(
            f"invalid YAML: {e.problem or e.context}",
            path=str(path),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as e:
        raise GlossaryError(f"invalid YAML: {e}", path=str(path)) from None
    finally:
        loader.dispose()
    return data, node


def _node_at(node: yaml.Node | None, loc: Sequence[Any]) -> yaml.Node | None:
    """Follow a pydantic error location through the YAML node tree; deepest node found."""
    cur = node
    for key in loc:
        if isinstance(cur, yaml.MappingNode):
            nxt = None
            for k, v in cur.value:
                if getattr(k, "value", None) == str(key) or (key == "pass_" and k.value == "pass"):
                    nxt = v
                    break
            if nxt is None:
                return cur
            cur = nxt
        elif isinstance(cur, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(cur.value):
                return cur
            cur = cur.value[key]
        else:
            return cur
    return cur


def _entry_line(node: yaml.Node | None, index: int) -> int | None:
    n = _node_at(node, ["entries", index])
    return n.start_mark.line + 1 if n is not None else None


def _entry_id(data: Any, loc: Sequence[Any]) -> str | None:
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        try:
            eid = data["entries"][loc[1]].get("id")
            return str(eid) if eid is not None else f"entries[{loc[1]}]"
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
    return None


def validation_problems(path: Path, data: Any, node: yaml.Node | None, err: ValidationError):
    """Turn a pydantic ValidationError into GlossaryErrors with line numbers."""
    out: list[GlossaryError] = []
    for item in err.errors():
        loc = [x for x in item["loc"] if not (isinstance(x, str) and x.startswith("function-"))]
        n = _node_at(node, loc)
        line = n.start_mark.line + 1 if n is not None else None
        field_path = ".".join(str(x) for x in loc if not isinstance(x, int)) or "pack"
        msg = item["msg"].removeprefix("Value error, ")
        out.append(
            GlossaryError(
                f"{field_path}: {msg}", path=str(path), line=line, entry_id=_entry_id(data, loc)
            )
        )
    return out


@dataclass(slots=True)
class ParsedPack:
    """A validated pack with the lines of its entries."""

    pack: Pack
    path: Path
    entry_lines: list[int | None]


def parse_pack(path: str | os.PathLike[str]) -> ParsedPack:
    """Read and validate one pack file (raises GlossaryError with path:line)."""
    p = Path(path)
    data, node = _read_yaml(p)
    if not isinstance(data, dict):
        raise GlossaryError("a glossary must be a YAML mapping with 'entries'", path=str(p), line=1)
    try:
        pack = Pack.model_validate(data)
    except ValidationError as e:
        problems = validation_problems(p, data, node, e)
        first = problems[0]
        if len(problems) > 1:
            first.message += f" (and {len(problems) - 1} more problem(s); run 'locreview glossary validate')"
        first.problems = problems  # type: ignore[attr-defined]
        raise first from None
    lines = [_entry_line(node, i) for i in range(len(pack.entries))]
    return ParsedPack(pack, p, lines)


def pack_files(paths: Iterable[str | os.PathLike[str]] | None) -> list[Path]:
    """Expand directories into their *.yaml / *.yml files (sorted); keep files as given."""
    items = [default_glossary_dir()] if paths is None else [Path(p) for p in paths]
    out: list[Path] = []
    for p in items:
        if p.is_dir():
            files = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
            out.extend(f for f in files if not f.name.startswith("."))
        else:
            out.append(p)
    return out


def load_glossaries(
    paths: Iterable[str | os.PathLike[str]] | None = None,
    markets: Iterable[str] | None = None,
) -> Glossary:
    """Load and validate packs (default: the shipped ones) and apply project layers."""
    files = pack_files(paths)
    if not files:
        raise GlossaryError("no glossary files found", path=str(paths or default_glossary_dir()))
    wanted = {m.upper() for m in markets} if markets is not None else None
    loaded: list[LoadedEntry] = []
    versions: dict[str, str] = {}
    allow: list[str] = []
    suppressed: dict[tuple[str, str], str] = {}
    overrides: list[tuple[ParsedPack, Any]] = []
    seen_ids: dict[tuple[str, str], Origin] = {}
    done: set[Path] = set()

    def add_pack(path: Path, chain: tuple[Path, ...], as_market: str | None) -> None:
        real = path.resolve()
        if real in chain:
            raise GlossaryError("'extends' forms a cycle", path=str(path))
        parsed = parse_pack(path)
        pack = parsed.pack
        for ext in pack.extends:
            base = (path.parent / ext) if not Path(ext).is_absolute() else Path(ext)
            add_pack(base, (*chain, real), as_market or pack.market)
        key = (real, as_market)
        if (real, as_market) in done:  # type: ignore[comparison-overlap]
            return
        done.add(key)  # type: ignore[arg-type]
        if pack.kind == "project":
            allow.extend(pack.allow)
            overrides.extend((parsed, o) for o in pack.overrides)
            targets = [m.upper() for m in (pack.markets or [])]
        else:
            targets = [(as_market or pack.market or "").upper()]
            if as_market is None:
                versions[targets[0]] = pack.version
        for m in targets:
            if m not in KNOWN_MARKETS:
                raise GlossaryError(f"unknown market {m!r}", path=str(path), line=1)
        for entry, line in zip(pack.entries, parsed.entry_lines, strict=True):
            origin = Origin(str(path), line)
            for m in targets:
                if wanted is not None and m not in wanted:
                    continue
                prev = seen_ids.get((entry.id, m))
                if prev is not None:
                    if prev.path == origin.path and prev.line == origin.line:
                        continue  # the same file reached twice through 'extends'
                    raise GlossaryError(
                        f"duplicate entry id for market {m} (first at {prev.path}:{prev.line})",
                        path=str(path),
                        line=line,
                        entry_id=entry.id,
                    )
                seen_ids[(entry.id, m)] = origin
                loaded.append(LoadedEntry(entry, m, entry.severity, pack.version, origin))

    for f in files:
        add_pack(f, (), None)

    for parsed, o in overrides:
        hits = [e for e in loaded if e.id == o.id and (o.market is None or e.market == o.market.upper())]
        if not hits and wanted is None:
            raise GlossaryError(
                f"override names unknown entry {o.id!r}", path=str(parsed.path), entry_id=o.id
            )
        for e in hits:
            if o.suppress:
                suppressed[(e.id, e.market)] = o.reason or ""
            elif o.severity is not None:
                e.severity = o.severity
    if wanted is not None:
        versions = {m: v for m, v in versions.items() if m in wanted}
    return Glossary(loaded, versions, allow, suppressed, [str(f) for f in files])
