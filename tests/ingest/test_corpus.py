"""Every file of ../shared/corpus goes through read_script: a Script, or a documented error."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_peers import CORPUS
from spancheck import check_spans

from locreview.errors import FormatError, InputError, LocreviewError
from locreview.ingest import iter_drafts, read_script

if not CORPUS.is_dir():  # pragma: no cover - CI has ../shared beside the clone
    pytest.skip(f"shared corpus not found at {CORPUS}", allow_module_level=True)

# Files that must fail, with the error type, its line (None: no line), and why.
EXPECTED_ERRORS: dict[str, tuple[type[LocreviewError], int | None, str]] = {
    "srt/webvtt-py/invalid_format2.srt": (FormatError, 1, "text block with no timing line"),
    "srt/webvtt-py/invalid_format3.srt": (FormatError, 1, "cue number, then text, no timing"),
    "srt/webvtt-py/invalid_format4.srt": (FormatError, 1, "text before the first timing line"),
    "srt/webvtt-py/missing_timeframe.srt": (FormatError, 5, "cue 2 has no timing line"),
    "vtt/vtt.js/file-layout/blank-file-with-bom.vtt": (InputError, None, "only a BOM: empty"),
    "vtt/vtt.js/file-layout/bom-garbage-data.vtt": (FormatError, 1, "no WEBVTT signature"),
    "vtt/webvtt-py/empty.vtt": (InputError, None, "empty file"),
    "vtt/webvtt-py/invalid_timeframe.vtt": (FormatError, 6, "'00:00:1d.890' is malformed"),
    # WPT stress files: the WebVTT spec silently drops these cues; issue 4 asks for
    # malformed timecodes to be reported with their line, so locreview refuses them.
    "vtt/w3c-webvtt.js/wpt-file-parsing/nulls.vtt": (FormatError, 21, "NUL inside a timing line"),
    "vtt/w3c-webvtt.js/wpt-file-parsing/whitespace-chars.vtt": (
        FormatError,
        16,
        "vertical tab is not WebVTT whitespace, so the timing line is malformed",
    ),
}

FILES = sorted(iter_drafts(CORPUS)) if CORPUS.is_dir() else []


def _rel(p: Path) -> str:
    return p.relative_to(CORPUS).as_posix()


def test_corpus_is_complete() -> None:
    """The corpus walk finds every format (a moved corpus must not pass silently)."""
    formats = {p.suffix for p in FILES}
    assert {".fountain", ".fdx", ".pdf", ".srt", ".vtt", ".txt"} <= formats
    assert len(FILES) > 150
    assert set(EXPECTED_ERRORS) <= {_rel(p) for p in FILES}


@pytest.mark.parametrize("path", FILES, ids=_rel)
def test_corpus_file_reads_or_fails_clearly(path: Path) -> None:
    """No crash: a Script whose spans round-trip, or the documented LocreviewError."""
    rel = _rel(path)
    if rel in EXPECTED_ERRORS:
        cls, line, _why = EXPECTED_ERRORS[rel]
        with pytest.raises(cls) as info:
            read_script(path)
        assert info.value.path == str(path)
        assert info.value.line == line
        assert str(path) in str(info.value)
        return
    script = read_script(path)
    assert script.path == str(path)
    assert script.format in ("fountain", "fdx", "pdf", "srt", "vtt", "text", "docx")
    assert script.encoding
    check_spans(script)
    if script.format in ("srt", "vtt"):
        for el in script.elements:
            assert el.span.time_start is not None and el.span.time_end is not None
    if script.format == "pdf":
        assert all(el.span.page is not None for el in script.elements)


@pytest.mark.parametrize(
    ("rel", "encoding"),
    [
        ("txt/charset_normalizer/sample-chinese.txt", "big5"),
        ("txt/charset_normalizer/sample-korean.txt", "cp949"),
        ("txt/charset_normalizer/sample-arabic-1.txt", "cp1256"),
        ("txt/charset_normalizer/sample-hebrew-2.txt", "cp1255"),
        ("txt/charset_normalizer/sample-english.bom.txt", "utf-8-sig"),
        ("srt/androidx-media/typical_utf16le.srt", "utf-16-le"),
        ("srt/androidx-media/typical_utf16be.srt", "utf-16-be"),
    ],
)
def test_corpus_encoding_detected(rel: str, encoding: str) -> None:
    """Legacy code pages and UTF-16 are detected as the peers' tests assert."""
    assert read_script(CORPUS / rel).encoding == encoding


def test_corpus_sniffs_format_from_content() -> None:
    """sample-english.bom.txt is really SRT: the content wins over the .txt extension."""
    script = read_script(CORPUS / "txt/charset_normalizer/sample-english.bom.txt")
    assert script.format == "srt"
    assert script.elements[0].span.time_start == "00:00:06.500"
