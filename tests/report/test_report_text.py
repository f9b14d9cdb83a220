"""Plain-text writer: one grep-able line per flag, then a summary."""

from __future__ import annotations

import io

from locreview.report import write_report
from locreview.report.text import flag_line


def _render(report, **kw) -> list[str]:
    out = io.StringIO()
    write_report(report, "text", out, **kw)
    return out.getvalue().splitlines()


def test_text_one_line_per_flag_then_summary(sample) -> None:
    lines = _render(sample.report)
    flags = [ln for ln in lines if ": error:" not in ln]
    assert len(flags) == 8 + 1
    assert lines[0] == (
        "drafts/crossing.fountain:5:27: LOW JP territorial jp.sea-of-japan-name "
        "\"East Sea\" — Use 'Sea of Japan'"
    )
    assert "drafts/broken.pdf: error: [E103] not a PDF file" in lines
    assert lines[-1] == (
        "8 flags in 3 documents (3 critical, 3 high, 1 medium, 1 low); "
        "markets: CN 3, JP 1, KR 2, TH 2; 1 unreadable"
    )


def test_text_status_from_flag_and_from_store(sample) -> None:
    lines = _render(sample.report)
    assert any("kr.dokdo-takeshima-name" in ln and ln.endswith("[accepted]") for ln in lines)
    flag = sample.report.documents[0].flags[2]
    store = {(flag.market, flag.fingerprint): "dismissed"}
    lines = _render(sample.report, store=store)
    assert any("th.buddha-image-disrespect" in ln and ln.endswith("[dismissed]") for ln in lines)


def test_text_control_characters_cannot_break_lines_or_drive_the_terminal(sample) -> None:
    flag = sample.report.documents[0].flags[0]
    flag.text = "Take\nshima\x1b[2J\x9b"
    line = flag_line("a.txt", flag)
    assert "\n" not in line and "\x1b" not in line and "\x9b" not in line


def test_text_color_only_when_asked(sample) -> None:
    plain = "\n".join(_render(sample.report))
    colored = "\n".join(_render(sample.report, color=True))
    assert "\x1b[" not in plain
    assert "\x1b[1;31mCRITICAL\x1b[0m" in colored
