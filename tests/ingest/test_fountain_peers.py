"""Fountain parsing compared with the peers' expected outputs in ../shared/corpus.

Each comparison normalises both sides (see ingest_peers). Where the peers disagree with
each other or with the spec, the difference is listed below with its reason, and only the
elements involved are left out of that file's comparison (matched by a text fragment).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from ingest_peers import (
    CORPUS,
    Item,
    norm_text,
    normalise,
    read_dump,
    read_jouvence,
    read_screenplain_html,
    script_items,
)

from locreview.ingest import read_script

if not CORPUS.is_dir():  # pragma: no cover
    pytest.skip(f"shared corpus not found at {CORPUS}", allow_module_level=True)

ST = CORPUS / "fountain" / "screenplay-tools"
DROP_ST = frozenset({"note", "title", "boneyard"})

# screenplay-tools dumps that are not of the default Script.dump() of a same-stem file.
ST_INPUTS = {
    "Action-Merged.txt": "Action.fountain",
    "Action-Unmerged.txt": "Action.fountain",
    "Dialogue-Merged.txt": "Dialogue.fountain",
    "Dialogue-Unmerged.txt": "Dialogue.fountain",
}
ST_NOT_COMPARED = {
    "Tags.txt": "dumped with useTags=True, a screenplay-tools extension (#tag) outside the spec",
    "Formatted.txt": "an HTML rendering of emphasis, not a dump; see test_formatted_matches",
}

# file -> (reason, text fragments whose elements are left out on both sides)
DELIBERATE: dict[str, tuple[str, tuple[str, ...]]] = {
    "screenplay-tools/Boneyards.txt": (
        "'CUT TO:' before a boneyard: a boneyard stands for a blank line, so this is a "
        "transition (as screenplain's boneyard.html has it); screenplay-tools glues it to "
        "the action above",
        ("CUT TO", "rattles off the long list"),
    ),
    "screenplay-tools/Notes.txt": (
        "screenplay-tools lets dialogue run on past a blank line after a note with a two-"
        "space line; the spec ends dialogue at a blank line. Its last note spans a real "
        "blank line, which the spec forbids, so we keep that text as action",
        ("Did you know", "His hand is an inch", "Definitely shouldn"),
    ),
    "screenplay-tools/Parenthetical.txt": (
        "two parentheticals in a row: we keep both as parentheticals; screenplay-tools "
        "turns the second into dialogue",
        ("bouncy", "Also trying this"),
    ),
    "screenplay-tools/Sections.txt": (
        "'CUT TO:' alone on line 1 with no value: a transition, not a title page (a title "
        "page needs at least one value)",
        ("CUT TO",),
    ),
    "jouvence/test_lyrics.yaml#1": (
        "'~lyric' followed by a plain line: Jouvence makes the whole block action, "
        "screenplay-tools (Lyrics.txt) a lyric then action; we follow screenplay-tools",
        ("lyrics", "this is not"),
    ),
    "jouvence/test_transitions.yaml#2": (
        "'... TO:' with trailing spaces: Jouvence refuses the transition; trailing "
        "whitespace is invisible and the spec does not mention it, so we accept it",
        ("TRANSITION", "spaces after the colon"),
    ),
}


def _compare(expected: list[Item], got: list[Item], key: str) -> None:
    if key in DELIBERATE:
        frags = DELIBERATE[key][1]

        def keep(item: Item) -> bool:
            return not any(f.lower() in item[1].lower() for f in frags)

        before = len(expected) + len(got)
        expected = [i for i in expected if keep(i)]
        got = [i for i in got if keep(i)]
        assert len(expected) + len(got) < before, f"{key}: listed difference no longer applies"
    diff = "\n".join(
        difflib.unified_diff([repr(x) for x in expected], [repr(x) for x in got], lineterm="")
    )
    assert expected == got, f"{key} differs from the peer:\n{diff}"


def _st_cases() -> list[tuple[Path, Path]]:
    cases = []
    for dump in sorted(ST.glob("*.txt")):
        if dump.name in ST_NOT_COMPARED:
            continue
        src = ST / ST_INPUTS.get(dump.name, dump.with_suffix(".fountain").name)
        if src.exists():
            cases.append((dump, src))
    return cases


@pytest.mark.parametrize(("dump", "src"), _st_cases(), ids=lambda p: p.name)
def test_screenplay_tools_dump(dump: Path, src: Path) -> None:
    """Element kinds and text agree with screenplay-tools' Script.dump()."""
    expected = normalise(read_dump(dump), drop=DROP_ST)
    got = normalise(script_items(read_script(src), character_as_speaker=True))
    assert expected, dump
    _compare(expected, got, f"screenplay-tools/{dump.name}")


