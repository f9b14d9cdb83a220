"""Property-based fuzzing of every reader (and the sniffer): random bytes and mutations of
the real third-party files in ../shared/corpus. Whatever the input, read_script returns a
consistent Script or raises a LocreviewError, within PER_INPUT_SECONDS."""

from __future__ import annotations

import io
import time
import zipfile
from functools import cache
from pathlib import Path

import hostile_inputs as H
import pytest
from fuzz_settings import CORPUS, PER_INPUT_SECONDS
from hypothesis import given
from hypothesis import strategies as st

from locreview.errors import LocreviewError
from locreview.ingest import read_script

EXTS = {
    "fountain": (".fountain",),
    "fdx": (".fdx",),
    "pdf": (".pdf",),
    "srt": (".srt",),
    "vtt": (".vtt",),
    "text": (".txt",),
}
# Tokens that mean something to one of the formats: mutations splice them in.
TOKENS = [
    b"<", b">", b"&", b"&amp;", b"&#0;", b"&#x110000;", b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"<![CDATA[", b"]]>", b"<!--", b"-->", b"<Paragraph Type=\"Dialogue\">", b"</Text>",
    b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r", b"\r\n", b"\n\n", b"\xe2\x80\xae",
    b"\xed\xa0\x80", b"INT. ", b"EXT. ", b"[[", b"]]", b"/*", b"*/", b"~", b"^", b"@",
    b"00:00:01,000 --> 00:00:02,000\n", b"WEBVTT\n", b"-->", b"%PDF-1.4", b"obj", b"endobj",
    b"stream\n", b"endstream", b"xref", b"trailer", b"/Length 99999999", b"<<", b">>",
    b"PK\x03\x04", b"\x1f\x8b", b"Title:", b"===", b"#", b"!", b">", b"(", b")",
]


@cache
def corpus_files(fmt: str) -> tuple[Path, ...]:
    """The corpus files of one format (sorted)."""
    if not CORPUS.is_dir():
        return ()
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in EXTS[fmt])
    # Big PDFs make each example slow without adding structure the small ones lack.
    return tuple(p for p in files if p.stat().st_size < 60_000)


@cache
def _bytes(path: Path) -> bytes:
    return path.read_bytes()


@st.composite
def mutated(draw: st.DrawFn, seeds: tuple[bytes, ...]) -> bytes:
    """A seed file with a few byte-level mutations (flip, insert token, delete, cut, dup)."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "token", "delete", "truncate", "dup", "byte"]))
        pos = draw(st.integers(0, max(0, len(data))))
        if op == "flip" and data:
            i = min(pos, len(data) - 1)
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "token":
            data[pos:pos] = draw(st.sampled_from(TOKENS)) * draw(st.integers(1, 50))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 400))]
        elif op == "truncate":
            del data[pos:]
        elif op == "dup":
            end = min(len(data), pos + draw(st.integers(1, 2000)))
            data[pos:pos] = data[pos:end] * draw(st.integers(1, 20))
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
    return bytes(data)


def _check_script(script) -> None:
    """Invariants every Script must keep, however odd its source."""
    n = len(script.text)
    last = -1
    for i, el in enumerate(script.elements):
        assert el.index == i
        assert 0 <= el.span.start <= el.span.end <= n, (el.span, n)
        assert el.span.line >= 1 and el.span.column >= 1
        if el.offsets is not None:
            assert len(el.offsets) == len(el.text)
            assert all(0 <= o < n for o in el.offsets[:50])
        assert el.span.start >= 0 and i >= last
        last = i


def _read(fuzz_stats, target: str, data: bytes, fmt: str | None, name: str) -> None:
    t0 = time.perf_counter()
    try:
        script = read_script(data, fmt, name=name)
    except LocreviewError as exc:
        outcome = type(exc).__name__
        assert str(exc)  # a message, never empty
    else:
        outcome = "read"
        _check_script(script)
    took = time.perf_counter() - t0
    fuzz_stats.add(target, outcome, took)
    assert took < PER_INPUT_SECONDS, f"{target}: one input took {took:.1f}s"


@given(data=st.binary(max_size=4096), fmt=st.sampled_from([None, "fountain", "fdx", "docx",
                                                            "pdf", "srt", "vtt", "text"]))
def test_fuzz_random_bytes(fuzz_stats, data: bytes, fmt: str | None) -> None:
    _read(fuzz_stats, "random bytes, every format", data, fmt, "random.bin")


@pytest.mark.parametrize("fmt", sorted(EXTS))
def test_fuzz_corpus_mutations(fuzz_stats, fmt: str) -> None:
    seeds = tuple(_bytes(p) for p in corpus_files(fmt))
    if fmt == "pdf":
        seeds += (H.pdf(["INT. HOUSE - DAY", "MINA", "Remember Taiwan."]),)
    assert seeds, f"no {fmt} files in {CORPUS}"

    @given(data=mutated(seeds), sniff=st.booleans())
    def run(data: bytes, sniff: bool) -> None:
        _read(fuzz_stats, f"mutated corpus {fmt} ({len(seeds)} seeds)", data,
              None if sniff else fmt, f"draft{EXTS[fmt][0]}")

    run()


def _docx_with(document: bytes) -> bytes:
    buf = io.BytesIO(H.docx(["x"]))
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, document if info.filename == "word/document.xml"
                         else src.read(info))
    return out.getvalue()


DOCX_SEEDS = (
    H.document_xml(["INT. HOUSE - DAY", "", "MINA", "Remember Taiwan.", "CUT TO:"]).encode(),
    H.document_xml(["Plain paragraph one.", "BOB: a line of dialogue"]).encode(),
)


@given(document=mutated(DOCX_SEEDS), whole=st.booleans())
def test_fuzz_docx_parts(fuzz_stats, document: bytes, whole: bool) -> None:
    """Mutate the XML inside a valid archive (byte mutations of a ZIP only test the CRC)."""
    data = _docx_with(document)
    if whole:
        data = data[: len(data) * 3 // 4]  # a truncated archive as well
    _read(fuzz_stats, "mutated DOCX document.xml", data, None, "draft.docx")


@given(text=st.text(max_size=2000))
def test_fuzz_unicode_text_every_text_format(fuzz_stats, text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    for fmt in ("fountain", "srt", "vtt", "text"):
        _read(fuzz_stats, "random Unicode text as fountain/srt/vtt/text", data, fmt, "u.txt")
