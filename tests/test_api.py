"""The Python API: scan() on text, files and Scripts; flag positions; JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import locreview
from locreview import ConfigError, InputError, LocreviewError

DETECTORS = "literal,context"
FLAG_FIELDS = {
    "market", "category", "severity", "entry_id", "detector", "score", "text", "line",
    "column", "end_line", "end_column", "start", "end", "element", "rationale",
    "suggestion", "sources", "fingerprint",
}


def _scan(source, glossaries, markets=("KR", "CN", "TH", "JP"), **kw):
    kw.setdefault("detectors", DETECTORS)
    return locreview.scan(source, list(markets), glossaries=[glossaries], **kw)


def test_api_scan_text_returns_report_with_flags(glossaries: Path) -> None:
    report = _scan("The chart calls it the Sea of Japan.", glossaries)
    assert isinstance(report, locreview.Report)
    [flag] = report.flags
    assert (flag.market, flag.entry_id, flag.text) == ("KR", "kr.test.sea-of-japan", "Sea of Japan")
    assert flag.severity is locreview.Severity.MEDIUM
    assert flag.sources and flag.rationale and flag.suggestion


@pytest.mark.parametrize(
    ("raw", "needle", "line"),
    [
        (b"intro\r\n\r\nThe islets: Takeshima.\r\n", "Takeshima", 3),
        ("\ufeffintro\n\nsecond\n\nthird says Takeshima\n".encode(), "Takeshima", 5),
        ("一行目\n\n二行目に竹島と書いた\n".encode(), "竹島", 3),
        ("บรรทัดแรก\n\nเขาพูดถึงในหลวงในเมืองไทย\n".encode(), "ในหลวง", 3),
    ],
)
def test_api_flag_line_is_physical_line_and_span_slices_original(
    tmp_path: Path, glossaries: Path, raw: bytes, needle: str, line: int
) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_bytes(raw)
    report = _scan(draft, glossaries)
    flags = [f for f in report.flags if f.text == needle]
    assert flags, report.to_dict()
    original = raw.decode("utf-8-sig")
    for f in flags:
        assert f.line == line
        assert original[f.start : f.end] == needle
        assert original.splitlines()[f.line - 1][f.column - 1 :].startswith(needle)


def test_api_json_contract(glossaries: Path) -> None:
    report = _scan("He sailed the Sea of Japan.\n\n他支持台灣獨立。", glossaries)
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) >= {"version", "glossaries", "documents", "summary"}
    assert data["glossaries"] == {"CN": "test-2", "JP": "test-4", "KR": "test-1", "TH": "test-3"}
    [doc] = data["documents"]
    assert set(doc) >= {"path", "format", "elements", "flags"}
    assert doc["elements"] == 2
    assert len(doc["flags"]) == 2
    for f in doc["flags"]:
        assert FLAG_FIELDS <= set(f)
        assert set(f["element"]) >= {"index", "kind", "scene", "speaker"}
    assert data["summary"]["flags"] == 2
    assert data["summary"]["by_market"] == {"CN": 1, "KR": 1}


def test_api_context_rules_and_obfuscation(glossaries: Path) -> None:
    report = _scan(
        "The king of comedy plays Bangkok.\n\nHe mocks the Thai king.\n\nTake\u200bshima again.",
        glossaries,
    )
    got = {(f.entry_id, f.line, f.detector, f.obfuscated) for f in report.flags}
    assert got == {
        ("th.test.king-mockery", 3, "context", False),
        ("kr.test.takeshima", 5, "literal", True),
    }


def test_api_theme_flags_on_scene_heading(glossaries: Path) -> None:
    text = (
        "INT. LAB - NIGHT\n\nThe time machine hums.\n\nDR. KIM\nShe travels back in time.\n\n"
        "EXT. STREET - DAY\n\nA time machine ad on a bus.\n"
    )
    report = locreview.scan(text.encode(), ["KR"], glossaries=[glossaries], detectors=DETECTORS,
                            format="fountain")
    themes = [f for f in report.flags if f.entry_id == "kr.test.time-travel"]
    assert len(themes) == 1  # the second scene has only one piece of evidence
    [t] = themes
    assert t.detector == "theme"
    assert t.element.kind == "scene_heading" and t.text == "INT. LAB - NIGHT"
    assert len(t.explanation["supporting_elements"]) == 2


def test_api_fingerprint_survives_moving_the_line(glossaries: Path) -> None:
    a = _scan("They sailed the Sea of Japan.", glossaries).flags[0]
    b = _scan("New opening line.\n\nThey  sailed the sea of Japan.", glossaries).flags[0]
    assert a.line != b.line
    assert a.fingerprint == b.fingerprint


def test_api_min_severity_filters(glossaries: Path) -> None:
    text = "Sea of Japan and Takeshima."
    assert len(_scan(text, glossaries, markets=["KR"]).flags) == 2
    assert [f.entry_id for f in _scan(text, glossaries, markets=["KR"], min_severity="high").flags] == [
        "kr.test.takeshima"
    ]


def test_api_errors_are_locreview_errors(tmp_path: Path, glossaries: Path) -> None:
    with pytest.raises(ConfigError, match="unknown market"):
        _scan("text", glossaries, markets=["XX"])
    with pytest.raises(ConfigError, match="no glossary covers"):
        _scan("text", glossaries, markets=["FR"])
    with pytest.raises(InputError) as e:
        _scan(tmp_path / "missing.txt", glossaries)
    assert "missing.txt" in str(e.value)
    with pytest.raises(LocreviewError, match="detector"):
        _scan("text", glossaries, markets=["KR"], detectors="literal,magic")


def test_api_directory_scan_reports_bad_file_and_goes_on(tmp_path: Path, glossaries: Path) -> None:
    (tmp_path / "a.txt").write_text("The Sea of Japan.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"")
    report = _scan(tmp_path, glossaries)
    by_name = {Path(d.path).name: d for d in report.documents}
    assert by_name["a.txt"].flags and by_name["a.txt"].error is None
    assert by_name["b.txt"].error and "b.txt" in by_name["b.txt"].error


def test_api_in_draft_ignore_note(glossaries: Path) -> None:
    text = (
        "INT. MAP ROOM - DAY\n\nThe chart says Sea of Japan.\n"
        "[[locreview: ignore kr.test.sea-of-japan because period-accurate 1905 chart]]\n"
    )
    report = locreview.scan(text.encode(), ["KR"], glossaries=[glossaries], detectors=DETECTORS,
                            format="fountain")
    assert not report.flags
    [s] = report.documents[0].suppressed
    assert s["entry_id"] == "kr.test.sea-of-japan" and "1905" in s["reason"]