def test_screenplay_tools_cases_cover_every_dump() -> None:
    """Every dump is either compared or listed with a reason."""
    compared = {d.name for d, _ in _st_cases()}
    assert compared | set(ST_NOT_COMPARED) == {p.name for p in ST.glob("*.txt")}
    assert len(compared) >= 15


def test_screenplay_tools_title_page() -> None:
    """Title entries (keys, multi-line values) agree with screenplay-tools."""
    expected = [t for k, t in read_dump(ST / "TitlePage.txt") if k == "title"]
    script = read_script(ST / "TitlePage.fountain")
    got = [el.text for el in script.elements if el.kind.value == "title"]
    assert [norm_text("title", t) for t in got] == [norm_text("title", t) for t in expected]
    assert script.title["draft date"] == "1/20/2012"
    assert script.title["title"] == "BRICK & STEEL\nFULL RETIRED"


def test_formatted_matches() -> None:
    """Emphasis markers are stripped where screenplay-tools renders them as tags."""
    import re

    html = (ST / "Formatted.txt").read_text(encoding="utf-8")
    expected = " ".join(re.sub(r"</?[biu]>", "", html).split())
    script = read_script(ST / "Formatted.fountain")
    got = " ".join(" ".join(el.text for el in script.elements).split())
    # screenplay-tools leaves '*Leupold Mark 4*' inside underlining alone; we strip it too.
    assert got == expected.replace("*Leupold Mark 4*", "Leupold Mark 4")


def _jouvence_cases() -> list[object]:
    cases = []
    for f in sorted((CORPUS / "fountain" / "jouvence").glob("*.yaml")):
        for k, (src, items, title) in enumerate(read_jouvence(f)):
            key = f"jouvence/{f.name}#{k}"
            cases.append(pytest.param(key, src, items, title, id=key))
    return cases


@pytest.mark.parametrize(("key", "src", "items", "title"), _jouvence_cases())
def test_jouvence(key: str, src: str, items: list[Item], title: dict[str, str]) -> None:
    """Element kinds, text and title pages agree with Jouvence's YAML expectations."""
    if not src.strip():
        with pytest.raises(Exception, match="empty"):
            read_script(src.encode(), format="fountain", name=key)
        assert not items or all(not t.strip() for _, t in items)
        return
    script = read_script(src.encode(), format="fountain", name=key)
    _compare(normalise(items), normalise(script_items(script)), key)
    if title:
        assert {k: norm_text("title", v) for k, v in script.title.items()} == {
            k: norm_text("title", v) for k, v in title.items()
        }


SCREENPLAIN = sorted((CORPUS / "fountain" / "screenplain").glob("*.html"))


@pytest.mark.parametrize("html", SCREENPLAIN, ids=lambda p: p.name)
def test_screenplain_html(html: Path) -> None:
    """Element kinds and text agree with screenplain's --bare HTML rendering."""
    expected = normalise(read_screenplain_html(html), fold_transitions=True)
    script = read_script(html.with_suffix(".fountain"))
    got = normalise(script_items(script), drop=frozenset({"page_break"}), fold_transitions=True)
    assert expected
    _compare(expected, got, f"screenplain/{html.name}")


def test_utf8_bom_crlf_equals_simple() -> None:
    """utf-8-bom.fountain (BOM + CRLF) parses exactly like simple.fountain."""
    base = CORPUS / "fountain" / "screenplain"
    a = read_script(base / "utf-8-bom.fountain")
    b = read_script(base / "simple.fountain")
    assert a.encoding == "utf-8-sig"
    assert [(e.kind, e.text.replace("\r\n", "\n")) for e in a.elements] == [
        (e.kind, e.text) for e in b.elements
    ]
