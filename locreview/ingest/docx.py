"""Word ``.docx`` drafts, read straight from the package parts with lxml.

The archive directory is checked first (zip bombs, traversal names, encryption); each part
the reader parses is then inflated once, in bounded chunks, refusing DTDs and data beyond
the part's declared size (parts it never reads are never inflated). The main
document part is the ``_rels/.rels`` officeDocument target (``word/document.xml`` if that
is missing), its styles part comes from the document's own relationships, and every part
is parsed with a hardened lxml parser (no entities, DTDs or network). python-docx is not
used here: its xpath-per-property API took 1.3 s on a 2,000-paragraph draft that this
reader takes a few hundredths of a second on; it is the reference in the tests.

The Script's text is built from the document: one line per paragraph (table cells
included, in document order), so every element's span slices that text exactly; the
paragraph's index is in ``attrs["paragraph"]``. Paragraph styles of the common screenplay
templates (Scene Heading, Character, Dialogue, Parenthetical, Transition, Action, Shot,
...) decide the kind; plain paragraphs fall back to Fountain-like heuristics (INT./EXT.
headings, upper-case cues followed by dialogue, ``CUT TO:``), and documents without any
screenplay structure become PARAGRAPH elements with the ``SPEAKER: line`` heuristic.

Paragraph text, style names and left indents follow python-docx 1.2 (the previous
reader), with these deliberate differences, each because python-docx loses script text
or refuses a readable file:

* Text inside tracked insertions and moves (``w:ins``, ``w:moveTo``), content controls
  (``w:sdt``, inline and block level, rows and cells), smart tags, simple fields, custom
  XML and bidi embeddings (``w:dir``, ``w:bdo``) is read: it is what the document shows.
  Deleted text (``w:del``, ``w:moveFrom``) stays out.
* A left indent given as ``w:start`` (the ISO 29500 name) counts like ``w:left``.
* Strict OOXML (purl.oclc.org namespaces) is read.
* Without a styles part, a paragraph's style id is its style name (python-docx used its
  template and called unknown ids "Normal").
* A vertically merged cell whose cell above cannot be found is skipped instead of
  failing the whole document; an unreadable style attribute is ignored.
* Only the main document and styles parts are parsed: malformed XML there is a
  FormatError naming the part with its line and column; other parts are not read.
* In a schema-invalid document of plain paragraphs (a run nested in a run, text inside
  paragraph properties: files Word refuses to open) misplaced text is read, not skipped.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import threading
import zipfile
import zlib

from lxml import etree

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
    # Parts are inflated only when read, each through read_part (the only way this reader
    # reads a member): what is never parsed cannot hurt, and nothing is inflated twice.
    return zf


def read_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> bytes:
    """Inflate one part: refuse DTDs anywhere in it and data beyond its declared size.

    The entry's header may lie about its size (a bomb declaring 2 KB that inflates to
    64 MB), so the part is read in chunks and stopped as soon as it exceeds the size the
    archive declared, rather than trusting ``zf.read``.
    """
    seen = 0
    tail = b""
    chunks: list[bytes] = []
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(65536):
                chunks.append(chunk)
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
    return b"".join(chunks)


#: OPC and WordprocessingML names. Strict OOXML (ISO 29500 strict) uses other namespaces
#: and relationship-type URIs for the same vocabulary, so both are accepted.
_W_TRANSITIONAL = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DEFAULT_MAIN = "word/document.xml"
_TWIPS_PER_INCH = 1440
_UNITS = {"mm": 36000, "cm": 360000, "in": 914400, "pt": 12700, "pc": 152400, "pi": 152400}
#: styles.xml stores a few built-in names in lower case; Word (and python-docx's BabelFish)
#: show them capitalised, and the style attribute keeps the name users see.
_UI_NAMES = {
    "caption": "Caption",
    "footer": "Footer",
    "header": "Header",
    **{f"heading {i}": f"Heading {i}" for i in range(1, 10)},
}
_ON = ("1", "true", "on")

#: One paragraph: text, style kind, style name, heading level, left indent (inches).
Row = tuple[str, ElementKind | None, str, int | None, float | None]


class _W:
    """Clark names of the WordprocessingML elements and attributes read, for one namespace."""

    def __init__(self, ns: str) -> None:
        w = f"{{{ns}}}"
        self.document = w + "document"
        self.body = w + "body"
        self.p = w + "p"
        self.tbl = w + "tbl"
        self.tr = w + "tr"
        self.tc = w + "tc"
        self.tc_pr = w + "tcPr"
        self.v_merge = w + "vMerge"
        self.sdt = w + "sdt"
        self.sdt_content = w + "sdtContent"
        self.custom_xml = w + "customXml"
        self.r = w + "r"
        self.t = w + "t"
        self.br = w + "br"
        self.p_pr = w + "pPr"
        self.p_style = w + "pStyle"
        self.ind = w + "ind"
        self.style = w + "style"
        self.name = w + "name"
        self.val = w + "val"
        self.type = w + "type"
        self.left = w + "left"
        self.start = w + "start"
        self.style_id = w + "styleId"
        self.default = w + "default"
        # Run content that stands for a character (w:br depends on its type).
        self.run_chars = {
            w + "tab": "\t",
            w + "ptab": "\t",
            w + "cr": "\n",
            w + "noBreakHyphen": "-",
        }
        # Inline wrappers whose runs are part of the paragraph's text: hyperlinks, tracked
        # insertions and moves (the text as it now reads), smart tags, simple fields (their
        # displayed result), custom XML and bidi embeddings. w:del / w:moveFrom (deleted
        # text) are deliberately absent.
        self.simple_tags = (self.p, self.t, self.br, self.p_style, self.ind, *self.run_chars)
        # Markup the single-pass reader (_simple_rows) cannot place: tables (merged cells),
        # every wrapper (deleted text, content controls ...), tab stops (w:tab in w:pPr),
        # earlier formatting (w:pPrChange), text boxes and other embedded content.
        m = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
        self.not_simple = (
            *(
                w + t
                for t in (
                    "tbl", "sdt", "customXml", "ins", "del", "moveFrom", "moveTo", "hyperlink",
                    "smartTag", "fldSimple", "dir", "bdo", "tabs", "pPrChange", "drawing",
                    "pict", "object", "ruby", "txbxContent", "altChunk",
                )
            ),
            "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent",
            m + "oMath",
            m + "oMathPara",
        )  # fmt: skip
        self.inline_wrappers = frozenset(
            w + t
            for t in (
                "hyperlink",
                "ins",
                "moveTo",
                "smartTag",
                "fldSimple",
                "customXml",
                "dir",
                "bdo",
            )
        )


_NAMESPACES = {_W_TRANSITIONAL: _W(_W_TRANSITIONAL), _W_STRICT: _W(_W_STRICT)}


class _Package:
    """The archive's members, looked up by OPC part name (case-insensitively, as OPC says)."""

    def __init__(self, zf: zipfile.ZipFile, path: str) -> None:
        self.zf = zf
        self.path = path
        self.names = {i.filename: i.filename for i in zf.infolist()}
        self.lower = {n.lower(): n for n in reversed(list(self.names))}

    def member(self, part: str) -> str | None:
        """The archive member holding ``part`` (a name without the leading slash), if any."""
        return self.names.get(part) or self.lower.get(part.lower())

    def read(self, member: str) -> bytes:
        """The bytes of one member, held to the part rules (declared size, no DTD)."""
        return read_part(self.zf, self.zf.getinfo(member), self.path)

    def xml(self, member: str, raw: bytes | None = None) -> etree._Element:
        """Parse one XML member with a hardened parser; malformed XML is a FormatError."""
        if raw is None:
            raw = self.read(member)
        # No entities, DTDs or network; comments and PIs dropped so they cannot split text.
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        try:
            return etree.fromstring(raw, parser)
        except etree.XMLSyntaxError as e:
            raise FormatError(
                f"DOCX part {member!r} is not well-formed XML: {e.msg}"[:300],
                path=self.path,
                line=e.lineno or None,
                column=e.offset or None,
            ) from None

    def related(self, source: str, rel_type: str) -> list[str]:
        """Members that ``source``'s relationships of a type (URI suffix) point to."""
        folder, base = posixpath.split(source)
        rels = self.member(posixpath.join(folder, "_rels", base + ".rels"))
        if rels is None:
            return []
        out: list[str] = []
        for rel in self.xml(rels):
            if rel.tag != _PKG_RELS or rel.get("TargetMode") == "External":
                continue
            if not (rel.get("Type") or "").endswith(rel_type):
                continue
            target = rel.get("Target") or ""
            joined = target if target.startswith("/") else posixpath.join("/" + folder, target)
            member = self.member(posixpath.normpath(joined).lstrip("/"))
            if member is not None:
                out.append(member)
        return out


