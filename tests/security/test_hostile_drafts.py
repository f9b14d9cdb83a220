"""Hostile drafts: XML bombs and XXE, zip bombs and traversal, broken or encrypted PDFs,
huge, NUL-laden or oddly broken text. Each case runs in a fresh interpreter under a
memory limit and must end within its time bound with a LocreviewError that says what
is wrong (or, where the input is merely odd, with a correct Script)."""

from __future__ import annotations

import base64
from pathlib import Path

import hostile_inputs as H
import pytest

# A file the XXE cases would leak if an entity were resolved.
SECRET = "TOP-SECRET-XXE-CANARY-7f3a"


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file holding a canary string that must never reach a Script."""
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def _read_case(data: bytes, name: str, fmt: str | None = None, *, scan: bool = False) -> str:
    """Child code: read ``data`` (and optionally scan it) and report what came out."""
    b64 = base64.b64encode(data).decode()
    code = (
        "import base64\nfrom locreview.ingest import read_script\n"
        f"data = base64.b64decode({b64!r})\n"
        f"s = read_script(data, {fmt!r}, name={name!r})\n"
        "out['elements'] = len(s.elements)\nout['text'] = s.text[:4000]\n"
        "out['chars'] = len(s.text)\n"
    )
    if scan:
        code += (
            "from locreview.api import scan\n"
            f"r = scan(s, ['CN'], glossaries=[{str(H.REPO / 'tests/security/fixtures/evasion.yaml')!r}],"
            " detectors='literal,context')\nout['flags'] = len(r.flags)\n"
        )
    return code


def _check(reliability, kind: str, name: str, res: H.Bounded, *, seconds: float,
           memory_mb: int, expect: tuple[str, ...] | None, words: tuple[str, ...] = (),
           leak: str | None = None) -> None:
    """Assert the outcome, the time and memory bounds; record the case."""
    out = res.result
    if expect is None:
        assert out["outcome"] == "ok", out
    else:
        assert out["outcome"] == "error", f"{name}: expected {expect}, got a Script: {out}"
        assert out["locreview_error"], f"{name}: escaped as {out['type']}: {out['message']}"
        assert out["type"] in expect, out
        msg = out["message"].lower()
        assert any(w in msg for w in words), f"{name}: unclear message {out['message']!r}"
    if leak:
        assert leak not in repr(out)
    assert res.seconds < seconds, f"{name}: {res.seconds:.1f}s over the {seconds}s bound"
    assert res.maxrss_mb < memory_mb, f"{name}: {res.maxrss_mb:.0f} MB over {memory_mb} MB"
    observed = (f"{out['type']}: {out['msg'][:90]}" if out["outcome"] == "error"
                else f"read: {out.get('elements')} elements" +
                (f", {out['flags']} flags" if "flags" in out else ""))
    reliability.add(kind=kind, name=name, tried=1, outcome=observed,
                    seconds=round(res.seconds, 2), bound_s=seconds,
                    maxrss_mb=round(res.maxrss_mb), bound_mb=memory_mb)


UNSAFE = ("UnsafeInputError",)
FORMAT = ("FormatError", "UnsafeInputError")

# -- XML (FDX) -----------------------------------------------------------------------------


def test_xml_billion_laughs_is_refused(reliability) -> None:
    res = H.run_bounded(_read_case(H.billion_laughs(), "laughs.fdx"), seconds=10)
    _check(reliability, "xml", "billion laughs (10^9 entity expansion)", res, seconds=10,
           memory_mb=1024, expect=UNSAFE, words=("dtd", "entit"))


@pytest.mark.parametrize("fmt", [None, "fdx"])
def test_xml_external_entity_is_refused(reliability, secret_file: Path, fmt) -> None:
    res = H.run_bounded(_read_case(H.xxe(str(secret_file)), "xxe.fdx", fmt), seconds=10)
    _check(reliability, "xml", f"XXE file:// entity (format={fmt or 'sniffed'})", res,
           seconds=10, memory_mb=1024, expect=UNSAFE, words=("dtd", "entit", "external"),
           leak=SECRET)


def test_xml_parameter_entity_and_external_dtd_are_refused(reliability, secret_file) -> None:
    for name, data in [("parameter-entity XXE", H.parameter_entity(str(secret_file))),
                       ("external DTD", H.external_dtd())]:
        res = H.run_bounded(_read_case(data, "p.fdx"), seconds=10)
        _check(reliability, "xml", name, res, seconds=10, memory_mb=1024, expect=UNSAFE,
               words=("dtd", "entit", "external"), leak=SECRET)


def test_xml_deep_nesting_is_refused_quickly(reliability) -> None:
    res = H.run_bounded(_read_case(H.deep_xml(200_000), "deep.fdx"), seconds=10)
    _check(reliability, "xml", "200,000 nested elements", res, seconds=10, memory_mb=1024,
           expect=FORMAT, words=("deep", "nest", "depth"))


def test_xml_docx_part_with_late_doctype_is_harmless(reliability, secret_file) -> None:
    # The DTD sits after 8 KB of comment, past the part of the file a quick check reads.
    pad = "<!--" + "x" * 8192 + "-->"
    doctype = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret_file}">]>'
    doc = H.document_xml(["&xxe;"], prolog=pad + doctype).replace("&amp;xxe;", "&xxe;")
    res = H.run_bounded(_read_case(H.docx(document=doc), "late.docx"), seconds=10)
    out = res.result
    # Either refused, or read without resolving the entity: the secret never appears.
    _check(reliability, "docx", "DTD + XXE after an 8 KB comment in document.xml", res,
           seconds=10, memory_mb=1024,
           expect=None if out["outcome"] == "ok" else FORMAT,
           words=("dtd", "entit", "docx"), leak=SECRET)


# -- DOCX (ZIP) ----------------------------------------------------------------------------


def test_docx_zip_bomb_is_refused(reliability) -> None:
    res = H.run_bounded(_read_case(H.zip_bomb_entry(), "bomb.docx"), seconds=10)
    _check(reliability, "docx", "zip bomb: 64 MB of zeros in one entry (~1000x)", res,
           seconds=10, memory_mb=1024, expect=UNSAFE, words=("zip bomb",))


def test_docx_lying_size_header_is_refused(reliability) -> None:
    res = H.run_bounded(_read_case(H.lying_zip(), "liar.docx"), seconds=10)
    _check(reliability, "docx", "entry header claims 2 KB, inflates to 64 MB", res,
           seconds=10, memory_mb=1024, expect=FORMAT, words=("zip", "docx", "corrupt"))


def test_docx_ten_thousand_entries_are_refused(reliability) -> None:
    res = H.run_bounded(_read_case(H.many_entries(10_000), "many.docx"), seconds=10)
    _check(reliability, "docx", "10,000-entry archive", res, seconds=10, memory_mb=1024,
           expect=UNSAFE, words=("entries",))


@pytest.mark.parametrize("name", ["../../evil.xml", "/etc/cron.d/evil", "word/../../x.xml",
                                  "C:\\evil.xml", "..\\..\\evil.xml"])
def test_docx_traversal_names_are_refused(reliability, tmp_path: Path, name: str) -> None:
    res = H.run_bounded(_read_case(H.traversal_docx(name), "trav.docx"), seconds=10)
    _check(reliability, "docx", f"entry named {name!r}", res, seconds=10, memory_mb=1024,
           expect=UNSAFE, words=("escapes",))
    assert not (tmp_path.parent / "evil.xml").exists()


def test_docx_encrypted_flag_is_refused(reliability) -> None:
    data = bytearray(H.docx(["secret"]))
    # Set the "encrypted" bit in every local and central header.
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = data.find(sig)
        while pos >= 0:
            data[pos + off] |= 1
            pos = data.find(sig, pos + 4)
    res = H.run_bounded(_read_case(bytes(data), "enc.docx"), seconds=10)
    _check(reliability, "docx", "encrypted ZIP entries", res, seconds=10, memory_mb=1024,
           expect=FORMAT, words=("encrypted", "password"))


# -- PDF -----------------------------------------------------------------------------------


def test_pdf_huge_claimed_page_count(reliability) -> None:
    res = H.run_bounded(_read_case(H.pdf(["INT. ROOM - DAY"], count=10**9), "count.pdf"),
                        seconds=15)
    _check(reliability, "pdf", "/Count 1,000,000,000 with one real page", res, seconds=15,
           memory_mb=1024, expect=None if res.result["outcome"] == "ok" else FORMAT,
           words=("pdf",))


@pytest.mark.slow
def test_pdf_many_real_pages(reliability) -> None:
    pages = [f"Page {i} of the draft." for i in range(2000)]
    res = H.run_bounded(_read_case(H.pdf(pages), "pages.pdf"), seconds=60)
    _check(reliability, "pdf", "2,000 real pages", res, seconds=60, memory_mb=1536,
           expect=None)
    assert res.result["elements"] >= 2000


def test_pdf_broken_xref_is_read_or_refused(reliability) -> None:
    res = H.run_bounded(_read_case(H.pdf(["Remember Taiwan."], xref=False), "xref.pdf"),
                        seconds=10)
    _check(reliability, "pdf", "cross-reference table with every offset 0", res, seconds=10,
           memory_mb=1024, expect=None if res.result["outcome"] == "ok" else FORMAT,
           words=("pdf",))
    data = H.pdf(["Remember Taiwan."])
    res = H.run_bounded(_read_case(data[: data.rfind(b"xref")], "noxref.pdf"), seconds=10)
    _check(reliability, "pdf", "truncated before the xref table", res, seconds=10,
           memory_mb=1024, expect=None if res.result["outcome"] == "ok" else FORMAT,
           words=("pdf",))


def test_pdf_encrypted_is_refused(reliability) -> None:
    res = H.run_bounded(_read_case(H.encrypted_pdf(), "enc.pdf"), seconds=10)
    _check(reliability, "pdf", "encrypted with a user password", res, seconds=10,
           memory_mb=1024, expect=("FormatError",), words=("encrypted", "password"))


def test_pdf_flate_bomb_is_bounded(reliability) -> None:
    res = H.run_bounded(_read_case(H.flate_bomb_pdf(), "flate.pdf"), seconds=20)
    _check(reliability, "pdf", "content stream inflating to 256 MB", res, seconds=20,
           memory_mb=1536, expect=None if res.result["outcome"] == "ok" else FORMAT,
           words=("pdf",))


def test_pdf_cyclic_page_tree_and_deep_arrays(reliability) -> None:
    for name, data in [("page tree that contains itself", H.cyclic_pages_pdf()),
                       ("100,000 nested arrays", H.deep_array_pdf())]:
        res = H.run_bounded(_read_case(data, "cycle.pdf"), seconds=10)
        _check(reliability, "pdf", name, res, seconds=10, memory_mb=1024,
               expect=None if res.result["outcome"] == "ok" else FORMAT, words=("pdf",))


# -- text ----------------------------------------------------------------------------------

BIG = 50 * 1000 * 1000  # "50 MB": under the default 50 MiB ingest limit


def _big_line_code(path: Path, scan: bool) -> str:
    code = (
        "from locreview.ingest import read_script\n"
        f"s = read_script({str(path)!r})\n"
        "out['elements'] = len(s.elements)\nout['chars'] = len(s.text)\n"
    )
    if scan:
        code += (
            "from locreview.api import scan\n"
            f"scan(s, ['CN'], glossaries=[{str(H.REPO / 'tests/security/fixtures/evasion.yaml')!r}],"
            " detectors='literal,context')\n"
        )
    return code


@pytest.fixture(scope="module")
def big_line(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 50 MB file that is one single line (with a term now and then)."""
    path = tmp_path_factory.mktemp("big") / "one_line.txt"
    unit = b"lorem ipsum dolor sit amet Taiwan " * 30 + b" "
    with path.open("wb") as fh:
        written = 0
        while written < BIG:
            fh.write(unit[: BIG - written])
            written += min(len(unit), BIG - written)
    return path


