"""The literal stage against the naive regex loop and the bare-automaton floor.

Three ways to find glossary terms in the same normalised element texts:

1. **locreview**: ``normalize(el.text)`` then ``CompiledGlossary.literal_candidates``:
   what the pipeline's normalise + literal stages run (guards, longest-match, scope ...);
2. **naive**: one compiled regex per pattern, looped over the script, with the same
   boundary semantics as the guards written as look-arounds (spaced scripts: no
   spaced-script word character on either side; Chinese, Japanese and Thai: none; Korean:
   no Hangul before, and after only a Hangul run that is one or two particles), then the
   same longest-match-per-entry rule and scope check;
3. **floor**: a bare ``pyahocorasick`` automaton over the same normalised texts and the
   same patterns, only iterating the hits.

Outputs are compared as sets of (entry key, element index, normalised start, end): the
naive set must equal locreview's on the entries it ran, and the floor's raw hits must
contain locreview's. The naive loop costs (patterns × text), so it runs every pattern of
a deterministic sample of entries and its time is scaled by patterns / sampled patterns.
"""

from __future__ import annotations

import bisect
import cProfile
import gc
import io
import pstats
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from locreview.detect.context import ElementContext
from locreview.detect.literal import KO_PARTICLES, _plurals
from locreview.detect.normalize import (
    UNSPACED,
    Normalized,
    char_script,
    is_word_char,
    normalize,
    normalize_term,
)
from locreview.detect.pipeline import CompiledGlossary, Suppression, TextAnalysis
from locreview.model import Element, ElementKind, Script

Key = tuple[int, int, int, int]  # (entry key, element index, normalised start, end)
#: Joins normalised element texts for the naive loop: never inside a normalised text
#: (whitespace is folded to spaces) and not a word character, so it acts like a text end.
JOIN = "\n"


