"""JSON report: the contract, validated against the schema shipped in the package."""

from __future__ import annotations

import copy
import io
import json

import jsonschema
import pytest

from locreview.report import write_report
from locreview.report.json_report import SCHEMA_PATH, load_schema


def _validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _render(report) -> dict:
    out = io.StringIO()
    write_report(report, "json", out)
    return json.loads(out.getvalue())


def test_json_report_schema_ships_in_the_package() -> None:
    assert SCHEMA_PATH.parent.name == "report"
    assert SCHEMA_PATH.is_file()
    assert load_schema()["$schema"].startswith("https://json-schema.org/draft/2020-12")


def test_json_report_sample_validates(sample) -> None:
    data = _render(sample.report)
    _validator().validate(data)
    assert data == json.loads(json.dumps(sample.report.to_dict()))
    assert set(data["summary"]["by_market"]) == {"CN", "JP", "KR", "TH"}
    assert data["summary"]["flags"] == 8
    cue = data["documents"][1]["flags"][0]
    assert (cue["time_start"], cue["time_end"]) == ("00:00:01.000", "00:00:03.500")
    assert data["documents"][2]["error"].startswith("[E103]")


def test_json_report_hostile_text_validates_and_round_trips(hostile) -> None:
    data = _render(hostile.report)
    _validator().validate(data)
    assert data["documents"][0]["flags"][0]["text"] == "<script>alert('x')</script>"


def test_json_report_keeps_non_ascii_unescaped(sample) -> None:
    out = io.StringIO()
    write_report(sample.report, "json", out)
    assert "–" not in out.getvalue()  # nothing odd added
    assert "\\u" not in out.getvalue()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["documents"][0]["flags"][0].__setitem__("severity", "catastrophic"),
        lambda d: d["documents"][0]["flags"][0].__setitem__("market", "china"),
        lambda d: d["documents"][0]["flags"][0].__setitem__("line", 0),
        lambda d: d["documents"][0]["flags"][0].pop("fingerprint"),
        lambda d: d["documents"][0]["flags"][0].__setitem__("category", "gossip"),
        lambda d: d.__setitem__("version", "2.0"),
        lambda d: d["summary"].pop("by_severity"),
        lambda d: d["documents"][0].__setitem__("surprise", 1),
    ],
)
def test_json_report_schema_rejects_broken_reports(sample, mutate) -> None:
    data = copy.deepcopy(_render(sample.report))
    mutate(data)
    assert not _validator().is_valid(data)
