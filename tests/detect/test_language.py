"""Language identification on tiny inputs: script evidence, Chinese variants, abstention."""

from __future__ import annotations

import pytest

from locreview.detect import language
from locreview.detect.language import (
    BACKENDS,
    DEFAULT,
    LangGuess,
    chinese_variant,
    detect_language,
    detect_languages,
    script_counts,
)
from locreview.errors import ConfigError

pytest.importorskip("lingua")
pytest.importorskip("langdetect")

TINY = [
    ("Where were you last night?", "en", "Latin"),
    ("어젯밤에 어디 있었어?", "ko", "Hangul"),
    ("네", "ko", "Hangul"),  # one syllable is still unmistakably Korean
    ("今すぐ車に乗って！", "ja", "Hiragana"),
    ("日本国憲法を読め", "ja", "Han"),  # kanji outnumber kana: still Japanese
    ("ちょっと待って", "ja", "Hiragana"),
    ("马上上车！", "zh-Hans", "Han"),
    ("馬上上車！", "zh-Hant", "Han"),
    ("我们走吧", "zh-Hans", "Han"),
    ("我們走吧", "zh-Hant", "Han"),
    ("ขึ้นรถเดี๋ยวนี้เลย", "th", "Thai"),
    ("Tôi đã bảo cô đừng đến đây.", "vi", "Latin"),
    ("Hindi tayo puwedeng manatili rito.", "tl", "Latin"),
    ("अभी गाड़ी में बैठो!", "hi", "Devanagari"),
    ("اركب السيارة الآن!", "ar", "Arabic"),
    ("Садись в машину, быстро!", "ru", "Cyrillic"),
    ("¿Dónde estuviste anoche?", "es", "Latin"),
    ("Je suis désolé pour ton père.", "fr", "Latin"),
    ("இப்போதே காரில் ஏறு!", "ta", "Tamil"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("text", "lang", "script"), TINY)
def test_language_tiny_lines(text: str, lang: str, script: str, backend: str) -> None:
    guess = detect_language(text, backend)
    assert (guess.lang, guess.script, guess.backend) == (lang, script, backend)
    assert 0.3 <= guess.confidence <= 1.0


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "text", ["", "   ", "...", "--", "Okay.", "JOHN", "(beat)", "Oh no.", "好", "42!"]
)
def test_language_too_short_is_und(text: str, backend: str) -> None:
    guess = detect_language(text, backend)
    assert guess.lang == "und"
    assert guess.confidence == 0.0


def test_language_chinese_without_distinguishing_characters_is_plain_zh() -> None:
    # 我不知道 is written the same in both scripts: claiming either would be a guess.
    guess = detect_language("我不知道")
    assert guess.lang == "zh"
    assert guess.script == "Han"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("台湾独立", "zh-Hans"),
        ("台灣獨立", "zh-Hant"),
        ("臺灣", "zh-Hant"),
        ("请小声一点", "zh-Hans"),
    ],
)
def test_language_chinese_variant_uses_opencc(text: str, expected: str) -> None:
    lang, confidence = chinese_variant(text)
    assert lang == expected
    assert confidence >= 0.6


def test_language_mixed_line_follows_the_dominant_script() -> None:
    assert detect_language("我们去Starbucks吧").lang == "zh-Hans"
    assert detect_language("Call 김민준 before the meeting tomorrow").lang == "en"
    # Korean with a Hanja word stays Korean; Japanese kana outweighs its kanji.
    assert detect_language("大韓民国 만세").lang == "ko"


def test_language_script_counts_ignore_digits_and_punctuation() -> None:
    assert script_counts("A1 가, 漢!") == {"Latin": 1, "Hangul": 1, "Han": 1}
    assert script_counts("123 ... !!") == {}


def test_language_batch_matches_single_calls() -> None:
    texts = ["Get in the car, now!", "지금 당장 차에 타!", "Get in the car, now!", ""]
    batch = detect_languages(texts)
    assert [g.lang for g in batch] == ["en", "ko", "en", "und"]
    assert batch == [detect_language(t) for t in texts]
    assert all(isinstance(g, LangGuess) for g in batch)


def test_language_unknown_backend_is_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown language backend"):
        detect_language("hello there friend", backend="cld9")


def test_language_default_backend_is_measured_winner() -> None:
    assert DEFAULT == "lingua"
    assert DEFAULT in BACKENDS


def test_language_module_import_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, locreview.detect.language as m;"
        "print(any(k in sys.modules for k in ('lingua', 'langdetect', 'opencc')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_language_cache_can_be_cleared() -> None:
    detect_language("The boat leaves at dawn.")
    language.clear_caches()
    assert language._detect_cached.cache_info().currsize == 0
