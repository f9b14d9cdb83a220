"""Plain-text drafts: paragraphs, plus a ``SPEAKER: line`` dialogue heuristic."""

from __future__ import annotations

import re

from locreview.ingest._common import Builder, iter_lines
from locreview.model import ElementKind, Script

# A speaker label: an all-caps or capitalised name of up to four words, or a short
# CJK/Thai/Hangul name; then an ASCII or full-width colon and the spoken line.
# Bounded quantifiers only, so a huge line cannot make the regex backtrack for long.
_SPEAKER = re.compile(
    r"[ \t]{0,8}"
    r"(?P<name>"
    r"[A-Z][A-Za-z'\u2019.\-]{0,24}(?:[ ][A-Z][A-Za-z'\u2019.\-]{0,24}){0,3}"
    # CJK names are short (2-4 characters, titles like 主持人 included); a longer run before
    # a full-width colon is a sentence, and calling it a speaker would hide it from review.
    r"|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff\u00b7\u30fb]{1,6}"
    r"|[\u0e00-\u0e7f]{1,15}"
    r")"
    r"(?P<ext>[ ]?[(（][^()\r\n（）]{1,20}[)）])?"
    r"[ \t]{0,4}[:：][ \t\u3000]{0,8}(?=\S)"
)

# Words that look like "Name:" but introduce prose (notes, headers), not a speaker.
_NOT_SPEAKERS = frozenset(
    "note notes warning caution example examples summary title author date subject re "
    "from to cc http https ps nb tip".split()
)


def speaker_line(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    """Return (name_start, name_end, speech_start) if the line reads ``NAME: speech``."""
    m = _SPEAKER.match(text, start, end)
    if m is None:
        return None
    name = m.group("name")
    if name.casefold() in _NOT_SPEAKERS:
        return None
    # Mixed-case multi-word labels like "The End" are too ambiguous unless capitalised words.
    if " " in name and not name.isupper() and not all(w[:1].isupper() for w in name.split()):
        return None
    return m.start("name"), m.end("name"), m.end()


def read(text: str, path: str, encoding: str) -> Script:
    """Parse plain text into paragraphs and ``SPEAKER: line`` dialogue."""
    b = Builder(text, path, "text", encoding)
    para_start: int | None = None
    para_end = 0

    def flush() -> None:
        nonlocal para_start
        if para_start is not None:
            b.add(ElementKind.PARAGRAPH, para_start, para_end)
        para_start = None

    for ls, le, _ in iter_lines(text):
        # Skip leading whitespace; a whitespace-only line is a paragraph break.
        s = ls
        while s < le and text[s] in " \t\u3000\f\v":
            s += 1
        if s == le:
            flush()
            continue
        sp = speaker_line(text, ls, le)
        if sp is not None:
            flush()
            ns, ne, ds = sp
            name = text[ns:ne]
            b.add(ElementKind.CHARACTER, ns, ne, attrs={"heuristic": "speaker-colon"})
            de = le
            while de > ds and text[de - 1] in " \t":
                de -= 1
            b.add(ElementKind.DIALOGUE, ds, de, speaker=name, attrs={"heuristic": "speaker-colon"})
            continue
        e = le
        while e > s and text[e - 1] in " \t\u3000":
            e -= 1
        if para_start is None:
            para_start = s
        para_end = e
    flush()
    return b.build()
