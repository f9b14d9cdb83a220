"""Hostile glossaries: alias bombs, non-safe tags, deep nesting, huge or binary files,
'extends' pointing at devices, FIFOs, cycles. Only GlossaryError may come out, quickly,
with a bounded amount of memory, and nothing in the file is ever executed."""

from __future__ import annotations

import os
from pathlib import Path

import hostile_inputs as H
import pytest

MINIMAL_ENTRY = (
    "  - id: x.one\n    category: political\n    severity: high\n"
    "    terms: {en: [Example]}\n    description: An example entry for the test.\n"
    "    rationale: Because this test needs one entry here.\n"
    "    sources: [{kind: law, title: Some law, date: '2020'}]\n"
    "    suggestions: [Rewrite it]\n"
    "    examples: {flag: [An Example here.], pass: [Nothing here.]}\n"
)


def _load_case(path: Path) -> str:
    return (
        "from locreview.glossary.loader import load_glossaries\n"
        f"g = load_glossaries([{str(path)!r}])\nout['entries'] = len(g.entries)\n"
    )


def _check(reliability, name: str, res: H.Bounded, *, seconds: float = 10,
           memory_mb: int = 512, words: tuple[str, ...] = ()) -> None:
    out = res.result
    assert out["outcome"] == "error", f"{name}: loaded {out}"
    assert out["type"] == "GlossaryError", f"{name}: {out['type']}: {out['message']}"
    if words:
        assert any(w in out["message"].lower() for w in words), out["message"]
    assert res.seconds < seconds and res.maxrss_mb < memory_mb, (res.seconds, res.maxrss_mb)
    reliability.add(kind="glossary", name=name, tried=1,
                    outcome=f"GlossaryError: {out['msg'][:90]}",
                    seconds=round(res.seconds, 2), bound_s=seconds,
                    maxrss_mb=round(res.maxrss_mb), bound_mb=memory_mb)


def test_yaml_alias_bomb_is_refused(reliability, tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(H.alias_bomb(), encoding="utf-8")
    _check(reliability, "YAML alias bomb (10^8 nodes)", H.run_bounded(_load_case(path),
           seconds=10), words=("alias", "anchor"))


def test_yaml_python_tags_never_execute(reliability, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for i, text in enumerate([
        H.python_tag(marker),
        H.PACK_HEAD + f"entries: !!python/object/new:os.system [\"touch {marker}\"]\n",
        H.PACK_HEAD + f"entries:\n  - !!python/name:os.system {{}}\n# {marker}\n",
        H.PACK_HEAD + "entries: !custom [1]\n",
    ]):
        path = tmp_path / f"tag{i}.yaml"
        path.write_text(text, encoding="utf-8")
        _check(reliability, f"non-safe YAML tag #{i + 1}", H.run_bounded(_load_case(path),
               seconds=10), words=("tag", "yaml", "constructor", "could not determine"))
    assert not marker.exists()


def test_yaml_deep_nesting_is_refused(reliability, tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(H.PACK_HEAD + "entries: " + "[" * 50_000 + "]" * 50_000 + "\n",
                    encoding="utf-8")
    _check(reliability, "YAML nested 50,000 levels deep", H.run_bounded(_load_case(path),
           seconds=10), words=("deep", "nest", "yaml"))


def test_yaml_binary_and_huge_files_are_refused(reliability, tmp_path: Path) -> None:
    cases = {
        "NUL bytes in a glossary": H.PACK_HEAD.encode() + b"entries: []\n\x00\x00\x00",
        "Latin-1 bytes (not UTF-8)": H.PACK_HEAD.encode() + b"name: caf\xe9\nentries: []\n",
        "random binary": os.urandom(4096),
    }
    for name, data in cases.items():
        path = tmp_path / "bad.yaml"
        path.write_bytes(data)
        _check(reliability, name, H.run_bounded(_load_case(path), seconds=10))
    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:
        fh.truncate(25 * 1024 * 1024)
    _check(reliability, "25 MB glossary (over the 20 MB limit)",
           H.run_bounded(_load_case(path), seconds=5), words=("limit",))


def test_extends_to_fifo_device_and_cycle(reliability, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    targets = {"'extends' names a FIFO (would block forever)": str(fifo),
               "'extends' names /dev/zero (endless)": "/dev/zero",
               "'extends' names a directory": str(tmp_path),
               "'extends' names itself": "self.yaml"}
    for name, target in targets.items():
        path = tmp_path / "self.yaml"
        path.write_text(H.PACK_HEAD + f"extends: [{target!r}]\nentries:\n" + MINIMAL_ENTRY,
                        encoding="utf-8")
        _check(reliability, name, H.run_bounded(_load_case(path), seconds=10))
    fifo_direct = H.run_bounded(_load_case(fifo), seconds=10)
    _check(reliability, "glossary path is a FIFO", fifo_direct)


def test_a_valid_pack_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(H.PACK_HEAD + "entries:\n" + MINIMAL_ENTRY, encoding="utf-8")
    res = H.run_bounded(_load_case(path), seconds=20)
    assert res.result["outcome"] == "ok" and res.result["entries"] == 1, res.result


@pytest.mark.parametrize("field", ["description", "rationale", "suggestions"])
def test_markup_in_glossary_text_is_only_data(tmp_path: Path, field: str) -> None:
    from locreview.glossary.loader import parse_pack

    value = "<script>alert(1)</script> {{ 7*7 }} =HYPERLINK(\"http://x\")"
    entry = MINIMAL_ENTRY.replace(
        "    description: An example entry for the test.\n",
        "    description: An example entry for the test.\n" if field != "description"
        else f"    description: {value!r}\n")
    if field == "rationale":
        entry = entry.replace("Because this test needs one entry here.", value)
    if field == "suggestions":
        entry = entry.replace("[Rewrite it]", f"[{value!r}]")
    path = tmp_path / "markup.yaml"
    path.write_text(H.PACK_HEAD + "entries:\n" + entry, encoding="utf-8")
    pack = parse_pack(path).pack
    e = pack.entries[0]
    got = {"description": e.description, "rationale": e.rationale,
           "suggestions": (e.suggestions or [""])[0]}[field]
    assert value in got
