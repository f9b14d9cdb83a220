"""Hand-built sample reports for the report-writer tests: a multi-scene screenplay and a subtitle
file, flags in four markets, and a hostile variant whose text tries to break out of every
output format."""

from __future__ import annotations

from dataclasses import dataclass

from locreview.model import (
    DocumentResult,
    Element,
    ElementKind,
    ElementRef,
    Flag,
    Report,
    Script,
    Severity,
    make_fingerprint,
)

SCREENPLAY = """\
Title: The Long Crossing

INT. HARBOUR OFFICE - NIGHT

MINA studies a map of the East Sea.

MINA
The map still says Takeshima. Who printed this?

EXT. TEMPLE COURTYARD - DAY

A tourist climbs onto the Buddha statue for a selfie.

KENJI
(laughing)
Let's celebrate at Yasukuni after the match.

INT. PALACE GALLERY - DAY

A caricature mocks the King of Thailand.
"""

SUBTITLES = """\
1
00:00:01,000 --> 00:00:03,500
Welcome to Taiwan, my country.

2
00:01:02,250 --> 00:01:04,000
Winnie the Pooh looks like the president.
"""


@dataclass
class Sample:
    """A report plus the scripts it was made from (for HTML/Markdown context)."""

    report: Report
    scripts: dict[str, Script]


def _elements(text: str, plan: list[tuple[str, ElementKind, int | None, str | None]]) -> list[Element]:
    """Locate each planned element text in ``text`` (in order) and build Elements."""
    from locreview.model import LineIndex

    idx = LineIndex(text)
    out: list[Element] = []
    pos = 0
    for i, (body, kind, scene, speaker) in enumerate(plan):
        start = text.index(body, pos)
        end = start + len(body)
        pos = end
        out.append(Element(i, kind, body, idx.span(start, end), scene=scene, speaker=speaker))
    return out


def _flag(
    script: Script,
    el_index: int,
    needle: str,
    *,
    market: str,
    category: str,
    severity: Severity,
    entry_id: str,
    rationale: str = "This reference is sensitive in the market.",
    suggestion: str = "Rephrase or cut the line.",
    sources: list[str] | None = None,
    time: tuple[str, str] | None = None,
    status: str | None = None,
) -> Flag:
    """Build a Flag for the first occurrence of ``needle`` inside element ``el_index``."""
    el = script.elements[el_index]
    local = el.text.index(needle)
    start = el.span.start + local
    end = start + len(needle)
    extra = {"time_start": time[0], "time_end": time[1]} if time else {}
    span = script.lines.span(start, end, **extra)
    return Flag(
        market=market,
        category=category,
        severity=severity,
        entry_id=entry_id,
        detector="literal",
        score=1.0,
        text=script.text[start:end],
        span=span,
        element=ElementRef(
            index=el.index,
            kind=el.kind.value,
            scene=el.scene,
            speaker=el.speaker,
            lang="en",
            scene_heading=script.scene_heading(el.scene),
        ),
        rationale=rationale,
        suggestion=suggestion,
        sources=sources
        if sources is not None
        else ["Example guideline, Regulator, 2024 <https://example.org/guideline>"],
        fingerprint=make_fingerprint(entry_id, market, needle, el.text),
        term=needle,
        glossary_version="2026.12.0",
        status=status,
    )


def _screenplay() -> Script:
    K = ElementKind
    plan = [
        ("Title: The Long Crossing", K.TITLE, None, None),
        ("INT. HARBOUR OFFICE - NIGHT", K.SCENE_HEADING, 1, None),
        ("MINA studies a map of the East Sea.", K.ACTION, 1, None),
        ("MINA", K.CHARACTER, 1, None),
        ("The map still says Takeshima. Who printed this?", K.DIALOGUE, 1, "MINA"),
        ("EXT. TEMPLE COURTYARD - DAY", K.SCENE_HEADING, 2, None),
        ("A tourist climbs onto the Buddha statue for a selfie.", K.ACTION, 2, None),
        ("KENJI", K.CHARACTER, 2, None),
        ("(laughing)", K.PARENTHETICAL, 2, "KENJI"),
        ("Let's celebrate at Yasukuni after the match.", K.DIALOGUE, 2, "KENJI"),
        ("INT. PALACE GALLERY - DAY", K.SCENE_HEADING, 3, None),
        ("A caricature mocks the King of Thailand.", K.ACTION, 3, None),
    ]
    return Script("drafts/crossing.fountain", "fountain", SCREENPLAY, _elements(SCREENPLAY, plan))


