"""Output safety: script text and glossary text stay inert in every report format: HTML
escapes them, CSV neutralises formula cells (= + - @), JSON/SARIF round-trip them as plain
strings, Markdown escapes markup; and the reviewer shows them only as text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from locreview.api import scan
from locreview.report import FORMATS, write_report

PACK = Path(__file__).parent / "fixtures" / "hostile.yaml"
DRAFT = (
    "Title: <script>alert('title')</script>\n\n"
    "INT. LAB - NIGHT\n\n"
    "@=HYPERLINK(\"http://evil.example\")\n"
    "We go to Taiwan <script>alert('dialogue')</script> tonight.\n\n"
    "@+SUM(A1:A9)\n"
    "Taiwan <img src=x onerror=alert('img')> &amp; ]]> {{ 7*7 }}\n\n"
    "-Taiwan is a \"quoted\" word, @Taiwan too.\n"
)
# Live markup: the tags themselves (escaped text such as "&lt;img onerror=..." is inert).
ATTACKS = ["<script", "<img"]


@pytest.fixture(scope="module")
def hostile_report():
    """The hostile draft scanned with the hostile pack, plus its Script."""
    from locreview.ingest import read_script

    script = read_script(DRAFT.encode(), "fountain", name="=evil<script>.fountain")
    report = scan(script, ["CN"], glossaries=[PACK], detectors="literal,context")
    assert len(report.flags) >= 3
    return report, {script.path: script}


def _render(report, scripts, fmt: str) -> str:
    out = io.StringIO()
    write_report(report, fmt, out, scripts=scripts)
    return out.getvalue()


def test_html_escapes_script_and_glossary_text(hostile_report, reliability) -> None:
    report, scripts = hostile_report
    html = _render(report, scripts, "html")
    for attack in ATTACKS:
        assert attack not in html, attack
    assert "&lt;script&gt;" in html or "&#x3c;script" in html.lower()
    assert "javascript:" not in html.lower()
    reliability.add(kind="output", name="HTML report", tried=len(report.flags),
                    outcome="every script/glossary string escaped")


def test_csv_neutralises_formula_cells(hostile_report, reliability) -> None:
    report, scripts = hostile_report
    rows = list(csv.reader(io.StringIO(_render(report, scripts, "csv"))))
    cells = [c for row in rows[1:] for c in row]
    assert any(c.startswith("'=") for c in cells)  # the attacks really reached the CSV
    for c in cells:
        assert not c.startswith(("=", "+", "-", "@", "\t", "\r")), c
    reliability.add(kind="output", name="CSV report", tried=len(cells),
                    outcome="no cell starts with = + - @ tab CR")


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_and_sarif_round_trip_as_plain_strings(hostile_report, reliability, fmt) -> None:
    report, scripts = hostile_report
    text = _render(report, scripts, fmt)
    data = json.loads(text)
    dumped = json.dumps(data, ensure_ascii=False)
    assert "<script>alert('dialogue')</script>" not in dumped or fmt == "sarif"
    assert "<img src=x onerror=alert('rationale')>" in dumped  # kept as data, not dropped
    reliability.add(kind="output", name=f"{fmt.upper()} report", tried=len(report.flags),
                    outcome="valid JSON, hostile strings kept as string values")


def test_markdown_and_text_do_not_carry_live_markup(hostile_report, reliability) -> None:
    report, scripts = hostile_report
    md = _render(report, scripts, "md")
    for attack in ATTACKS:
        assert attack not in md, attack
    for fmt in FORMATS:
        if fmt != "srt-notes":  # subtitle notes are empty for a screenplay
            assert _render(report, scripts, fmt)  # every writer copes with the hostile report
    reliability.add(kind="output", name="Markdown report", tried=len(report.flags),
                    outcome="markup escaped")


def test_reviewer_shows_hostile_text_only_as_text(tmp_path: Path, reliability) -> None:
    """Through the service the UI calls: passages and details are plain strings, and the
    Blocks app has no HTML/Markdown component fed by a handler."""
    import os
    import sys

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from app.auth import User
    from app.service import ReviewService
    from locreview.review import ReviewStore

    def scanner(script, markets, progress=None):
        return scan(script, markets, glossaries=[PACK], detectors="literal,context")

    svc = ReviewService(ReviewStore(tmp_path / "r.sqlite"), scanner=scanner, markets=["CN"],
                        export_dir=tmp_path / "exports")
    up = tmp_path / "draft.fountain"
    up.write_text(DRAFT, encoding="utf-8")
    boss = User("cody", "compliance")
    res = svc.upload(boss, up, file_name="<script>x</script>.fountain", markets=["CN"])
    assert "<" not in res.revision.file_name and ">" not in res.revision.file_name
    fid = svc.flag_rows(boss, res.revision.id)[0][0]
    for seg, _label in svc.passage(boss, fid):
        assert isinstance(seg, str)
    assert "<img src=x onerror=alert('rationale')>" in svc.details(boss, fid)
    for fmt in ("html", "csv"):
        out = svc.export(boss, res.revision.id, fmt).read_text(encoding="utf-8")
        if fmt == "html":
            assert "<script>alert(" not in out and "<img" not in out
        else:
            for row in list(csv.reader(io.StringIO(out)))[1:]:
                assert not any(c.startswith(("=", "+", "-", "@")) for c in row), row
    reliability.add(kind="output", name="reviewer UI: passages, details, exports", tried=1,
                    outcome="plain text only; exports escaped/neutralised")
