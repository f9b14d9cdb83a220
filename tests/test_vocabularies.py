"""Scopes and in-draft ignore notes on formats other than Fountain."""

from __future__ import annotations

from pathlib import Path

import locreview

DETECTORS = "literal,context"

FDX = """<?xml version="1.0" encoding="UTF-8"?>
<FinalDraft DocumentType="Script" Template="No" Version="1">
  <Content>
    <Paragraph Type="Scene Heading"><Text>INT. MAP ROOM - DAY</Text></Paragraph>
    <Paragraph Type="Action">
      <ScriptNote ID="1">
        <Paragraph><Text>locreview: ignore kr.test.sea-of-japan because a 1905 chart, period-accurate</Text></Paragraph>
      </ScriptNote>
      <Text>The old chart says Sea of Japan.</Text>
    </Paragraph>
    <Paragraph Type="Action"><Text>The new chart also says Sea of Japan.</Text></Paragraph>
  </Content>
</FinalDraft>
"""


def test_fdx_script_note_ignores_one_match_with_reason(glossaries: Path) -> None:
    report = locreview.scan(FDX.encode(), ["KR"], glossaries=[glossaries], detectors=DETECTORS,
                            format="fdx")
    flags = report.flags
    assert [f.text for f in flags] == ["Sea of Japan"]
    [kept] = flags
    assert FDX[kept.start : kept.end] == "Sea of Japan"
    assert FDX.count("Sea of Japan", 0, kept.start) == 1  # the second paragraph's match is kept
    [s] = report.documents[0].suppressed
    assert s["entry_id"] == "kr.test.sea-of-japan" and "1905 chart" in s["reason"]


def test_scope_limits_entry_to_element_kinds(glossaries: Path, tmp_path: Path) -> None:
    pack = tmp_path / "KR.yaml"
    pack.write_text(
        (glossaries / "KR.yaml").read_text(encoding="utf-8").replace(
            "  - id: kr.test.sea-of-japan\n",
            "  - id: kr.test.sea-of-japan\n    scope: [dialogue]\n",
        ),
        encoding="utf-8",
    )
    draft = (
        b"INT. SHIP - NIGHT\n\nThe chart on the wall says Sea of Japan.\n\n"
        b"CAPTAIN\nWe are in the Sea of Japan now.\n"
    )
    report = locreview.scan(draft, ["KR"], glossaries=[pack], detectors=DETECTORS, format="fountain")
    got = [(f.entry_id, f.element.kind) for f in report.flags if f.entry_id == "kr.test.sea-of-japan"]
    assert got == [("kr.test.sea-of-japan", "dialogue")]
