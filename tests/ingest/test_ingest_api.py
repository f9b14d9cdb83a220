"""read_script contract: sniffing, limits, and one clear error per kind of bad input."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from locreview.errors import (
    ConfigError,
    EncodingError,
    FormatError,
    InputError,
    InputTooLargeError,
    LocreviewError,
)
from locreview.ingest import (
    DEFAULT_MAX_BYTES,
    FORMATS,
    iter_drafts,
    read_script,
    sniff_format,
)


def test_public_constants() -> None:
    """The documented formats and the 50 MB default limit."""
    assert FORMATS == ("fountain", "fdx", "docx", "pdf", "srt", "vtt", "text")
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("data", "name", "fmt"),
    [
        (b"INT. HOUSE - DAY\n\nRain.\n", "x.fountain", "fountain"),
        (b"INT. HOUSE - DAY\n\nRain.\n\nJOHN\nHi.\n", "x", "fountain"),
        (b"Title: X\nAuthor: Y\n\nEXT. SEA - DAY\n", "draft", "fountain"),
        (b"Just a letter.\n\nRegards.\n", "x", "text"),
        (b"Just a letter.\n", "x.txt", "text"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nHi\n", "x.txt", "srt"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n", "x.srt", "vtt"),
        (b'<?xml version="1.0"?>\n<FinalDraft><Content/></FinalDraft>', "x.txt", "fdx"),
        (b"%PDF-1.4\n...", "x.fountain", "pdf"),
        (b"PK\x03\x04....", "x.txt", "docx"),
    ],
)
def test_sniff_format_content_first(data: bytes, name: str, fmt: str) -> None:
    """Content decides; the extension only breaks ties between text formats."""
    assert sniff_format(data, name) == fmt


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "PNG image"),
        (b"\x7fELF\x02\x01\x01" + b"\0" * 64, "executable"),
        (b"\x1f\x8b\x08\x00" + b"\0" * 64, "gzip"),
        (bytes(range(32)) * 64, "binary data"),
        (b'<?xml version="1.0"?>\n<svg/>', "not Final Draft"),
    ],
    ids=["png", "elf", "gzip", "garbage", "other-xml"],
)
def test_unknown_format_is_one_clear_error(tmp_path: Path, data: bytes, match: str) -> None:
    """Unknown or binary formats raise FormatError naming the file."""
    p = tmp_path / "thing.fountain"
    p.write_bytes(data)
    with pytest.raises(FormatError, match=match) as info:
        read_script(p)
    assert info.value.path == str(p)
    assert str(p) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is an InputError with the path."""
    with pytest.raises(InputError, match="no such file") as info:
        read_script(tmp_path / "nope.fountain")
    assert info.value.path == str(tmp_path / "nope.fountain")


def test_directory_is_not_a_draft(tmp_path: Path) -> None:
    """A directory passed as a draft is an InputError."""
    with pytest.raises(InputError, match="directory"):
        read_script(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    """Empty (or whitespace/BOM-only) files are InputErrors, not empty passes."""
    for content in (b"", b"\n\n  \n", b"\xef\xbb\xbf\r\n"):
        p = tmp_path / "e.txt"
        p.write_bytes(content)
        with pytest.raises(InputError, match="empty"):
            read_script(p)


def test_fifo_refused_without_hanging(tmp_path: Path) -> None:
    """A FIFO would block on open: refused up front."""
    p = tmp_path / "pipe.txt"
    os.mkfifo(p)
    with pytest.raises(InputError, match="not a regular file"):
        read_script(p)


def test_size_limit_checked_before_reading(tmp_path: Path) -> None:
    """A 2 GB (sparse) file is refused at once from its size, without reading it."""
    p = tmp_path / "huge.fountain"
    with p.open("wb") as fh:
        fh.truncate(2 * 1024**3)
    t0 = time.perf_counter()
    with pytest.raises(InputTooLargeError, match="over the limit") as info:
        read_script(p)
    assert time.perf_counter() - t0 < 1.0
    assert info.value.path == str(p)


def test_size_limit_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """max_bytes= and LOCREVIEW_MAX_BYTES change the limit; bytes input is checked too."""
    p = tmp_path / "a.txt"
    p.write_bytes(b"x" * 100)
    with pytest.raises(InputTooLargeError):
        read_script(p, max_bytes=99)
    assert read_script(p, max_bytes=100).elements[0].text == "x" * 100
    monkeypatch.setenv("LOCREVIEW_MAX_BYTES", "50")
    with pytest.raises(InputTooLargeError):
        read_script(p)
    with pytest.raises(InputTooLargeError):
        read_script(b"y" * 51, name="b.txt")
    monkeypatch.setenv("LOCREVIEW_MAX_BYTES", "lots")
    with pytest.raises(ConfigError):
        read_script(p)


def test_unknown_format_option() -> None:
    """An unknown format= value is a ConfigError; aliases are accepted."""
    with pytest.raises(ConfigError, match="unknown format"):
        read_script(b"hi", format="rtf", name="x")
    assert read_script(b"Hello.", format="txt", name="x").format == "text"
    assert read_script(b"WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n", format="webvtt").format == "vtt"


def test_invalid_utf8_is_encoding_error(tmp_path: Path) -> None:
    """Undecodable bytes with no plausible code page: EncodingError with the path."""
    p = tmp_path / "bad.fountain"
    p.write_bytes(b"INT. HOUSE\n\n" + bytes(range(0x80, 0x100)) * 30)
    with pytest.raises(EncodingError) as info:
        read_script(p)
    assert info.value.path == str(p)
    assert info.value.line == 3


def test_bytes_source_uses_name() -> None:
    """With bytes, name= is the display path and an extension hint."""
    s = read_script(b"Some action.\n", name="scenes/a.fountain")
    assert s.path == "scenes/a.fountain"
    assert s.format == "fountain"
    assert read_script(b"Hello.\n").path == "<bytes>"


def test_iter_drafts(tmp_path: Path) -> None:
    """Recursive, sorted, hidden and unknown files skipped, links outside not followed."""
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for rel in ["a.fountain", "b/c.SRT", "b/d.vtt", "z.txt", "notes.md", ".x.txt", ".hidden/e.fdx"]:
        (tmp_path / rel).write_text("x")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text("x")
    (tmp_path / "link.txt").symlink_to(outside / "secret.txt")
    (tmp_path / "linkdir").symlink_to(outside, target_is_directory=True)
    (tmp_path / "inside.txt").symlink_to(tmp_path / "z.txt")
    got = [p.relative_to(tmp_path).as_posix() for p in iter_drafts(tmp_path)]
    assert got == ["a.fountain", "inside.txt", "z.txt", "b/c.SRT", "b/d.vtt"]
    with pytest.raises(InputError):
        list(iter_drafts(tmp_path / "a.fountain"))


def test_directory_scan_goes_on_after_bad_file(tmp_path: Path) -> None:
    """Each bad file yields its own LocreviewError; the other files still read."""
    (tmp_path / "good.fountain").write_text("INT. HOUSE - DAY\n\nRain.\n")
    (tmp_path / "bad.docx").write_text("renamed text")
    (tmp_path / "empty.srt").write_text("")
    (tmp_path / "z.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n")
    results: dict[str, str] = {}
    for p in iter_drafts(tmp_path):
        try:
            results[p.name] = read_script(p).format
        except LocreviewError as exc:
            results[p.name] = type(exc).__name__
    assert results == {
        "bad.docx": "FormatError",
        "empty.srt": "InputError",
        "good.fountain": "fountain",
        "z.vtt": "vtt",
    }
