"""Deterministic generator of realistic multilingual drafts, in every format locreview reads.

A draft is a list of screenplay elements (scene headings, action, cues, parentheticals,
dialogue, transitions). Dialogue is written in English, Korean, Chinese (Simplified and
Traditional), Japanese and Thai by recurring characters; about one dialogue line in ten
carries a glossary term planted inside a sentence of the term's own language, and the
draft records each plant (line text, entry id, term) so a benchmark can check that the
literal stage finds every one of them.

Size 1 is a 120-page feature: about 2,000 elements and 110,000 characters. Size ``k`` is
``k`` times as many scenes, each drawn afresh from the same seeded random stream (not a
copy of size 1), so a scan of size 16 does real work on every line.

Lines are built from two clauses with numbers and objects in slots, so nearly every line is
distinct (a real script rarely repeats itself, and the embedding cache would flatter a
draft that did).
"""

from __future__ import annotations

import io
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

# One minimal PDF writer for the repository: the PDF reader tests' fixture writer.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "ingest"))
from pdf_fixture import make_pdf  # noqa: E402

#: Scenes of a size-1 draft (about 22 elements each: a 120-page feature).
SCENES_PER_SIZE = 92

CHARACTERS: dict[str, list[str]] = {
    "en": ["CLAIRE", "DAVID", "ROSA"],
    "ko": ["MIN-JI", "JUN-HO"],
    "zh-Hans": ["WEI", "LAN"],
    "zh-Hant": ["MEI-LING"],
    "ja": ["HARUTO", "YUKI"],
    "th": ["SOMCHAI", "NOK"],
}

PLACES = [
    "INT. PRODUCTION OFFICE - SEOUL", "EXT. HARBOUR ROAD - BUSAN", "INT. NOODLE BAR - TAIPEI",
    "INT. HOTEL SUITE - BANGKOK", "EXT. ROOFTOP - SHANGHAI", "INT. EDITING ROOM - TOKYO",
    "INT. CONFERENCE ROOM - SINGAPORE", "EXT. NIGHT MARKET - KAOHSIUNG", "INT. TAXI - OSAKA",
    "EXT. TEMPLE STEPS - CHIANG MAI", "INT. AIRPORT LOUNGE - HONG KONG", "INT. SOUNDSTAGE 4",
]
TIMES = ["DAY", "NIGHT", "LATER", "CONTINUOUS", "MORNING", "EVENING"]

ACTION = [
    "{a} crosses to the window and stares at the rain for {n} seconds.",
    "The monitors flicker. Someone has pinned {n} storyboards to the wall.",
    "{a} drops a stack of scripts on the table, {n} pages flagged in yellow.",
    "A phone buzzes {n} times. Nobody moves to answer it.",
    "Through the glass, the crew loads {n} cases of equipment into a van.",
    "{a} reads the translation notes, lips moving, then circles line {n}.",
    "Neon signs in three languages blink over the crowded street.",
    "The producer's assistant counts {n} empty coffee cups and sighs.",
    "{a} pauses at the door, one hand on the frame, listening.",
    "On the whiteboard: a release calendar with {n} markets crossed out.",
]