def test_text_50mb_single_line_reads_within_bounds(reliability, big_line: Path) -> None:
    res = H.run_bounded(_big_line_code(big_line, scan=False), seconds=20, memory_mb=2048)
    _check(reliability, "text", "50 MB single line: read", res, seconds=20, memory_mb=1024,
           expect=None)
    assert res.result["chars"] == BIG


def test_text_50mb_single_line_scan_fails_clearly(reliability, big_line: Path) -> None:
    res = H.run_bounded(_big_line_code(big_line, scan=True), seconds=30, memory_mb=3072)
    _check(reliability, "text", "50 MB single line: scan", res, seconds=30, memory_mb=1536,
           expect=("InputTooLargeError",), words=("scan limit",))


def test_text_over_spacy_limit_scans(reliability) -> None:
    # 1.2 million characters in one element (spaCy's own default limit is 1,000,000).
    data = (b"lorem ipsum Taiwan dolor sit amet " * 36_000)[:1_200_000]
    res = H.run_bounded(_read_case(data, "long.txt", scan=True), seconds=60, memory_mb=3072)
    _check(reliability, "text", "1.2M-character single line: scan", res, seconds=60,
           memory_mb=2048, expect=None)
    assert res.result["flags"] > 30_000


def test_text_over_the_size_limit_is_refused_before_reading(reliability, tmp_path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(60 * 1024 * 1024)  # sparse: costs no disk
    code = f"from locreview.ingest import read_script\nread_script({str(path)!r})\n"
    res = H.run_bounded(code, seconds=5, memory_mb=512)
    _check(reliability, "text", "60 MiB file (over the 50 MiB limit)", res, seconds=5,
           memory_mb=256, expect=("InputTooLargeError",), words=("limit",))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("NUL bytes throughout", b"INT. ROOM\x00 - DAY\x00\n\x00Taiwan\x00" * 100),
        ("NUL bytes after 8 KB of text", b"Remember Taiwan.\n" * 600 + b"\x00\x00x\x00" * 50),
        ("lone surrogate as UTF-8 (ED A0 80)", b"Remember Tai\xed\xa0\x80wan today.\n"),
        ("lone surrogate in UTF-16", b"\xff\xfeT\x00a\x00\x00\xd8i\x00w\x00"),
        ("invalid UTF-8 noise", bytes(range(128, 256)) * 40),
        ("only a BOM and NULs", b"\xef\xbb\xbf\x00\x00\x00"),
    ],
)
def test_text_broken_bytes_fail_clearly_or_read(reliability, name: str, data: bytes) -> None:
    res = H.run_bounded(_read_case(data, "odd.txt", scan=True), seconds=15)
    out = res.result
    _check(reliability, "text", name, res, seconds=15, memory_mb=1536,
           expect=None if out["outcome"] == "ok" else ("EncodingError", "FormatError",
                                                       "InputError"),
           words=("binary", "utf", "encod", "empty", "decode", "nul"))
    if out["outcome"] == "ok":
        assert "\x00" not in out["text"] or True  # NULs may be kept as text; never a crash


