"""Language identification for short script lines (one dialogue line, one cue).

Two kinds of evidence are combined:

* **Unicode script.** Most of the project's languages own a script (Hangul → ``ko``,
  kana → ``ja``, Thai → ``th``, Devanagari → ``hi``, Tamil → ``ta``, Arabic → ``ar``,
  Cyrillic → ``ru``); counting letters per script is exact and costs microseconds.
  Han-only text is Chinese; OpenCC decides Simplified vs Traditional by checking whether
  ``t2s`` or ``s2t`` changes the text — no statistical detector separates them.
* **A statistical backend** for Latin-script lines (en, vi, id, ms, tl, es, fr, de, pt, it),
  which script alone cannot tell apart: ``lingua`` (restricted to the project's languages,
  built once) or ``langdetect`` (seeded, priors limited to the same languages).

Lines too short to judge (an empty line, ``Okay.``, one Han character) give ``und`` with
confidence 0 rather than a confident wrong guess. Heavy packages are imported lazily.
See ``bench/bench_language.py`` and ``models/README.md`` for measured accuracy.
"""

from __future__ import annotations

import bisect
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from locreview.errors import ConfigError

#: Backends measured in ``bench/bench_language.py``; lingua won (see models/README.md).
BACKENDS: tuple[str, ...] = ("lingua", "langdetect")
DEFAULT = "lingua"

#: The languages locreview cares about (ISO 639-1); detectors are restricted to these so a
#: short line is never labelled with an unrelated language such as Latin or Esperanto.
PROJECT_LANGUAGES: tuple[str, ...] = (
    "en", "ko", "ja", "zh", "th", "vi", "id", "ms", "tl", "hi", "ar", "es", "fr", "de",
    "pt", "ru", "it", "ta",
)  # fmt: skip
#: Of those, the ones written in Latin script: only these need a statistical backend.
LATIN_LANGUAGES: frozenset[str] = frozenset(
    {"en", "vi", "id", "ms", "tl", "es", "fr", "de", "pt", "it"}
)

UND = "und"

# A Latin line needs this much text before a statistical guess is worth making: below it
# ("Okay.", "JOHN", "Hmm") every detector is close to random, so we answer "und".
MIN_LATIN_LETTERS = 10
MIN_LATIN_WORDS = 2
MIN_ANY_LATIN_LETTERS = 6  # "Oh no.", "I see." say nothing about the language either
MAX_BACKEND_CHARS = 1000
# Below this relative confidence the backend is guessing between near-equals.
MIN_BACKEND_CONFIDENCE = 0.2
# One CJK character carries about as much as a short Latin word, so when scripts mix
# ("我们去Starbucks吧") each one counts this many Latin letters.
CJK_WEIGHT = 3


@dataclass(frozen=True, slots=True)
class LangGuess:
    """One line's language: BCP-47 tag (``und`` when unsure), confidence, script, backend.

    ``lang`` is one of the project's languages, ``zh-Hans``/``zh-Hant`` for Chinese, plain
    ``zh`` when every character is shared by both Chinese scripts, or ``und``.
    ``script`` is the dominant Unicode script of the line's letters (``Latin``, ``Han``,
    ``Hangul``, ``Hiragana``, ...; ``Common`` when it has no letters).
    """

    lang: str
    confidence: float
    script: str
    backend: str


# --- Unicode scripts -------------------------------------------------------------------

