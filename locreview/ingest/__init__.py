"""Draft ingestion: sniff the format and encoding, enforce limits, dispatch to a reader.

Every reader returns the same :class:`locreview.model.Script`, so detection never cares
where the text came from. Entry point: :func:`read_script`.

Size limit: :data:`DEFAULT_MAX_BYTES` (50 MB) unless ``max_bytes=`` is given or the
``LOCREVIEW_MAX_BYTES`` environment variable sets another number of bytes. The size is
checked before the file is read.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from locreview.errors import (
    ConfigError,
    EncodingError,
    FormatError,
    InputError,
    InputTooLargeError,
)
from locreview.ingest._common import decode_bytes, looks_binary
from locreview.model import Script

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DRAFT_EXTENSIONS",
    "FORMATS",
    "iter_drafts",
    "read_script",
    "sniff_format",
]

#: Default size limit of one draft, in bytes (override with max_bytes= or LOCREVIEW_MAX_BYTES).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

#: The formats read_script understands.
FORMATS: tuple[str, ...] = ("fountain", "fdx", "docx", "pdf", "srt", "vtt", "text")

#: File extensions (lower case) that directory scans pick up, and the format each hints at.
DRAFT_EXTENSIONS: dict[str, str] = {
    ".fountain": "fountain",
    ".spmd": "fountain",
    ".fdx": "fdx",
    ".docx": "docx",
    ".pdf": "pdf",
    ".srt": "srt",
    ".vtt": "vtt",
    ".webvtt": "vtt",
    ".txt": "text",
    ".text": "text",
}

_ALIASES = {
    "txt": "text",
    "plain": "text",
    "webvtt": "vtt",
    "subrip": "srt",
    "finaldraft": "fdx",
    "spmd": "fountain",
}

# Magic numbers of things that are certainly not drafts, named in the error message.
_FOREIGN_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"MZ", "a Windows executable"),
    (b"{\\rtf", "an RTF document (save it as DOCX or plain text)"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an OLE compound file: a legacy .doc or a password-protected (encrypted) Office "
        "document (save it unencrypted as DOCX)",
    ),
    (b"SQLite format 3\x00", "an SQLite database"),
)


_VTT_SIGNATURE = re.compile(rb"(?:\xef\xbb\xbf)?WEBVTT(?:[ \t\r\n]|$)")


def _env_max_bytes() -> int:
    raw = os.environ.get("LOCREVIEW_MAX_BYTES", "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"LOCREVIEW_MAX_BYTES must be a number of bytes, not {raw!r}") from None
    if value <= 0:
        raise ConfigError("LOCREVIEW_MAX_BYTES must be positive")
    return value


def _normalise_format(fmt: str | None) -> str | None:
    if fmt is None:
        return None
    key = fmt.strip().lower().lstrip(".")
    key = _ALIASES.get(key, key)
    if key not in FORMATS:
        raise ConfigError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    return key


def _read_bytes(path: Path, limit: int) -> bytes:
    """Read a regular file, refusing it before reading when it is over ``limit`` bytes."""
    shown = str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError("no such file", path=shown) from None
    except OSError as exc:
        raise InputError(f"cannot access file: {exc.strerror or exc}", path=shown) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(
            "is a directory, not a draft file (scan the directory instead)", path=shown
        )
    if not stat.S_ISREG(st.st_mode):
        # FIFOs, sockets and devices could block or never end: refuse them outright.
        raise InputError("not a regular file", path=shown)
    if st.st_size > limit:
        raise InputTooLargeError(
            f"file is {st.st_size} bytes, over the limit of {limit} bytes "
            "(raise it with --max-bytes or LOCREVIEW_MAX_BYTES)",
            path=shown,
        )
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)  # bounded even if the file grew after stat()
    except PermissionError:
        raise InputError("permission denied", path=shown) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=shown) from None
    if len(data) > limit:
        raise InputTooLargeError(f"file is over the limit of {limit} bytes", path=shown)
    return data


def _ext_hint(name: str) -> str | None:
    return DRAFT_EXTENSIONS.get(os.path.splitext(name)[1].lower())


def _text_sniff(head: str) -> str | None:
    """Recognise text formats by content: FDX, WebVTT, SRT; None when undecided."""
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped.startswith("WEBVTT") and (len(stripped) == 6 or stripped[6] in " \t\r\n"):
        return "vtt"
    low = stripped[:4096].lower()
    if low.startswith("<?xml") or low.startswith("<finaldraft") or low.startswith("<!doctype"):
        if "<finaldraft" in stripped[:65536].lower():
            return "fdx"
        return "xml"
    from locreview.ingest.subtitles import looks_like_srt

    if looks_like_srt(stripped[:4096]):
        return "srt"
    return None


def _looks_like_fountain(head: str) -> bool:
    from locreview.ingest.fountain import looks_like_fountain

    return looks_like_fountain(head)


def sniff_format(data: bytes, name: str) -> str:
    """Return the format of a draft from its content, using the file extension as a hint."""
    hint = _ext_hint(name)
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "docx"  # the DOCX reader checks that the ZIP really is a Word document
    if b"%PDF-" in data[:1024]:
        return "pdf"
    for magic, what in _FOREIGN_MAGIC:
        if data.startswith(magic):
            if magic == b"MZ" and not looks_binary(data):
                continue  # a text file may start with "MZ"
            raise FormatError(f"unknown format: this is {what}, not a script draft", path=name)
    if _VTT_SIGNATURE.match(data):
        return "vtt"  # WebVTT allows NUL characters (read as U+FFFD): not binary
    if hint in ("docx", "pdf"):
        what = "empty" if not data.strip() else "text" if not looks_binary(data) else "binary data"
        raise FormatError(
            f"has a .{hint} extension but is not a {hint.upper()} file (content is {what})",
            path=name,
        )
    if looks_binary(data):
        raise FormatError("unknown format: binary data, not a text draft", path=name)
    head_bytes = data[:65536]
    try:
        head, _ = decode_bytes(head_bytes, name)
    except EncodingError:
        # The cut may split a multi-byte character; a lenient decode is enough to sniff.
        head = head_bytes.decode("utf-8", errors="replace")
    found = _text_sniff(head)
    if found == "xml":
        if hint == "fdx":
            return "fdx"  # the FDX reader explains what is wrong with it
        raise FormatError(
            "unknown format: an XML document that is not Final Draft (FDX)", path=name
        )
    if found is not None:
        return found
    if hint in ("srt", "vtt", "fdx", "fountain", "text"):
        return hint
    return "fountain" if _looks_like_fountain(head) else "text"


def read_script(
    source: str | os.PathLike[str] | bytes,
    format: str | None = None,  # noqa: A002 - the public name the contract asks for
    *,
    name: str | None = None,
    max_bytes: int | None = None,
) -> Script:
    """Read a draft (path or bytes) into a Script; the format is sniffed when not given."""
    limit = max_bytes if max_bytes is not None else _env_max_bytes()
    if limit <= 0:
        raise ConfigError("max_bytes must be positive")
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        shown = name or "<bytes>"
        if len(data) > limit:
            raise InputTooLargeError(
                f"input is {len(data)} bytes, over the limit of {limit} bytes", path=shown
            )
    else:
        path = Path(os.fspath(source))
        shown = name or str(path)
        data = _read_bytes(path, limit)
        if name is None:
            shown = str(path)
    fmt = _normalise_format(format)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError("empty file: nothing to read", path=shown)
    if fmt is None:
        fmt = sniff_format(data, shown)
    return _dispatch(fmt, data, shown)


def _dispatch(fmt: str, data: bytes, shown: str) -> Script:
    if fmt == "docx":
        from locreview.ingest import docx as docx_reader

        return docx_reader.read(data, shown)
    if fmt == "pdf":
        from locreview.ingest import pdf as pdf_reader

        return pdf_reader.read(data, shown)
    if fmt == "fdx":
        from locreview.ingest import fdx as fdx_reader

        return fdx_reader.read(data, shown)
    if fmt != "vtt" and looks_binary(data):
        raise FormatError(f"binary data, not a {fmt} text file", path=shown)
    text, encoding = decode_bytes(data, shown)
    if not text.strip():
        raise InputError("empty file: nothing to read", path=shown)
    if fmt == "fountain":
        from locreview.ingest import fountain

        return fountain.read(text, shown, encoding)
    if fmt in ("srt", "vtt"):
        from locreview.ingest import subtitles

        return subtitles.read(text, shown, encoding, fmt)
    from locreview.ingest import text as text_reader

    return text_reader.read(text, shown, encoding)


def iter_drafts(directory: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield draft files under ``directory`` recursively, sorted; skip hidden and unknown files."""
    root = Path(os.fspath(directory))
    if not root.is_dir():
        raise InputError("not a directory", path=str(root))
    root_real = os.path.realpath(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        # Sorting in place makes os.walk descend in a stable order.
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for fn in sorted(filenames):
            if fn.startswith(".") or _ext_hint(fn) is None:
                continue
            full = Path(dirpath) / fn
            if full.is_symlink():
                target = os.path.realpath(full)
                if os.path.commonpath([root_real, target]) != root_real or not os.path.isfile(
                    target
                ):
                    continue  # a link leading outside the scanned tree is not followed
            elif not full.is_file():
                continue
            yield full
