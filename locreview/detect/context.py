"""Context rules: a match counts only if required words are near and excluded ones are not.

Rules are glossary data (``context: {requires_any, excludes_any, window}``). All phrases of
all rules go into one automaton that runs once per element, so checking a rule is a lookup
of phrase hits near the match, not a new search. "Near" is the same element (default), the
same scene, or N tokens either side, where a token is a word of a spaced script or a single
character of Chinese, Japanese or Thai.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .literal import LiteralMatcher, Match, TermInfo
from .normalize import UNSPACED, char_script, is_word_char


@dataclass(frozen=True, slots=True)
class PhraseHit:
    """A context phrase found in normalised element text."""

    phrase: int
    start: int
    end: int


class ContextVocabulary:
    """All context phrases of all rules, searchable in one pass."""

    def __init__(self, phrases: list[str]) -> None:
        self.phrases: list[str] = []
        self._ids: dict[str, int] = {}
        for p in phrases:
            self.intern(p)
        self._matcher: LiteralMatcher | None = None

    def intern(self, phrase: str) -> int:
        """Return the id of ``phrase``, adding it if new."""
        pid = self._ids.get(phrase)
        if pid is None:
            pid = len(self.phrases)
            self._ids[phrase] = pid
            self.phrases.append(phrase)
            self._matcher = None
        return pid

    def find(self, norm_text: str) -> list[PhraseHit]:
        """Return every phrase occurrence in a normalised text."""
        if not self.phrases:
            return []
        if self._matcher is None:
            # Phrases are matched like terms (language "en" gives plural forms for free).
            self._matcher = LiteralMatcher(
                TermInfo(key=i, term=p, lang="en") for i, p in enumerate(self.phrases)
            )
        return [PhraseHit(m.info.key, m.start, m.end) for m in self._matcher.find(norm_text)]


def token_starts(text: str) -> list[int]:
    """Offsets where tokens start: words of spaced scripts, single CJK/Thai characters."""
    starts: list[int] = []
    in_word = False
    for i, ch in enumerate(text):
        if char_script(ch) in UNSPACED:
            starts.append(i)
            in_word = False
        elif is_word_char(ch):
            if not in_word:
                starts.append(i)
                in_word = True
        else:
            in_word = False
    return starts


@dataclass(slots=True)
class ElementContext:
    """Phrase hits of one element, with its token index for windowed rules."""

    hits: list[PhraseHit]
    tokens: list[int]


def phrases_near(
    match: Match,
    ctx: ElementContext,
    wanted: set[int],
    window: int | str,
    scene_hits: set[int] | None = None,
) -> bool:
    """True if one of ``wanted`` phrases occurs within ``window`` of ``match``."""
    if not wanted:
        return False
    if window == "scene" and scene_hits is not None:
        return bool(wanted & scene_hits)
    if window in ("element", "scene"):
        return any(h.phrase in wanted and not _inside(h, match) for h in ctx.hits)
    n = int(window)
    toks = ctx.tokens
    first_tok = bisect_right(toks, match.start) - 1
    last_tok = bisect_left(toks, match.end) - 1
    lo_tok = max(0, first_tok - n)
    after = last_tok + n + 1
    lo = toks[lo_tok] if toks else 0
    hi = toks[after] if after < len(toks) else 10**12
    return any(
        h.phrase in wanted and h.end > lo and h.start < hi and not _inside(h, match)
        for h in ctx.hits
    )


def _inside(hit: PhraseHit, match: Match) -> bool:
    # A context phrase that is the matched term itself is no evidence for it; but an
    # excluded phrase that *contains* the match ("ghost kitchen" around "ghost") must count.
    return hit.start >= match.start and hit.end <= match.end