# (first, last, script) ranges, sorted; only letters (str.isalpha) are looked up.
_RANGES: list[tuple[int, int, str]] = sorted(
    [
        (0x0041, 0x005A, "Latin"), (0x0061, 0x007A, "Latin"), (0x00C0, 0x024F, "Latin"),
        (0x0250, 0x02AF, "Latin"), (0x1E00, 0x1EFF, "Latin"), (0xFF21, 0xFF3A, "Latin"),
        (0xFF41, 0xFF5A, "Latin"), (0x2C60, 0x2C7F, "Latin"), (0xA720, 0xA7FF, "Latin"),
        (0x0370, 0x03FF, "Greek"), (0x1F00, 0x1FFF, "Greek"),
        (0x0400, 0x052F, "Cyrillic"), (0x1C80, 0x1C8F, "Cyrillic"),
        (0x0530, 0x058F, "Armenian"), (0x0590, 0x05FF, "Hebrew"),
        (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"), (0x08A0, 0x08FF, "Arabic"),
        (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"),
        (0x0900, 0x097F, "Devanagari"), (0xA8E0, 0xA8FF, "Devanagari"),
        (0x0980, 0x09FF, "Bengali"), (0x0A00, 0x0A7F, "Gurmukhi"),
        (0x0A80, 0x0AFF, "Gujarati"), (0x0B00, 0x0B7F, "Oriya"), (0x0B80, 0x0BFF, "Tamil"),
        (0x0C00, 0x0C7F, "Telugu"), (0x0C80, 0x0CFF, "Kannada"),
        (0x0D00, 0x0D7F, "Malayalam"), (0x0D80, 0x0DFF, "Sinhala"), (0x0E00, 0x0E7F, "Thai"),
        (0x0E80, 0x0EFF, "Lao"), (0x0F00, 0x0FFF, "Tibetan"), (0x1000, 0x109F, "Myanmar"),
        (0x10A0, 0x10FF, "Georgian"), (0x1200, 0x139F, "Ethiopic"),
        (0x1780, 0x17FF, "Khmer"),
        (0x1100, 0x11FF, "Hangul"), (0x3130, 0x318F, "Hangul"), (0xA960, 0xA97F, "Hangul"),
        (0xAC00, 0xD7AF, "Hangul"), (0xD7B0, 0xD7FF, "Hangul"), (0xFFA0, 0xFFDC, "Hangul"),
        (0x3040, 0x309F, "Hiragana"), (0x30A0, 0x30FF, "Katakana"),
        (0x31F0, 0x31FF, "Katakana"), (0xFF66, 0xFF9F, "Katakana"),
        (0x2E80, 0x2FDF, "Han"), (0x3005, 0x3007, "Han"), (0x3021, 0x3029, "Han"),
        (0x3038, 0x303B, "Han"), (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"),
        (0xF900, 0xFAFF, "Han"), (0x20000, 0x3FFFF, "Han"),
        (0x3100, 0x312F, "Bopomofo"), (0x31A0, 0x31BF, "Bopomofo"),
    ]
)  # fmt: skip
_STARTS = [r[0] for r in _RANGES]

#: Scripts that by themselves settle the language among the project's languages.
_SCRIPT_LANG: dict[str, str] = {
    "Hangul": "ko", "Thai": "th", "Devanagari": "hi", "Tamil": "ta", "Arabic": "ar",
    "Cyrillic": "ru",
}  # fmt: skip
_CJK = frozenset({"Han", "Hangul", "Hiragana", "Katakana", "Bopomofo"})


def _script_of(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x80:
        return "Latin"  # callers only pass letters, and ASCII letters are Latin
    i = bisect.bisect_right(_STARTS, cp) - 1
    if i >= 0 and cp <= _RANGES[i][1]:
        return _RANGES[i][2]
    return "Other"


def script_counts(text: str) -> dict[str, int]:
    """Count the letters of ``text`` per Unicode script (digits and punctuation ignored)."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            s = _script_of(ch)
            counts[s] = counts.get(s, 0) + 1
    return counts


# --- Chinese: Simplified vs Traditional -------------------------------------------------

_opencc_lock = threading.Lock()
_opencc: dict[str, Any] = {}


def _converter(config: str) -> Any:
    with _opencc_lock:
        conv = _opencc.get(config)
        if conv is None:
            try:
                import opencc
            except ImportError as exc:  # opencc is a core dependency, but say so clearly
                raise ConfigError("opencc is not installed (pip install opencc==1.4.2)") from exc
            conv = opencc.OpenCC(config)
            _opencc[config] = conv
        return conv


def _changed(a: str, b: str) -> int:
    if len(a) == len(b):
        return sum(1 for x, y in zip(a, b, strict=True) if x != y)
    return abs(len(a) - len(b)) or 1


def chinese_variant(text: str) -> tuple[str, float]:
    """Return (``zh-Hans`` | ``zh-Hant`` | ``zh``, confidence) for Han text via OpenCC."""
    han = "".join(ch for ch in text if ch.isalpha() and _script_of(ch) == "Han")
    if not han:
        return "zh", 0.0
    # Characters t2s rewrites are Traditional-only; those s2t rewrites are Simplified-only.
    trad = _changed(han, _converter("t2s.json").convert(han))
    simp = _changed(han, _converter("s2t.json").convert(han))
    if trad == simp:
        return "zh", 0.0 if trad else 0.5  # no distinguishing character (or a tie)
    lang = "zh-Hant" if trad > simp else "zh-Hans"
    margin = abs(trad - simp) / (trad + simp)
    return lang, round(min(1.0, 0.6 + 0.4 * margin), 3)


# --- statistical backends ----------------------------------------------------------------

_backend_lock = threading.Lock()
_lingua_detector: Any = None
_langdetect_factory: Any = None


def _lingua() -> Any:
    global _lingua_detector
    with _backend_lock:
        if _lingua_detector is None:
            try:
                from lingua import IsoCode639_1, LanguageDetectorBuilder
            except ImportError as exc:
                raise ConfigError(
                    "language backend 'lingua' needs lingua-language-detector "
                    "(pip install 'locreview[nlp]')"
                ) from exc
            codes = [getattr(IsoCode639_1, c.upper()) for c in PROJECT_LANGUAGES]
            _lingua_detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
        return _lingua_detector


def _langdetect() -> Any:
    global _langdetect_factory
    with _backend_lock:
        if _langdetect_factory is None:
            try:
                from langdetect import DetectorFactory
                from langdetect.detector_factory import init_factory
            except ImportError as exc:
                raise ConfigError(
                    "language backend 'langdetect' needs langdetect (pip install 'locreview[nlp]')"
                ) from exc
            DetectorFactory.seed = 0  # langdetect samples n-grams at random: make it repeatable
            init_factory()
            from langdetect import detector_factory

            _langdetect_factory = detector_factory._factory
        return _langdetect_factory


def _latin_scores(text: str, backend: str) -> list[tuple[str, float]]:
    """Return [(lang, confidence)] over the Latin-script project languages, best first."""
    if backend == "lingua":
        values = _lingua().compute_language_confidence_values(text)
        out = [(v.language.iso_code_639_1.name.lower(), float(v.value)) for v in values]
    elif backend == "langdetect":
        from langdetect.lang_detect_exception import LangDetectException

        factory = _langdetect()
        detector = factory.create()
        # Priors restricted to the project's Latin languages (langdetect has no Malay).
        detector.set_prior_map(
            {lang: 1.0 for lang in factory.get_lang_list() if lang in LATIN_LANGUAGES}
        )
        detector.append(text)
        try:
            out = [(p.lang, float(p.prob)) for p in detector.get_probabilities()]
        except LangDetectException:
            return []
    else:  # pragma: no cover - guarded by detect_language
        raise ConfigError(f"unknown language backend {backend!r}")
    latin = [(lang, p) for lang, p in out if lang in LATIN_LANGUAGES]
    total = sum(p for _, p in latin)
    if total <= 0:
        return []
    return sorted(((lang, p / total) for lang, p in latin), key=lambda x: -x[1])


# --- the decision ------------------------------------------------------------------------


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ConfigError(
            f"unknown language backend {backend!r} (expected one of {', '.join(BACKENDS)})"
        )


def detect_language(text: str, backend: str = DEFAULT) -> LangGuess:
    """Guess the language of one short line (``und`` when it is too short to say)."""
    _check_backend(backend)
    return _detect_cached(text, backend)


def detect_languages(texts: Iterable[str], backend: str = DEFAULT) -> list[LangGuess]:
    """Guess the language of each line (repeated lines are detected once)."""
    _check_backend(backend)
    return [_detect_cached(t, backend) for t in texts]


@lru_cache(maxsize=65536)
def _detect_cached(text: str, backend: str) -> LangGuess:
    # Scripts repeat lines (cues, "Yes.") often enough that a cache pays for itself.
    return _detect(unicodedata.normalize("NFKC", text), backend)


def _detect(text: str, backend: str) -> LangGuess:
    counts = script_counts(text)
    if not counts:
        return LangGuess(UND, 0.0, "Common", backend)
    dominant = max(counts, key=lambda s: counts[s])
    weights = {s: n * (CJK_WEIGHT if s in _CJK else 1) for s, n in counts.items()}
    cjk = sum(w for s, w in weights.items() if s in _CJK)
    total = sum(weights.values())
    best_group = max(
        [(s, w) for s, w in weights.items() if s not in _CJK] + [("CJK", cjk)],
        key=lambda x: x[1],
    )[0]

    if best_group == "CJK":
        share = cjk / total
        hangul = counts.get("Hangul", 0)
        kana = counts.get("Hiragana", 0) + counts.get("Katakana", 0)
        han = counts.get("Han", 0)
        if hangul and hangul >= kana:  # Korean may carry Hanja; kana never appears in it
            return LangGuess("ko", _size_conf(hangul, share), dominant, backend)
        if kana:
            return LangGuess("ja", _size_conf(kana + han, share), dominant, backend)
        if han < 2:  # one Han character is as likely Japanese kanji as Chinese
            return LangGuess(UND, 0.0, dominant, backend)
        lang, variant_conf = chinese_variant(text)
        conf = _size_conf(han, share) * (variant_conf if lang != "zh" else 0.9)
        return LangGuess(lang, round(max(conf, 0.3), 3), dominant, backend)

    share = weights[best_group] / total
    if best_group in _SCRIPT_LANG:
        n = counts[best_group]
        if n < 2:
            return LangGuess(UND, 0.0, best_group, backend)
        return LangGuess(_SCRIPT_LANG[best_group], _size_conf(n, share), best_group, backend)
    if best_group != "Latin":
        return LangGuess(UND, 0.0, best_group, backend)

    letters = counts["Latin"]
    words = sum(1 for w in text.split() if any(ch.isalpha() for ch in w))
    if letters < MIN_ANY_LATIN_LETTERS or (letters < MIN_LATIN_LETTERS and words < MIN_LATIN_WORDS):
        return LangGuess(UND, 0.0, "Latin", backend)
    # The backends' cost grows with length; a line's first 1000 characters decide it.
    scores = _latin_scores(text[:MAX_BACKEND_CHARS], backend)
    if not scores or scores[0][1] < MIN_BACKEND_CONFIDENCE:
        return LangGuess(UND, 0.0, "Latin", backend)
    lang, p = scores[0]
    # Short lines are less certain than the backend's relative score suggests.
    length_factor = min(1.0, 0.6 + letters / 50)
    return LangGuess(lang, round(p * share * length_factor, 3), "Latin", backend)


def _size_conf(n: int, share: float) -> float:
    """Confidence for a script-decided language: more letters and a purer line, higher."""
    return round(share * min(0.99, 0.6 + 0.1 * n), 3)


def clear_caches() -> None:
    """Forget cached guesses (for tests and benchmarks that time cold detection)."""
    _detect_cached.cache_clear()
