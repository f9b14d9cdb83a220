"""Fountain screenplays (https://fountain.io/syntax), the whole spec.

Parsing runs in three linear passes:

1. one tokenizer pass finds boneyard ``/* */`` and notes ``[[ ]]``; both are cut out of a
   *work* copy of the text, with a piecewise map back to the original offsets;
2. the work text is classified line by line into blocks (title page, scene headings,
   character cues with their dialogue, action paragraphs, ...);
3. each element's work range loses its emphasis markers (``*``, ``_``, ``\\*`` escapes)
   and is mapped back to original segments, so ``Element.offsets`` points at the source.

Notes become NOTE elements of their own (locreview reads ``[[locreview: ignore ...]]``
from them); a note inside another element records that element's index in
``attrs["in_element"]``. Boneyard text yields no element but positions stay right.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from locreview.ingest._common import HUGE_ELEMENT, Builder, Pending, line_bounds
from locreview.model import ElementKind, Script

_HEADING_PREFIX = re.compile(
    r"(?:int\.?/ext|int/ext|i/e|int|ext|est|инт|нат|экст)(?:\.|。| )",
    re.IGNORECASE,
)
_SCENE_NUMBER = re.compile(r"[ \t]*#([\w.\-]{1,20})#[ \t]*$")
_TITLE_KEY = re.compile(r"[ \t]{0,3}([^\s:：!@#.~=>\[/][^:：\r\n]{0,48}?)[ \t]*[:：][ \t]*")
_TOKENS = re.compile(r"/\*|\*/|\[\[|\]\]")
_EMPHASIS = re.compile(r"\\[*_]|\*{1,3}|_")
_PAGE_BREAK = re.compile(r"={3,}[ \t]*$")
_EXTENSIONS = re.compile(r"(?:[ \t]*\([^()\r\n]{0,40}\))+[ \t]*$")

# How far down the open-marker stack a closing emphasis marker looks for its opener:
# a small bound keeps lines full of unmatched "*" linear instead of quadratic.
_EMPHASIS_STACK_LOOKBACK = 8


def looks_like_fountain(head: str) -> bool:
    """True when text looks like a Fountain screenplay (scene headings, title page, cues)."""
    prev_blank = True
    hits = 0
    for ln in head.splitlines()[:400]:
        s = ln.strip()
        if not s:
            prev_blank = True
            continue
        if prev_blank and (_HEADING_PREFIX.match(s) or (s[0] == "." and s[1:2].isalnum())):
            hits += 2
        elif s.startswith("[[") or s.startswith("/*") or _PAGE_BREAK.match(s):
            hits += 1
        elif prev_blank and s.endswith("TO:") and s.isupper():
            hits += 1
        prev_blank = False
    if _TITLE_KEY.match(head.lstrip("\ufeff")) and re.match(
        r"\s*(title|credit|author|authors|source|draft date|contact)\s*:", head, re.IGNORECASE
    ):
        hits += 2
    return hits >= 2


@dataclass(slots=True)
class _Cut:
    """A region cut from the work text: boneyard or note (start/end in original offsets)."""

    start: int
    end: int
    kind: str  # "boneyard" | "note"
    inner_start: int = 0
    inner_end: int = 0
    work_pos: int = 0
    whole_line: bool = False


class _WorkText:
    """The text with cuts removed, and the map from work offsets back to original ones."""

    def __init__(self, text: str, cuts: list[_Cut]) -> None:
        self.original = text
        if not cuts:
            self.text = text
            self._wstarts = [0]
            self._ostarts = [0]
            return
        parts: list[str] = []
        wstarts: list[int] = []
        ostarts: list[int] = []
        pos = 0
        wpos = 0
        for c in cuts:
            if c.start > pos:
                parts.append(text[pos : c.start])
                wstarts.append(wpos)
                ostarts.append(pos)
                wpos += c.start - pos
            c.work_pos = wpos
            pos = max(pos, c.end)
        if pos < len(text):
            parts.append(text[pos:])
            wstarts.append(wpos)
            ostarts.append(pos)
        self.text = "".join(parts)
        self._wstarts = wstarts or [0]
        self._ostarts = ostarts or [0]

    def segments(self, ws: int, we: int) -> list[tuple[int, int]]:
        """Map work range [ws, we) to original segments (split where cuts were removed)."""
        if len(self._wstarts) == 1:
            base = self._ostarts[0] - self._wstarts[0]
            return [(ws + base, we + base)]
        out: list[tuple[int, int]] = []
        i = bisect.bisect_right(self._wstarts, ws) - 1
        while ws < we and i < len(self._wstarts):
            piece_end = self._wstarts[i + 1] if i + 1 < len(self._wstarts) else len(self.text)
            stop = min(we, piece_end)
            base = self._ostarts[i] - self._wstarts[i]
            if stop > ws:
                out.append((ws + base, stop + base))
            ws = stop
            i += 1
        return out


def _has_blank_line(seg: str) -> bool:
    """True when seg contains an empty line (two line breaks in a row, any convention)."""
    if "\r" in seg:
        seg = seg.replace("\r\n", "\n").replace("\r", "\n")
    return "\n\n" in seg


def _find_cuts(text: str) -> list[_Cut]:
    """Find boneyard and note regions in one linear tokenizer pass."""
    cuts: list[_Cut] = []
    if "/*" not in text and "[[" not in text:
        return cuts
    depth = 0
    bone_start = -1
    note_start = -1
    for m in _TOKENS.finditer(text):
        tok = m.group()
        if depth:
            if tok == "/*":
                depth += 1
            elif tok == "*/":
                depth -= 1
                if depth == 0:
                    cuts.append(_Cut(bone_start, m.end(), "boneyard"))
            continue
        if note_start >= 0:
            if tok == "]]":
                # A note may not contain an empty line; each candidate range is scanned
                # once (a new "[[" restarts it), so this stays linear.
                if not _has_blank_line(text[note_start : m.start()]):
                    cuts.append(_Cut(note_start, m.end(), "note", note_start + 2, m.start()))
                note_start = -1
            elif tok == "[[":
                note_start = m.start()  # notes do not nest: the inner one wins
            continue
        if tok == "/*":
            depth = 1
            bone_start = m.start()
        elif tok == "[[":
            note_start = m.start()
    # An unclosed "/*" hides nothing: showing the text is safer than silently dropping it.
    for c in cuts:
        if c.kind != "note":
            continue
        ls = c.start
        while ls > 0 and text[ls - 1] in " \t":
            ls -= 1
        le = c.end
        while le < len(text) and text[le] in " \t":
            le += 1
        if (ls == 0 or text[ls - 1] in "\r\n") and (le == len(text) or text[le] in "\r\n"):
            # A note alone on its lines vanishes with its line break, so it neither
            # splits the paragraph around it nor leaves an empty paragraph behind.
            c.whole_line = True
            c.start = ls
            if le < len(text) and text[le] == "\r":
                le += 1
            if le < len(text) and text[le] == "\n":
                le += 1
            c.end = le
    return cuts


def _emphasis_cuts(s: str, a: int, b: int, out: list[tuple[int, int]]) -> None:
    """Append [start, end) ranges of emphasis markers and escape backslashes in s[a:b]."""
    stack: list[tuple[str, int, int]] = []  # (marker, start, end)
    for m in _EMPHASIS.finditer(s, a, b):
        tok = m.group()
        ms, me = m.start(), m.end()
        if tok[0] == "\\":
            out.append((ms, ms + 1))
            continue
        before = s[ms - 1] if ms > a else " "
        after = s[me] if me < b else " "
        if tok == "_" and before.isalnum() and after.isalnum():
            continue  # snake_case words are not underlining
        can_close = not before.isspace()
        can_open = not after.isspace()
        if can_close and stack:
            found = -1
            for k in range(len(stack) - 1, max(-1, len(stack) - 1 - _EMPHASIS_STACK_LOOKBACK), -1):
                if stack[k][0] == tok:
                    found = k
                    break
            if found >= 0:
                _, os_, oe = stack[found]
                del stack[found:]
                out.append((os_, oe))
                out.append((ms, me))
                continue
        if can_open:
            stack.append((tok, ms, me))


def _strip_emphasis(s: str, a: int, b: int) -> list[tuple[int, int]]:
    """Return the kept sub-ranges of s[a:b] once emphasis markers are removed (per line)."""
    if "*" not in s[a:b] and "_" not in s[a:b]:
        return [(a, b)]
    cuts: list[tuple[int, int]] = []
    for ls, le, _ in line_bounds(s, a, b):
        _emphasis_cuts(s, ls, le, cuts)
    if not cuts:
        return [(a, b)]
    cuts.sort()
    kept: list[tuple[int, int]] = []
    pos = a
    for cs, ce in cuts:
        if cs > pos:
            kept.append((pos, cs))
        pos = max(pos, ce)
    if pos < b:
        kept.append((pos, b))
    return kept


class _Parser:
    """Line-by-line classifier over the work text."""

    def __init__(self, text: str, path: str, encoding: str) -> None:
        self.cuts = _find_cuts(text)
        self.work = _WorkText(text, self.cuts)
        self.b = Builder(text, path, "fountain", encoding)
        self.w = self.work.text
        self.lines = list(line_bounds(self.w))
        # Per-line facts computed once with C string methods: content bounds without
        # surrounding spaces/tabs, "empty" (nothing visible) and "blank" (empty, but a line
        # of two or more spaces is not blank: Fountain's way to keep a block together).
        # (List comprehensions: this runs once per line of the draft.)
        w = self.w
        segs = [w[ls:le] for ls, le, _ in self.lines]
        lefts = [seg.lstrip(" \t") for seg in segs]
        self._cs = cs_list = [le - len(left) for (_, le, _), left in zip(self.lines, lefts, strict=True)]
        cores = [left.rstrip(" \t") for left in lefts]
        self._ce = [cs + len(core) for cs, core in zip(cs_list, cores, strict=True)]
        self._empty = empty = [not core.strip() for core in cores]
        self._blank = [
            e and not (len(seg) >= 2 and not seg.strip(" ")) for e, seg in zip(empty, segs, strict=True)
        ]
        self.has_notes = any(c.kind == "note" for c in self.cuts)
        # (work_start, work_end, pending) of every element, to find the hosts of notes.
        self.ranges: list[tuple[int, int, Pending]] = []
        self.last_character: Pending | None = None

    # -- emitting -----------------------------------------------------------------------

    def emit(
        self, kind: ElementKind, ws: int, we: int, *, emphasis: bool = True, **kw: object
    ) -> Pending | None:
        """Add an element for work range [ws, we) (trimmed), mapped to the original."""
        w = self.w
        seg = w[ws:we]
        left = seg.lstrip(" \t")
        ws += len(seg) - len(left)
        core = left.rstrip(" \t\r\n")
        we = ws + len(core)
        if we <= ws:
            return None
        if we - ws > HUGE_ELEMENT:
            # A pathological element (a 50 MB line): keep the original slice as it is
            # (markers and all) rather than build a per-character offset map of it.
            segs = self.work.segments(ws, we)
            a, z = segs[0][0], segs[-1][1]
            p = self.b.add(kind, a, z, attrs={**kw.pop("attrs", {}), "raw": True}, **kw)  # type: ignore[arg-type]
        elif not self.cuts and not (emphasis and ("*" in core or "_" in core or "\\" in core)):
            # Fast path: nothing cut out, nothing stripped: the element is a plain slice.
            p = self.b.add(kind, ws, we, text=core, **kw)  # type: ignore[arg-type]
        else:
            pieces = _strip_emphasis(w, ws, we) if emphasis else [(ws, we)]
            segs: list[tuple[int, int]] = []
            for ps, pe in pieces:
                segs.extend(self.work.segments(ps, pe))
            p = self.b.add_segments(kind, segs, **kw)  # type: ignore[arg-type]
        if p is not None and self.has_notes:
            self.ranges.append((ws, we, p))
        return p

    # -- helpers ------------------------------------------------------------------------

    def blank(self, i: int) -> bool:
        """True when line i is empty (EOF counts); a line of 2+ spaces is not blank."""
        return i >= len(self._blank) or i < 0 or self._blank[i]

    def empty(self, i: int) -> bool:
        """True when line i has no visible character (EOF counts)."""
        return i >= len(self._empty) or i < 0 or self._empty[i]

    def content(self, i: int) -> tuple[int, int]:
        """Return the work range of line i without surrounding spaces and tabs."""
        return self._cs[i], self._ce[i]

    # -- title page ---------------------------------------------------------------------

    def title_page(self) -> int:
        """Parse a title page at the top; return the index of the first body line."""
        w = self.w
        n = len(self.lines)
        i = 0
        entries: list[tuple[str, int, int, int, int]] = []  # key, first, last line, ws, we
        while i < n and not self.empty(i):
            ls, le, _ = self.lines[i]
            m = _TITLE_KEY.match(w, ls, le)
            indented = w[ls : ls + 1] == "\t" or w[ls : ls + 3] == "   "
            if entries and indented:
                key, first, _, vs, ve = entries[-1]
                cs, ce = self.content(i)
                entries[-1] = (key, first, i, vs if vs < ve else cs, ce)
            elif m is not None and not indented:
                vs, ve = m.end(), le
                while ve > vs and w[ve - 1] in " \t":
                    ve -= 1
                entries.append((m.group(1), i, i, vs, ve))
            else:
                break
            i += 1
        if not entries or all(vs >= ve for _, _, _, vs, ve in entries):
            return 0  # "CUT TO:" alone on line one is a transition, not a title page
        if i < n and not self.empty(i) and len(entries) == 1 and entries[0][1] == entries[0][2]:
            return 0  # a single "Key: value" glued to a paragraph is action text
        for key, _, _, vs, ve in entries:
            p = self.emit(ElementKind.TITLE, vs, ve, attrs={"key": key})
            if p is not None:
                value = "\n".join(ln.strip() for ln in p.text.splitlines())
                self.b.title[key.strip().lower()] = value
        return i

    # -- body ---------------------------------------------------------------------------

    def parse(self) -> Script:
        """Classify every line and build the Script."""
        i = self.title_page()
        n = len(self.lines)
        prev_blank = True
        while i < n:
            if self.blank(i):
                prev_blank = True
                i += 1
                continue
            i = self.block(i, prev_blank)
            prev_blank = False
        self.notes()
        return self.b.build()

    def block(self, i: int, prev_blank: bool) -> int:
        """Parse the element starting at line i; return the next line index."""
        w = self.w
        cs, ce = self.content(i)
        s = w[cs:ce]
        first = s[0] if s else ""
        next_blank = self.blank(i + 1)
        if _PAGE_BREAK.match(s):
            self.emit(ElementKind.PAGE_BREAK, cs, ce, emphasis=False)
            return i + 1
        if first == "#":
            level = len(s) - len(s.lstrip("#"))
            self.emit(ElementKind.SECTION, cs + level, ce, attrs={"level": level})
            return i + 1
        if first == "=":
            self.emit(ElementKind.SYNOPSIS, cs + 1, ce)
            return i + 1
        if first == ">" and s.endswith("<") and len(s) >= 2:
            self.emit(ElementKind.CENTERED, cs + 1, ce - 1)
            return i + 1
        if first == ">":
            self.emit(ElementKind.TRANSITION, cs + 1, ce, attrs={"forced": True})
            return i + 1
        if first == "~":
            self.emit(ElementKind.LYRIC, cs + 1, ce)
            return i + 1
        if first == "!":
            return self.action(i, cs + 1)
        if prev_blank:
            if first == "." and len(s) > 1 and s[1] != "." and not s[1].isspace():
                return self.heading(i, cs + 1, ce, forced=True)
            if _HEADING_PREFIX.match(s):
                return self.heading(i, cs, ce, forced=False)
            if next_blank and s.endswith("TO:") and s.isupper():
                self.emit(ElementKind.TRANSITION, cs, ce)
                return i + 1
            if not next_blank or first == "@":
                cue = self.character_cue(cs, ce)
                if cue is not None and not self.empty(i + 1):
                    return self.dialogue(i, cue)
        return self.action(i, cs)

    def heading(self, i: int, hs: int, he: int, *, forced: bool) -> int:
        """Emit a scene heading (with an optional ``#1A#`` scene number)."""
        attrs: dict[str, object] = {}
        if forced:
            attrs["forced"] = True
        m = _SCENE_NUMBER.search(self.w, hs, he)
        if m is not None:
            attrs["scene_number"] = m.group(1)
            he = m.start()
        self.emit(ElementKind.SCENE_HEADING, hs, he, attrs=attrs)
        return i + 1

    def character_cue(self, cs: int, ce: int) -> tuple[int, int, int, str, str, bool, bool] | None:
        """Recognise a character cue; return (start, end, name_end, name, ext, dual, forced)."""
        w = self.w
        forced = w[cs] == "@"
        start = cs + 1 if forced else cs
        end = ce
        dual = False
        if end > start and w[end - 1] == "^":
            dual = True
            end -= 1
            while end > start and w[end - 1] in " \t":
                end -= 1
        m = _EXTENSIONS.search(w, start, end)
        name_end = m.start() if m is not None else end
        while name_end > start and w[name_end - 1] in " \t":
            name_end -= 1
        name = w[start:name_end]
        ext = w[m.start() : end].strip() if m is not None else ""
        if not name:
            return None
        if not forced:
            if "^" in name or not name[0].isalpha() and name[0] not in "'\"":
                return None
            if not any(c.isupper() for c in name) or name.upper() != name:
                return None
        return start, end, name_end, name, ext, dual, forced

    def dialogue(self, i: int, cue: tuple[int, int, int, str, str, bool, bool]) -> int:
        """Emit a character cue and the parentheticals/dialogue lines that follow it."""
        start, end, _, name, ext, dual, forced = cue
        attrs: dict[str, object] = {}
        if ext:
            attrs["extension"] = ext
        if forced:
            attrs["forced"] = True
        if dual:
            attrs["dual"] = "right"
            if self.last_character is not None:
                self.last_character.attrs.setdefault("dual", "left")
        ch = self.emit(ElementKind.CHARACTER, start, end, emphasis=False, speaker=name, attrs=attrs)
        self.last_character = ch
        line_attrs: dict[str, object] = {"dual": "right"} if dual else {}
        if ext:
            line_attrs["extension"] = ext
        i += 1
        n = len(self.lines)
        run_start = -1
        run_end = -1
        while i < n and not self.blank(i):
            cs, ce = self.content(i)
            s = self.w[cs:ce]
            if (s.startswith("(") and s.endswith(")")) or s.startswith("~"):
                if run_start >= 0:
                    self.emit(
                        ElementKind.DIALOGUE, run_start, run_end, speaker=name, attrs=line_attrs
                    )
                    run_start = -1
                if s.startswith("~"):
                    self.emit(ElementKind.LYRIC, cs + 1, ce, speaker=name, attrs=dict(line_attrs))
                else:
                    self.emit(
                        ElementKind.PARENTHETICAL, cs, ce, speaker=name, attrs=dict(line_attrs)
                    )
            elif s:
                if run_start < 0:
                    run_start = cs
                run_end = ce
            i += 1
        if run_start >= 0:
            self.emit(
                ElementKind.DIALOGUE, run_start, run_end, speaker=name, attrs=dict(line_attrs)
            )
        return i

    def action(self, i: int, start: int) -> int:
        """Emit an action paragraph: this line and following ones until a blank line."""
        attrs = {"forced": True} if self.w[start - 1 : start] == "!" else {}
        n = len(self.lines)
        end = self.lines[i][1]
        i += 1
        while i < n and not self.blank(i):
            cs, ce = self.content(i)
            if cs < ce:
                c = self.w[cs]
                if c in "#=~>" or _PAGE_BREAK.match(self.w, cs, ce):
                    break  # a line-level element ends the paragraph
            end = self.lines[i][1]
            i += 1
        self.emit(ElementKind.ACTION, start, end, attrs=attrs)
        return i

    def notes(self) -> None:
        """Emit NOTE elements; an inline note records the index of its host element."""
        if not self.cuts:
            return
        starts = [r[0] for r in self.ranges]
        order = sorted(range(len(self.ranges)), key=lambda k: starts[k])
        sorted_starts = [starts[k] for k in order]
        for c in self.cuts:
            if c.kind != "note":
                continue
            a, z = c.inner_start, c.inner_end
            while a < z and self.b.text[a] in " \t\r\n":
                a += 1
            while z > a and self.b.text[z - 1] in " \t\r\n":
                z -= 1
            if z <= a:
                continue
            note = self.b.add(ElementKind.NOTE, a, z)
            if c.whole_line:
                note.attrs["standalone"] = True
                continue
            k = bisect.bisect_right(sorted_starts, c.work_pos) - 1
            if k >= 0:
                ws, we, host = self.ranges[order[k]]
                if ws <= c.work_pos <= we:
                    note.host = host


def read(text: str, path: str, encoding: str) -> Script:
    """Parse a Fountain screenplay into a Script."""
    return _Parser(text, path, encoding).parse()