def _inches(value: str) -> float:
    """A signed twips measure (``720``) or universal measure (``1.5in``) in inches.

    Same arithmetic as python-docx (twips rounded, then EMU) so indents compare equal;
    raises ValueError on an unreadable value.
    """
    try:
        if "i" in value or "m" in value or "p" in value:
            emu = int(round(float(value[:-2]) * _UNITS[value[-2:]]))
            return emu / _EMU_PER_INCH
        return int(round(float(value))) / _TWIPS_PER_INCH
    except (KeyError, OverflowError):
        raise ValueError(value) from None


def _kind_of_style(name: str) -> tuple[ElementKind | None, int | None]:
    """Map a paragraph style name to (kind or None, heading level)."""
    key = name.strip().lower()
    m = _HEADING_STYLE.match(key)
    if m:
        return ElementKind.SECTION, int(m.group(1))
    return _STYLES.get(key), None


#: (kind, style name, heading level, the style's own left indent in inches)
StyleInfo = tuple[ElementKind | None, str, int | None, float | None]
_NO_STYLE: StyleInfo = (None, "", None, None)


class _Styles:
    """Paragraph styles by id, resolved like python-docx: unknown ids get the default style.

    Resolved eagerly into plain tuples, so a table can outlive its XML tree (see
    ``_styles_for``).
    """

    def __init__(self, root: etree._Element | None, w: _W) -> None:
        self.present = root is not None
        self.by_id: dict[str, StyleInfo] = {}
        self.default: StyleInfo = _NO_STYLE
        if root is None:
            self.default = _style_info("Normal")
            return
        default_el = None
        seen: set[str] = set()
        for el in root:
            if el.tag != w.style:
                continue
            is_paragraph = el.get(w.type) == "paragraph"
            if is_paragraph and el.get(w.default) in _ON:
                default_el = el  # the spec takes the last default
            sid = el.get(w.style_id)
            if not sid or sid in seen:
                continue
            seen.add(sid)  # the first style with an id wins; another type means "default"
            if is_paragraph:
                self.by_id[sid] = self._resolve(el, w)
        if default_el is not None:
            self.default = self._resolve(default_el, w)

    def get(self, sid: str | None) -> StyleInfo:
        """(kind, name, heading level, style's own left indent) of a pStyle id."""
        if not sid:
            return self.default
        if not self.present:
            # No styles part: python-docx falls back to its own template, where the default
            # is "Normal". An id it does not know would also become "Normal"; the id is a
            # better name (a generator writing pStyle="Character" means Character).
            info = self.by_id.get(sid)
            if info is None:
                info = self.by_id[sid] = _style_info(
                    re.sub(r"^Heading([1-9])$", r"Heading \1", sid)
                )
            return info
        return self.by_id.get(sid, self.default)

    @staticmethod
    def _resolve(el: etree._Element, w: _W) -> StyleInfo:
        name_el = el.find(w.name)
        raw = name_el.get(w.val) if name_el is not None else None
        name = _UI_NAMES.get(raw, raw) if raw else ""
        raw_indent = _style_and_indent(el.find(w.p_pr), w)[1]
        try:
            indent = None if raw_indent is None else _inches(raw_indent)
        except ValueError:
            indent = None
        return _style_info(name, indent)


