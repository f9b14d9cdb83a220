"""Command line: ``locreview scan | diff | glossary ...`` — a thin layer over the library.

Exit codes follow the linter convention so CI pipelines can gate on them:
0 = no flags, 1 = flags found, 2 = bad usage or unreadable input (also when one draft of a
directory scan could not be read), 3 = an internal error (a bug: please report it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .errors import ConfigError, LocreviewError

EXIT_CLEAN, EXIT_FLAGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3

SCAN_FORMATS = ("text", "json", "csv", "html", "md", "sarif", "srt-notes")


class _Parser(argparse.ArgumentParser):
    """argparse with our one-line error style (exit 2, no usage dump on stderr noise)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"locreview: error: {message}\n")
        raise SystemExit(EXIT_ERROR)


def _csv_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``locreview`` command."""
    p = _Parser(prog="locreview", description="Screen script drafts for market-specific risks.")
    p.add_argument("--version", action="version", version=f"locreview {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    s = sub.add_parser("scan", help="scan drafts and print flags")
    s.add_argument("drafts", nargs="+", metavar="DRAFT", help="draft files or directories")
    _scan_options(s)
    s.add_argument("--format", "-f", choices=SCAN_FORMATS, default="text")
    s.add_argument("--output", "-o", metavar="FILE", help="write the report here (default stdout)")
    s.add_argument("--input-format", choices=("fountain", "fdx", "docx", "pdf", "srt", "vtt", "text"),
                   help="force the draft format instead of sniffing it")
    s.add_argument("--max-bytes", type=int, metavar="N",
                   help="refuse drafts larger than N bytes (default 50 MB or $LOCREVIEW_MAX_BYTES)")
    s.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 BOM (for Excel)")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no summary line")
    s.add_argument("--store", metavar="DB", help="review database: show decision status in reports")
    s.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local: this process (default); dask: documents as tasks on a Dask "
                        "cluster (pip install 'locreview[dist]')")
    s.add_argument("--scheduler", metavar="ADDRESS",
                   help="join an existing Dask cluster: tcp://host:8786 or a scheduler JSON "
                        "file; without it --engine dask starts a local cluster on 127.0.0.1")
    s.add_argument("--results", metavar="DIR_OR_DB",
                   help="resumable results store: an .sqlite/.db file, or a directory every "
                        "worker can reach; a rerun scans only what is missing")
    s.add_argument("--workers", type=int, default=2, metavar="N",
                   help="worker processes of the local Dask cluster (default 2)")

    d = sub.add_parser("diff", help="compare two revisions of a draft: new / unchanged / resolved flags")
    d.add_argument("old")
    d.add_argument("new")
    _scan_options(d)
    d.add_argument("--format", "-f", choices=("text", "json", "csv", "md", "html"), default="text")
    d.add_argument("--output", "-o", metavar="FILE")
    d.add_argument("--quiet", "-q", action="store_true")

    g = sub.add_parser("glossary", help="validate, test, inspect and convert glossaries")
    gs = g.add_subparsers(dest="gcommand", metavar="ACTION", parser_class=_Parser)
    gv = gs.add_parser("validate", help="check glossary files: schema, ids, terms, sources")
    gv.add_argument("paths", nargs="*", metavar="PATH")
    gt = gs.add_parser("test", help="run every entry's own examples through the real pipeline")
    gt.add_argument("paths", nargs="*", metavar="PATH")
    gt.add_argument("--detectors", type=_csv_list, default=["literal", "context"],
                    help="stages to test with (default literal,context)")
    gst = gs.add_parser("stats", help="entries per market x category x language")
    gst.add_argument("paths", nargs="*", metavar="PATH")
    gst.add_argument("--format", choices=("text", "md", "json"), default="text")
    gd = gs.add_parser("diff", help="entries added, removed or changed between two pack versions")
    gd.add_argument("old")
    gd.add_argument("new")
    ge = gs.add_parser("export", help="export glossaries as CSV or TBX")
    ge.add_argument("paths", nargs="*", metavar="PATH")
    ge.add_argument("--format", choices=("csv", "tbx"), required=True)
    ge.add_argument("--output", "-o", metavar="FILE")
    gi = gs.add_parser("import", help="import a CSV or TBX termbase as a YAML pack")
    gi.add_argument("source")
    gi.add_argument("--market", required=True)
    gi.add_argument("--output", "-o", metavar="FILE")
    return p


def _scan_options(s: argparse.ArgumentParser) -> None:
    s.add_argument("--markets", "-m", required=True, metavar="CODES",
                   help="comma-separated ISO 3166-1 codes, e.g. CN,KR,JP")
    s.add_argument("--glossaries", "-g", action="append", metavar="PATH",
                   help="glossary file or directory; repeatable. A project layer adds to the "
                        "shipped packs; market packs or directories replace them")
    s.add_argument("--min-severity", metavar="LEVEL",
                   help="drop flags below info|low|medium|high|critical")
    s.add_argument("--detectors", metavar="LIST",
                   help="stages to run: literal,context,semantic (default all)")
    s.add_argument("--encoder", metavar="SPEC",
                   help="sentence encoder: use-m3 (default), e5, transformers:/path/to/model")


@contextlib.contextmanager
def _open_output(path: str | None, bom: bool = False) -> Iterator[TextIO]:
    if not path:
        yield sys.stdout
        return
    target = Path(path)
    if target.is_dir():
        raise ConfigError("output path is a directory", path=path)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        # Written to a temporary file and renamed, so a failed run never leaves half a report.
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, target)
    except OSError as e:
        raise ConfigError(f"cannot write report: {e.strerror}", path=path) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def cmd_scan(a: argparse.Namespace) -> int:
    """Run ``locreview scan``."""
    from .api import scan
    from .progress import ScanProgress
    from .report import write_report

    if a.engine != "local" or a.results or a.scheduler:
        report = _scan_catalog(a)
    else:
        progress = ScanProgress("scanning", not a.quiet)
        try:
            report = scan(
                a.drafts if len(a.drafts) > 1 else a.drafts[0],
                a.markets,
                glossaries=a.glossaries,
                detectors=a.detectors,
                min_severity=a.min_severity,
                encoder=a.encoder,
                format=a.input_format,
                max_bytes=a.max_bytes,
                progress=progress,
                keep_scripts=a.format in ("html", "md"),
            )
        finally:
            progress.close()
    store = _store(a.store)
    with _open_output(a.output) as out:
        write_report(report, a.format, out, bom=a.bom, store=store, scripts=report.scripts)
    for doc in report.errors:
        sys.stderr.write(f"locreview: error: {doc.error}\n")
    if not a.quiet:
        s = report.summary()
        sev = ", ".join(f"{v} {k}" for k, v in s["by_severity"].items() if v)
        sys.stderr.write(
            f"locreview: {s['flags']} flag(s) in {s['documents']} draft(s)"
            f"{' (' + sev + ')' if sev else ''}, markets {','.join(report.markets)}"
            f"{', ' + str(s['errors']) + ' unreadable' if s['errors'] else ''}\n"
        )
    if report.errors:
        return EXIT_ERROR
    return EXIT_FLAGS if report.flags else EXIT_CLEAN


def _scan_catalog(a: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Scan with the catalog engines (Dask, or local with a resumable results store)."""
    from .engine import CatalogProgress, run_catalog

    # A bar on a terminal; on a batch job's log, one line every 10 s (done/total, docs/s, ETA).
    prog = None if a.quiet else CatalogProgress()
    try:
        res = run_catalog(
            a.drafts, a.markets,
            engine=a.engine, scheduler=a.scheduler, results=a.results, workers=a.workers,
            glossaries=a.glossaries, detectors=a.detectors, min_severity=a.min_severity,
            encoder=a.encoder, format=a.input_format, max_bytes=a.max_bytes,
            progress=prog,
        )
    finally:
        if prog is not None:
            prog.close()
    if not a.quiet:
        sys.stderr.write(
            f"locreview: {res.scanned} scanned, {res.reused} reused from the results store, "
            f"{res.failed} failed, {res.throughput:.2f} docs/s "
            f"(engine {res.engine}, {res.info.get('workers', 1)} worker(s))\n"
        )
    return res.report