def _subtitles() -> Script:
    K = ElementKind
    plan = [
        ("Welcome to Taiwan, my country.", K.CUE, None, None),
        ("Winnie the Pooh looks like the president.", K.CUE, None, None),
    ]
    els = _elements(SUBTITLES, plan)
    els[0] = Element(0, K.CUE, els[0].text, els[0].span, attrs={"start": "00:00:01.000"})
    return Script("subs/crossing.en.srt", "srt", SUBTITLES, els)


def build_sample() -> Sample:
    """Return the multi-scene sample with flags in CN, KR, JP and TH."""
    sp = _screenplay()
    sub = _subtitles()
    S = Severity
    flags_sp = [
        _flag(sp, 4, "Takeshima", market="KR", category="territorial", severity=S.HIGH,
              entry_id="kr.dokdo-takeshima-name",
              suggestion="Use 'Dokdo' for the Korean release", status="accepted"),
        _flag(sp, 2, "East Sea", market="JP", category="territorial", severity=S.LOW,
              entry_id="jp.sea-of-japan-name", suggestion="Use 'Sea of Japan'"),
        _flag(sp, 6, "Buddha statue", market="TH", category="religious", severity=S.HIGH,
              entry_id="th.buddha-image-disrespect",
              suggestion="Have the tourist photograph the statue from the ground"),
        _flag(sp, 9, "Yasukuni", market="CN", category="historical", severity=S.CRITICAL,
              entry_id="cn.yasukuni-shrine",
              suggestion="Move the celebration to a neutral venue"),
        _flag(sp, 9, "Yasukuni", market="KR", category="historical", severity=S.HIGH,
              entry_id="kr.yasukuni-shrine", suggestion="Move the celebration"),
        _flag(sp, 11, "King of Thailand", market="TH", category="royalty",
              severity=S.CRITICAL, entry_id="th.lese-majeste",
              rationale="Section 112 of the Thai Criminal Code punishes insults to the King.",
              suggestion="Use a fictional monarch of a fictional country",
              sources=["Criminal Code section 112 <https://example.org/th/112>",
                       "Press coverage, 2020"]),
    ]
    flags_sub = [
        _flag(sub, 0, "Taiwan, my country", market="CN", category="territorial",
              severity=S.CRITICAL, entry_id="cn.taiwan-country",
              suggestion="Say 'Welcome to Taipei'",
              time=("00:00:01.000", "00:00:03.500")),
        _flag(sub, 1, "Winnie the Pooh", market="CN", category="political",
              severity=S.MEDIUM, entry_id="cn.winnie-xi",
              suggestion="Drop the comparison", time=("00:01:02.250", "00:01:04.000")),
    ]
    report = Report(
        markets=["CN", "JP", "KR", "TH"],
        glossaries={"CN": "2026.12.0", "JP": "2026.12.0", "KR": "2026.12.0", "TH": "2026.12.0"},
        documents=[
            DocumentResult(sp.path, "fountain", len(sp.elements), flags_sp, encoding="utf-8",
                           languages={"en": 12}, seconds=0.02,
                           suppressed=[{"entry_id": "jp.rising-sun-flag", "element": 6,
                                        "reason": "allow-listed in the project glossary"}]),
            DocumentResult(sub.path, "srt", len(sub.elements), flags_sub, encoding="utf-8",
                           languages={"en": 2}, seconds=0.01),
            DocumentResult("drafts/broken.pdf", "pdf", 0, [], error="[E103] not a PDF file"),
        ],
        detectors=["literal", "context"],
        timings={"read": 0.01, "detect": 0.02, "total": 0.03},
        tool_version="0.1.0",
    )
    return Sample(report, {sp.path: sp, sub.path: sub})


HOSTILE = {
    "script": "<script>alert('x')</script>",
    "img": '"><img src=x onerror=alert(1)>',
    "tpl": "{{ 7*7 }}{% raw %}",
    "js": "javascript:alert(document.cookie)",
}