def _style_info(name: str, indent: float | None = None) -> StyleInfo:
    kind, level = _kind_of_style(name)
    return kind, name, level, indent


#: Parsed style tables by (namespace, SHA-256 of the styles part). Drafts of one production
#: share a template, and python-docx's own template is a 350 KB part that costs more to
#: parse than a feature-length document body; a handful of entries is plenty.
_STYLE_CACHE: dict[tuple[str, bytes], _Styles] = {}
_STYLE_CACHE_SIZE = 16
_STYLE_CACHE_LOCK = threading.Lock()


def _styles_for(pkg: _Package, member: str | None, w: _W, ns: str) -> _Styles:
    """The style table of a styles part (none: python-docx's fallback), cached by content."""
    if member is None:
        return _Styles(None, w)
    raw = pkg.read(member)
    key = (ns, hashlib.sha256(raw).digest())
    styles = _STYLE_CACHE.get(key)
    if styles is None:
        styles = _Styles(pkg.xml(member, raw), w)
        with _STYLE_CACHE_LOCK:  # the reviewer UI reads drafts from several threads
            while len(_STYLE_CACHE) >= _STYLE_CACHE_SIZE:
                _STYLE_CACHE.pop(next(iter(_STYLE_CACHE)))
            _STYLE_CACHE[key] = styles
    return styles


