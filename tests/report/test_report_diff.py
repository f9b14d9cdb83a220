"""locreview.diff: new / unchanged / resolved flags between two revisions, in every format."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from report_samples import build_revision, build_sample

from locreview.diff import DIFF_FORMATS, diff_reports, diff_to_dict, summary_line, write_diff
from locreview.errors import ConfigError


@pytest.fixture
def revisions():
    old, new = build_sample(), build_revision()
    return old, new, diff_reports(old.report, new.report)


def _ids(items) -> list[tuple[str, str]]:
    return sorted((it.flag.market, it.flag.entry_id) for it in items)


def test_diff_matches_by_market_and_fingerprint(revisions) -> None:
    _, _, d = revisions
    assert _ids(d.new) == [("KR", "kr.rising-sun-flag")]
    assert _ids(d.resolved) == [("KR", "kr.dokdo-takeshima-name")]
    assert len(d.unchanged) == 7
    assert d.counts() == {"new": 1, "unchanged": 7, "resolved": 1}
    # unchanged flags are the NEW copies, at their new (shifted) lines
    yasukuni = next(it for it in d.unchanged if it.flag.entry_id == "cn.yasukuni-shrine")
    assert yasukuni.flag.span.line == 20
    assert d.resolved[0].flag.span.line == 8  # the OLD position
    assert d.by_market()["KR"] == {"new": 1, "unchanged": 1, "resolved": 1}


def test_diff_identical_reports_are_all_unchanged() -> None:
    a, b = build_sample(), build_sample()
    d = diff_reports(a.report, b.report)
    assert d.counts() == {"new": 0, "unchanged": 8, "resolved": 0}


def test_diff_duplicates_pair_up_and_surplus_is_new() -> None:
    old, new = build_sample(), build_sample()
    extra = new.report.documents[0].flags[0]
    new.report.documents[0].flags.append(extra)
    d = diff_reports(old.report, new.report)
    assert d.counts() == {"new": 1, "unchanged": 8, "resolved": 0}


def test_diff_markets_filter(revisions) -> None:
    old, new, _ = revisions
    d = diff_reports(old.report, new.report, markets=["th", "JP"])
    assert d.counts() == {"new": 0, "unchanged": 3, "resolved": 0}
    assert d.markets == ["JP", "TH"]


def test_diff_renamed_file_keeps_findings_unchanged(revisions) -> None:
    old, new, _ = revisions
    new.report.documents[0].path = "drafts/crossing-v2.fountain"
    d = diff_reports(old.report, new.report)
    assert d.counts()["unchanged"] == 7


def _write(d, fmt, **kw) -> str:
    out = io.StringIO()
    write_diff(d, fmt, out, **kw)
    return out.getvalue()


@pytest.mark.parametrize("fmt", DIFF_FORMATS)
def test_diff_every_format_renders(revisions, fmt: str) -> None:
    old, new, d = revisions
    text = _write(d, fmt, scripts=new.scripts, old_scripts=old.scripts)
    assert text.strip()
    if fmt != "srt-notes":
        assert "Rising Sun flag" in text and "Takeshima" in text


def test_diff_unknown_format(revisions) -> None:
    with pytest.raises(ConfigError):
        _write(revisions[2], "docx")


def test_diff_text(revisions) -> None:
    lines = _write(revisions[2], "text").splitlines()
    assert lines[0].startswith("+ drafts/crossing.fountain:5:26: HIGH KR historical")
    assert sum(ln.startswith("= ") for ln in lines) == 7
    assert lines[-2].startswith("- drafts/crossing.fountain:8:20: HIGH KR territorial")
    assert lines[-1] == "1 new, 7 unchanged, 1 resolved; new by market: KR 1"
    assert lines[-1] == summary_line(revisions[2])


def test_diff_json(revisions) -> None:
    data = json.loads(_write(revisions[2], "json"))
    assert data == json.loads(json.dumps(diff_to_dict(revisions[2])))
    assert data["kind"] == "diff"
    assert data["summary"]["new"] == 1 and data["summary"]["resolved"] == 1
    assert [f["entry_id"] for f in data["flags"]["new"]] == ["kr.rising-sun-flag"]
    assert data["flags"]["resolved"][0]["path"] == "drafts/crossing.fountain"
    # every flag in a diff still satisfies the report contract's flag schema
    schema = json.loads(
        (Path(__file__).parents[2] / "locreview/report/report.schema.json").read_text()
    )
    flag_schema = {**schema["$defs"]["flag"], "$defs": schema["$defs"]}
    flag_schema["properties"] = {**flag_schema["properties"], "path": {"type": "string"}}
    v = jsonschema.Draft202012Validator(flag_schema)
    for change in ("new", "unchanged", "resolved"):
        for f in data["flags"][change]:
            v.validate(f)


def test_diff_csv_parse_back(revisions) -> None:
    rows = list(csv.DictReader(io.StringIO(_write(revisions[2], "csv"))))
    assert [r["change"] for r in rows].count("unchanged") == 7
    new = next(r for r in rows if r["change"] == "new")
    assert new["entry_id"] == "kr.rising-sun-flag" and new["line"] == "5"


def test_diff_html_badges_and_old_passage(revisions) -> None:
    old, new, d = revisions
    html = _write(d, "html", scripts=new.scripts, old_scripts=old.scripts)

    class P(HTMLParser):
        badges: list[str] = []
        in_mark = False
        marks: list[str] = []

        def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
            cls = dict(attrs).get("class") or ""
            self.cur = cls if "change-" in cls else None
            self.in_mark = tag == "mark"

        def handle_data(self, data):  # type: ignore[no-untyped-def]
            if getattr(self, "cur", None):
                self.badges.append(data.strip())
                self.cur = None
            if self.in_mark:
                self.marks.append(data)
                self.in_mark = False

    p = P()
    p.feed(html)
    assert p.badges.count("new") == 1 + 0 and p.badges.count("resolved") == 1
    assert "1 new" in p.badges and "1 resolved" in p.badges
    # the resolved flag's passage comes from the OLD draft
    assert "The map still says <mark>Takeshima</mark>. Who printed this?" in html
    assert "Rising Sun flag" in p.marks


def test_diff_markdown(revisions) -> None:
    old, new, d = revisions
    md = _write(d, "md", scripts=new.scripts, old_scripts=old.scripts)
    assert md.startswith("## locreview diff")
    assert "**1 new**, 7 unchanged, 1 resolved" in md
    assert "- _new_ · **HIGH** · KR · historical · kr.rising-sun-flag" in md
    assert "  > The map still says **Takeshima**. Who printed this?" in md


def test_diff_sarif_baseline_state(revisions) -> None:
    log = json.loads(_write(revisions[2], "sarif"))
    schema = json.loads(Path(__file__).with_name("sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    states = [r["baselineState"] for r in log["runs"][0]["results"]]
    assert sorted(states) == ["absent", "new"] + ["unchanged"] * 7
