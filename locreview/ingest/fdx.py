"""Final Draft ``.fdx`` files.

Safety first: the XML is checked by expat (well-formedness, with handlers that refuse any
DTD, entity declaration or external reference, as defusedxml's ``forbid_*`` options do)
before anything else reads it. Positions then come from a small
linear tokenizer over the decoded XML text: every character of an element's text maps to
its offset in the file (``Element.offsets``), entities map to their ``&`` and the span's
line is the XML line. ``attrs["paragraph"]`` is the index of the body paragraph and
``attrs["xml_line"]`` the line where its ``<Paragraph>`` tag starts.

Body paragraphs become elements by their ``Type``; several ``<Text>`` runs are joined;
``<DualDialogue>`` members get ``attrs["dual"]``; ``<ScriptNote>`` paragraphs become NOTE
elements (``attrs["in_element"]`` names the paragraph they are anchored in);
``<SceneProperties><Summary>`` becomes a SYNOPSIS; title-page paragraphs become TITLE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

from locreview.errors import FormatError, UnsafeInputError
from locreview.ingest._common import HUGE_ELEMENT, Builder, Pending, decode_bytes
from locreview.model import ElementKind, Script

#: Deepest element nesting accepted (real FDX files nest fewer than 12 levels).
MAX_DEPTH = 256

_TYPES: dict[str, ElementKind] = {
    "scene heading": ElementKind.SCENE_HEADING,
    "action": ElementKind.ACTION,
    "character": ElementKind.CHARACTER,
    "dialogue": ElementKind.DIALOGUE,
    "parenthetical": ElementKind.PARENTHETICAL,
    "transition": ElementKind.TRANSITION,
    "shot": ElementKind.SHOT,
    "general": ElementKind.GENERAL,
    "lyric": ElementKind.LYRIC,
    "lyrics": ElementKind.LYRIC,
    "new act": ElementKind.SECTION,
    "end of act": ElementKind.SECTION,
    "cold opening": ElementKind.SECTION,
    "centered": ElementKind.CENTERED,
    "center": ElementKind.CENTERED,
    "cast list": ElementKind.GENERAL,
}
_SPEAKING = (ElementKind.DIALOGUE, ElementKind.PARENTHETICAL, ElementKind.LYRIC)

_TOKEN = re.compile(
    r"<!--.*?-->"
    r"|<!\[CDATA\[(?P<cdata>.*?)\]\]>"
    r"|<\?.*?\?>"
    r"|<!.*?>"
    r"|</(?P<end>[^\s>]+)\s*>"
    r"|<(?P<start>[^\s/>!?]+)(?P<attrs>(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(?P<empty>/?)>"
    r"|(?P<text>[^<]+)",
    re.DOTALL,
)
# The rest of a <Paragraph> holding exactly one <Text> run of plain character data (no
# entities, CDATA, comments or other children), through its end tag.
_SIMPLE_PARAGRAPH = re.compile(
    r"\s*<Text(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*>([^<&]*)</Text\s*>\s*</Paragraph\s*>"
)
_ATTR = re.compile(r"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));")
_NO_ATTRS: dict[str, str] = {}
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_XML_DECL_ENCODING = re.compile(r"""(<\?xml[^>]*?encoding\s*=\s*)(["'])([^"']*)\2""")
_EXTENSION = re.compile(r"(?:[ \t]*\([^()]{0,40}\))+[ \t]*\^?[ \t]*$")


def _unescape_attr(value: str) -> str:
    if "&" not in value:
        return value
    return _ENTITY.sub(
        lambda m: (
            _NAMED[m.group(1)]
            if m.group(1)
            else chr(int(m.group(2)) if m.group(2) else int(m.group(3), 16))
        ),
        value,
    )


class _Refused(Exception):
    """Raised from an expat handler to stop at a DTD, an entity or an external reference."""

    def __init__(self, error: UnsafeInputError) -> None:
        super().__init__(str(error))
        self.error = error


def _check_xml(text: str, path: str) -> None:
    """Check the XML is well-formed with expat alone; refuse DTDs, entities, external refs.

    Only expat's C parser runs (no Python callback per element, unlike a SAX handler), so the
    check costs a fraction of the read; the same three refusals as defusedxml's
    ``forbid_dtd``/``forbid_entities``/``forbid_external`` are installed as handlers.
    """

    def doctype(*_: object) -> None:
        raise _Refused(
            UnsafeInputError(
                "XML with a DTD (<!DOCTYPE ...>) is refused: it can declare entities or fetch "
                "external files",
                path=path,
            )
        )

    def entity(name: str, *_: object) -> None:
        raise _Refused(
            UnsafeInputError(
                f"XML declares entities ({name!r}): refused (entity expansion attack)", path=path
            )
        )

    def external(*_: object) -> None:
        raise _Refused(UnsafeInputError("XML refers to an external resource: refused", path=path))

    # The text is already decoded: tell expat it is UTF-8 whatever the declaration said.
    data = _XML_DECL_ENCODING.sub(lambda m: f"{m.group(1)}{m.group(2)}UTF-8{m.group(2)}", text, 1)
    parser = expat.ParserCreate("UTF-8")
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    try:
        parser.Parse(data.encode("utf-8"), True)
    except _Refused as exc:
        raise exc.error from None
    except expat.ExpatError as exc:
        raise FormatError(
            f"malformed XML: {expat.ErrorString(exc.code)}",
            path=path,
            line=exc.lineno,
            column=exc.offset + 1,
        ) from None


@dataclass(slots=True)
class _Para:
    """A paragraph being collected."""

    role: str  # body | title | note | synopsis | skip
    ptype: str
    tag_pos: int
    attrs: dict[str, str]
    # Character data as pieces: (start, end, None) is the raw slice text[start:end];
    # (start, end, ch) is an entity at [start, end) decoding to ch.
    pieces: list[tuple[int, int, str | None]] = field(default_factory=list)
    dual: bool = False
    host: _Para | None = None
    pending: Pending | None = None
    notes: list[_Para] = field(default_factory=list)
    index: int | None = None


class _Reader:
    def __init__(self, text: str, path: str, encoding: str) -> None:
        self.text = text
        self.path = path
        self.b = Builder(text, path, "fdx", encoding)
        self.speaker: str | None = None
        self.body_count = 0
        self.scene_attrs: dict[str, str] = {}
        self.dual_side: str | None = None

    def run(self) -> Script:
        t = self.text
        stack: list[str] = []
        paras: list[_Para] = []
        in_text = 0
        root_seen = False
        search = _TOKEN.search
        simple = _SIMPLE_PARAGRAPH.match
        pos = 0
        while (m := search(t, pos)) is not None:
            pos = m.end()
            # One lookup tells the token kind: the last group each alternative closes is
            # unique to it ("empty" always takes part in a start tag, if only as "").
            kind = m.lastgroup
            if kind == "text":
                if in_text and paras:
                    self.add_text(paras[-1], m.start(), m.end())
                continue
            if kind == "empty":
                name = m.group("start")
                if not root_seen:
                    root_seen = True
                    if name != "FinalDraft":
                        raise FormatError(
                            f"not a Final Draft file: the root element is <{name}>, "
                            "not <FinalDraft>",
                            path=self.path,
                            line=self.b.lines.position(m.start())[0],
                        )
                empty = bool(m.group("empty"))
                # Only these two tags' attributes are read; <Text> runs carry styles we ignore.
                attrs = (
                    {a: _unescape_attr(v1 or v2) for a, v1, v2 in _ATTR.findall(m.group("attrs"))}
                    if name == "Paragraph" or name == "SceneProperties"
                    else _NO_ATTRS
                )
                if name == "Paragraph":
                    p = self.open_para(stack, paras, attrs, m.start())
                    sm = (
                        simple(t, m.end())
                        if not empty and not in_text and len(stack) + 2 <= MAX_DEPTH
                        else None
                    )
                    if sm is not None:
                        # The commonest paragraph, one plain <Text> run, in one match: the
                        # same pieces the token loop would collect, without its 6 tokens.
                        if sm.end(1) > sm.start(1):
                            p.pieces.append((sm.start(1), sm.end(1), None))
                        self.close_para(p, paras)
                        pos = sm.end()
                        continue
                    if empty:
                        self.close_para(p, paras)
                    else:
                        paras.append(p)
                elif name == "Text" and not empty:
                    in_text += 1
                elif name == "DualDialogue":
                    self.dual_side = None
                elif name == "SceneProperties" and paras:
                    self.scene_attrs = attrs
                if not empty:
                    stack.append(name)
                    if len(stack) > MAX_DEPTH:
                        raise UnsafeInputError(
                            f"XML nests deeper than {MAX_DEPTH} levels: refused",
                            path=self.path,
                            line=self.b.lines.position(m.start())[0],
                        )
                continue
            if kind == "end":
                name = m.group("end")
                if stack:
                    stack.pop()
                if name == "Paragraph" and paras:
                    self.close_para(paras.pop(), paras)
                elif name == "Text" and in_text:
                    in_text -= 1
                continue
            if kind == "cdata" and in_text and paras:
                paras[-1].pieces.append((m.start("cdata"), m.end("cdata"), None))
        if not root_seen:
            raise FormatError("not a Final Draft file: no XML root element", path=self.path)
        return self.b.build()

    def add_text(self, p: _Para, a: int, z: int) -> None:
        """Append character data [a, z) to a paragraph, decoding entities with offsets."""
        t = self.text
        if "&" not in t[a:z]:
            p.pieces.append((a, z, None))
            return
        pos = a
        for m in _ENTITY.finditer(t, a, z):
            if m.start() > pos:
                p.pieces.append((pos, m.start(), None))
            if m.group(1):
                ch = _NAMED[m.group(1)]
            else:
                ch = chr(int(m.group(2)) if m.group(2) else int(m.group(3), 16))
            p.pieces.append((m.start(), m.end(), ch))
            pos = m.end()
        if pos < z:
            p.pieces.append((pos, z, None))

    def open_para(
        self, stack: list[str], paras: list[_Para], attrs: dict[str, str], pos: int
    ) -> _Para:
        """Decide what a new <Paragraph> is from where it sits in the document."""
        ptype = attrs.get("Type", "")
        if "ScriptNote" in stack:
            role = "note"
        elif "Summary" in stack:
            role = "synopsis"
        elif "HeaderAndFooter" in stack or "SceneProperties" in stack:
            role = "skip"
        elif len(stack) >= 2 and stack[0] == "FinalDraft" and stack[1] == "Content":
            role = "body"
        elif len(stack) >= 3 and stack[:3] == ["FinalDraft", "TitlePage", "Content"]:
            role = "title"
        else:
            role = "skip"
        p = _Para(role, ptype, pos, attrs)
        p.dual = "DualDialogue" in stack
        body_parents = [q for q in paras if q.role == "body"]
        if body_parents and role in ("note", "synopsis"):
            p.host = body_parents[-1]
        return p

    def close_para(self, p: _Para, paras: list[_Para]) -> None:
        """Emit the element of a finished paragraph."""
        if p.role == "skip":
            return
        line = self.b.lines.position(p.tag_pos)[0]
        attrs: dict[str, object] = {"xml_line": line}
        if p.ptype:
            attrs["type"] = p.ptype
        if p.role == "body":
            p.index = self.body_count
            self.body_count += 1
            attrs["paragraph"] = p.index
        text, start, end, offsets = self._assemble(p.pieces)
        if text is None:
            if p.role == "body":
                self.attach_notes(p)
            return
        if (
            offsets is None
            and len(text) > HUGE_ELEMENT
            and p.pieces
            and any(pc[2] is not None for pc in p.pieces)
        ):
            attrs["raw"] = True
        kw: dict[str, object] = {}
        if p.role == "note":
            kind = ElementKind.NOTE
            if p.host is None:
                attrs["standalone"] = True
        elif p.role == "synopsis":
            kind = ElementKind.SYNOPSIS
        elif p.role == "title":
            kind = ElementKind.TITLE
            if "Alignment" in p.attrs:
                attrs["alignment"] = p.attrs["Alignment"]
            key = f"line{len(self.b.title) + 1}"
            self.b.title[key] = text
        else:
            kind = _TYPES.get(p.ptype.lower(), ElementKind.GENERAL)
            kw = self.body_attrs(p, kind, text, attrs)
            if p.dual:
                attrs["dual"] = self.dual_side or "left"
        if offsets is None:
            pend = self.b.add(kind, start, end, attrs=attrs, **kw)  # type: ignore[arg-type]
        else:
            pend = self.b.add(
                kind,
                start,
                end,
                text=text,
                offsets=offsets,
                attrs=attrs,
                **kw,  # type: ignore[arg-type]
            )
        p.pending = pend
        if p.role in ("note", "synopsis") and p.host is not None:
            p.host.notes.append(p)
        if p.role == "body":
            self.attach_notes(p)

    def _assemble(
        self, pieces: list[tuple[int, int, str | None]]
    ) -> tuple[str | None, int, int, list[int] | None]:
        """Join pieces into (text, start, end, offsets); trims whitespace; offsets only if needed."""
        t = self.text
        if not pieces:
            return None, 0, 0, None
        # One plain <Text> run is by far the commonest paragraph: skip the generic checks.
        contiguous = (len(pieces) == 1 and pieces[0][2] is None) or (
            all(pc[2] is None for pc in pieces)
            and all(a[1] == b[0] for a, b in zip(pieces, pieces[1:], strict=False))
        )
        if contiguous or pieces[-1][1] - pieces[0][0] > HUGE_ELEMENT:
            # One run of plain text (or a pathological one kept raw): a slice of the file.
            start, end = pieces[0][0], pieces[-1][1]
            seg = t[start:end]
            left = seg.lstrip()
            core = left.rstrip()
            if not core:
                return None, 0, 0, None
            start += len(seg) - len(left)
            return core, start, start + len(core), None
        chars: list[str] = []
        offs: list[int] = []
        for a, z, ch in pieces:
            if ch is None:
                chars.append(t[a:z])
                offs.extend(range(a, z))
            else:
                chars.append(ch)
                offs.append(a)
        text = "".join(chars)
        left = text.lstrip()
        core = left.rstrip()
        if not core:
            return None, 0, 0, None
        lead = len(text) - len(left)
        offsets = offs[lead : lead + len(core)]
        return core, offsets[0], offsets[-1] + 1, offsets

    def attach_notes(self, p: _Para) -> None:
        """Point notes and synopses anchored in body paragraph p at its element."""
        for q in p.notes:
            if q.pending is not None and p.pending is not None:
                q.pending.host = p.pending
                q.pending.after = p.pending
            elif q.pending is not None:
                q.pending.attrs["paragraph"] = p.index

    def body_attrs(
        self, p: _Para, kind: ElementKind, text: str, attrs: dict[str, object]
    ) -> dict[str, object]:
        """Speaker, scene number and scene properties of a body paragraph."""
        kw: dict[str, object] = {}
        if kind is ElementKind.CHARACTER:
            if p.dual:
                self.dual_side = "left" if self.dual_side is None else "right"
            m = _EXTENSION.search(text)
            name = text[: m.start()].strip() if m else text.strip().rstrip("^").strip()
            if m:
                attrs["extension"] = m.group().strip().rstrip("^").strip()
            self.speaker = name or None
            kw["speaker"] = self.speaker
        elif kind in _SPEAKING:
            kw["speaker"] = self.speaker
        elif kind is not ElementKind.GENERAL or not p.dual:
            self.speaker = None
        if kind is ElementKind.SCENE_HEADING:
            if p.attrs.get("Number"):
                attrs["scene_number"] = p.attrs["Number"]
            sp = self.scene_attrs
            self.scene_attrs = {}
            if sp.get("Title"):
                attrs["scene_title"] = sp["Title"]
            if sp.get("Length"):
                attrs["scene_length"] = sp["Length"]
            page = sp.get("Page", "")
            if page.isdigit():
                kw["page"] = int(page)
        return kw


def read(data: bytes, path: str) -> Script:
    """Parse a Final Draft XML file into a Script."""
    text, encoding = decode_bytes(data, path)
    if not text.strip():
        raise FormatError("empty FDX file", path=path)
    _check_xml(text, path)
    return _Reader(text, path, encoding).run()
