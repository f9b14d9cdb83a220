"""The CLI: exit codes 0/1/2, formats, one-line errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

G = ["--glossaries", "tests/fixtures/glossaries", "--detectors", "literal,context"]


def _draft(tmp_path: Path, text: str, name: str = "draft.txt") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_cli_exit_0_when_clean_and_1_with_flags(tmp_path: Path, cli) -> None:
    clean = cli("scan", str(_draft(tmp_path, "A quiet morning in Busan.")), "--markets", "KR", *G)
    assert clean.returncode == 0, clean.stderr
    flagged = cli("scan", str(_draft(tmp_path, "The Sea of Japan.", "b.txt")), "--markets", "KR", *G)
    assert flagged.returncode == 1, flagged.stderr
    assert "kr.test.sea-of-japan" in flagged.stdout
    assert "1 flag(s)" in flagged.stderr


def test_cli_json_output_file_and_python_m(tmp_path: Path, cli_subprocess) -> None:
    out = tmp_path / "report.json"
    r = cli_subprocess("scan", str(_draft(tmp_path, "Takeshima\n\n他支持台灣獨立。")), "-m", "KR,CN", *G,
            "--format", "json", "--output", str(out), "--quiet")
    assert r.returncode == 1, r.stderr
    assert r.stdout == "" and r.stderr == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    flags = data["documents"][0]["flags"]
    assert {(f["market"], f["line"]) for f in flags} == {("KR", 1), ("CN", 3)}


def test_cli_csv_format(tmp_path: Path, cli) -> None:
    r = cli("scan", str(_draft(tmp_path, "Takeshima")), "-m", "KR", *G, "--format", "csv", "-q")
    assert r.returncode == 1
    assert "kr.test.takeshima" in r.stdout


def test_cli_min_severity(tmp_path: Path, cli) -> None:
    p = _draft(tmp_path, "The Sea of Japan.")
    r = cli("scan", str(p), "-m", "KR", *G, "--min-severity", "high", "-q")
    assert r.returncode == 0


def _assert_one_line_error(r, *needles: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("locreview: error")]
    assert len(lines) == 1, r.stderr
    for n in needles:
        assert n in lines[0], lines[0]


def test_cli_missing_file(tmp_path: Path, cli) -> None:
    _assert_one_line_error(cli("scan", str(tmp_path / "nope.txt"), "-m", "KR", *G), "nope.txt")


def test_cli_directory_of_nothing_and_directory_argument(tmp_path: Path, cli) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    r = cli("scan", str(empty), "-m", "KR", *G)
    assert r.returncode in (0, 2)
    assert "Traceback" not in r.stderr


def test_cli_binary_garbage(tmp_path: Path, cli) -> None:
    p = tmp_path / "garbage.txt"
    p.write_bytes(bytes(range(256)) * 64)
    _assert_one_line_error(cli("scan", str(p), "-m", "KR", *G), "garbage.txt")


def test_cli_invalid_utf8(tmp_path: Path, cli) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(b"ok line\n\xff\xfe\xfa\x80\x81 broken \xc3\x28 bytes\x00\x00\x9f")
    _assert_one_line_error(cli("scan", str(p), "-m", "KR", *G), "bad.txt")


def test_cli_empty_file(tmp_path: Path, cli) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    _assert_one_line_error(cli("scan", str(p), "-m", "KR", *G), "empty.txt")


def test_cli_file_over_the_limit_is_refused_before_reading(tmp_path: Path, cli_subprocess) -> None:
    cli = cli_subprocess
    p = tmp_path / "huge.txt"
    with open(p, "wb") as fh:  # a sparse 1 GB file: refused by size, never read
        fh.truncate(1024**3)
    r = cli("scan", str(p), "-m", "KR", *G)
    _assert_one_line_error(r, "huge.txt")
    assert "limit" in r.stderr
    small = _draft(tmp_path, "Takeshima " * 100, "small.txt")
    _assert_one_line_error(cli("scan", str(small), "-m", "KR", *G, "--max-bytes", "100"), "small.txt")


def test_cli_unknown_market(tmp_path: Path, cli) -> None:
    _assert_one_line_error(cli("scan", str(_draft(tmp_path, "x")), "-m", "KR,ZZ", *G), "ZZ")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("kind: market\nmarket: KR\nversion: '1'\nentries:\n  - id: kr.x\n    category: nonsense\n", "kr.x"),
        ("kind: market\nmarket: KR\nversion: '1'\nentries: [\n", "invalid YAML"),
        ("a: &x [1]\nb: *x\n", "alias"),
        ("kind: market\nmarket: KR\nversion: '1'\nentries:\n  - !!python/object:os.system {}\n", "broken.yaml"),
    ],
)
def test_cli_broken_glossary(tmp_path: Path, cli, content: str, needle: str) -> None:
    g = tmp_path / "broken.yaml"
    g.write_text(content, encoding="utf-8")
    r = cli("scan", str(_draft(tmp_path, "x")), "-m", "KR", "--glossaries", str(g))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "broken.yaml" in r.stderr and needle in r.stderr


def test_cli_broken_glossary_reports_line(tmp_path: Path, cli) -> None:
    g = tmp_path / "KR.yaml"
    g.write_text(
        "kind: market\nmarket: KR\nversion: '1'\nentries:\n"
        "  - id: kr.bad\n    category: territorial\n    severity: high\n"
        "    terms: {english: [x]}\n",
        encoding="utf-8",
    )
    r = cli("scan", str(_draft(tmp_path, "x")), "-m", "KR", "--glossaries", str(g))
    assert r.returncode == 2
    assert f"{g}:8: kr.bad:" in r.stderr  # the terms line, the entry id, the problem
    assert "language tag" in r.stderr


def test_cli_usage_errors_exit_2(cli) -> None:
    assert cli().returncode == 2
    assert cli("scan").returncode == 2
    assert cli("scan", "x.txt").returncode == 2  # --markets is required
    r = cli("scan", "x.txt", "-m", "KR", "--format", "pdf")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_cli_glossary_validate_and_test_on_fixtures(cli) -> None:
    v = cli("glossary", "validate", "tests/fixtures/glossaries")
    assert v.returncode == 0, v.stderr
    t = cli("glossary", "test", "tests/fixtures/glossaries")
    assert t.returncode == 0, t.stdout
    assert "0 failed" in t.stdout


def test_cli_glossary_validate_reports_duplicates(tmp_path: Path, cli) -> None:
    src = Path("tests/fixtures/glossaries/KR.yaml").read_text(encoding="utf-8")
    (tmp_path / "KR.yaml").write_text(src, encoding="utf-8")
    (tmp_path / "KR2.yaml").write_text(src.replace("market: KR", "market: KR"), encoding="utf-8")
    r = cli("glossary", "validate", str(tmp_path))
    assert r.returncode == 2
    assert "duplicate id" in r.stderr and "KR.yaml" in r.stderr and "KR2.yaml" in r.stderr


def test_cli_diff_between_revisions(tmp_path: Path, cli) -> None:
    old = _draft(tmp_path, "Takeshima.\n\nThe Sea of Japan.", "ep1-r1.txt")
    new = _draft(tmp_path, "Intro.\n\nThe Sea of Japan.\n\n他支持台灣獨立。", "ep1-r2.txt")
    r = cli("diff", str(old), str(new), "-m", "KR,CN", *G, "--format", "json")
    assert r.returncode == 1, r.stderr
    import json as _json

    data = _json.loads(r.stdout)
    counts = {k: len(v) for k, v in data["flags"].items()}
    assert counts == {"new": 1, "unchanged": 1, "resolved": 1}
    assert [f["entry_id"] for f in data["flags"]["resolved"]] == ["kr.test.takeshima"]
    assert "1 new, 1 unchanged, 1 resolved" in r.stderr


def test_cli_html_report_shows_passage_in_context(tmp_path: Path, cli) -> None:
    out = tmp_path / "r.html"
    p = _draft(tmp_path, "The old chart <b>calls</b> it the Sea of Japan, sadly.")
    r = cli("scan", str(p), "-m", "KR", *G, "--format", "html", "-o", str(out), "-q")
    assert r.returncode == 1
    html = out.read_text(encoding="utf-8")
    assert "&lt;b&gt;calls&lt;/b&gt;" in html and "<b>calls</b>" not in html
    assert "Sea of Japan" in html


def test_cli_scan_results_store_resumes(tmp_path: Path, cli) -> None:
    (tmp_path / "c").mkdir()
    for i in range(3):
        (tmp_path / "c" / f"e{i}.txt").write_text(f"Sea of Japan {i}", encoding="utf-8")
    args = ["scan", str(tmp_path / "c"), "-m", "KR", *G, "--results", str(tmp_path / "r.sqlite"),
            "-f", "json"]
    first = cli(*args)
    again = cli(*args)
    assert first.returncode == again.returncode == 1, first.stderr
    import json as _json

    assert _json.loads(first.stdout)["documents"] == _json.loads(again.stdout)["documents"]
    assert "3 reused" in again.stderr


def test_cli_scan_scheduler_needs_dask_engine(tmp_path: Path, cli) -> None:
    r = cli("scan", str(tmp_path), "-m", "KR", *G, "--scheduler", "tcp://127.0.0.1:1")
    assert r.returncode == 2 and "--engine dask" in r.stderr


def test_cli_glossary_stats_export_import_diff(tmp_path: Path, cli) -> None:
    st = cli("glossary", "stats", "tests/fixtures/glossaries", "--format", "json")
    assert st.returncode == 0
    import json as _json

    stats = _json.loads(st.stdout)
    assert stats["total"] == sum(sum(c.values()) for c in stats["markets"].values())
    assert set(stats["markets"]) == {"CN", "JP", "KR", "TH"}
    tbx = tmp_path / "kr.tbx"
    ex = cli("glossary", "export", "tests/fixtures/glossaries/KR.yaml", "--format", "tbx", "-o", str(tbx))
    assert ex.returncode == 0 and "<conceptEntry" in tbx.read_text(encoding="utf-8")
    back = tmp_path / "KR.yaml"
    im = cli("glossary", "import", str(tbx), "--market", "KR", "-o", str(back))
    assert im.returncode == 0, im.stderr
    same = cli("glossary", "diff", "tests/fixtures/glossaries/KR.yaml", str(back))
    assert same.returncode == 0 and "0 added, 0 removed, 0 changed" in same.stdout
    diff = cli("glossary", "diff", "tests/fixtures/glossaries/KR.yaml", "tests/fixtures/glossaries/JP.yaml")
    assert diff.returncode == 1 and "+ jp.test.dokdo-name" in diff.stdout
