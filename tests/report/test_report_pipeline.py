"""End to end: a real multi-scene draft scanned by the real pipeline, written in every format.

Uses the repository's sample draft and the shipped market packs (CN, KR, TH) with the literal
detector only, so it stays fast and needs no NLP models.
"""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from locreview.report import FORMATS, write_report
from locreview.report.json_report import load_schema

ROOT = Path(__file__).resolve().parents[2]
DRAFT = ROOT / "samples" / "pilot_episode.fountain"

# Loading the shipped packs takes seconds (measured 8-17 s on this machine).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scanned():
    from locreview.api import scan
    from locreview.ingest import read_script

    report = scan(str(DRAFT), "CN,KR,TH", detectors="literal")
    script = read_script(str(DRAFT))
    return report, {report.documents[0].path: script}


def _write(scanned, fmt: str) -> str:
    report, scripts = scanned
    out = io.StringIO()
    write_report(report, fmt, out, scripts=scripts)
    return out.getvalue()


def test_pipeline_sample_has_flags_in_three_markets_and_several_scenes(scanned) -> None:
    report, _ = scanned
    flags = report.flags
    assert len({f.market for f in flags}) >= 3
    assert len({f.element.scene for f in flags}) >= 2


def test_pipeline_json_validates(scanned) -> None:
    data = json.loads(_write(scanned, "json"))
    jsonschema.Draft202012Validator(load_schema()).validate(data)
    assert data["summary"]["flags"] == len(scanned[0].flags)


def test_pipeline_sarif_validates(scanned) -> None:
    schema = json.loads(Path(__file__).with_name("sarif-schema-2.1.0.json").read_text())
    log = json.loads(_write(scanned, "sarif"))
    jsonschema.Draft4Validator(schema).validate(log)
    assert len(log["runs"][0]["results"]) == len(scanned[0].flags)


def test_pipeline_csv_parse_back(scanned) -> None:
    rows = list(csv.DictReader(io.StringIO(_write(scanned, "csv"))))
    report, _ = scanned
    assert sorted(r["fingerprint"] for r in rows) == sorted(f.fingerprint for f in report.flags)
    for r in rows:
        f = next(f for f in report.flags if f.fingerprint == r["fingerprint"])
        assert r["text"] == f.text and int(r["line"]) == f.span.line


def test_pipeline_html_marks_every_match_in_its_passage(scanned) -> None:
    html = _write(scanned, "html")

    class P(HTMLParser):
        marks: list[str] = []
        articles = 0
        _in = False

        def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
            self._in = tag == "mark"
            self.articles += tag == "article"

        def handle_data(self, data):  # type: ignore[no-untyped-def]
            if self._in:
                self.marks.append(data)
                self._in = False

    p = P()
    p.feed(html)
    report, _ = scanned
    assert p.articles == len(report.flags)
    assert sorted(p.marks) == sorted(f.text for f in report.flags)


@pytest.mark.parametrize("fmt", FORMATS)
def test_pipeline_every_format(scanned, fmt: str) -> None:
    text = _write(scanned, fmt)
    if fmt == "srt-notes":
        assert text == ""  # a screenplay has no timecodes
    else:
        assert "Takeshima" in text
