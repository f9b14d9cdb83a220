"""Evasion: a term disguised with invisible characters, look-alike letters, full-width
forms, spacing, bidi overrides or the other Chinese script is still flagged, the flag
says it was obfuscated, and its span points at exactly what the writer typed."""

from __future__ import annotations

import pytest

from locreview.api import scan

# (case, text, entry id, exact original text of the flag, obfuscated?)
EVASIONS = [
    ("zero-width space", "Remember Tian\u200banmen.", "sec.tiananmen", "Tian\u200banmen"),
    ("zero-width joiner", "Remember Tian\u200danmen.", "sec.tiananmen", "Tian\u200danmen"),
    ("zero-width non-joiner", "Remember Tia\u200cnanmen.", "sec.tiananmen", "Tia\u200cnanmen"),
    ("word joiner", "Remember Tian\u2060anmen.", "sec.tiananmen", "Tian\u2060anmen"),
    ("BOM inside a word", "Remember Tian\ufeffanmen.", "sec.tiananmen", "Tian\ufeffanmen"),
    ("soft hyphen", "Remember Tian\u00adanmen.", "sec.tiananmen", "Tian\u00adanmen"),
    ("invisible separator", "Remember Tian\u2063anmen.", "sec.tiananmen", "Tian\u2063anmen"),
    ("several invisibles", "Remember T\u200bi\u200ca\u200dn\u2060anmen.", "sec.tiananmen",
     "T\u200bi\u200ca\u200dn\u2060anmen"),
    ("variation selector", "Remember Tai\ufe0fwan.", "sec.taiwan", "Tai\ufe0fwan"),
    ("tag character", "Remember Tai\U000e0020wan.", "sec.taiwan", "Tai\U000e0020wan"),
    ("Hangul filler", "Remember Tai\u3164wan.", "sec.taiwan", "Tai\u3164wan"),
    ("Cyrillic homoglyphs", "Remember \u0422\u0430iwan.", "sec.taiwan", "\u0422\u0430iwan"),
    ("Cyrillic i and a", "Remember \u0422\u0430\u0456w\u0430n.", "sec.taiwan",
     "\u0422\u0430\u0456w\u0430n"),
    ("Greek homoglyphs", "A portrait of the D\u03b1l\u03b1i Lama.", "sec.dalai-lama",
     "D\u03b1l\u03b1i Lama"),
    ("full-width Latin", "Remember \uff34\uff41\uff49\uff57\uff41\uff4e.", "sec.taiwan",
     "\uff34\uff41\uff49\uff57\uff41\uff4e"),
    ("partly full-width", "Remember T\uff41iwan.", "sec.taiwan", "T\uff41iwan"),
    ("spaced-out letters", "Remember T a i w a n today.", "sec.taiwan", "T a i w a n"),
    ("dotted letters", "Remember T.a.i.w.a.n today.", "sec.taiwan", "T.a.i.w.a.n"),
    ("bidi override around the term", "Remember \u202eTaiwan\u202c.", "sec.taiwan", "Taiwan"),
    ("bidi override inside the term", "Remember Tai\u202dwan\u202c.", "sec.taiwan",
     "Tai\u202dwan"),
    ("stored backwards, shown forwards (RLO)", "Remember \u202enawiaT\u202c.", "sec.taiwan",
     "nawiaT"),
    ("isolate inside the term", "Remember Tian\u2066anmen\u2069.", "sec.tiananmen",
     "Tian\u2066anmen"),
    ("mixed Traditional and Simplified", "他支持台灣独立。", "sec.taiwan-independence-hans",
     "台灣独立"),
    ("homoglyph + zero-width combined", "Remember \u0422a\u200biwan.", "sec.taiwan",
     "\u0422a\u200biwan"),
]


def _flags(detector, text: str):
    return scan(text, ["CN"], detector=detector).flags


@pytest.mark.parametrize(("case", "text", "entry", "original"), EVASIONS,
                         ids=[e[0] for e in EVASIONS])
def test_evasion_is_flagged_as_obfuscated(evasion_detector, reliability, case, text, entry,
                                          original) -> None:
    flags = [f for f in _flags(evasion_detector, text) if f.entry_id == entry]
    assert flags, f"{case}: {text!r} was not flagged"
    f = flags[0]
    assert f.obfuscated, f"{case}: flagged but not marked obfuscated"
    assert f.explanation.get("obfuscated") is True
    assert text[f.span.start:f.span.end] == original
    assert f.text == original
    reliability.add(kind="evasion", name=case, tried=1, outcome="flagged, obfuscated=true")


# Another script is a legitimate way of writing, not an evasion: still flagged (the
# glossary lists only one script), but not called obfuscated.
OTHER_SCRIPT = [
    ("Traditional text, Simplified-only entry", "他支持台灣獨立。",
     "sec.taiwan-independence-hans", "台灣獨立"),
    ("Traditional text (臺), Simplified-only entry", "他支持臺灣獨立。",
     "sec.taiwan-independence-hans", "臺灣獨立"),
    ("Simplified text, Traditional-only entry", "他们纪念六四屠杀。", "sec.june-fourth-hant",
     "六四屠杀"),
]


@pytest.mark.parametrize(("case", "text", "entry", "original"), OTHER_SCRIPT,
                         ids=[e[0] for e in OTHER_SCRIPT])
def test_other_chinese_script_is_flagged(evasion_detector, reliability, case, text, entry,
                                         original) -> None:
    flags = [f for f in _flags(evasion_detector, text) if f.entry_id == entry]
    assert flags and flags[0].text == original
    assert text[flags[0].span.start:flags[0].span.end] == original
    reliability.add(kind="evasion", name=case, tried=1, outcome="flagged")


@pytest.mark.parametrize(
    "text",
    [
        "She flew to Taiwan.",  # plain: flagged, not obfuscated
        "Москва и Таиланд",  # real Cyrillic words are not folded into Latin
        "T a i w a",  # too few letters to be a spelled-out term
        "ＦＩＦＡ ワールドカップ",  # full-width without any term: nothing
    ],
)
def test_plain_text_is_not_called_obfuscated(evasion_detector, text) -> None:
    for f in _flags(evasion_detector, text):
        assert not f.obfuscated, f
    if "Taiwan" in text:
        assert [f.entry_id for f in _flags(evasion_detector, text)] == ["sec.taiwan"]


def test_evasion_in_a_fountain_draft_keeps_line_and_column(evasion_detector) -> None:
    draft = (
        "INT. ROOM - NIGHT\r\n\r\nMINJI\r\nWe remember Tian\u200banmen.\r\n\r\n"
        "BOB\nShe flew to \u0422\u0430iwan.\r"
    ).encode("utf-8")
    report = scan(draft, ["CN"], detector=evasion_detector, format="fountain")
    got = {f.entry_id: f for f in report.flags}
    assert got["sec.tiananmen"].span.line == 4 and got["sec.tiananmen"].span.column == 13
    assert got["sec.taiwan"].span.line == 7 and got["sec.taiwan"].obfuscated