def _store(path: str | None):  # type: ignore[no-untyped-def]
    if not path:
        return None
    from .review import ReviewStore

    return ReviewStore(path)


def cmd_diff(a: argparse.Namespace) -> int:
    """Run ``locreview diff``: flags new, unchanged and resolved between two revisions."""
    from .api import build_detector, scan
    from .diff import diff_reports, summary_line, write_diff

    det = build_detector(a.markets, glossaries=a.glossaries, detectors=a.detectors,
                         min_severity=a.min_severity, encoder=a.encoder)
    keep = a.format in ("html", "md")
    old = scan(a.old, a.markets, detector=det, keep_scripts=keep)
    new = scan(a.new, a.markets, detector=det, keep_scripts=keep)
    for doc in [*old.errors, *new.errors]:
        sys.stderr.write(f"locreview: error: {doc.error}\n")
    if old.errors or new.errors:
        return EXIT_ERROR
    result = diff_reports(old, new)
    with _open_output(a.output) as out:
        write_diff(result, a.format, out, scripts=new.scripts, old_scripts=old.scripts)
    if not a.quiet:
        sys.stderr.write(f"locreview: {summary_line(result)}\n")
    return EXIT_FLAGS if result.new else EXIT_CLEAN


def cmd_glossary(a: argparse.Namespace) -> int:
    """Run ``locreview glossary ACTION``."""
    from .glossary import tools

    action = a.gcommand
    if action is None:
        raise ConfigError("glossary needs an action: validate, test, stats, diff, export, import")
    paths = getattr(a, "paths", None) or None
    if action == "validate":
        problems, count = tools.validate(paths)
        for p in problems:
            sys.stderr.write(f"{p}\n")
        sys.stderr.write(
            f"locreview: {count} entries checked, {len(problems)} problem(s)\n"
        )
        return EXIT_ERROR if problems else EXIT_CLEAN
    if action == "test":
        failures, count = tools.run_examples(paths, detectors=a.detectors)
        tools.print_failures(failures, sys.stdout)
        sys.stdout.write(f"{count} examples run, {len(failures)} failed\n")
        return EXIT_FLAGS if failures else EXIT_CLEAN
    if action == "stats":
        tools.print_stats(paths, a.format, sys.stdout)
        return EXIT_CLEAN
    if action == "diff":
        changes = tools.diff_packs(a.old, a.new)
        tools.print_pack_diff(changes, sys.stdout)
        return EXIT_FLAGS if any(changes.values()) else EXIT_CLEAN
    if action == "export":
        with _open_output(a.output) as out:
            tools.export(paths, a.format, out)
        return EXIT_CLEAN
    if action == "import":
        with _open_output(a.output) as out:
            tools.import_termbase(a.source, a.market, out)
        return EXIT_CLEAN
    raise ConfigError(f"unknown glossary action {action!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``locreview`` command; returns the exit code."""
    parser = build_parser()
    a = parser.parse_args(argv)
    if a.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        if a.command == "scan":
            return cmd_scan(a)
        if a.command == "diff":
            return cmd_diff(a)
        if a.command == "glossary":
            return cmd_glossary(a)
    except LocreviewError as e:
        problems = getattr(e, "problems", None) or [e]
        for p in problems:
            sys.stderr.write(f"locreview: error: {p}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("locreview: interrupted\n")
        return 130
    except BrokenPipeError:
        with contextlib.suppress(Exception):
            sys.stdout = io.TextIOWrapper(io.BytesIO())
        return EXIT_CLEAN
    except MemoryError:
        sys.stderr.write("locreview: error: out of memory (try a smaller draft or --max-bytes)\n")
        return EXIT_ERROR
    except Exception as e:  # a bug, not bad input: say so in one line, keep the trace optional
        if os.environ.get("LOCREVIEW_DEBUG"):
            raise
        sys.stderr.write(
            f"locreview: internal error: {type(e).__name__}: {e} "
            "(please report it; set LOCREVIEW_DEBUG=1 to see the traceback)\n"
        )
        return EXIT_INTERNAL
    parser.print_help(sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