def scanned_elements(script: Script) -> list[Element]:
    """The elements the pipeline scans (as ``components.make_doc`` selects them)."""
    return [
        el
        for el in script.elements
        if el.kind not in (ElementKind.NOTE, ElementKind.PAGE_BREAK) and el.text.strip()
    ]


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Run ``fn`` once after a full collection; return (seconds, result).

    Call ``gc.freeze()`` once the large fixtures exist: otherwise every collection walks a
    glossary ×16 (millions of objects, ~1 s each time) and the benchmark crawls.
    """
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def top_profile(fn: Callable[[], object], limit: int = 12) -> list[dict]:
    """cProfile one call; the functions with the most own time."""
    prof = cProfile.Profile()
    prof.enable()
    fn()
    prof.disable()
    st = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    total = sum(v[2] for v in st.stats.values()) or 1.0  # type: ignore[attr-defined]
    for (file, line, name), (_cc, nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        rows.append({
            "function": f"{Path(file).name}:{line}:{name}" if line else name,
            "calls": nc, "tottime_s": round(tt, 4), "cumtime_s": round(ct, 4),
            "share": round(tt / total, 3),
        })
    rows.sort(key=lambda r: -r["tottime_s"])
    return rows[:limit]


# -- 1. locreview --------------------------------------------------------------------


def locreview_stage(cg: CompiledGlossary, elements: Sequence[Element]) -> set[Key]:
    """Normalise every element and collect its literal candidates (the timed stage)."""
    sup: list[Suppression] = []
    out: set[Key] = set()
    for el in elements:
        for c in cg.literal_candidates(el, literal_analysis(cg, normalize(el.text)), sup):
            m = c.match
            out.add((c.key, el.index, m.start, m.end))  # type: ignore[union-attr]
    return out


def normalize_all(elements: Sequence[Element]) -> list[Normalized]:
    """Only the normalisation half of the stage."""
    return [normalize(el.text) for el in elements]


def candidates_only(
    cg: CompiledGlossary, elements: Sequence[Element], norms: Sequence[Normalized]
) -> int:
    """Only the matching half of the stage (texts already normalised)."""
    sup: list[Suppression] = []
    n = 0
    for el, norm in zip(elements, norms, strict=True):
        n += len(cg.literal_candidates(el, literal_analysis(cg, norm), sup))
    return n


def literal_analysis(cg: CompiledGlossary, norm: Normalized) -> TextAnalysis:
    """The literal stage's view of a text: its term matches, no context phrases.

    ``CompiledGlossary.analyse`` also finds context phrases (the context stage's work) and
    caches per text (the rescan's saving); the literal benchmark times neither.
    """
    return TextAnalysis(norm, _NO_CONTEXT, *cg.match(norm))


_NO_CONTEXT = ElementContext([], [])


# -- patterns shared by the naive loop and the floor ------------------------------------


@dataclass(slots=True)
class Patterns:
    """Every normalised pattern of a compiled glossary and the entry keys it stands for."""

    texts: list[str]
    keys: list[tuple[int, ...]]

    @classmethod
    def of(cls, cg: CompiledGlossary) -> Patterns:
        """The matcher's own pattern table (terms + plurals), read back from its automaton.

        Reading it back costs nothing and cannot drift from ``LiteralMatcher``; if the
        matcher ever stops exposing its automaton, the table is rebuilt the same way.
        """
        automaton = getattr(cg.matcher, "_automaton", None)
        if automaton is not None and cg.matcher.size:
            texts, keys = [], []
            for pattern, (_length, infos) in automaton.items():
                texts.append(pattern)
                keys.append(tuple(dict.fromkeys(i.key for i in infos)))
            return cls(texts, keys)
        return cls.rebuild(cg)

    @classmethod
    def rebuild(cls, cg: CompiledGlossary) -> Patterns:
        """Build the pattern table exactly as ``LiteralMatcher`` does (terms + plurals)."""
        table: dict[str, list[int]] = {}
        for ce in cg.entries:
            for lang, term in ce.entry.all_terms():
                norm = normalize_term(term)
                if not norm:
                    continue
                for p in [norm, *_plurals(norm, lang)]:
                    bucket = table.setdefault(p, [])
                    if ce.key not in bucket:
                        bucket.append(ce.key)
        return cls(list(table), [tuple(v) for v in table.values()])


# -- 3. floor ---------------------------------------------------------------------------


class Floor:
    """A bare Aho-Corasick automaton over the same patterns: no guards, no flags."""

    def __init__(self, patterns: Patterns, automaton: ahocorasick.Automaton | None = None) -> None:
        self.patterns = patterns
        if automaton is None:
            automaton = ahocorasick.Automaton()
            for i, p in enumerate(patterns.texts):
                automaton.add_word(p, (len(p), i))
            if patterns.texts:
                automaton.make_automaton()
        self.automaton = automaton
        self._index: dict[str, int] | None = None

    @classmethod
    def of(cls, cg: CompiledGlossary, patterns: Patterns) -> Floor:
        """The floor of a compiled glossary: the matcher's own automaton, iterated bare.

        It holds exactly the same patterns (building a second automaton of 500,000
        patterns costs ~30 s for nothing); without access to it, an equal one is built.
        """
        shared = getattr(cg.matcher, "_automaton", None)
        if shared is not None and cg.matcher.size == len(patterns.texts):
            return cls(patterns, shared)
        return cls(patterns)

    def run(self, texts: Sequence[str]) -> int:
        """Iterate every raw hit of every text (the timed floor); return the hit count."""
        n = 0
        it = self.automaton.iter
        for text in texts:
            for _hit in it(text):
                n += 1
        return n

    def hit_set(self, elements: Sequence[Element], texts: Sequence[str]) -> set[Key]:
        """The raw hits as (entry key, element, start, end) (untimed, for the check)."""
        out: set[Key] = set()
        if self._index is None:
            self._index = {p: i for i, p in enumerate(self.patterns.texts)}
        index, keys = self._index, self.patterns.keys
        for el, text in zip(elements, texts, strict=True):
            if not text:
                continue
            for end, (length, _value) in self.automaton.iter(text):
                start = end - length + 1
                for k in keys[index[text[start : end + 1]]]:
                    out.add((k, el.index, start, end + 1))
        return out


# -- 2. naive ---------------------------------------------------------------------------


def _char_class(chars: Iterable[str], pred: Callable[[str], bool]) -> str:
    """A regex class holding ``chars`` (which satisfy ``pred``), written compactly.

    Each character's range is widened to the whole run of neighbouring code points that
    also satisfy ``pred`` (all Hangul syllables, a whole Latin block ...): the class stays
    exact for any text, and has a few dozen ranges instead of hundreds of single letters.
    """
    runs: list[tuple[int, int]] = []
    for cp in sorted({ord(c) for c in chars}):
        if runs and runs[-1][0] <= cp <= runs[-1][1]:
            continue
        lo = hi = cp
        while lo > 0 and cp - lo < _MAX_WIDEN and pred(chr(lo - 1)):
            lo -= 1
        while hi < 0x10FFFF and hi - cp < _MAX_WIDEN and pred(chr(hi + 1)):
            hi += 1
        runs.append((lo, hi))
    if not runs:
        return "[^\\s\\S]"  # matches nothing, one character wide
    runs.sort()
    esc = re.escape
    return "[" + "".join(
        esc(chr(a)) if a == b else f"{esc(chr(a))}-{esc(chr(b))}" for a, b in runs
    ) + "]"


_MAX_WIDEN = 12_000


def _spaced_word(c: str) -> bool:
    return not 0xD800 <= ord(c) <= 0xDFFF and is_word_char(c) and char_script(c) not in UNSPACED


HANGUL = "[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]"


def guard_classes(alphabet: Iterable[str]) -> tuple[str, str]:
    """(spaced-script word class, Korean tail look-ahead) for texts over ``alphabet``.

    The word class holds the characters the guards treat as continuing a spaced-script
    word (``is_word_char`` and not Han/kana/Thai). Written over the whole of Unicode,
    ``re`` spends ~15 ms compiling each of thousands of regexes (hundreds of ranges, many
    astral); built from the runs of such characters that the scanned texts actually use,
    it is exactly as selective on those texts and compiles in a few milliseconds.
    """
    spaced = _char_class((c for c in set(alphabet) if _spaced_word(c)), _spaced_word)
    particles = "|".join(re.escape(p) for p in sorted(set(KO_PARTICLES), key=len, reverse=True))
    tail = f"(?:{particles})(?:{particles})?(?!{HANGUL})"
    return spaced, tail


def naive_regex(pattern: str, classes: tuple[str, str]) -> str:
    """The look-around regex a careful user writes for one term (guard semantics)."""
    spaced, tail = classes
    hangul = HANGUL
    first, last = char_script(pattern[0]), char_script(pattern[-1])
    head = re.escape(pattern[0])
    # The left guard is a look-behind over two characters placed *after* the first one, so
    # the regex still starts with a literal and ``re`` can skip ahead to it (a leading
    # look-behind makes every position a match attempt: 10-50x slower, and unfair).
    if first in UNSPACED:
        left = ""
    elif first == "hangul":
        left = f"(?<!{hangul}{head})"
    else:
        left = f"(?<!{spaced}{head})"
    if last in UNSPACED:
        right = ""
    elif last == "hangul":
        right = f"(?:(?!{hangul})|(?={tail}))"
    else:
        right = f"(?:(?!{spaced})|(?={tail}))"
    return head + left + re.escape(pattern[1:]) + right


class Naive:
    """One compiled regex per pattern of a sample of entries, looped over the script."""

    def __init__(
        self,
        cg: CompiledGlossary,
        patterns: Patterns,
        max_patterns: int,
        alphabet: Iterable[str],
        also: Iterable[str] = (),
    ) -> None:
        n_entries = len(cg.entries)
        total = len(patterns.texts)
        # Every k-th entry, k chosen so about max_patterns patterns run: a spread sample
        # of markets, languages and scripts rather than the first pack's entries.
        stride = max(1, -(-total // max(1, max_patterns)))  # ceil(total / max_patterns)
        # Plus the entries named in ``also`` (those planted in the draft), so that the
        # comparison always covers real matches; per-pattern cost does not depend on them.
        wanted = set(also)
        self.keys = {k for k in range(0, n_entries, stride)} | {
            ce.key for ce in cg.entries if ce.entry.id in wanted
        }
        excluded = {
            ce.key for ce in cg.entries if ce.entry.case_sensitive
        } | (set(range(n_entries)) if cg.allow else set())
        self.keys -= excluded
        self.scope = {ce.key: set(ce.entry.scope) for ce in cg.entries if ce.entry.scope}
        chosen = [
            (p, tuple(k for k in keys if k in self.keys))
            for p, keys in zip(patterns.texts, patterns.keys, strict=True)
        ]
        chosen = [(p, ks) for p, ks in chosen if ks]
        classes = guard_classes(alphabet)
        self.regexes = [re.compile(naive_regex(p, classes)) for p, _ in chosen]
        self.pattern_keys = [ks for _, ks in chosen]
        self.sampled = len(chosen)
        self.total = total
        self.stride = stride

    def run(self, texts: Sequence[str]) -> list[tuple[int, int, int]]:
        """The timed loop: every regex over the joined texts; (pattern, start, end) hits."""
        joined = JOIN.join(texts)
        hits: list[tuple[int, int, int]] = []
        for i, rx in enumerate(self.regexes):
            m = rx.search(joined)
            while m is not None:
                hits.append((i, m.start(), m.end()))
                m = rx.search(joined, m.start() + 1)  # overlapping occurrences too
        return hits

    def to_set(
        self,
        hits: list[tuple[int, int, int]],
        elements: Sequence[Element],
        texts: Sequence[str],
    ) -> set[Key]:
        """Map hits to elements, keep the longest per entry, check scope (as the stage does)."""
        starts: list[int] = []
        pos = 0
        for t in texts:
            starts.append(pos)
            pos += len(t) + len(JOIN)
        per: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for i, a, b in hits:
            e = bisect.bisect_right(starts, a) - 1
            for k in self.pattern_keys[i]:
                per.setdefault((e, k), []).append((a - starts[e], b - starts[e]))
        out: set[Key] = set()
        for (e, k), spans in per.items():
            el = elements[e]
            if k in self.scope and el.kind not in self.scope[k]:
                continue
            spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
            last_end = -1
            for a, b in spans:
                if b <= last_end:
                    continue  # inside a longer match of the same entry
                out.add((k, el.index, a, b))
                last_end = max(last_end, b)
        return out
