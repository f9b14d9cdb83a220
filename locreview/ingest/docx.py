"""Word ``.docx`` drafts (python-docx), refusing zip bombs before python-docx opens them.

The Script's text is built from the document: one line per paragraph (table cells
included, in document order), so every element's span slices that text exactly; the
paragraph's index is in ``attrs["paragraph"]``. Paragraph styles of the common screenplay
templates (Scene Heading, Character, Dialogue, Parenthetical, Transition, Action, Shot,
...) decide the kind; plain paragraphs fall back to Fountain-like heuristics (INT./EXT.
headings, upper-case cues followed by dialogue, ``CUT TO:``), and documents without any
screenplay structure become PARAGRAPH elements with the ``SPEAKER: line`` heuristic.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from typing import Any

from locreview.errors import FormatError, UnsafeInputError
from locreview.ingest._common import (
    HEADING_PREFIX,
    Builder,
    looks_like_cue,
    looks_like_transition,
    split_cue,
)
from locreview.model import ElementKind, Script

#: Zip-bomb limits, checked on the archive directory before anything is decompressed.
MAX_ENTRIES = 2000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
# Tiny entries compress absurdly well (a 2 KB run of spaces); the ratio matters only
# once an entry is big enough to hurt.
RATIO_MIN_SIZE = 1024 * 1024

_STYLES: dict[str, ElementKind] = {
    "scene heading": ElementKind.SCENE_HEADING,
    "sceneheading": ElementKind.SCENE_HEADING,
    "scene": ElementKind.SCENE_HEADING,
    "slugline": ElementKind.SCENE_HEADING,
    "slug line": ElementKind.SCENE_HEADING,
    "character": ElementKind.CHARACTER,
    "character name": ElementKind.CHARACTER,
    "dialogue": ElementKind.DIALOGUE,
    "dialog": ElementKind.DIALOGUE,
    "parenthetical": ElementKind.PARENTHETICAL,
    "parentheticals": ElementKind.PARENTHETICAL,
    "transition": ElementKind.TRANSITION,
    "action": ElementKind.ACTION,
    "description": ElementKind.ACTION,
    "scene description": ElementKind.ACTION,
    "shot": ElementKind.SHOT,
    "general": ElementKind.GENERAL,
    "lyrics": ElementKind.LYRIC,
    "lyric": ElementKind.LYRIC,
    "centered": ElementKind.CENTERED,
    "title": ElementKind.TITLE,
    "subtitle": ElementKind.TITLE,
    "note": ElementKind.NOTE,
    "synopsis": ElementKind.SYNOPSIS,
}
_HEADING_STYLE = re.compile(r"heading ([1-9])$")
_SPEAKING = (ElementKind.DIALOGUE, ElementKind.PARENTHETICAL)
_EMU_PER_INCH = 914400


def check_zip(data: bytes, path: str) -> zipfile.ZipFile:
    """Open a ZIP and refuse bombs, traversal names and encryption; return the archive."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FormatError(
            "not a valid DOCX: the ZIP container is corrupt or truncated", path=path
        ) from None
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise UnsafeInputError(
            f"ZIP has {len(infos)} entries (limit {MAX_ENTRIES}): refused as a possible zip bomb",
            path=path,
        )
    total = 0
    total_compressed = 0
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if (
            name.startswith(("/", "\\"))
            or ".." in parts
            or re.match(r"[A-Za-z]:", name)
            or "\x00" in name
        ):
            raise UnsafeInputError(
                f"ZIP entry name {name!r} escapes the archive: refused", path=path
            )
        if info.flag_bits & 0x1:
            raise FormatError(
                "the DOCX is encrypted (password-protected): save it without a password",
                path=path,
            )
        total += info.file_size
        total_compressed += info.compress_size
        if info.file_size >= RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(
            1, info.compress_size
        ):
            raise UnsafeInputError(
                f"ZIP entry {name!r} expands {info.file_size // max(1, info.compress_size)}x "
                f"(limit {MAX_RATIO}x): refused as a possible zip bomb",
                path=path,
            )
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise UnsafeInputError(
            f"ZIP expands to {total} bytes (limit {MAX_TOTAL_UNCOMPRESSED}): refused as a "
            "possible zip bomb",
            path=path,
        )
    if total >= RATIO_MIN_SIZE and total > MAX_RATIO * max(1, total_compressed):
        raise UnsafeInputError(
            f"ZIP expands {total // max(1, total_compressed)}x overall (limit {MAX_RATIO}x): "
            "refused as a possible zip bomb",
            path=path,
        )
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(
        posixpath.dirname(n) == "word" and n.endswith(".xml") for n in names
    ):
        raise FormatError(
            "a ZIP archive but not a Word document (no [Content_Types].xml / word/ part)",
            path=path,
        )
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            _check_part(zf, info, path)
    return zf