def _paragraphs(body: etree._Element, w: _W) -> list[etree._Element]:
    """Body paragraphs in document order, table cells included (merged cells once)."""
    out: list[etree._Element] = []
    p_tag, tbl_tag, sdt_tag, cx_tag = w.p, w.tbl, w.sdt, w.custom_xml

    def blocks(container: etree._Element) -> None:
        for el in container:
            tag = el.tag
            if tag == p_tag:
                out.append(el)
            elif tag == tbl_tag:
                for tr in unwrap(el, w.tr):
                    for tc in unwrap(tr, w.tc):
                        if not continues_merge(tc):
                            blocks(tc)
            elif tag == sdt_tag:
                content = el.find(w.sdt_content)
                if content is not None:
                    blocks(content)
            elif tag == cx_tag:
                blocks(el)

    def unwrap(parent: etree._Element, tag: str) -> list[etree._Element]:
        # Rows and cells may sit inside content controls / custom XML.
        found: list[etree._Element] = []
        for el in parent:
            if el.tag == tag:
                found.append(el)
            elif el.tag == sdt_tag:
                content = el.find(w.sdt_content)
                if content is not None:
                    found.extend(unwrap(content, tag))
            elif el.tag == cx_tag:
                found.extend(unwrap(el, tag))
        return found

    def continues_merge(tc: etree._Element) -> bool:
        # A vMerge="continue" cell is the lower part of the cell above, whose content
        # was already read (python-docx returns the cell above for it).
        tc_pr = tc.find(w.tc_pr)
        v_merge = tc_pr.find(w.v_merge) if tc_pr is not None else None
        return v_merge is not None and v_merge.get(w.val, "continue") == "continue"

    blocks(body)
    return out


def _text(container: etree._Element, w: _W, parts: list[str]) -> etree._Element | None:
    """Append the text of a paragraph's runs (and inline wrappers') to ``parts``.

    Returns the container's first ``w:pPr`` child: one pass over the children serves
    both, which matters because this runs once per paragraph.
    """
    r_tag, t_tag, br_tag, p_pr_tag = w.r, w.t, w.br, w.p_pr
    run_chars, wrappers = w.run_chars, w.inline_wrappers
    p_pr = None
    for el in container:
        tag = el.tag
        if tag == r_tag:
            for x in el:
                xt = x.tag
                if xt == t_tag:
                    value = x.text
                    if value:
                        parts.append(value)
                elif xt in run_chars:
                    parts.append(run_chars[xt])
                elif xt == br_tag:
                    # Page and column breaks are layout, not text (as in python-docx).
                    if x.get(w.type, "textWrapping") == "textWrapping":
                        parts.append("\n")
        elif tag == p_pr_tag:
            if p_pr is None:
                p_pr = el
        elif tag in wrappers:
            _text(el, w, parts)
        elif tag == w.sdt:
            content = el.find(w.sdt_content)
            if content is not None:
                _text(content, w, parts)
    return p_pr


def _style_and_indent(p_pr: etree._Element | None, w: _W) -> tuple[str | None, str | None]:
    """The pStyle id and the raw left indent (``w:left``, else ``w:start``) of a pPr."""
    if p_pr is None:
        return None, None
    sid = None
    ind = None
    seen_style = False
    for el in p_pr:
        tag = el.tag
        if tag == w.p_style:
            if not seen_style:
                seen_style = True
                sid = el.get(w.val)
        elif tag == w.ind and ind is None:
            ind = el
    if ind is None:
        return sid, None
    value = ind.get(w.left)
    return sid, ind.get(w.start) if value is None else value


