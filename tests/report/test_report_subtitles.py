"""Reviewer track (srt-notes): one cue per flag at its timecode, loadable as SRT/VTT."""

from __future__ import annotations

import io
import re

import pytest

from locreview.report import write_report
from locreview.report.subtitles import format_time, parse_time, write_vtt

_SRT_CUE = re.compile(
    r"(\d+)\n(\d\d:\d\d:\d\d,\d{3}) --> (\d\d:\d\d:\d\d,\d{3})\n((?:.+\n)+)(?:\n|$)"
)


def _cues(srt: str) -> list[tuple[int, str, str, list[str]]]:
    cues = [(int(n), a, b, body.splitlines()) for n, a, b, body in _SRT_CUE.findall(srt)]
    # the whole file is cues and nothing else
    assert "".join(m.group(0) for m in _SRT_CUE.finditer(srt)) == srt
    return cues


def test_subtitles_srt_notes_cues_at_flag_timecodes(sample) -> None:
    out = io.StringIO()
    write_report(sample.report, "srt-notes", out)
    cues = _cues(out.getvalue())
    assert [(n, a, b) for n, a, b, _ in cues] == [
        (1, "00:00:01,000", "00:00:03,500"),
        (2, "00:01:02,250", "00:01:04,000"),
    ]
    assert cues[0][3][0] == "[CRITICAL CN territorial] “Taiwan, my country”"
    assert "→ Say 'Welcome to Taipei'" in cues[0][3]


def test_subtitles_vtt_variant(sample) -> None:
    out = io.StringIO()
    write_vtt(sample.report, out)
    text = out.getvalue()
    assert text.startswith("WEBVTT")
    assert "00:01:02.250 --> 00:01:04.000" in text


def test_subtitles_flags_at_one_time_share_a_cue_and_text_cannot_break_cues(sample) -> None:
    doc = sample.report.documents[1]
    doc.flags[1].span = doc.flags[0].span
    doc.flags[1].text = "a\n\nb --> <i>c</i>"
    out = io.StringIO()
    write_report(sample.report, "srt-notes", out)
    cues = _cues(out.getvalue())
    assert len(cues) == 1
    body = "\n".join(cues[0][3])
    assert "-->" not in body and "<i>" not in body


def test_subtitles_screenplay_flags_are_left_out(sample) -> None:
    sample.report.documents = sample.report.documents[:1]
    out = io.StringIO()
    write_report(sample.report, "srt-notes", out)
    assert out.getvalue() == ""


@pytest.mark.parametrize(
    ("text", "ms"),
    [("00:00:01.000", 1000), ("00:01:02,250", 62250), ("1:02:03.4", 3723400), ("00:05", 5000)],
)
def test_subtitles_parse_time(text: str, ms: int) -> None:
    assert parse_time(text) == ms


def test_subtitles_format_time() -> None:
    assert format_time(3723400) == "01:02:03,400"
    assert format_time(3723400, vtt=True) == "01:02:03.400"
    with pytest.raises(ValueError):
        parse_time("soon")
