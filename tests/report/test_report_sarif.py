"""SARIF writer: validated against the official OASIS SARIF 2.1.0 schema (shipped here)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from locreview.model import Severity
from locreview.report import write_report
from locreview.report.sarif import FINGERPRINT_KEY, artifact_uri, level

SCHEMA = Path(__file__).with_name("sarif-schema-2.1.0.json")


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _render(report, **kw) -> dict:
    out = io.StringIO()
    write_report(report, "sarif", out, **kw)
    return json.loads(out.getvalue())


def test_sarif_sample_validates_against_the_official_schema(sample, validator) -> None:
    log = _render(sample.report)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]
    assert log["version"] == "2.1.0"


def test_sarif_hostile_sample_validates(hostile, validator) -> None:
    log = _render(hostile.report)
    assert validator.is_valid(log)
    uri = log["runs"][0]["artifacts"][0]["location"]["uri"]
    assert uri == "drafts/%3Cevil%3E&%22.fountain"


def test_sarif_schema_catches_a_broken_log(sample, validator) -> None:
    log = _render(sample.report)
    log["runs"][0]["results"][0]["level"] = "critical"
    assert not validator.is_valid(log)


def test_sarif_rules_are_glossary_entries(sample) -> None:
    run = _render(sample.report)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    entry_ids = {f.entry_id for f in sample.report.flags}
    assert set(rules) == entry_ids
    lese = rules["th.lese-majeste"]
    assert lese["properties"]["category"] == "royalty"
    assert lese["properties"]["markets"] == ["TH"]
    assert "Section 112" in lese["fullDescription"]["text"]
    assert "Use a fictional monarch of a fictional country" in lese["help"]["text"]
    assert "Section 112" in lese["help"]["text"]
    assert lese["defaultConfiguration"]["level"] == "error"
    assert lese["shortDescription"]["text"]


def test_sarif_rules_use_glossary_entries_when_given(sample) -> None:
    entries = {
        "th.lese-majeste": {
            "category": "royalty",
            "description": "Mocking or insulting the Thai monarchy.",
            "rationale": "Lese-majeste is a crime in Thailand.",
            "suggestions": ["Use a fictional monarch", "Cut the caricature"],
            "sources": ["Thai Criminal Code s.112"],
        }
    }
    run = _render(sample.report, entries=entries)["runs"][0]
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "th.lese-majeste")
    assert rule["fullDescription"]["text"] == "Mocking or insulting the Thai monarchy."
    assert "- Cut the caricature" in rule["help"]["text"]


def test_sarif_results_locations_levels_fingerprints(sample) -> None:
    run = _render(sample.report)["runs"][0]
    results = run["results"]
    assert len(results) == 8
    rules = run["tool"]["driver"]["rules"]
    flags = {(f.market, f.fingerprint): f for f in sample.report.flags}
    for res in results:
        fp = res["partialFingerprints"][FINGERPRINT_KEY]
        flag = flags[(res["properties"]["market"], fp)]
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"] == flag.entry_id
        assert res["level"] == level(flag.severity)
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == flag.span.line
        assert region["startColumn"] == flag.span.column
        assert region["endLine"] == flag.span.end_line
        assert region["endColumn"] == flag.span.end_column
        assert region["charOffset"] == flag.span.start
        assert region["charLength"] == flag.span.end - flag.span.start
        # 1-based columns with an exclusive end: the region covers exactly the match
        assert region["endColumn"] - region["startColumn"] == len(flag.text)
    cue = next(r for r in results if r["ruleId"] == "cn.taiwan-country")
    assert cue["properties"]["timeStart"] == "00:00:01.000"
    assert cue["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "subs/crossing.en.srt"
    )
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_unreadable_document_is_a_notification(sample) -> None:
    inv = _render(sample.report)["runs"][0]["invocations"][0]
    notes = inv["toolExecutionNotifications"]
    assert notes[0]["level"] == "error" and "broken.pdf" in notes[0]["message"]["text"]


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        (Severity.CRITICAL, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "note"),
        (Severity.INFO, "note"),
    ],
)
def test_sarif_level_from_severity(severity: Severity, expected: str) -> None:
    assert level(severity) == expected


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("drafts/a b.fountain", "drafts/a%20b.fountain"),
        ("drafts\\win.fdx", "drafts/win.fdx"),
        ("/abs/x.srt", "file:///abs/x.srt"),
        ("C:\\scripts\\x.srt", "file:///C:/scripts/x.srt"),
        ("台本/第1話.txt", "%E5%8F%B0%E6%9C%AC/%E7%AC%AC1%E8%A9%B1.txt"),
    ],
)
def test_sarif_artifact_uri(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri
