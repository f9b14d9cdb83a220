"""Text normalisation for matching, with an offset map back to the original text.

Drafts and glossary terms go through the same function so that they meet in one form:
Unicode NFKC (full-width Latin, compatibility forms), case folding, dashes and whitespace
runs folded to one space, invisible characters removed (zero-width, soft hyphen, bidi
controls), Traditional Chinese folded to Simplified, Latin look-alike letters inside
mixed-script words folded to Latin, and letter-by-letter spacing ("T a i w a n") joined.

Every character of the normalised string remembers the offset of the original character it
came from (``Normalized.offsets``), so a match found in the normalised text maps back to the
exact span the writer typed. When a step that only an evader would need (invisible
characters, homoglyphs, spacing) changed a region, ``Normalized.obfuscated_at`` says so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Characters removed outright: zero-width space/joiners, word joiner, BOM, soft hyphen,
#: bidi embeddings/overrides/isolates and marks, Mongolian vowel separator, and the like.
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u034f"
)

_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d_")
_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\uff07": "'", "`": "'"}

#: Cyrillic and Greek letters that look like Latin ones (after case folding). Applied only
#: inside words that mix Latin with Cyrillic/Greek, so real Russian or Greek text is untouched.
HOMOGLYPHS = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ɡ": "g",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ϲ": "c",
}


@dataclass(frozen=True, slots=True)
class Normalized:
    """A normalised string plus, per character, the original offset it came from."""

    text: str
    offsets: tuple[int, ...]  # len(text) + 1 entries; the last maps the end
    obfuscated: tuple[tuple[int, int], ...] = ()  # original [start, end) regions evaders touched

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) to the original [start, end)."""
        o_start = self.offsets[start]
        # The end maps to just past the original character of the last matched char.
        o_end = self.offsets[end - 1] + 1 if end > start else o_start
        return o_start, max(o_end, o_start)

    def obfuscated_at(self, o_start: int, o_end: int) -> bool:
        """True when an evasion step changed text inside the original [o_start, o_end)."""
        return any(s < o_end and e > o_start for s, e in self.obfuscated)


def char_script(ch: str) -> str:
    """Return a coarse script class: latin, hangul, han, kana, thai, cyrillic, ... or other."""
    o = ord(ch)
    if o < 0x80:
        return "latin" if ch.isalnum() else "other"
    if 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
        return "hangul"
    if 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9F:
        return "kana"
    if (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x20000 <= o <= 0x2FA1F
        or 0xF900 <= o <= 0xFAFF
        or o == 0x3005
    ):
        return "han"
    if 0x0E00 <= o <= 0x0E7F:
        return "thai"
    if 0x0400 <= o <= 0x052F:
        return "cyrillic"
    if 0x0370 <= o <= 0x03FF:
        return "greek"
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF:
        return "arabic"
    if 0x0900 <= o <= 0x097F:
        return "devanagari"
    if 0x0B80 <= o <= 0x0BFF:
        return "tamil"
    if ch.isalpha() or unicodedata.category(ch) == "Mn":
        return "latin" if o < 0x0250 or 0x1E00 <= o <= 0x1EFF else "alpha"
    return "other"


#: Scripts written without spaces between words: matched without word-boundary guards.
UNSPACED = frozenset({"han", "kana", "thai"})


def is_word_char(ch: str) -> bool:
    """True for characters that continue a word (letters, digits, combining marks)."""
    if ch.isalnum():
        return True
    return unicodedata.category(ch) in ("Mn", "Mc")


@lru_cache(maxsize=1)
def _t2s():
    try:
        import opencc
    except ImportError:  # the folding is an improvement, not a requirement
        return None
    return opencc.OpenCC("t2s")


_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Five or more single Latin letters separated by single spaces: "T a i w a n".
_SPACED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_] ){4,}[^\W\d_](?![^\W\d_])")


