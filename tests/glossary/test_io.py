"""CSV and TBX round-trips, foreign termbases, pack diffs."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pytest
import yaml

from locreview.errors import GlossaryError
from locreview.glossary.io import (
    diff_packs,
    export_csv,
    export_tbx,
    import_csv,
    import_tbx,
    write_pack_yaml,
)
from locreview.glossary.loader import parse_pack


def _entries(pack) -> dict[str, dict]:
    return {e.id: e.model_dump(mode="json") for e in pack.entries}


@pytest.mark.parametrize(("exporter", "importer", "suffix"),
                         [(export_csv, import_csv, ".csv"), (export_tbx, import_tbx, ".tbx")])
def test_io_round_trip_is_lossless(glossaries: Path, tmp_path: Path, exporter, importer, suffix) -> None:
    src = glossaries / "KR.yaml"
    buf = io.StringIO()
    exporter([src], buf)
    f = tmp_path / f"kr{suffix}"
    f.write_text(buf.getvalue(), encoding="utf-8")
    pack = importer(f, "KR")
    assert _entries(pack) == _entries(parse_pack(src).pack)
    # and the YAML it writes loads back as the same pack
    out = io.StringIO()
    write_pack_yaml(pack, out)
    y = tmp_path / "KR.yaml"
    y.write_text(out.getvalue(), encoding="utf-8")
    assert _entries(parse_pack(y).pack) == _entries(pack)


def test_io_real_packs_round_trip_through_tbx(tmp_path: Path) -> None:
    packs = sorted(Path("glossaries").glob("*.yaml"))
    assert packs
    for src in packs[:3]:
        buf = io.StringIO()
        export_tbx([src], buf)
        f = tmp_path / "x.tbx"
        f.write_text(buf.getvalue(), encoding="utf-8")
        market = parse_pack(src).pack.market
        assert _entries(import_tbx(f, market)) == _entries(parse_pack(src).pack)


def test_io_foreign_tbx_imports_with_honest_defaults(tmp_path: Path) -> None:
    f = tmp_path / "studio.tbx"
    f.write_text(
        '<?xml version="1.0"?><tbx xmlns="urn:iso:std:iso:30042:ed-2"><text><body>'
        '<conceptEntry id="c1"><descrip type="subjectField">territorial</descrip>'
        '<langSec xml:lang="en"><termSec><term>Spratly Islands</term></termSec></langSec>'
        '<langSec xml:lang="vi"><termSec><term>Trường Sa</term></termSec></langSec>'
        "</conceptEntry></body></text></tbx>",
        encoding="utf-8",
    )
    pack = import_tbx(f, "VN")
    [e] = pack.entries
    assert e.terms == {"en": ["Spratly Islands"], "vi": ["Trường Sa"]}
    assert e.category.value == "territorial"
    assert "studio.tbx" in e.sources[0].title
    assert e.examples.flag == ["Spratly Islands"]


def test_io_tbx_with_entities_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "evil.tbx"
    f.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><tbx>&a;</tbx>', encoding="utf-8")
    with pytest.raises(GlossaryError, match="evil.tbx"):
        import_tbx(f, "KR")


def test_io_csv_bad_rows(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text("entry_id,lang\nx,en\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="columns"):
        import_csv(f, "KR")


def test_io_diff_packs(glossaries: Path, tmp_path: Path) -> None:
    data = yaml.safe_load((glossaries / "KR.yaml").read_text(encoding="utf-8"))
    data["version"] = "test-1b"
    data["entries"][0]["severity"] = "critical"
    removed = data["entries"].pop(1)["id"]
    added = dict(copy.deepcopy(data["entries"][-1]), id="kr.test.new-entry")
    data["entries"].append(added)
    new = tmp_path / "KR.yaml"
    new.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    d = diff_packs(glossaries / "KR.yaml", new)
    assert d["added"] == ["kr.test.new-entry"]
    assert d["removed"] == [removed]
    assert d["changed"] == ["kr.test.takeshima (severity)"]