def test_text_mixed_line_endings_keep_positions(reliability, evasion_detector) -> None:
    from locreview.api import scan

    text = "one\r\ntwo\rthree\nfour\r\n\rsix Taiwan\n\u2028eight\x0bnine\x0cten Taiwan"
    report = scan(text.encode(), ["CN"], detector=evasion_detector, format="text")
    spans = sorted((f.span.line, f.span.column) for f in report.flags)
    # CRLF, CR and LF each end one line; U+2028, VT and FF do not end lines for positions.
    assert spans[0] == (6, 5)
    for f in report.flags:
        assert text[f.span.start:f.span.end] == "Taiwan"
    reliability.add(kind="text", name="mixed CRLF/CR/LF/U+2028/VT/FF line endings", tried=1,
                    outcome=f"{len(report.flags)} flags at the right line/column")


def test_scan_of_a_str_with_lone_surrogates_fails_clearly(evasion_detector, reliability):
    from locreview.api import scan
    from locreview.errors import LocreviewError

    try:
        report = scan("Remember Tai\ud800wan and Taiwan.", ["CN"], detector=evasion_detector)
    except LocreviewError as exc:
        assert "surrogate" in str(exc).lower() or "encod" in str(exc).lower()
        outcome = f"{type(exc).__name__}"
    else:
        assert [f.entry_id for f in report.flags] == ["sec.taiwan"]
        outcome = "scanned"
    reliability.add(kind="text", name="str input with a lone surrogate (API)", tried=1,
                    outcome=outcome)


def test_fingerprints_of_ordinary_elements_are_unchanged(evasion_detector) -> None:
    """The windowed fingerprint context applies only to huge elements: decisions on ordinary
    drafts keep carrying over."""
    from locreview.api import scan
    from locreview.model import make_fingerprint

    script_text = "INT. ROOM - DAY\n\nShe flew to Taiwan. Then Taiwan again.\n"
    report = scan(script_text.encode(), ["CN"], detector=evasion_detector, format="fountain")
    action = "She flew to Taiwan. Then Taiwan again."
    assert report.flags
    for f in report.flags:
        assert f.fingerprint == make_fingerprint(f.entry_id, f.market, f.text, action)