def build_hostile() -> Sample:
    """Return a report whose script text, rationale and sources are all attacks."""
    text = (
        "INT. LAB - NIGHT\n\n"
        f"He types {HOSTILE['script']} and {HOSTILE['img']} then {HOSTILE['tpl']}.\n"
        "=HYPERLINK(\"http://evil.example\",\"click\")\n"
    )
    K = ElementKind
    plan = [
        ("INT. LAB - NIGHT", K.SCENE_HEADING, 1, None),
        (f"He types {HOSTILE['script']} and {HOSTILE['img']} then {HOSTILE['tpl']}.",
         K.ACTION, 1, None),
        ('=HYPERLINK("http://evil.example","click")', K.ACTION, 1, None),
    ]
    sc = Script("drafts/<evil>&\".fountain", "fountain", text, _elements(text, plan))
    S = Severity
    flags = [
        _flag(sc, 1, HOSTILE["script"], market="CN", category="political", severity=S.HIGH,
              entry_id="cn.evil-script", rationale=HOSTILE["img"], suggestion=HOSTILE["tpl"],
              sources=[f"Evil source <{HOSTILE['js']}>", "<https://ok.example/a?b=1&c=2>",
                       f"Data <data:text/html,{HOSTILE['script']}>"]),
        _flag(sc, 1, HOSTILE["img"], market="KR", category="violence", severity=S.MEDIUM,
              entry_id="kr.evil-img", rationale=HOSTILE["script"], suggestion=HOSTILE["js"]),
        _flag(sc, 2, '=HYPERLINK("http://evil.example","click")', market="TH",
              category="profanity", severity=S.LOW, entry_id="th.evil-formula",
              rationale="+SUM(1,2)", suggestion="-2+3", sources=["@SUM(A1)"]),
    ]
    report = Report(
        markets=["CN", "KR", "TH"],
        glossaries={"CN": "1", "KR": "1", "TH": "1"},
        documents=[DocumentResult(sc.path, "fountain", len(sc.elements), flags)],
        detectors=["literal"],
    )
    return Sample(report, {sc.path: sc})




SCREENPLAY_V2 = SCREENPLAY.replace(
    "INT. HARBOUR OFFICE - NIGHT\n",
    "EXT. PIER - DAWN\n\nA fishing boat flies the Rising Sun flag.\n\nINT. HARBOUR OFFICE - NIGHT\n",
).replace("The map still says Takeshima.", "The map says Dokdo now.")


def build_revision() -> Sample:
    """Return the next revision of the sample: one flag resolved, one new, lines shifted."""
    old = build_sample()
    K = ElementKind
    plan = [
        ("Title: The Long Crossing", K.TITLE, None, None),
        ("EXT. PIER - DAWN", K.SCENE_HEADING, 1, None),
        ("A fishing boat flies the Rising Sun flag.", K.ACTION, 1, None),
        ("INT. HARBOUR OFFICE - NIGHT", K.SCENE_HEADING, 2, None),
        ("MINA studies a map of the East Sea.", K.ACTION, 2, None),
        ("MINA", K.CHARACTER, 2, None),
        ("The map says Dokdo now. Who printed this?", K.DIALOGUE, 2, "MINA"),
        ("EXT. TEMPLE COURTYARD - DAY", K.SCENE_HEADING, 3, None),
        ("A tourist climbs onto the Buddha statue for a selfie.", K.ACTION, 3, None),
        ("KENJI", K.CHARACTER, 3, None),
        ("(laughing)", K.PARENTHETICAL, 3, "KENJI"),
        ("Let's celebrate at Yasukuni after the match.", K.DIALOGUE, 3, "KENJI"),
        ("INT. PALACE GALLERY - DAY", K.SCENE_HEADING, 4, None),
        ("A caricature mocks the King of Thailand.", K.ACTION, 4, None),
    ]
    sp = Script("drafts/crossing.fountain", "fountain", SCREENPLAY_V2,
                _elements(SCREENPLAY_V2, plan))
    S = Severity
    flags = [
        _flag(sp, 2, "Rising Sun flag", market="KR", category="historical", severity=S.HIGH,
              entry_id="kr.rising-sun-flag", suggestion="Use a plain flag"),
        _flag(sp, 4, "East Sea", market="JP", category="territorial", severity=S.LOW,
              entry_id="jp.sea-of-japan-name", suggestion="Use 'Sea of Japan'"),
        _flag(sp, 8, "Buddha statue", market="TH", category="religious", severity=S.HIGH,
              entry_id="th.buddha-image-disrespect",
              suggestion="Have the tourist photograph the statue from the ground"),
        _flag(sp, 11, "Yasukuni", market="CN", category="historical", severity=S.CRITICAL,
              entry_id="cn.yasukuni-shrine",
              suggestion="Move the celebration to a neutral venue"),
        _flag(sp, 11, "Yasukuni", market="KR", category="historical", severity=S.HIGH,
              entry_id="kr.yasukuni-shrine", suggestion="Move the celebration"),
        _flag(sp, 13, "King of Thailand", market="TH", category="royalty",
              severity=S.CRITICAL, entry_id="th.lese-majeste",
              suggestion="Use a fictional monarch of a fictional country"),
    ]
    docs = [
        DocumentResult(sp.path, "fountain", len(sp.elements), flags, encoding="utf-8"),
        old.report.documents[1],
    ]
    report = Report(markets=list(old.report.markets), glossaries=dict(old.report.glossaries),
                    documents=docs, detectors=["literal"], tool_version="0.1.0")
    scripts = dict(old.scripts)
    scripts[sp.path] = sp
    return Sample(report, scripts)
