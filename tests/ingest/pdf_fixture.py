"""Write small PDFs by hand (Courier text at given positions).

Used by the PDF reader tests and by the benchmark's draft generator (bench/draftgen.py),
so there is one minimal PDF writer in the repository.
"""

from __future__ import annotations


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[tuple[float, float, str]]], *, font_size: float = 12) -> bytes:
    """Return a PDF whose pages show each (x, y, text) in 12 pt Courier (empty list: no text)."""
    objects: list[bytes] = []
    # 1: catalog, 2: pages, 3: font; then per page: page object and content stream.
    kids = []
    page_objs: list[bytes] = []
    for i, items in enumerate(pages):
        page_no = 4 + 2 * i
        kids.append(f"{page_no} 0 R")
        ops = []
        if items:
            for x, y, text in items:
                ops.append(f"BT /F1 {font_size} Tf {x} {y} Td ({_esc(text)}) Tj ET")
        else:
            ops.append("0.5 g 72 72 200 300 re f")  # a drawn box: an "image-only" page
        stream = "\n".join(ops).encode("latin-1")
        page_objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_no + 1} 0 R >>".encode()
        )
        page_objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>")
    objects.extend(page_objs)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def screenplay_page(top: float = 720) -> list[tuple[float, float, str]]:
    """One page laid out like a printed screenplay (Courier 12, 10 characters per inch)."""
    action, dialogue, paren, cue = 108, 180, 223, 266
    rows = [
        (action, "INT. TEMPLE - NIGHT"),
        None,
        (action, "Monks chant. A portrait of the Dalai Lama hangs"),
        (action, "above the altar."),
        None,
        (cue, "TENZIN (V.O.)"),
        (paren, "(whispering)"),
        (dialogue, "We must leave before dawn."),
        (dialogue, "They are coming."),
        None,
        (432, "CUT TO:"),
    ]
    out = []
    y = top
    for row in rows:
        if row is not None:
            out.append((row[0], y, row[1]))
        y -= 12
    return out
