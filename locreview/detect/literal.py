"""Literal term matching: one Aho-Corasick pass over normalised text for all terms.

Every term of every selected entry (all languages, all markets) goes into one automaton,
so the cost of a scan grows with the length of the draft, not with the size of the
glossaries. Matches then pass boundary guards that depend on the script of the term's
edges:

- spaced scripts (Latin, Cyrillic, Vietnamese, Arabic, Devanagari ...): whole words only;
- Chinese, Japanese and Thai: no guard (they are written without spaces);
- Korean: no word may continue to the left, and to the right only particles may follow
  (독도는, 독도에서) so that 동해 never matches inside 동해안 ("east coast").

English terms also match their plural forms (a cheap stand-in for lemmatisation that
keeps the literal stage dependency-free; the spaCy stage adds real lemmas).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import ahocorasick

from .normalize import UNSPACED, Normalized, char_script, is_word_char, normalize_term

#: Korean particles and endings that may follow a noun without a space. Pairs of them
#: (에서는, 으로도 ...) are accepted too.
KO_PARTICLES = (
    "은 는 이 가 을 를 에 에서 에게 께 께서 의 도 와 과 로 으로 만 까지 부터 처럼 보다 이나 나 "
    "랑 이랑 하고 한테 한테서 에게서 라고 이라고 라는 이라는 란 이란 이다 였다 이었다 입니다 "
    "이에요 예요 이야 야 조차 마저 뿐 밖에 같은 답게 로서 으로서 로써 으로써 엔 에선 이며 며 "
    "이고 고 인 인데 이지 지 였고 였던 이던 섬 쪽 근처 해역 앞바다 인근 들 아"
).split()
_KO_SET = frozenset(KO_PARTICLES) | frozenset(a + b for a in KO_PARTICLES for b in KO_PARTICLES)
_KO_MAXLEN = max(len(p) for p in _KO_SET)


@dataclass(frozen=True, slots=True)
class TermInfo:
    """What a normalised pattern stands for: which entry, which written term, which language."""

    key: int  # index of the entry in the matcher's entry list
    term: str  # the term as the glossary writes it
    lang: str
    case_sensitive: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """A term occurrence in normalised text: [start, end) there, plus what matched."""

    start: int
    end: int
    info: TermInfo


def _plurals(norm: str, lang: str) -> list[str]:
    """English inflections of a term: plural of the last word, verb forms of the first.

    Generating them on the term side keeps matching to one automaton pass: "massacres"
    finds "massacre", "snorting a line" finds "snort a line", "time-travels" finds
    "time travel". Only regular forms, and verb forms only for multi-word terms; irregular
    forms belong in the glossary.
    """
    if lang != "en" or not norm or not norm.isascii():
        return []
    words = norm.split(" ")
    out: list[str] = []
    last = words[-1]
    if last.isalpha():
        out.append(norm + "s")
        if last.endswith(("s", "x", "z", "ch", "sh")):
            out.append(norm + "es")
        if last.endswith("y") and len(last) > 2 and last[-2] not in "aeiou":
            out.append(norm[:-1] + "ies")
    first = words[0]
    # Verb forms only for phrases ("shoot up", "snort a line"): a single noun such as
    # "crown" must not match "crowning".
    if len(words) > 1 and first.isalpha() and len(first) >= 3:
        rest = norm[len(first):]
        for form in _verb_forms(first):
            out.append(form + rest)
    return [o for o in dict.fromkeys(out) if o != norm]


def _verb_forms(w: str) -> list[str]:
    if w.endswith("e") and not w.endswith("ee"):
        stem = w[:-1]
        return [w + "s", w + "d", stem + "ing"]
    if w.endswith("y") and w[-2] not in "aeiou":
        return [w[:-1] + "ies", w[:-1] + "ied", w + "ing"]
    forms = [w + ("es" if w.endswith(("s", "x", "z", "ch", "sh")) else "s"), w + "ed", w + "ing"]
    # Short consonant-vowel-consonant verbs double the consonant: shop -> shopping.
    if len(w) <= 4 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou" and w[-3] not in "aeiou":
        forms += [w + w[-1] + "ed", w + w[-1] + "ing"]
    return forms


class LiteralMatcher:
    """An automaton over the normalised terms of many entries; thread-safe for reading."""

    def __init__(self, terms: Iterable[TermInfo]) -> None:
        self._automaton = ahocorasick.Automaton()
        self.size = 0
        table: dict[str, list[TermInfo]] = {}
        for info in terms:
            norm = normalize_term(info.term)
            if not norm:
                continue
            for pattern in [norm, *_plurals(norm, info.lang)]:
                bucket = table.setdefault(pattern, [])
                if info not in bucket:
                    bucket.append(info)
        for pattern, infos in table.items():
            self._automaton.add_word(pattern, (len(pattern), tuple(infos)))
            self.size += 1
        if self.size:
            self._automaton.make_automaton()

    def find(self, norm: Normalized | str) -> list[Match]:
        """Return guarded matches in normalised text, longest first where they overlap."""
        text = norm.text if isinstance(norm, Normalized) else norm
        if not self.size or not text:
            return []
        found: list[Match] = []
        for end_idx, (length, infos) in self._automaton.iter(text):
            start = end_idx - length + 1
            end = end_idx + 1
            if not boundary_ok(text, start, end):
                continue
            for info in infos:
                found.append(Match(start, end, info))
        if len(found) < 2:
            return found  # most lines: nothing to order or prefer
        return _prefer_longest(found)

    def iter_raw(self, text: str) -> Iterator[tuple[int, int]]:
        """Yield raw (start, end) automaton hits without guards (for benchmarks)."""
        for end_idx, (length, _infos) in self._automaton.iter(text):
            yield end_idx - length + 1, end_idx + 1


def boundary_ok(text: str, start: int, end: int) -> bool:
    """Check the word-boundary guard for a match of text[start:end]."""
    first = char_script(text[start])
    last = char_script(text[end - 1])
    if start > 0 and first not in UNSPACED:
        prev = text[start - 1]
        ps = char_script(prev)
        if first == "hangul":
            if ps == "hangul":
                return False
        elif is_word_char(prev) and ps not in UNSPACED:
            return False
    if end < len(text) and last not in UNSPACED:
        nxt = text[end]
        ns = char_script(nxt)
        if ns == "hangul":
            # Korean particles attach to any noun, Korean or not (독도는, UN은).
            return _korean_tail_ok(text, end)
        if last != "hangul" and is_word_char(nxt) and ns not in UNSPACED:
            return False
    return True


def _korean_tail_ok(text: str, end: int) -> bool:
    stop = end
    limit = min(len(text), end + _KO_MAXLEN + 1)
    while stop < limit and char_script(text[stop]) == "hangul":
        stop += 1
    if stop < len(text) and char_script(text[stop]) == "hangul":
        return False  # a long word: the term is part of another noun
    return text[end:stop] in _KO_SET


def _prefer_longest(matches: list[Match]) -> list[Match]:
    """For each entry, drop matches contained in a longer match of the same entry."""
    if len(matches) < 2:
        return sorted(matches, key=lambda m: (m.start, -m.end))
    matches.sort(key=lambda m: (m.info.key, m.start, -(m.end - m.start)))
    kept: list[Match] = []
    last_key = -1
    last_end = -1
    for m in matches:
        if m.info.key != last_key:
            last_key, last_end = m.info.key, -1
        if m.end <= last_end:
            continue  # inside a longer match of the same entry
        kept.append(m)
        last_end = max(last_end, m.end)
    kept.sort(key=lambda m: (m.start, -m.end))
    return kept