def _check_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> None:
    """Stream one XML part: refuse DTDs anywhere in it and data beyond its declared size.

    The entry's header may lie about its size (a bomb declaring 2 KB that inflates to
    64 MB), so the part is read in chunks and stopped as soon as it exceeds the size the
    archive declared, rather than trusting ``zf.read``.
    """
    seen = 0
    tail = b""
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(65536):
                seen += len(chunk)
                if seen > info.file_size + 1024:
                    raise UnsafeInputError(
                        f"DOCX part {info.filename!r} inflates beyond its declared size "
                        f"({info.file_size} bytes): refused as a possible zip bomb",
                        path=path,
                    )
                window = tail + chunk
                # python-docx's lxml parser does not resolve entities, but a DTD in a part
                # has no business in a DOCX: refuse it like the FDX reader does.
                if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                    raise UnsafeInputError(
                        f"DOCX part {info.filename!r} declares a DTD or entities: refused",
                        path=path,
                    )
                tail = chunk[-16:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as e:
        raise FormatError(
            f"not a valid DOCX: part {info.filename!r} is corrupt ({e})", path=path
        ) from None


def _indent_inches(par: Any) -> float | None:
    """Left indent of a paragraph in inches (direct formatting, else its style's)."""
    try:
        ind = par.paragraph_format.left_indent
        if ind is None and par.style is not None:
            ind = par.style.paragraph_format.left_indent
    except (AttributeError, ValueError, KeyError):  # pragma: no cover - odd styles
        return None
    return None if ind is None else ind / _EMU_PER_INCH


def _style_kind(par: Any) -> tuple[ElementKind | None, str, int | None]:
    """Map a paragraph style to a kind; return (kind or None, style name, heading level)."""
    try:
        name = par.style.name if par.style is not None else ""
    except (AttributeError, KeyError, ValueError):  # pragma: no cover - broken style refs
        name = ""
    key = (name or "").strip().lower()
    m = _HEADING_STYLE.match(key)
    if m:
        return ElementKind.SECTION, name, int(m.group(1))
    return _STYLES.get(key), name, None


def _paragraphs(doc: Any) -> list[Any]:
    """Body paragraphs in document order, table cells included (merged cells once)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[Any] = []
    seen_cells: set[int] = set()

    def walk(container: Any) -> None:
        for item in container.iter_inner_content():
            if isinstance(item, Paragraph):
                out.append(item)
            elif isinstance(item, Table):
                for row in item.rows:
                    for cell in row.cells:
                        if id(cell._tc) in seen_cells:
                            continue
                        seen_cells.add(id(cell._tc))
                        walk(cell)

    walk(doc)
    return out


def read(data: bytes, path: str) -> Script:
    """Parse a DOCX draft into a Script (text = one line per paragraph)."""
    zf = check_zip(data, path)
    zf.close()
    try:
        import docx
    except ImportError:  # pragma: no cover - a core dependency
        raise FormatError("python-docx is not installed: cannot read DOCX", path=path) from None
    try:
        doc = docx.Document(io.BytesIO(data))
        pars = _paragraphs(doc)
        rows = [(p.text, *_style_kind(p), _indent_inches(p)) for p in pars]
    except Exception as exc:  # python-docx raises many types on malformed parts
        raise FormatError(
            f"cannot read the DOCX: {type(exc).__name__}: {exc}"[:300], path=path
        ) from None
    texts = [r[0] for r in rows]
    starts: list[int] = []
    pos = 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    text = "\n".join(texts)
    if not text.strip():
        raise FormatError("the DOCX contains no text", path=path)
    b = Builder(text, path, "docx", "utf-8")
    b.meta["encoding"] = "docx (unicode)"
    b.encoding = "utf-8"
    kinds = _classify(rows)
    structured = any(
        k in (ElementKind.SCENE_HEADING, ElementKind.CHARACTER) for k, _ in kinds if k is not None
    )
    speaker: str | None = None
    for idx, ((t, _, style, level, _), (kind, extra)) in enumerate(zip(rows, kinds, strict=True)):
        if kind is None:
            continue
        a = 0
        z = len(t)
        while a < z and t[a].isspace():
            a += 1
        while z > a and t[z - 1].isspace():
            z -= 1
        if z <= a:
            continue
        s0 = starts[idx]
        attrs: dict[str, object] = {"paragraph": idx, **extra}
        if style:
            attrs["style"] = style
        if level is not None:
            attrs["level"] = level
        if kind is ElementKind.ACTION and not structured and "style_mapped" not in extra:
            kind = ElementKind.PARAGRAPH
            from locreview.ingest.text import speaker_line

            sp = speaker_line(t, a, z)
            if sp is not None:
                ns, ne, ds = sp
                b.add(
                    ElementKind.CHARACTER,
                    s0 + ns,
                    s0 + ne,
                    attrs={**attrs, "heuristic": "speaker-colon"},
                )
                b.add(
                    ElementKind.DIALOGUE,
                    s0 + ds,
                    s0 + z,
                    speaker=t[ns:ne],
                    attrs={**attrs, "heuristic": "speaker-colon"},
                )
                continue
        spk: str | None = None
        if kind is ElementKind.CHARACTER:
            name, ext, dual = split_cue(t[a:z])
            speaker = name or None
            spk = speaker
            if ext:
                attrs["extension"] = ext
            if dual:
                attrs["dual"] = "right"
        elif kind in _SPEAKING:
            spk = speaker
        else:
            speaker = None
        b.add(kind, s0 + a, s0 + z, speaker=spk, attrs=attrs)
    return b.build()


def _classify(
    rows: list[tuple[str, ElementKind | None, str, int | None, float | None]],
) -> list[tuple[ElementKind | None, dict[str, object]]]:
    """Kind of each paragraph: its style when mapped, else screenplay heuristics."""
    out: list[tuple[ElementKind | None, dict[str, object]]] = []
    n = len(rows)
    in_dialogue = False
    dialogue_indent: float | None = None
    for i, (t, style_kind, _, _, indent) in enumerate(rows):
        s = t.strip()
        if not s:
            out.append((None, {}))
            in_dialogue = False
            continue
        if style_kind is not None:
            out.append((style_kind, {"style_mapped": True}))
            in_dialogue = style_kind in (ElementKind.CHARACTER, *_SPEAKING)
            continue
        nxt = rows[i + 1][0].strip() if i + 1 < n else ""
        prev_blank = i == 0 or not rows[i - 1][0].strip()
        if HEADING_PREFIX.match(s) or (s.startswith(".") and s[1:2].isalpha()):
            out.append((ElementKind.SCENE_HEADING, {"heuristic": "fountain"}))
            in_dialogue = False
            continue
        if looks_like_transition(s):
            out.append((ElementKind.TRANSITION, {"heuristic": "fountain"}))
            in_dialogue = False
            continue
        if looks_like_cue(s) and nxt and not looks_like_cue(nxt) and not HEADING_PREFIX.match(nxt):
            if prev_blank or (indent is not None and indent >= 1.5):
                out.append((ElementKind.CHARACTER, {"heuristic": "fountain"}))
                in_dialogue = True
                dialogue_indent = None
                continue
        if in_dialogue:
            if s.startswith("(") and s.endswith(")"):
                out.append((ElementKind.PARENTHETICAL, {"heuristic": "fountain"}))
                continue
            prev_kind = out[-1][0] if out else None
            indented = indent is not None and indent >= 0.75
            same_indent = dialogue_indent is not None and indent == dialogue_indent
            if (
                prev_kind in (ElementKind.CHARACTER, ElementKind.PARENTHETICAL)
                or indented
                or same_indent
            ):
                if dialogue_indent is None:
                    dialogue_indent = indent
                out.append((ElementKind.DIALOGUE, {"heuristic": "fountain"}))
                continue
            in_dialogue = False
        out.append((ElementKind.ACTION, {}))
    return out