#: Clauses per language; {n} is a number, {o} an everyday object.
CLAUSES: dict[str, list[str]] = {
    "en": [
        "We have {n} hours before the buyers arrive.",
        "Did anyone check the subtitles for episode {n}?",
        "I left the {o} in the car again.",
        "Honestly, the second act drags after page {n}.",
        "Tell the director the {o} scene needs another pass.",
        "She wants {n} alternate endings by Friday.",
        "The distributor called about the {o}, twice.",
        "Let's not argue about it in front of the crew.",
        "If the edit runs long we lose slot {n}.",
        "Can you get me a {o} and a copy of draft {n}?",
        "That line played well in every test screening.",
        "My mother watches this show every night at {n}.",
    ],
    "ko": [
        "우리 {n}시간 안에 끝내야 해.",
        "{o} 어디 뒀는지 기억 안 나?",
        "감독님이 {n}페이지를 다시 쓰라고 하셨어.",
        "오늘은 진짜 집에 일찍 가고 싶다.",
        "이 장면은 {o} 때문에 다시 찍어야 해.",
        "자막 {n}번 줄이 틀렸어요.",
        "괜찮아, 내가 {o} 가져올게.",
        "배급사에서 또 전화 왔어, {n}번째야.",
        "그 대사는 시사회에서 반응이 좋았어.",
        "내일 아침 {n}시에 리딩 있어요.",
    ],
    "zh-Hans": [
        "我们还有{n}个小时。",
        "你把{o}放在哪儿了？",
        "导演说第{n}页要重写。",
        "今天我真想早点回家。",
        "这场戏因为{o}还得重拍。",
        "第{n}集的字幕有问题。",
        "没关系，我去拿{o}。",
        "发行商又打电话来了，第{n}次了。",
        "这句台词在试映会上反应很好。",
        "明天早上{n}点开剧本会。",
    ],
    "zh-Hant": [
        "我們還有{n}個小時。",
        "你把{o}放在哪裡了？",
        "導演說第{n}頁要重寫。",
        "今天我真想早點回家。",
        "這場戲因為{o}還得重拍。",
        "第{n}集的字幕有問題。",
        "沒關係，我去拿{o}。",
        "發行商又打電話來了，第{n}次了。",
    ],
    "ja": [
        "あと{n}時間しかないよ。",
        "{o}はどこに置いたの？",
        "監督が{n}ページを書き直せって。",
        "今日は本当に早く帰りたい。",
        "このシーンは{o}のせいで撮り直しだ。",
        "第{n}話の字幕が間違ってる。",
        "大丈夫、{o}は私が持ってくる。",
        "配給会社からまた電話、{n}回目だよ。",
        "あのセリフは試写会で受けがよかった。",
        "明日の朝{n}時に本読みがあります。",
    ],
    "th": [
        "เรามีเวลาอีก{n}ชั่วโมง",
        "คุณวาง{o}ไว้ที่ไหน",
        "ผู้กำกับบอกให้เขียนหน้า{n}ใหม่",
        "วันนี้อยากกลับบ้านเร็วจริงๆ",
        "ฉากนี้ต้องถ่ายใหม่เพราะ{o}",
        "คำบรรยายตอนที่{n}ผิด",
        "ไม่เป็นไร เดี๋ยวฉันไปเอา{o}มาให้",
        "ผู้จัดจำหน่ายโทรมาอีกแล้ว ครั้งที่{n}",
    ],
}

OBJECTS: dict[str, list[str]] = {
    "en": ["laptop", "call sheet", "umbrella", "hard drive", "lanyard", "clapperboard",
           "thermos", "boom mic", "receipt", "notebook", "charger", "script binder"],
    "ko": ["노트북", "우산", "하드디스크", "대본", "충전기", "영수증", "텀블러", "슬레이트"],
    "zh-Hans": ["笔记本", "雨伞", "硬盘", "剧本", "充电器", "收据", "保温杯", "场记板"],
    "zh-Hant": ["筆記本", "雨傘", "硬碟", "劇本", "充電器", "收據", "保溫杯", "場記板"],
    "ja": ["ノートパソコン", "傘", "ハードディスク", "台本", "充電器", "レシート", "水筒"],
    "th": ["โน้ตบุ๊ก", "ร่ม", "ฮาร์ดดิสก์", "บท", "ที่ชาร์จ", "ใบเสร็จ", "กระติกน้ำ"],
}

#: Sentence frames that carry a planted term ``{t}``: spaced scripts get spaces around it
#: (and Korean a following space), so the boundary guards must accept it.
PLANT_FRAMES: dict[str, list[str]] = {
    "en": ["Nobody says {t} on camera, understood?", "The poster in the back reads {t}.",
           "He actually wrote {t} into the final scene.", "Why is {t} in the subtitles?"],
    "ko": ["다들 {t} 얘기만 하더라.", "대본에 {t} 라고 써 있었어.", "왜 자막에 {t} 나와?"],
    "zh-Hans": ["他在最后一场戏里写了{t}。", "海报上写着{t}。", "为什么字幕里有{t}？"],
    "zh-Hant": ["他在最後一場戲裡寫了{t}。", "海報上寫著{t}。"],
    "ja": ["最後のシーンに{t}って書いてある。", "ポスターに{t}と書いてあった。"],
    "th": ["ในบทมีคำว่า{t}อยู่ด้วย", "โปสเตอร์เขียนว่า{t}"],
}
PARENTHETICALS = ["(quietly)", "(beat)", "(into phone)", "(in Korean)", "(in Mandarin)",
                  "(in Japanese)", "(in Thai)", "(laughing)", "(off his look)"]
TRANSITIONS = ["CUT TO:", "DISSOLVE TO:", "SMASH CUT TO:"]
PLANT_EVERY = 10  # about one dialogue line in ten carries a term


