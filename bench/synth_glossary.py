"""Synthetic glossary growth: the shipped packs ×k with generated multilingual entries.

Each synthetic entry copies the shape of a shipped entry (same market, category, languages
and number of terms per language) with new terms written in the script of each language:
Latin words built from syllables, Hangul syllables and Han characters (drawn from those the
shipped terms use), katakana, Thai, Arabic, Devanagari, Tamil and Cyrillic letters.
So a glossary ×16 has about 16 times the patterns of the shipped one, with the same mix of
scripts, and (like a real larger termbase) its new terms rarely occur in a given draft.
"""

from __future__ import annotations

import random

from locreview.glossary.loader import Glossary, LoadedEntry, Origin
from locreview.glossary.schema import Entry

_ONSETS = ["b", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "sh", "t",
           "v", "w", "z", "kr", "tr", "pl"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ao", "ei", "ou"]
_CODAS = ["", "", "", "n", "ng", "r", "s", "l", "k"]
_KATAKANA = [chr(c) for c in range(0x30A2, 0x30F3) if chr(c) not in "ッャュョヮヰヱ"]
_THAI_CONS = [chr(c) for c in range(0x0E01, 0x0E2F)]
_THAI_VOWELS = ["\u0e32", "\u0e34", "\u0e35", "\u0e38", "\u0e39", "\u0e31", ""]
_ARABIC = [chr(c) for c in range(0x0628, 0x063B)] + [chr(c) for c in range(0x0641, 0x064B)]
_DEVANAGARI_CONS = [chr(c) for c in range(0x0915, 0x0939)]
_DEVANAGARI_MATRAS = ["\u093e", "\u093f", "\u0940", "\u0941", "\u0947", "\u094b", ""]
_TAMIL = [chr(c) for c in (0x0B95, 0x0B99, 0x0B9A, 0x0B9E, 0x0B9F, 0x0BA3, 0x0BA4, 0x0BA8,
                           0x0BAA, 0x0BAE, 0x0BAF, 0x0BB0, 0x0BB2, 0x0BB5)]
_CYRILLIC = [chr(c) for c in range(0x0430, 0x0450)]


def _latin(rng: random.Random) -> str:
    words = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        syl = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
            for _ in range(rng.randint(2, 4))
        )
        words.append(syl.capitalize())
    return " ".join(words)


#: Han characters and Hangul syllables new terms are written with: those of the shipped
#: terms (set by :func:`grow`), as a real termbase reuses a few thousand common characters.
#: Drawing from the whole CJK block instead is unrealistic and punishing: an automaton's
#: root then has ~20,000 children, and pyahocorasick scans a node's children linearly
#: (measured: the bare floor 8.8x slower at glossary x16, where it is ~2x with these).
_INVENTORY: dict[str, list[str]] = {
    "han": [chr(c) for c in range(0x4E00, 0x4E00 + 2000)],
    "hangul": [chr(0xAC00 + 28 * k) for k in range(399)],
}


def _hangul(rng: random.Random) -> str:
    pool = _INVENTORY["hangul"]
    return "".join(rng.choice(pool) for _ in range(rng.randint(2, 4)))


def _han(rng: random.Random) -> str:
    pool = _INVENTORY["han"]
    return "".join(rng.choice(pool) for _ in range(rng.choice((2, 3, 3, 4))))


def set_inventory(glossary: Glossary) -> dict[str, int]:
    """Take the Han and Hangul characters of the glossary's terms as the inventory."""
    found: dict[str, set[str]] = {"han": set(), "hangul": set()}
    for le in glossary.entries:
        for _lang, term in le.entry.all_terms():
            for ch in term:
                o = ord(ch)
                if 0x4E00 <= o <= 0x9FFF:
                    found["han"].add(ch)
                elif 0xAC00 <= o <= 0xD7A3:
                    found["hangul"].add(ch)
    for script, chars in found.items():
        if len(chars) >= 50:  # enough to write distinct terms with
            _INVENTORY[script] = sorted(chars)
    return {k: len(v) for k, v in _INVENTORY.items()}


def _kana(rng: random.Random) -> str:
    return "".join(rng.choice(_KATAKANA) for _ in range(rng.randint(3, 6)))


def _thai(rng: random.Random) -> str:
    return "".join(
        rng.choice(_THAI_CONS) + rng.choice(_THAI_VOWELS) for _ in range(rng.randint(2, 4))
    )


def _arabic(rng: random.Random) -> str:
    return "".join(rng.choice(_ARABIC) for _ in range(rng.randint(4, 8)))


def _devanagari(rng: random.Random) -> str:
    return "".join(
        rng.choice(_DEVANAGARI_CONS) + rng.choice(_DEVANAGARI_MATRAS)
        for _ in range(rng.randint(2, 4))
    )


def _tamil(rng: random.Random) -> str:
    return "".join(rng.choice(_TAMIL) for _ in range(rng.randint(3, 6)))


def _cyrillic(rng: random.Random) -> str:
    return "".join(rng.choice(_CYRILLIC) for _ in range(rng.randint(5, 9)))


_BY_LANG = {
    "ko": _hangul, "zh-Hans": _han, "zh-Hant": _han, "th": _thai, "ar": _arabic,
    "ur": _arabic, "fa": _arabic, "ug": _arabic, "hi": _devanagari, "mr": _devanagari,
    "ta": _tamil, "ru": _cyrillic,
}


def synth_term(lang: str, rng: random.Random) -> str:
    """A made-up term written the way ``lang`` writes (Japanese: kana or kanji)."""
    if lang == "ja":
        return _kana(rng) if rng.random() < 0.5 else _han(rng)
    return _BY_LANG.get(lang, _latin)(rng)


def synth_entry(model: Entry, n: int, rng: random.Random) -> Entry:
    """A synthetic entry shaped like ``model`` (languages and term counts), id ``syn.N``."""
    terms = {lang: [synth_term(lang, rng) for _ in words] for lang, words in model.terms.items()}
    first = next(iter(terms.values()))[0]
    return Entry.model_validate(
        {
            "id": f"syn.{model.id.split('.', 1)[0]}-{n}",
            "category": model.category.value,
            "severity": model.severity.value,
            "terms": terms,
            "description": f"Synthetic benchmark entry modelled on {model.id}.",
            "rationale": "Generated by bench/synth_glossary.py; never shipped.",
            "sources": [{"kind": "reference", "title": "locreview benchmark generator"}],
            "suggestions": ["(synthetic)"],
            "examples": {"flag": [first], "pass": ["(synthetic)"]},
        }
    )


def grow(glossary: Glossary, factor: int, seed: int = 7) -> Glossary:
    """The glossary plus (factor - 1) synthetic copies of each of its entries' shapes."""
    if factor <= 1:
        return glossary
    rng = random.Random(seed)
    set_inventory(glossary)
    extra: list[LoadedEntry] = []
    n = 0
    for _round in range(factor - 1):
        for le in glossary.entries:
            n += 1
            entry = synth_entry(le.entry, n, rng)
            extra.append(
                LoadedEntry(entry, le.market, le.severity, le.version, Origin("<synthetic>", None))
            )
    return Glossary(
        entries=[*glossary.entries, *extra],
        versions=dict(glossary.versions),
        allow=list(glossary.allow),
        suppressed=dict(glossary.suppressed),
        packs=list(glossary.packs),
    )
