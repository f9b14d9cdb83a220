"""Readers for the peers' expected outputs in ../shared/corpus, and a shared normaliser.

Peers differ in details no spec settles (whether action paragraphs merge across blank
lines, whether a parenthetical keeps its brackets, where emphasis markers go), so both
sides are reduced to a comparable form: (kind, text) with emphasis markers removed,
whitespace collapsed, brackets dropped from parentheticals, blank actions dropped and
adjacent action/dialogue/lyric runs merged.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import yaml

from locreview.model import ElementKind, Script

CORPUS = (Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus").resolve()

Item = tuple[str, str]
_MERGED = {"action", "dialogue", "lyric"}


def norm_text(kind: str, text: str) -> str:
    """Collapse whitespace, drop emphasis markers and a parenthetical's brackets."""
    t = text.replace("\\", "").replace("*", "").replace("_", "")
    t = " ".join(t.split())
    if kind == "parenthetical":
        t = t.strip()
        if t.startswith("(") and t.endswith(")"):
            t = t[1:-1].strip()
    return t


def normalise(
    items: list[Item], *, drop: frozenset[str] = frozenset(), fold_transitions: bool = False
) -> list[Item]:
    """Normalise a (kind, text) list for comparison (see module docstring)."""
    out: list[Item] = []
    for kind, text in items:
        if kind in drop:
            continue
        t = norm_text(kind, text)
        if fold_transitions and kind == "transition":
            t = t.upper()  # screenplain renders transitions in capitals
        if not t and kind not in ("page_break",):
            continue
        if kind == "page_break":
            t = ""
        if out and kind in _MERGED and out[-1][0] == kind:
            out[-1] = (kind, f"{out[-1][1]} {t}")
            continue
        out.append((kind, t))
    return out


def script_items(script: Script, *, character_as_speaker: bool = False) -> list[Item]:
    """(kind, text) of a parsed Script, notes and title fields left out."""
    items: list[Item] = []
    for el in script.elements:
        if el.kind in (ElementKind.NOTE, ElementKind.TITLE):
            continue
        text = el.text
        if el.kind is ElementKind.CHARACTER and character_as_speaker:
            text = el.speaker or text
        items.append((el.kind.value, text))
    return items


# -- wildwinter/screenplay-tools: Script.dump() ---------------------------------------------

_DUMP_KINDS = {
    "HEADING": "scene_heading",
    "ACTION": "action",
    "CHARACTER": "character",
    "DIALOGUE": "dialogue",
    "PARENTHETICAL": "parenthetical",
    "TRANSITION": "transition",
    "TITLEENTRY": "title",
    "SECTION": "section",
    "SYNOPSIS": "synopsis",
    "PAGEBREAK": "page_break",
    "LYRIC": "lyric",
    "NOTE": "note",
    "BONEYARD": "boneyard",
}
_DUMP_START = re.compile(r"^(?:\[\[\d+\]\]|/\*\d+\*/)?([A-Z]+):(?=\")", re.MULTILINE)


def read_dump(path: Path) -> list[Item]:
    """Parse a screenplay-tools dump into (kind, text); inline note refs removed."""
    src = path.read_text(encoding="utf-8")
    starts = list(_DUMP_START.finditer(src))
    items: list[Item] = []
    for k, m in enumerate(starts):
        chunk = src[m.end() : starts[k + 1].start() if k + 1 < len(starts) else len(src)]
        chunk = chunk.rstrip("\n")
        kind = _DUMP_KINDS[m.group(1)]
        if kind == "character":
            mm = re.match(r'"(.*?)"', chunk)
            text = mm.group(1) if mm else ""
        elif kind == "title":
            mm = re.match(r'"(.*?)":"(.*)"\s*$', chunk, re.DOTALL)
            text = mm.group(2) if mm else ""
        else:
            centered = chunk.endswith(" (centered)")
            if centered:
                chunk = chunk[: -len(" (centered)")]
                kind = "centered"
            mm = re.match(r'"(.*)"(?: \([^)\n]*\))*\s*$', chunk, re.DOTALL)
            text = mm.group(1) if mm else chunk
        text = re.sub(r"\[\[\d+\]\]|/\*\d+\*/", "", text)
        items.append((kind, text))
    return items


# -- ludovicchabant/Jouvence: YAML in/out --------------------------------------------------

_JOUVENCE = [
    ("<pagebreak>", "page_break"),
    ("!><", "centered"),
    (".", "scene_heading"),
    ("!", "action"),
    ("@", "character"),
    ("=", "dialogue"),
    ("_", "parenthetical"),
    (">", "transition"),
    ("~", "lyric"),
    ("#", "section"),
    ("+", "synopsis"),
]


def read_jouvence(path: Path) -> list[tuple[str, list[Item], dict[str, str]]]:
    """Return (input, expected items, expected title) for each document of a Jouvence YAML."""
    out = []
    for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if not doc:
            continue
        items: list[Item] = []
        for tok in doc.get("out") or []:
            tok = str(tok)
            for prefix, kind in _JOUVENCE:
                if tok.startswith(prefix):
                    items.append((kind, tok[len(prefix) :]))
                    break
        title = {str(k).lower(): str(v) for k, v in (doc.get("title") or {}).items()}
        out.append((str(doc.get("in") or ""), items, title))
    return out


# -- vilcans/screenplain: --bare HTML -------------------------------------------------------


class _ScreenplainHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[Item] = []
        self.stack: list[tuple[str, str]] = []
        self.current: list[str] | None = None
        self.kind = ""
        self.skip = 0

    def _classes(self) -> list[str]:
        return [c for _, c in self.stack]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if tag in ("br",):
            if self.current is not None:
                self.current.append("\n")
            return
        self.stack.append((tag, cls))
        if tag == "span" and cls in ("scnuml", "scnumr"):
            self.skip += 1
            return
        kind = None
        classes = self._classes()
        if tag == "h6":
            kind = "scene_heading"
        elif tag in ("h1", "h2", "h3", "h4", "h5"):
            kind = "section"
        elif tag == "span" and cls.endswith("-synopsis"):
            kind = "synopsis"
        elif tag == "div" and cls in ("transition", "centered"):
            kind = cls
        elif tag == "p" and "action" in classes:
            kind = "action"
        elif tag == "p" and ("dialog" in classes or "dual" in classes):
            kind = {"character": "character", "parenthetical": "parenthetical"}.get(cls, "dialogue")
        if kind is not None:
            self.kind = kind
            self.current = []
            self.depth = len(self.stack)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br" or not self.stack:
            return
        t, cls = self.stack.pop()
        if t == "span" and cls in ("scnuml", "scnumr"):
            self.skip -= 1
            return
        if self.current is not None and len(self.stack) < self.depth:
            self.items.append((self.kind, "".join(self.current)))
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None and not self.skip:
            self.current.append(data)


def read_screenplain_html(path: Path) -> list[Item]:
    """Parse screenplain's bare HTML into (kind, text)."""
    p = _ScreenplainHTML()
    p.feed(path.read_text(encoding="utf-8"))
    return p.items
