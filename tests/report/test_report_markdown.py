"""Markdown writer (pull-request comments): summary, flags by scene, everything escaped."""

from __future__ import annotations

import io

from report_samples import HOSTILE

from locreview.report import write_report
from locreview.report.markdown import escape


def _render(sample, **kw) -> str:
    out = io.StringIO()
    write_report(sample.report, "md", out, scripts=sample.scripts, **kw)
    return out.getvalue()


def test_markdown_summary_and_sections(sample) -> None:
    md = _render(sample)
    lines = md.splitlines()
    assert lines[0] == "## locreview report"
    assert "| CN | 2 | 0 | 1 | 0 | 0 | 3 |" in lines
    assert "| **all** | 3 | 3 | 1 | 1 | 0 | 8 |" in lines
    assert "### drafts/crossing.fountain (6 flags)" in lines
    assert "#### Scene 3: INT. PALACE GALLERY - DAY" in lines
    assert "  > A caricature mocks the **King of Thailand**." in lines
    assert "  - Sources: [Criminal Code section 112](https://example.org/th/112); Press coverage, 2020" in lines
    assert any("status: accepted" in ln for ln in lines)
    assert md.count("\n- **") == 8


def test_markdown_hostile_text_is_escaped(hostile) -> None:
    md = _render(hostile)
    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;" in md
    assert "](javascript:" not in md and "](data:" not in md
    assert "@SUM" not in md  # no @-mentions from draft text
    assert "{{ 7\\*7 }}" in md  # shown literally
    assert HOSTILE["js"] in md  # as plain text only


def test_markdown_escape_rules() -> None:
    assert escape("a|b") == "a\\|b"
    assert escape("**bold** [x](y)") == "\\*\\*bold\\*\\* \\[x\\](y)"
    assert escape("line\nbreak") == "line break"
    assert escape("# not a heading") == "&#35; not a heading"
    assert escape("- not a list") == "\\- not a list"
    assert escape("1. not a list") == "1\\. not a list"
    assert escape("> not a quote") == "&gt; not a quote"
    assert escape("$x$") == "\\$x\\$"
    assert escape("@team") == "&#64;team"