def _simple_rows(
    root: etree._Element, body: etree._Element, w: _W, styles: _Styles
) -> list[Row] | None:
    """Rows in one pass for documents of plain paragraphs and runs; None for any other.

    Most drafts are only ``w:p`` > ``w:pPr`` / ``w:r`` > ``w:t``: lxml's tag-filtered
    ``iter`` then hands over just the elements that matter (a third of those the general
    walk touches), and ``iter`` answers "none of these tags" without a walk, since the
    parser's name dictionary lacks them. Its result equals ``_rows``'s general walk for
    every schema-valid document without the ``not_simple`` markup (tested). In a document
    Word would refuse (a run inside a run, text inside pPr) it reads every w:t under the
    paragraph, where the general walk skips misplaced ones: more text, never less.
    """
    if next(root.iter(*w.not_simple), None) is not None:
        return None
    p_tag, t_tag, br_tag, p_style_tag, ind_tag = w.p, w.t, w.br, w.p_style, w.ind
    run_chars = w.run_chars
    rows: list[Row] = []
    parts: list[str] | None = None
    sid: str | None = None
    ind: etree._Element | None = None
    seen_style = False
    for el in body.iter(*w.simple_tags):
        tag = el.tag
        if tag == t_tag:
            value = el.text
            if value and parts is not None:
                parts.append(value)
        elif tag == p_tag:
            if parts is not None:
                rows.append(_row(parts, sid, ind, styles, w))
            parts = []
            sid = ind = None
            seen_style = False
        elif parts is None:
            continue
        elif tag == p_style_tag:
            if not seen_style:
                seen_style = True
                sid = el.get(w.val)
        elif tag == ind_tag:
            if ind is None:
                ind = el
        elif tag == br_tag:
            # Page and column breaks are layout, not text (as in python-docx).
            if el.get(w.type, "textWrapping") == "textWrapping":
                parts.append("\n")
        else:
            parts.append(run_chars[tag])
    if parts is not None:
        rows.append(_row(parts, sid, ind, styles, w))
    return rows


def _row(
    parts: list[str], sid: str | None, ind: etree._Element | None, styles: _Styles, w: _W
) -> Row:
    """One paragraph's row from its text parts, pStyle id and first w:ind."""
    kind, name, level, indent = styles.get(sid)
    if ind is not None:
        raw = ind.get(w.left)
        if raw is None:
            raw = ind.get(w.start)
        if raw is not None:
            try:
                indent = _inches(raw)
            except ValueError:
                indent = None  # python-docx gives up on the indent altogether
    return "".join(parts), kind, name, level, indent


def _rows(zf: zipfile.ZipFile, path: str, simple: bool = True) -> list[Row]:
    """(text, style kind, style name, heading level, left indent) of every paragraph.

    ``simple=False`` forces the general walk (the tests compare both paths).
    """
    pkg = _Package(zf, path)
    main = next(iter(pkg.related("", "/officeDocument")), None)
    if main is None:
        main = pkg.member(_DEFAULT_MAIN)
    if main is None:
        raise FormatError("not a Word document: the DOCX has no main document part", path=path)
    root = pkg.xml(main)
    ns = etree.QName(root).namespace if isinstance(root.tag, str) else None
    w = _NAMESPACES.get(ns or "")
    if w is None or root.tag != w.document:
        raise FormatError(
            f"not a Word document: part {main!r} is not a WordprocessingML document", path=path
        )
    styles = _styles_for(pkg, next(iter(pkg.related(main, "/styles")), None), w, ns or "")
    body = root.find(w.body)
    if body is None:
        return []
    if simple:
        fast = _simple_rows(root, body, w, styles)
        if fast is not None:
            return fast
    rows: list[Row] = []
    p_style_tag, ind_tag, val = w.p_style, w.ind, w.val
    for p in _paragraphs(body, w):
        parts: list[str] = []
        p_pr = _text(p, w, parts)
        sid = ind = None
        if p_pr is not None:
            # First pStyle and first ind, as python-docx reads them.
            seen_style = False
            for el in p_pr:
                tag = el.tag
                if tag == p_style_tag:
                    if not seen_style:
                        seen_style = True
                        sid = el.get(val)
                elif tag == ind_tag and ind is None:
                    ind = el
        rows.append(_row(parts, sid, ind, styles, w))
    return rows


def read(data: bytes, path: str) -> Script:
    """Parse a DOCX draft into a Script (text = one line per paragraph)."""
    zf = check_zip(data, path)
    try:
        rows = _rows(zf, path)
    finally:
        zf.close()
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
        core = t.strip()  # str.strip removes exactly what str.isspace calls whitespace
        if not core:
            continue
        a = len(t) - len(t.lstrip())
        z = a + len(core)
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
