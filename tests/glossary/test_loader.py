"""Loading packs: validation with lines, extends, project layers, allow lists, safety."""

from __future__ import annotations

from pathlib import Path

import pytest

import locreview
from locreview.errors import GlossaryError
from locreview.glossary.loader import load_glossaries, parse_pack


def test_loader_loads_fixture_packs_with_versions(glossaries: Path) -> None:
    g = load_glossaries([glossaries])
    assert g.versions == {"CN": "test-2", "JP": "test-4", "KR": "test-1", "TH": "test-3"}
    assert {e.market for e in g.entries} == {"CN", "JP", "KR", "TH"}
    e = next(e for e in g.entries if e.id == "kr.test.takeshima")
    assert e.origin.path.endswith("KR.yaml") and e.origin.line == 6
    assert g.entry_models()[0].sources


def test_loader_filters_markets(glossaries: Path) -> None:
    g = load_glossaries([glossaries], markets=["KR"])
    assert {e.market for e in g.entries} == {"KR"}
    assert g.versions == {"KR": "test-1"}


def test_loader_public_api_alias(glossaries: Path) -> None:
    assert locreview.load_glossaries([glossaries], markets=["JP"]).versions == {"JP": "test-4"}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_loader_project_layer_overrides_suppresses_and_allows(glossaries: Path, tmp_path: Path) -> None:
    layer = _write(
        tmp_path,
        "project.yaml",
        """
kind: project
version: "p1"
markets: [KR]
allow: ["Takeshima Ramen"]
overrides:
  - {id: kr.test.sea-of-japan, severity: critical}
  - {id: kr.test.dokdo-korean, suppress: true, reason: "Korean-only production, consistency note not needed"}
entries:
  - id: prj.codename
    category: political
    severity: low
    terms: {en: [Project Lotus]}
    description: The internal codename must not appear in a delivered draft.
    rationale: Studio policy for this co-production.
    sources: [{kind: reference, title: "Studio delivery policy memo", date: "2026"}]
    suggestions: ["Use the release title"]
    examples: {flag: ["Project Lotus begins."], pass: ["A lotus pond."]}
""",
    )
    report = locreview.scan(
        "Sea of Japan. 독도는 곳. Takeshima Ramen is a shop. Project Lotus.",
        ["KR"],
        glossaries=[glossaries, layer],
        detectors="literal,context",
    )
    got = {(f.entry_id, f.severity.value) for f in report.flags}
    assert got == {("kr.test.sea-of-japan", "critical"), ("prj.codename", "low")}
    reasons = {s["entry_id"]: s["reason"] for s in report.documents[0].suppressed}
    assert "Korean-only" in reasons["kr.test.dokdo-korean"]
    assert "allow" in reasons["kr.test.takeshima"]


def test_loader_extends_applies_base_entries_to_new_market(glossaries: Path, tmp_path: Path) -> None:
    _write(
        tmp_path,
        "HK.yaml",
        f"kind: market\nmarket: HK\nversion: hk-1\nextends: ['{glossaries / 'CN.yaml'}']\nentries: []\n",
    )
    g = load_glossaries([tmp_path / "HK.yaml"])
    assert g.versions == {"HK": "hk-1"}
    assert {e.id for e in g.for_market("HK")} == {e.id for e in load_glossaries([glossaries]).for_market("CN")}


def test_loader_extends_cycle_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "A.yaml", "kind: market\nmarket: KR\nversion: '1'\nextends: [B.yaml]\n")
    _write(tmp_path, "B.yaml", "kind: market\nmarket: JP\nversion: '1'\nextends: [A.yaml]\n")
    with pytest.raises(GlossaryError, match="cycle"):
        load_glossaries([tmp_path / "A.yaml"])


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[1, 2]", "mapping"),
        ("kind: market\nversion: '1'\n", "market"),
        ("kind: market\nmarket: KR\nversion: '1'\nentries:\n  - id: Bad Id\n", "entries"),
        ("a: !!python/name:os.system\n", "invalid YAML"),
        ("x: &a [1]\ny: *a\n", "alias"),
    ],
)
def test_loader_rejects_bad_packs(tmp_path: Path, text: str, match: str) -> None:
    p = _write(tmp_path, "bad.yaml", text)
    with pytest.raises(GlossaryError, match=match) as e:
        parse_pack(p)
    assert str(p) in str(e.value)


def test_loader_alias_bomb_refused_fast(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    p = _write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    with pytest.raises(GlossaryError, match="alias"):
        parse_pack(p)


def test_loader_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError, match="not found"):
        parse_pack(tmp_path / "none.yaml")
    with pytest.raises(GlossaryError, match="directory"):
        parse_pack(tmp_path)
