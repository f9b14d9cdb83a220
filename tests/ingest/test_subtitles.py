"""SRT and WebVTT: cues, timecodes, tags, speakers, skipped blocks, malformed timings."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from ingest_peers import CORPUS
from spancheck import check_spans

from locreview.errors import FormatError
from locreview.ingest import read_script
from locreview.model import ElementKind

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus missing")


def _secs(t: str) -> float:
    h, m, s = t.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def _strip_cue_markup(t: str) -> str:
    t = re.sub(r"<rt>.*?</rt>", "", t)
    t = re.sub(r"<[^>]*>", "", t)
    return " ".join(html.unescape(t).split())


def _vttjs_cases() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return [
        j for j in sorted(CORPUS.glob("vtt/vtt.js/**/*.json")) if j.with_suffix(".vtt").exists()
    ]


@needs_corpus
@pytest.mark.parametrize("expected", _vttjs_cases(), ids=lambda p: p.parent.name + "/" + p.name)
def test_vttjs_expected_cues(expected: Path) -> None:
    """Cue times, ids and text (markup stripped) agree with vtt.js's parsed output."""
    data = json.loads(expected.read_text(encoding="utf-8"))
    exp = [
        (c["startTime"], c["endTime"], _strip_cue_markup(c["text"]), c["id"].strip())
        for c in data["cues"]
    ]
    exp = [e for e in exp if e[2]]
    s = read_script(expected.with_suffix(".vtt"))
    got = [
        (
            _secs(e.span.time_start),
            _secs(e.span.time_end),
            " ".join(e.text.split()),
            e.attrs.get("id", ""),
        )
        for e in s.elements
    ]
    assert got == exp


@needs_corpus
def test_vttjs_case_count() -> None:
    """All vtt.js expectations with a same-stem input are compared."""
    assert len(_vttjs_cases()) >= 20


@needs_corpus
def test_vtt_no_output_files() -> None:
    """vtt.js expects no cues from a blank BOM file and BOM + garbage: we refuse both."""
    base = CORPUS / "vtt/vtt.js/file-layout"
    assert json.loads((base / "no-output.json").read_text())["cues"] == []
    for name in ("blank-file-with-bom.vtt", "bom-garbage-data.vtt"):
        with pytest.raises(Exception) as info:
            read_script(base / name)
        assert name in str(info.value)


SRT = """1
00:00:01,000 --> 00:00:02,500
<i>Hello</i> <font color="#fff">world</font>

2
00:00:03,000 --> 00:00:04,000 X1:40 X2:600 Y1:20 Y2:50
{\\an8}JOHN: Free Tibet!
- second line

3
0:0:5,5 --> 0:0:6
Short codes.
"""


def test_srt_cues_tags_and_positions() -> None:
    """Tags and ASS overrides are stripped with offsets; timecodes normalised; NAME: speaker."""
    s = read_script(SRT.encode(), name="a.srt")
    check_spans(s)
    assert s.format == "srt"
    c1, c2, c3 = s.elements
    assert all(e.kind is ElementKind.CUE for e in s.elements)
    assert c1.text == "Hello world"
    assert (c1.span.time_start, c1.span.time_end) == ("00:00:01.000", "00:00:02.500")
    assert c1.span.line == 3 and c1.attrs["id"] == "1"
    assert s.text[c1.original_offset(6) : c1.original_offset(6) + 5] == "world"
    assert c2.text == "JOHN: Free Tibet!\n- second line"
    assert c2.speaker == "JOHN"
    assert (c3.span.time_start, c3.span.time_end) == ("00:00:05.500", "00:00:06.000")


