"""Start the reviewer: ``python -m app [--db PATH] [--sample PATH] [--anonymous] ...``.

Listens on 127.0.0.1 only and never shares a public link. ``python -m app hash-password``
prints a password hash for the users file.
"""

from __future__ import annotations

import argparse
import atexit
import getpass
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from locreview.errors import LocreviewError

from .auth import Users, hash_password

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DEFAULT_DB = Path(".locreview") / "review.sqlite"


def _private_temp_dir() -> Path:
    """Point Gradio's upload folder at a private temp dir, removed when the process ends."""
    if os.environ.get("GRADIO_TEMP_DIR"):
        return Path(os.environ["GRADIO_TEMP_DIR"])
    tmp = Path(tempfile.mkdtemp(prefix="locreview-app-"))
    os.environ["GRADIO_TEMP_DIR"] = str(tmp)
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    return tmp


def create_app(
    *,
    db: str | Path,
    users: Users,
    sample: str | Path | None = None,
    sample_markets: list[str] | None = None,
    max_upload_bytes: int = 20 * 1024 * 1024,
    scanner: Any = None,
    markets: list[str] | None = None,
    detectors: list[str] | None = None,
) -> tuple[Any, Any]:
    """Build (demo, service) over a review store at ``db``; pre-load ``sample`` if given."""
    tmp = _private_temp_dir()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from locreview.review import ReviewStore

    from .auth import User
    from .service import ReviewService
    from .ui import build

    store = ReviewStore(db)
    service = ReviewService(store, max_upload_bytes=max_upload_bytes, scanner=scanner,
                            markets=markets, export_dir=tmp / "exports", detectors=detectors)
    service.export_dir.mkdir(parents=True, exist_ok=True)
    note = ""
    if sample:
        loader = User("sample", "compliance")
        mk = sample_markets or service.markets()
        try:
            res = service.upload(loader, sample, markets=mk, project="sample", remove=False)
            note = f"Sample draft loaded: {res.revision.label} ({res.flags} flags)"
        except LocreviewError as exc:
            note = f"Error: the sample draft could not be loaded: {exc}"
            print(note, file=sys.stderr)
    return build(service, users, sample_note=note), service


def launch(demo: Any, users: Users, *, host: str = "127.0.0.1", port: int = 7860,
           max_upload_bytes: int = 20 * 1024 * 1024, block: bool = True) -> str:
    """Serve ``demo`` on loopback (with sign-in unless anonymous); return the URL."""
    from .ui import CSS, KEYS_JS

    if host not in LOOPBACK:
        raise LocreviewError(f"refusing to listen on {host!r}: the reviewer serves 127.0.0.1 "
                             "only (put a reverse proxy with TLS in front for remote use)")
    auth = None if users.anonymous else users.authenticate
    _, url, _ = demo.launch(
        server_name="127.0.0.1" if host == "localhost" else host,
        server_port=port,
        share=False,
        auth=auth,
        auth_message="locreview reviewer: sign in with the account your admin gave you",
        prevent_thread_lock=True,
        quiet=True,
        max_file_size=max_upload_bytes,
        show_error=False,
        footer_links=[],
        head=KEYS_JS,
        css=CSS,
    )
    if block:
        print(f"locreview reviewer running at {url}", flush=True)
        try:
            demo.block_thread()
        except KeyboardInterrupt:
            demo.close()
    return url


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(prog="python -m app", description=__doc__.splitlines()[0])
    ap.add_argument("command", nargs="?", choices=["serve", "hash-password"], default="serve")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=int(os.environ.get("LOCREVIEW_PORT", 7860)))
    ap.add_argument("--db", default=os.environ.get("LOCREVIEW_DB", str(DEFAULT_DB)),
                    help="review database file (created if missing)")
    ap.add_argument("--sample", help="a draft to pre-load into project 'sample'")
    ap.add_argument("--markets", help="markets for the sample (default: every glossary market)")
    ap.add_argument("--users", help="users TOML file (default: $LOCREVIEW_USERS)")
    ap.add_argument("--anonymous", action="store_true",
                    default=os.environ.get("LOCREVIEW_ANONYMOUS") == "1",
                    help="no sign-in: one local user with every permission (local use only)")
    ap.add_argument("--detectors", help="detectors to run, e.g. literal,context (default: all)")
    ap.add_argument("--max-upload-mb", type=float, default=20.0)
    args = ap.parse_args(argv)
    if args.command == "hash-password":
        pw = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline()
        print(hash_password(pw.rstrip("\n")))
        return 0
    try:
        users = Users.load(None if args.anonymous else args.users, anonymous=args.anonymous)
        limit = int(args.max_upload_mb * 1024 * 1024)
        mk = [m.strip().upper() for m in args.markets.split(",")] if args.markets else None
        demo, _ = create_app(db=args.db, users=users, sample=args.sample, sample_markets=mk,
                             max_upload_bytes=limit,
                             detectors=args.detectors.split(",") if args.detectors else None)
        if users.anonymous:
            print("WARNING: anonymous mode — no sign-in; anyone who can reach "
                  f"127.0.0.1:{args.port} acts as user 'local' with every permission. "
                  "Use --users FILE for shared machines.", flush=True)
        print(f"review database: {Path(args.db).resolve()}", flush=True)
        launch(demo, users, host=args.host, port=args.port, max_upload_bytes=limit)
    except LocreviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot start the reviewer: {exc}", file=sys.stderr)
        return 2
    return 0
