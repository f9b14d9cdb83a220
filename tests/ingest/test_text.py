"""Plain text and encodings: paragraphs, SPEAKER: lines, physical lines, code pages."""

from __future__ import annotations

import pytest
from spancheck import check_spans

from locreview.errors import EncodingError
from locreview.ingest import read_script
from locreview.model import ElementKind

SCENES = {
    "zh-Hans": "内景。北京的一间公寓 - 夜\n\n李伟站在窗前，看着外面的街道。他的母亲坐在沙发上，正在看电视新闻。\n\n"
    "李伟：我们明天早上就走吧，不要再等了。\n\n母亲：你父亲会怎么说呢？这件事情我们必须好好商量一下。\n",
    "zh-Hant": "內景。台北的一間公寓 - 夜\n\n李偉站在窗前，看著外面的街道。他的母親坐在沙發上，正在看電視新聞。\n\n"
    "李偉：我們明天早上就走吧，不要再等了。\n\n母親：你父親會怎麼說呢？這件事情我們必須好好商量一下。\n",
    "ko": "실내. 서울의 아파트 - 밤\n\n민수는 창가에 서서 거리를 내려다본다. 그의 어머니는 소파에 앉아 뉴스를 보고 있다.\n\n"
    "민수: 내일 아침에 떠나요. 더 이상 기다릴 수 없어요.\n\n어머니: 아버지가 뭐라고 하실까? 우리 잘 생각해 보자.\n",
    "ja": "室内。東京のアパート - 夜\n\n健二は窓辺に立ち、通りを見下ろしている。母親はソファに座ってニュースを見ている。\n\n"
    "健二：明日の朝、出発しよう。もう待てないよ。\n\n母親：お父さんは何と言うかしら。よく考えましょう。\n",
    "th": "ภายใน อพาร์ตเมนต์ในกรุงเทพ - กลางคืน\n\nสมชายยืนอยู่ที่หน้าต่าง มองลงไปที่ถนน แม่ของเขานั่งอยู่บนโซฟาดูข่าวทางโทรทัศน์\n\n"
    "สมชาย: พรุ่งนี้เช้าเราไปกันเถอะ รอต่อไปไม่ได้แล้ว\n\nแม่: พ่อของลูกจะว่าอย่างไร เราต้องคิดให้ดีก่อน\n",
}

# (sample, codec written, names accepted as "detected": the codec or its superset)
LEGACY = [
    ("zh-Hans", "gb18030", {"gb18030"}),
    ("zh-Hans", "gb2312", {"gb2312", "gbk", "gb18030"}),
    ("zh-Hant", "big5", {"big5", "cp950", "big5hkscs"}),
    ("ko", "euc_kr", {"euc_kr", "cp949"}),
    ("ja", "shift_jis", {"shift_jis", "cp932"}),
    ("th", "tis_620", {"tis-620", "cp874", "iso8859_11"}),
]


@pytest.mark.parametrize(("lang", "codec", "accepted"), LEGACY, ids=[c for _, c, _ in LEGACY])
def test_legacy_code_pages_detected_and_reported(lang: str, codec: str, accepted: set[str]) -> None:
    """GB18030/GB2312, Big5, EUC-KR, Shift_JIS and TIS-620 are detected, decoded, reported."""
    import codecs

    src = SCENES[lang]
    s = read_script(src.encode(codec), name=f"{lang}.txt")
    assert s.text == src
    assert codecs.lookup(s.encoding).name in {codecs.lookup(a).name for a in accepted}
    assert s.meta["encoding"] == s.encoding
    check_spans(s)


@pytest.mark.parametrize(
    ("bom_codec", "encoding"),
    [("utf-8-sig", "utf-8-sig"), ("utf-16", None), ("utf-16-be", "utf-16-be")],
)
def test_utf_boms(bom_codec: str, encoding: str | None) -> None:
    """UTF-8 BOM and UTF-16 LE/BE are read; the BOM is not part of the text."""
    src = SCENES["ko"]
    data = src.encode(bom_codec)
    if bom_codec == "utf-16-be":
        data = b"\xfe\xff" + data
    s = read_script(data, name="k.txt")
    assert s.text == src
    assert s.encoding == (encoding or s.encoding)
    assert s.encoding.startswith("utf-")


def test_plain_text_crlf_spans_are_physical_lines() -> None:
    """Lines count physical lines of the original file, CRLF counted once."""
    src = "First paragraph\r\nstill first.\r\n\r\n\r\nJOHN: Hello there.\r\nSecond\r\n"
    s = read_script(src.encode(), name="a.txt")
    check_spans(s)
    assert [(e.kind, e.span.line) for e in s.elements] == [
        (ElementKind.PARAGRAPH, 1),
        (ElementKind.CHARACTER, 5),
        (ElementKind.DIALOGUE, 5),
        (ElementKind.PARAGRAPH, 6),
    ]
    assert s.elements[0].text == "First paragraph\r\nstill first."
    assert s.elements[2].speaker == "JOHN" and s.elements[2].span.column == 7


@pytest.mark.parametrize("lang", sorted(SCENES))
def test_plain_text_cjk_thai_speakers(lang: str) -> None:
    """'NAME: line' (ASCII or full-width colon) gives dialogue with the speaker, in any script."""
    s = read_script(SCENES[lang].encode(), name=f"{lang}.txt", format="text")
    check_spans(s)
    dialogue = [e for e in s.elements if e.kind is ElementKind.DIALOGUE]
    assert len(dialogue) == 2
    assert all(d.speaker for d in dialogue)
    assert s.elements[0].kind is ElementKind.PARAGRAPH


@pytest.mark.parametrize(
    "line",
    ["Note: remember the props.", "10:30 the train leaves.", "http://example.com", "the end: fin"],
)
def test_plain_text_not_speakers(line: str) -> None:
    """Labels that introduce prose, times and URLs are not speakers."""
    s = read_script(line.encode(), name="n.txt", format="text")
    assert [e.kind for e in s.elements] == [ElementKind.PARAGRAPH]


def test_invalid_utf8_without_plausible_encoding() -> None:
    """Bytes that are not UTF-8 and fit no plausible code page raise EncodingError."""
    data = bytes(range(0x80, 0x100)) * 40
    with pytest.raises(EncodingError) as info:
        read_script(data, name="bad.txt", format="text")
    assert info.value.path == "bad.txt"
