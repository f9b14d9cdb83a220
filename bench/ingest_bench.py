"""Ingestion speed: ``read_script`` over a generated draft in every format, and the corpus.

The draft is rendered once per format in memory (DOCX with python-docx, PDF as a minimal
Courier text PDF) and read ``reps`` times, interleaved across formats. Speed is MB/s of
*source text*: the UTF-8 size of the text the reader recovers (``Script.text``), so an XML
or ZIP container's markup does not inflate the figure; the file's own MB/s is given too.
"""

from __future__ import annotations

import csv
import statistics
import time
from pathlib import Path

import draftgen
import lit_bench as lb

from locreview.errors import LocreviewError
from locreview.ingest import FORMATS, read_script
from locreview.model import Script

_CORPUS_FORMATS = {"fountain": "fountain", "fdx": "fdx", "pdf": "pdf", "srt": "srt",
                   "vtt": "vtt", "txt": "text", "docx": "docx"}


def bench_formats(
    draft: draftgen.Draft, reps: int, profile_below: float | None = None
) -> dict[str, dict]:
    """Read the draft in each format ``reps`` times; figures per format.

    A format slower than ``profile_below`` MB/s of text is read once more under cProfile
    and its busiest functions are reported with it.
    """
    files = {fmt: draftgen.render(draft, fmt) for fmt in FORMATS}
    times: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    scripts: dict[str, Script] = {}
    for _ in range(reps):
        for fmt, data in files.items():
            t0 = time.perf_counter()
            scripts[fmt] = read_script(data, fmt, name=f"bench.{fmt}")
            times[fmt].append(time.perf_counter() - t0)
    out: dict[str, dict] = {}
    for fmt, data in files.items():
        # The best run, as for every timing of bench/run.py (see its docstring).
        med = min(times[fmt])
        text_bytes = len(scripts[fmt].text.encode("utf-8"))
        out[fmt] = {
            "file_bytes": len(data),
            "text_bytes": text_bytes,
            "elements": len(scripts[fmt].elements),
            "runs_s": [round(t, 4) for t in times[fmt]],
            "best_s": round(med, 4),
            "median_s": round(statistics.median(times[fmt]), 4),
            "text_mb_s": round(text_bytes / med / 1e6, 2),
            "file_mb_s": round(len(data) / med / 1e6, 2),
            "elements_per_s": round(len(scripts[fmt].elements) / med, 1),
        }
        if fmt == "pdf":
            floor = pdfium_floor(data, reps)
            if floor is not None:
                # What PDFium alone needs to open every page and its text layer: no reader
                # built on it can be faster than text bytes / this time.
                out[fmt]["pdfium_floor_s"] = round(floor, 4)
                out[fmt]["pdfium_ceiling_mb_s"] = round(text_bytes / floor / 1e6, 2)
                out[fmt]["pages"] = scripts[fmt].meta.get("pages")
        if profile_below is not None and out[fmt]["text_mb_s"] < profile_below:
            out[fmt]["profile"] = lb.top_profile(
                lambda fmt=fmt, data=data: read_script(data, fmt, name=f"bench.{fmt}"), limit=8
            )
    return out


def pdfium_floor(data: bytes, reps: int) -> float | None:
    """Best time for PDFium to load every page of ``data`` and its text page (no text read)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - a core dependency
        return None
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        pdf = pdfium.PdfDocument(data)
        try:
            for i in range(len(pdf)):
                page = pdf[i]
                page.get_textpage().close()
                page.close()
        finally:
            pdf.close()
        times.append(time.perf_counter() - t0)
    return min(times)


def corpus_files(corpus: Path, limit: int | None = None) -> list[tuple[Path, str]]:
    """Every draft file of the shared corpus (per its manifest) with its format."""
    manifest = corpus / "manifest.tsv"
    if not manifest.is_file():
        return []
    out: list[tuple[Path, str]] = []
    with manifest.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            fmt = _CORPUS_FORMATS.get((row.get("format") or "").strip())
            path = corpus / (row.get("path") or "")
            if fmt and path.is_file():
                out.append((path, fmt))
    out.sort()
    return out[:limit] if limit else out


def read_corpus(files: list[tuple[Path, str]]) -> tuple[list[Script], dict[str, dict]]:
    """Read every corpus file once; the scripts read and per-format figures."""
    scripts: list[Script] = []
    per: dict[str, dict] = {}
    for path, fmt in files:
        data = path.read_bytes()
        row = per.setdefault(
            fmt, {"files": 0, "read": 0, "refused": 0, "file_bytes": 0, "text_bytes": 0,
                  "elements": 0, "seconds": 0.0, "errors": {}},
        )
        row["files"] += 1
        t0 = time.perf_counter()
        try:
            script = read_script(data, fmt, name=path.name)
        except LocreviewError as e:
            # Some corpus files are deliberately broken; a clear refusal is the behaviour.
            row["refused"] += 1
            name = type(e).__name__
            row["errors"][name] = row["errors"].get(name, 0) + 1
            continue
        row["seconds"] += time.perf_counter() - t0
        row["read"] += 1
        row["file_bytes"] += len(data)
        row["text_bytes"] += len(script.text.encode("utf-8"))
        row["elements"] += len(script.elements)
        scripts.append(script)
    for row in per.values():
        sec = row["seconds"]
        row["seconds"] = round(sec, 4)
        row["text_mb_s"] = round(row["text_bytes"] / sec / 1e6, 2) if sec else None
    return scripts, dict(sorted(per.items()))