@dataclass(frozen=True, slots=True)
class GenElement:
    """One generated element: its kind (a locreview ElementKind value), text and speaker."""

    kind: str
    text: str
    speaker: str | None = None
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Plant:
    """A glossary term planted in a dialogue line (the line's exact text identifies it)."""

    line: str
    entry_id: str
    term: str
    lang: str


@dataclass(slots=True)
class Draft:
    """A generated draft: its elements in order and the terms planted in them."""

    elements: list[GenElement]
    plants: list[Plant] = field(default_factory=list)

    @property
    def chars(self) -> int:
        """Characters of element text (what the detectors read)."""
        return sum(len(e.text) for e in self.elements)


def plantable_terms(entries: list[tuple[str, list[tuple[str, str]]]]) -> dict[str, list[tuple[str, str]]]:
    """Group (entry id, term) candidates for planting by dialogue language.

    ``entries`` is ``[(entry_id, [(lang, term), ...]), ...]``; terms in languages the
    generator writes dialogue in are kept, sorted so the choice is deterministic.
    """
    out: dict[str, list[tuple[str, str]]] = {lang: [] for lang in CLAUSES}
    for entry_id, terms in sorted(entries):
        for lang, term in terms:
            if lang in out and term.strip() and "{" not in term:
                out[lang].append((entry_id, term))
    return out


def generate(size: float, terms: dict[str, list[tuple[str, str]]], seed: int = 20260101) -> Draft:
    """Return a draft of ``size`` × a 120-page feature with terms planted from ``terms``."""
    rng = random.Random(seed)
    draft = Draft([])
    els = draft.elements
    langs = list(CLAUSES)
    # Weights: English leads, the other languages share the rest of the dialogue.
    weights = [4, 2, 2, 1, 2, 1]
    dialogue_count = 0
    for _scene in range(max(1, round(SCENES_PER_SIZE * size))):
        els.append(GenElement("scene_heading", f"{rng.choice(PLACES)} - {rng.choice(TIMES)}"))
        cast = rng.sample(langs, 3)
        for _beat in range(rng.randint(10, 13)):
            if rng.random() < 0.3:
                who = rng.choice(CHARACTERS["en"] + CHARACTERS["ko"]).title()
                line = " ".join(
                    a.format(a=who, n=rng.randint(2, 99)) for a in rng.sample(ACTION, 2)
                )
                els.append(GenElement("action", line))
                continue
            lang = rng.choices(cast, weights=[weights[langs.index(x)] for x in cast])[0]
            speaker = rng.choice(CHARACTERS[lang])
            els.append(GenElement("character", speaker, speaker))
            if rng.random() < 0.15:
                els.append(GenElement("parenthetical", rng.choice(PARENTHETICALS), speaker))
            dialogue_count += 1
            text = _line(rng, lang)
            pool = terms.get(lang) or []
            if pool and dialogue_count % PLANT_EVERY == 0:
                entry_id, term = pool[rng.randrange(len(pool))]
                frame = rng.choice(PLANT_FRAMES[lang]).format(t=term)
                text = f"{text} {frame}" if lang in ("en", "ko") else text + frame
                draft.plants.append(Plant(text, entry_id, term, lang))
            els.append(GenElement("dialogue", text, speaker, lang))
        if rng.random() < 0.4:
            els.append(GenElement("transition", rng.choice(TRANSITIONS)))
    return draft


def _line(rng: random.Random, lang: str) -> str:
    objs = OBJECTS[lang]
    parts = [
        c.format(n=rng.randint(2, 120), o=rng.choice(objs))
        for c in rng.sample(CLAUSES[lang], rng.choice((2, 3, 3, 4)))
    ]
    return (" " if lang in ("en", "ko", "th") else "").join(parts)


# -- writers: one per format -------------------------------------------------------------


def to_fountain(draft: Draft) -> str:
    """The draft as a Fountain screenplay."""
    out = ["Title: Benchmark Feature\nAuthor: locreview bench\n\n"]
    for e in draft.elements:
        if e.kind == "scene_heading":
            out.append(f"\n{e.text}\n\n")
        elif e.kind == "action":
            out.append(f"{e.text}\n\n")
        elif e.kind == "character":
            out.append(f"{e.text}\n")
        elif e.kind == "parenthetical":
            out.append(f"{e.text}\n")
        elif e.kind == "dialogue":
            out.append(f"{e.text}\n\n")
        elif e.kind == "transition":
            out.append(f"> {e.text}\n\n")
    return "".join(out)