def fold_chinese(text: str) -> str:
    """Fold Traditional Chinese characters to Simplified, keeping the length unchanged."""
    conv = _t2s()
    if conv is None or not _HAN_RUN.search(text):
        return text

    def one(m: re.Match[str]) -> str:
        run = m.group(0)
        out = conv.convert(run)
        if len(out) == len(run):
            return out
        # A phrase-level conversion changed the length: fall back to per-character folding
        # so every character keeps its own offset.
        return "".join(c2 if len(c2 := conv.convert(c)) == 1 else c for c in run)

    return _HAN_RUN.sub(one, text)


def normalize(text: str) -> Normalized:
    """Normalise ``text`` for matching and keep the way back to original offsets."""
    out: list[str] = []
    offs: list[int] = []
    obf: list[tuple[int, int]] = []
    n = len(text)
    i = 0
    last_space = True  # drop leading whitespace
    while i < n:
        ch = text[i]
        if ch in INVISIBLE:
            # An invisible character between two word characters is an evasion signal.
            if 0 < i < n - 1 and is_word_char(text[i - 1]) and is_word_char(text[i + 1]):
                obf.append((i - 1, i + 2))
            i += 1
            continue
        # A base character with its combining marks is normalised as one cluster so that
        # decomposed Vietnamese diacritics compose correctly.
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = text[i:j]
        if ch.isspace() or ch in _DASHES or unicodedata.category(ch) == "Zs":
            if not last_space:
                out.append(" ")
                offs.append(i)
                last_space = True
            i = j
            continue
        if ch in _APOSTROPHES:
            folded = "'"
        elif cluster.isascii():
            folded = cluster.lower()
        else:
            folded = unicodedata.normalize("NFKC", cluster).casefold()
            if any(c.isspace() for c in folded):
                folded = " ".join(folded.split())
        for c in folded:
            out.append(c)
            offs.append(i)
        last_space = False
        i = j
    if out and out[-1] == " ":
        out.pop()
        offs.pop()
    norm = "".join(out)
    norm = fold_chinese(norm)
    norm, offs, obf2 = _fold_homoglyphs(norm, offs)
    obf.extend(obf2)
    norm, offs, obf3 = _join_spaced_letters(norm, offs)
    obf.extend(obf3)
    offs.append(offs[-1] + 1 if offs else 0)
    return Normalized(norm, tuple(offs), tuple(obf))


_WORD = re.compile(r"[^\W_]+")


def _fold_homoglyphs(
    text: str, offs: list[int]
) -> tuple[str, list[int], list[tuple[int, int]]]:
    if text.isascii():
        return text, offs, []
    chars = list(text)
    obf: list[tuple[int, int]] = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        scripts = {char_script(c) for c in word if c.isalpha()}
        if "latin" in scripts and scripts & {"cyrillic", "greek"}:
            for k in range(m.start(), m.end()):
                rep = HOMOGLYPHS.get(chars[k])
                if rep is not None:
                    chars[k] = rep
            obf.append((offs[m.start()], offs[m.end() - 1] + 1))
    return "".join(chars), offs, obf


def _join_spaced_letters(
    text: str, offs: list[int]
) -> tuple[str, list[int], list[tuple[int, int]]]:
    if " " not in text:
        return text, offs, []
    matches = list(_SPACED.finditer(text))
    if not matches:
        return text, offs, []
    out: list[str] = []
    new_offs: list[int] = []
    obf: list[tuple[int, int]] = []
    pos = 0
    for m in matches:
        out.append(text[pos : m.start()])
        new_offs.extend(offs[pos : m.start()])
        for k in range(m.start(), m.end()):
            if text[k] != " ":
                out.append(text[k])
                new_offs.append(offs[k])
        obf.append((offs[m.start()], offs[m.end() - 1] + 1))
        pos = m.end()
    out.append(text[pos:])
    new_offs.extend(offs[pos:])
    return "".join(out), new_offs, obf


@lru_cache(maxsize=65536)
def normalize_term(term: str) -> str:
    """Normalise a glossary term the same way as draft text (no offsets needed)."""
    return normalize(term).text
