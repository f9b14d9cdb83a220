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
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: Characters removed outright: zero-width space/joiners, word joiner, BOM, soft hyphen,
#: bidi embeddings/overrides/isolates and marks, Mongolian vowel separator, and the like.
INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\u034f"
)

#: Bidi embeddings, overrides and isolates: they reorder what a reader sees, so a term next
#: to one is reported as obfuscated even at a word boundary.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_RLO = "\u202e"
#: Blank-looking letters (Hangul fillers) an evader can slip inside a word.
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")


_INVISIBLE_CACHE: dict[str, bool] = {}


def is_invisible(ch: str) -> bool:
    """True for characters dropped before matching: format controls, selectors, fillers."""
    hit = _INVISIBLE_CACHE.get(ch)
    if hit is None:
        hit = _INVISIBLE_CACHE[ch] = _is_invisible(ch)
    return hit


def _is_invisible(ch: str) -> bool:
    if ch in INVISIBLE:
        return True
    o = ord(ch)
    if o < 0xAD:
        return False
    if 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF or ch in _FILLERS:
        return True
    # Every other format character (U+2061-2064 invisible operators, tags U+E0000-E007F,
    # ...) renders as nothing, so it can hide inside a term just like a zero-width space.
    return unicodedata.category(ch) == "Cf"


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
    offsets: Sequence[int]  # len(text) + 1 entries (a range for an identity map)
    obfuscated: tuple[tuple[int, int], ...] = ()  # original [start, end) regions evaders touched
    #: original offsets of Traditional-only and Simplified-only Han characters (sorted); a
    #: match that mixes both was written to dodge one script's term list
    han_traditional: tuple[int, ...] = ()
    han_simplified: tuple[int, ...] = ()

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) to the original [start, end)."""
        o_start = self.offsets[start]
        # The end maps to just past the original character of the last matched char.
        o_end = self.offsets[end - 1] + 1 if end > start else o_start
        if o_end <= o_start and end > start:
            # A visually reordered (RLO) copy runs backwards: take the covered range.
            window = self.offsets[start:end]
            o_start, o_end = min(window), max(window) + 1
        return o_start, max(o_end, o_start)

    def obfuscated_at(self, o_start: int, o_end: int) -> bool:
        """True when an evasion step changed text inside the original [o_start, o_end)."""
        if any(s < o_end and e > o_start for s, e in self.obfuscated):
            return True
        return _any_in(self.han_traditional, o_start, o_end) and _any_in(
            self.han_simplified, o_start, o_end
        )


def _any_in(positions: tuple[int, ...], lo: int, hi: int) -> bool:
    i = bisect_left(positions, lo)
    return i < len(positions) and positions[i] < hi


@lru_cache(maxsize=8192)  # called per matched term edge and per character of guards
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


@lru_cache(maxsize=8192)
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
# Five or more single letters separated by one repeated separator: "T a i w a n",
# "T.a.i.w.a.n", "T*a*i*w*a*n".
_SPACED = re.compile(
    r"(?<![^\W\d_])[^\W\d_](?P<sep>[ .·•*])(?:[^\W\d_](?P=sep)){3,}[^\W\d_](?![^\W\d_])"
)


# What every spaced-out word contains ("sep letter sep letter sep"): searched for first,
# since it is three times cheaper than _SPACED's look-behind at every position.
_SPACED_HINT = re.compile(r"[ .·•*][^\W\d_][ .·•*][^\W\d_][ .·•*]")


def fold_chinese(text: str) -> str:
    """Fold Traditional Chinese characters to Simplified, keeping the length unchanged."""
    conv = _t2s()
    if conv is None or not _HAN_RUN.search(text):
        return text
    return _HAN_RUN.sub(lambda m: _fold_run(conv, m.group(0)), text)


def _fold_run(conv: Any, run: str, folded: str | None = None) -> str:
    out = conv.convert(run) if folded is None else folded
    if len(out) == len(run):
        return out
    # A phrase-level conversion changed the length: fall back to per-character folding
    # so every character keeps its own offset.
    return "".join(c2 if len(c2 := conv.convert(c)) == 1 else c for c in run)


#: Characters that fold one-to-one (to one character, or to " " for whitespace and dashes),
#: as ord -> folded, for ``str.translate``; learnt per character on first sight.
_ONE_TO_ONE: dict[int, str] = {}
_ONE_TO_ONE_CHARS: set[str] = set()  # the same characters, for C-speed set difference
_NOT_ONE_TO_ONE: set[str] = set()
#: Combining marks that NFKC and case folding leave alone (Thai vowels and tone marks,
#: Devanagari and Tamil signs...): one-to-one as long as the text is already in NFKC.
_MARKS: set[str] = set()
#: Characters that fold to several (their folded form is in _ONE_TO_ONE all the same).
_EXPANDERS: set[str] = set()
#: NFKC of every learnt character that NFKC changes, as ord -> string, for the check that
#: a text normalises character by character.
_NFKC_OF: dict[int, str] = {}
_MAX_LEARNT = 50_000  # bounds the tables on hostile input; beyond it, the slow path
_SPACES = re.compile(" {2,}")


def _learn(ch: str) -> bool:
    """Classify ``ch`` for the fast path; True if it folds on its own (to one character,
    or, for an "expander" such as ``…`` or ``ำ``, to several)."""
    folded: str | None
    mark = expands = False
    nfkc = ch if ch.isascii() else unicodedata.normalize("NFKC", ch)
    if ch in BIDI_CONTROLS or ch in INVISIBLE or (ch >= "\xad" and is_invisible(ch)):
        folded = None  # dropped, and may mark obfuscation
    elif unicodedata.combining(ch):
        # Folds together with the character before it; it stays itself when NFKC and
        # case folding do not touch it (checked again per text: see _fold_fast).
        stable = nfkc == ch and ch.casefold() == ch
        folded = ch if stable else None
        mark = stable
    elif ch.isspace() or ch in _DASHES or unicodedata.category(ch) == "Zs":
        folded = " "
    elif ch in _APOSTROPHES:
        folded = "'"
    elif ch.isascii():
        folded = ch.lower()
    elif "\uff10" <= ch <= "\uff5a" and ch.isalnum():
        folded = None  # full-width Latin is recorded as obfuscation
    else:
        folded = nfkc.casefold()
        if len(folded) > 1:
            # "…" -> "...", "ﬁ" -> "fi", Thai "ำ" -> "ํา", "ß" -> "ss": every output character
            # takes the input's offset, as in the loop; spaces or marks in the output
            # (e.g. "¨" -> " ̈") need the loop.
            expands = not any(c.isspace() or unicodedata.combining(c) for c in folded)
            if not expands:
                folded = None
        elif not folded or folded.isspace():
            folded = None
    if len(_ONE_TO_ONE) + len(_NOT_ONE_TO_ONE) >= _MAX_LEARNT:
        return folded is not None and ord(ch) in _ONE_TO_ONE
    if folded is None:
        _NOT_ONE_TO_ONE.add(ch)
        return False
    _ONE_TO_ONE[ord(ch)] = folded
    _ONE_TO_ONE_CHARS.add(ch)
    if nfkc != ch:
        _NFKC_OF[ord(ch)] = nfkc
    if mark:
        _MARKS.add(ch)
    if expands:
        _EXPANDERS.add(ch)
    return True


@lru_cache(maxsize=64)
def _mark_after_separator(marks: frozenset[str]) -> re.Pattern[str]:
    # The per-character loop drops a mark that follows a space, dash or apostrophe
    # together with it; the fast path must not keep one there.
    cls = re.escape("".join(sorted(marks)))
    return re.compile(f"^[{cls}]|[ '][{cls}]")


@lru_cache(maxsize=64)
def _char_class(chars: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[" + re.escape("".join(sorted(chars))) + "]")


@lru_cache(maxsize=64)
def _mark_after_expander(expanders: frozenset[str], marks: frozenset[str]) -> re.Pattern[str]:
    # The loop folds an expander with the marks after it as one cluster, all at the
    # expander's offset; the fast path would give the marks their own.
    e = re.escape("".join(sorted(expanders)))
    m = re.escape("".join(sorted(marks)))
    return re.compile(f"[{e}][{m}]")


def _fold_fast(text: str) -> tuple[str, Sequence[int]] | None:
    """Fold ``text`` with ``str.translate`` when every character folds on its own.

    Most lines of a draft are like that; whitespace runs and dashes collapse to one space
    and the ends are trimmed by slicing, so the offset map is built from ranges, never
    per character. Returns None when the per-character loop of :func:`normalize` is
    needed (invisible or bidi characters, full-width Latin, marks that compose, a
    text whose NFKC is not the sum of its characters'). The result equals what that loop
    computes (tested on whole corpora and random text).
    """
    if not text:
        return None
    chars = set(text)
    for ch in chars.difference(_ONE_TO_ONE_CHARS):
        if ch in _NOT_ONE_TO_ONE or not _learn(ch):
            return None
    folded = text.translate(_ONE_TO_ONE)
    marks = _MARKS.intersection(chars) if _MARKS else None
    expanders = _EXPANDERS.intersection(chars) if _EXPANDERS else None
    if marks or expanders:
        # The loop normalises clusters, not characters: both agree when NFKC of the whole
        # text is the characters' own NFKC forms side by side (nothing composes, splits
        # across characters or reorders).
        if (expanders or not unicodedata.is_normalized("NFKC", text)) and (
            unicodedata.normalize("NFKC", text) != text.translate(_NFKC_OF)
        ):
            return None
        if marks and _mark_after_separator(frozenset(marks)).search(folded):
            return None
        if marks and expanders and _mark_after_expander(
            frozenset(expanders), frozenset(marks)
        ).search(text):
            return None
    base: Sequence[int]
    if expanders:
        offs_e: list[int] = []
        pos = 0
        for m in _char_class(frozenset(expanders)).finditer(text):
            i = m.start()
            offs_e.extend(range(pos, i))
            offs_e.extend([i] * len(_ONE_TO_ONE[ord(text[i])]))
            pos = i + 1
        offs_e.extend(range(pos, len(text)))
        base = offs_e
    else:
        base = range(len(folded))
    a = len(folded) - len(folded.lstrip(" "))
    z = len(folded.rstrip(" "))
    if z <= a:
        return None
    if "  " not in folded[a:z]:
        if a == 0 and z == len(folded):
            return folded, base
        return folded[a:z], base[a:z]
    parts: list[str] = []
    offs: list[int] = []
    pos = a
    for m in _SPACES.finditer(folded, a, z):
        keep = m.start() + 1  # a run keeps its first space, as the loop does
        parts.append(folded[pos:keep])
        offs.extend(base[pos:keep])
        pos = m.end()
    parts.append(folded[pos:z])
    offs.extend(base[pos:z])
    return "".join(parts), offs


def normalize(text: str) -> Normalized:
    """Normalise ``text`` for matching and keep the way back to original offsets."""
    fast = _fold_fast(text)
    if fast is not None:
        return _finish(fast[0], fast[1], [])
    return _normalize_slow(text)


def _normalize_slow(text: str) -> Normalized:
    """The per-character normalisation (every case; the fast path's reference)."""
    out: list[str] = []
    offs: list[int] = []
    obf: list[tuple[int, int]] = []
    n = len(text)
    i = 0
    last_space = True  # drop leading whitespace
    while i < n:
        ch = text[i]
        if ch in BIDI_CONTROLS:
            # Reordering controls change what the reader sees: any term touching one counts.
            obf.append((max(0, i - 1), min(n, i + 2)))
            i += 1
            continue
        if ch in INVISIBLE or (ch >= "\xad" and is_invisible(ch)):
            # An invisible character between two word characters is an evasion signal
            # (a variation selector after a Han character is ordinary CJK typography).
            if (
                0 < i < n - 1
                and is_word_char(text[i - 1])
                and is_word_char(text[i + 1])
                and not (0xFE00 <= ord(ch) <= 0xFE0F and char_script(text[i - 1]) == "han")
            ):
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
            if "\uff10" <= ch <= "\uff5a" and ch.isalnum():
                obf.append((i, j))  # full-width Latin letters or digits
            folded = unicodedata.normalize("NFKC", cluster).casefold()
            if any(c.isspace() for c in folded):
                folded = " ".join(folded.split())
        if len(folded) == j - i:
            # Each character keeps its own offset (a Thai tone mark ending a match must
            # stay inside the flagged span).
            out.extend(folded)
            offs.extend(range(i, j))
        else:
            for c in folded:
                out.append(c)
                offs.append(i)
        last_space = False
        i = j
    if out and out[-1] == " ":
        out.pop()
        offs.pop()
    if _RLO in text:
        out, offs = _add_visual_order(text, out, offs)
    return _finish("".join(out), offs, obf)


def _finish(norm: str, offs: Sequence[int], obf: list[tuple[int, int]]) -> Normalized:
    """The whole-string steps after per-character folding (Chinese, homoglyphs, spacing)."""
    norm, trad, simp = _chinese(norm, offs)
    norm, offs, obf2 = _fold_homoglyphs(norm, offs)
    obf.extend(obf2)
    norm, offs, obf3 = _join_spaced_letters(norm, offs)
    obf.extend(obf3)
    end = offs[-1] + 1 if len(offs) else 0
    if isinstance(offs, range):
        # The identity map of a plain line stays a range: no per-character list at all.
        final: Sequence[int] = range(offs.start, end + 1)
    else:
        final = (*offs, end)
    return Normalized(norm, final, tuple(obf), trad, simp)


_RLO_RUN = re.compile("\u202e([^\u202c\r\n\u2029]*)")


def _add_visual_order(
    text: str, out: list[str], offs: list[int]
) -> tuple[list[str], list[int]]:
    """After each right-to-left override run, append its characters in the order shown.

    ``\u202enawiaT\u202c`` is stored backwards but displays as "Taiwan"; matching the
    displayed copy too catches it, and each copied character keeps its own offset.
    """
    runs = [(m.start(1), m.end(1)) for m in _RLO_RUN.finditer(text) if m.end(1) > m.start(1)]
    if not runs:
        return out, offs
    new_out: list[str] = []
    new_offs: list[int] = []
    k = 0
    n = len(out)
    for a, b in runs:
        while k < n and offs[k] < a:
            new_out.append(out[k])
            new_offs.append(offs[k])
            k += 1
        seg_start = k
        while k < n and offs[k] < b:
            new_out.append(out[k])
            new_offs.append(offs[k])
            k += 1
        if k > seg_start:
            new_out.append(" ")
            new_offs.append(offs[k - 1])
            for t in range(k - 1, seg_start - 1, -1):
                new_out.append(out[t])
                new_offs.append(offs[t])
    new_out.extend(out[k:])
    new_offs.extend(offs[k:])
    return new_out, new_offs


@lru_cache(maxsize=1)
def _s2t_pair():
    try:
        import opencc
    except ImportError:
        return None
    return opencc.OpenCC("s2hk"), opencc.OpenCC("s2tw")


def _chinese(
    text: str, offs: Sequence[int]
) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """Fold Han runs to Simplified; also the original offsets of Traditional-only and
    Simplified-only characters in them (each run is converted once for both)."""
    conv = _t2s()
    pair = _s2t_pair()
    if conv is None or pair is None or not _HAN_RUN.search(text):
        return text, (), ()
    if conv.convert(text) == text:
        # No Traditional-only character anywhere (Simplified Chinese, Japanese, a Latin
        # line with one Han name): one call instead of one per Han run.
        return text, (), ()
    hk, tw = pair
    trad: list[int] = []
    simp: list[int] = []
    parts: list[str] = []
    pos = 0
    for m in _HAN_RUN.finditer(text):
        run = m.group(0)
        folded = conv.convert(run)
        if folded != run:
            parts.append(text[pos : m.start()])
            parts.append(_fold_run(conv, run, folded))
            pos = m.end()
        else:
            continue  # no Traditional-only character: nothing to fold, nothing mixed
        as_hk = hk.convert(run)
        if as_hk == run:
            continue  # no Simplified-only character
        as_tw = tw.convert(run)
        if not (len(folded) == len(as_hk) == len(as_tw) == len(run)):
            continue  # phrase-level conversions changed the length: no per-character view
        for k, ch in enumerate(run):
            if folded[k] != ch:
                trad.append(offs[m.start() + k])
            elif as_hk[k] != ch and as_tw[k] != ch:
                simp.append(offs[m.start() + k])
    if not parts:
        return text, (), ()
    parts.append(text[pos:])
    return "".join(parts), tuple(trad), tuple(simp)


_WORD = re.compile(r"[^\W_]+")


_CYRILLIC_GREEK = re.compile("[\u0370-\u03ff\u0400-\u052f]")


def _fold_homoglyphs(
    text: str, offs: list[int]
) -> tuple[str, list[int], list[tuple[int, int]]]:
    if text.isascii() or not _CYRILLIC_GREEK.search(text):
        return text, offs, []  # a mixed word needs a Cyrillic or Greek letter
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
    if _SPACED_HINT.search(text) is None:
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
        sep = m.group("sep")
        for k in range(m.start(), m.end()):
            if text[k] != sep:
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