_FDX_TYPES = {
    "scene_heading": "Scene Heading", "action": "Action", "character": "Character",
    "parenthetical": "Parenthetical", "dialogue": "Dialogue", "transition": "Transition",
}


def to_fdx(draft: Draft) -> bytes:
    """The draft as Final Draft XML."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n',
           '<FinalDraft DocumentType="Script" Template="No" Version="5">\n<Content>\n']
    for e in draft.elements:
        out.append(f'<Paragraph Type="{_FDX_TYPES[e.kind]}"><Text>{escape(e.text)}</Text></Paragraph>\n')
    out.append("</Content>\n</FinalDraft>\n")
    return "".join(out).encode("utf-8")


def to_docx(draft: Draft) -> bytes:
    """The draft as a Word document, one paragraph per element in screenplay styles."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    doc = docx.Document()
    styles = {}
    for kind, name in _FDX_TYPES.items():
        styles[kind] = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    for e in draft.elements:
        doc.add_paragraph(e.text, style=styles[e.kind])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_text(draft: Draft) -> str:
    """The draft as plain text ("SPEAKER: line" for dialogue, paragraphs otherwise)."""
    out = []
    speaker = None
    for e in draft.elements:
        if e.kind == "character":
            speaker = e.text
        elif e.kind == "dialogue":
            out.append(f"{speaker}: {e.text}\n\n")
        elif e.kind != "parenthetical":
            out.append(f"{e.text}\n\n")
    return "".join(out)


def _timecode(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _cues(draft: Draft) -> list[str]:
    return [e.text for e in draft.elements if e.kind in ("dialogue", "action")]


def to_srt(draft: Draft) -> str:
    """The draft's dialogue and action as SubRip cues, three seconds each."""
    out = []
    for i, text in enumerate(_cues(draft), start=1):
        a, b = i * 3000, i * 3000 + 2500
        out.append(f"{i}\n{_timecode(a, ',')} --> {_timecode(b, ',')}\n{text}\n\n")
    return "".join(out)


def to_vtt(draft: Draft) -> str:
    """The draft's dialogue and action as WebVTT cues."""
    out = ["WEBVTT\n\n"]
    for i, text in enumerate(_cues(draft), start=1):
        a, b = i * 3000, i * 3000 + 2500
        out.append(f"{_timecode(a, '.')} --> {_timecode(b, '.')}\n{text}\n\n")
    return "".join(out)


def to_pdf(draft: Draft, lines_per_page: int = 54) -> tuple[bytes, int]:
    """A text PDF in screenplay layout (Courier 12); returns (pdf bytes, text characters).

    Base-14 Courier only covers Latin-1, so the PDF carries the draft's Latin-1 elements
    (English dialogue and all action, headings, cues): enough to time the reader, whose
    cost is per line, not per script.
    """
    indent = {"scene_heading": 108, "action": 108, "character": 266, "parenthetical": 223,
              "dialogue": 180, "transition": 432}
    width = {"scene_heading": 60, "action": 60, "character": 30, "parenthetical": 25,
             "dialogue": 35, "transition": 20}
    rows: list[tuple[float, str] | None] = []
    chars = 0
    for e in draft.elements:
        if not _latin1(e.text):
            continue
        if e.kind in ("scene_heading", "action", "transition"):
            rows.append(None)
        for chunk in _wrap(e.text, width[e.kind]):
            rows.append((indent[e.kind], chunk))
            chars += len(chunk)
    pages: list[list[tuple[float, float, str]]] = []
    for start in range(0, len(rows), lines_per_page):
        page = []
        y = 720.0
        for row in rows[start : start + lines_per_page]:
            if row is not None:
                page.append((row[0], y, row[1]))
            y -= 12
        pages.append(page)
    return make_pdf(pages), chars


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    cur = ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    if cur:
        lines.append(cur)
    return lines


def render(draft: Draft, fmt: str) -> bytes:
    """The draft in one of locreview's formats, as the bytes of a file."""
    if fmt == "fountain":
        return to_fountain(draft).encode("utf-8")
    if fmt == "fdx":
        return to_fdx(draft)
    if fmt == "docx":
        return to_docx(draft)
    if fmt == "pdf":
        return to_pdf(draft)[0]
    if fmt == "srt":
        return to_srt(draft).encode("utf-8")
    if fmt == "vtt":
        return to_vtt(draft).encode("utf-8")
    if fmt == "text":
        return to_text(draft).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")