def test_vtt_voice_notes_styles_regions() -> None:
    """<v Speaker> keeps the speaker; NOTE/STYLE/REGION blocks are skipped; entities decode."""
    vtt = (
        "WEBVTT - title\nKind: captions\n\n"
        "STYLE\n::cue { color: red }\n\n"
        "REGION\nid:r1 width:40%\n\n"
        "NOTE this is a comment\nspanning lines\n\n"
        "intro\n00:01.000 --> 00:02.000 align:start region:r1\n"
        "<v.loud Mary Jane>Tom &amp; Jerry &lt;3</v>\n\n"
        "00:00:03.000 --> 00:00:04.000\n<c.yellow>漢字</c><ruby>北京<rt>Běijīng</rt></ruby> "
        "<00:00:03.500>ok\n"
    )
    s = read_script(vtt.encode(), name="b.vtt")
    check_spans(s)
    c1, c2 = s.elements
    assert c1.text == "Tom & Jerry <3"
    assert c1.speaker == "Mary Jane"
    assert c1.attrs["id"] == "intro"
    assert c2.text == "漢字北京 ok"
    assert "comment" not in " ".join(e.text for e in s.elements)
    assert c2.span.time_start == "00:00:03.000"


@pytest.mark.parametrize(
    ("src", "line", "match"),
    [
        ("1\n00:00:01,000 --> 00:00:0x,000\nHi\n", 2, "malformed timecode"),
        ("1\n-00:00:01,000 --> 00:00:02,000\nHi\n", 2, "negative timecode"),
        ("1\n00:00:05,000 --> 00:00:02,000\nHi\n", 2, "ends before it starts"),
        (
            "1\n00:00:01,000 --> 00:00:05,000\nA\n\n2\n00:00:04,000 --> 00:00:06,000\nB\n",
            6,
            "overlaps the previous cue",
        ),
        ("1\n00:00:01,000 --> 00:00:02,000\nA\n\nstray text\n\n", 5, "without a timing line"),
    ],
    ids=["malformed", "negative", "reversed", "overlap", "no-timing"],
)
def test_srt_bad_timings_name_the_line(src: str, line: int, match: str) -> None:
    """Malformed, negative, reversed and overlapping SRT timings are errors with a line."""
    with pytest.raises(FormatError, match=match) as info:
        read_script(src.encode(), name="bad.srt")
    assert info.value.line == line
    assert "bad.srt" in str(info.value)


def test_vtt_malformed_timing_names_line() -> None:
    """A malformed WebVTT timestamp is an error with its line."""
    src = "WEBVTT\n\n00:01.000 --> 00:02.000\nA\n\n00:03.000 --> 00:0x.000\nB\n"
    with pytest.raises(FormatError, match="malformed") as info:
        read_script(src.encode(), name="bad.vtt")
    assert info.value.line == 6


def test_vtt_allows_overlap() -> None:
    """Overlapping cues are legal in WebVTT (karaoke, two speakers)."""
    src = "WEBVTT\n\n00:01.000 --> 00:05.000\nA\n\n00:02.000 --> 00:03.000\nB\n"
    assert [e.text for e in read_script(src.encode(), name="o.vtt").elements] == ["A", "B"]


def test_vtt_cr_only_line_endings_and_astral_chars() -> None:
    """CR-only files split lines correctly; astral-plane emoji keep their offsets."""
    src = "WEBVTT\r\r00:00.000 --> 00:01.000\r😀 hi 😀\r"
    s = read_script(src.encode(), name="cr.vtt")
    check_spans(s)
    assert s.elements[0].text == "😀 hi 😀"
    assert s.elements[0].span.line == 4


def test_srt_utf16_and_crlf() -> None:
    """UTF-16 with BOM and CRLF line endings read as text with correct lines."""
    src = "1\r\n00:00:01,000 --> 00:00:02,000\r\n안녕하세요 สวัสดี\r\n"
    s = read_script(src.encode("utf-16"), name="u.srt")
    assert s.encoding in ("utf-16-le", "utf-16-be")
    assert s.elements[0].text == "안녕하세요 สวัสดี"
    assert s.elements[0].span.line == 3
