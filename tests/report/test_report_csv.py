"""CSV writer: stable columns, parse-back, BOM for Excel, formula injection neutralised."""

from __future__ import annotations

import csv
import io

from locreview.report import write_report
from locreview.report.csv_report import COLUMNS, neutralise


def _rows(report, **kw) -> tuple[str, list[dict[str, str]]]:
    out = io.StringIO()
    write_report(report, "csv", out, **kw)
    text = out.getvalue()
    return text, list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_parse_back_one_row_per_flag(sample) -> None:
    text, rows = _rows(sample.report)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert len(rows) == len(sample.report.flags) == 8
    by_entry = {r["entry_id"]: r for r in rows}
    lese = by_entry["th.lese-majeste"]
    flag = next(f for f in sample.report.flags if f.entry_id == "th.lese-majeste")
    assert lese["text"] == "King of Thailand" == flag.text
    assert (int(lese["line"]), int(lese["column"])) == (flag.span.line, flag.span.column)
    assert int(lese["end_column"]) == flag.span.end_column
    assert lese["scene"] == "3" and lese["scene_heading"] == "INT. PALACE GALLERY - DAY"
    assert lese["sources"].split(" | ") == flag.sources
    assert lese["fingerprint"] == flag.fingerprint
    cue = by_entry["cn.taiwan-country"]
    assert (cue["time_start"], cue["time_end"]) == ("00:00:01.000", "00:00:03.500")
    assert by_entry["kr.dokdo-takeshima-name"]["status"] == "accepted"
    assert {r["market"] for r in rows} == {"CN", "JP", "KR", "TH"}


def test_csv_bom_only_when_asked(sample) -> None:
    plain, _ = _rows(sample.report)
    with_bom, rows = _rows(sample.report, bom=True)
    assert not plain.startswith("\ufeff")
    assert with_bom.startswith("\ufeff") and with_bom.count("\ufeff") == 1
    assert rows[0]["path"] == "drafts/crossing.fountain"


def test_csv_bom_file_reads_back_with_utf8_sig(sample, tmp_path) -> None:
    path = tmp_path / "r.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        write_report(sample.report, "csv", fh, bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(COLUMNS) and len(rows) == 8


def test_csv_formula_injection_is_neutralised(hostile) -> None:
    _, rows = _rows(hostile.report)
    th = next(r for r in rows if r["market"] == "TH")
    assert th["text"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert th["rationale"] == "'+SUM(1,2)"
    assert th["suggestion"] == "'-2+3"
    assert th["sources"] == "'@SUM(A1)"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_neutralise_cases() -> None:
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("\tx") == "'\tx"
    assert neutralise("\rx") == "'\rx"
    assert neutralise("plain = fine") == "plain = fine"
    assert neutralise("") == ""


def test_csv_multiline_and_quotes_round_trip(sample) -> None:
    flag = sample.report.documents[0].flags[0]
    flag.rationale = 'He said "no",\nthen left; 東海'
    _, rows = _rows(sample.report)
    row = next(r for r in rows if r["entry_id"] == flag.entry_id)
    assert row["rationale"] == 'He said "no",\nthen left; 東海'
