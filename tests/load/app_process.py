"""Start the reviewer as a real process (``python -m app``) on 127.0.0.1, sign clients in.

Used by the load, crash and auth tests: the app runs exactly as a user starts it, so a
kill -9 hits the real process and its SQLite connections.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "pilot_episode.fountain"
MARKETS = "CN,KR,TH"
#: How long the reviewers keep deciding: ~10 s in `make test`, 60 s in `make load`.
LOAD_SECONDS = float(os.environ.get("LOCREVIEW_LOAD_SECONDS", "10"))
REVIEWERS = int(os.environ.get("LOCREVIEW_LOAD_REVIEWERS", "20"))


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_users(path: Path, users: dict[str, tuple[str, str]]) -> Path:
    """Write a users TOML file: name -> (role, password)."""
    sys.path.insert(0, str(REPO))
    from app.auth import hash_password

    lines = []
    # One hash per distinct password: scrypt is deliberately slow.
    hashes: dict[str, str] = {}
    for name, (role, pw) in users.items():
        h = hashes.setdefault(pw, hash_password(pw))
        lines += [f"[users.{name}]", f'role = "{role}"', f'password = "{h}"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@dataclass
class AppProcess:
    """A running ``python -m app``."""

    proc: subprocess.Popen
    url: str
    port: int
    db: Path
    log: Path
    temp: Path
    env: dict[str, str] = field(default_factory=dict)

    def kill9(self) -> None:
        """SIGKILL the app (no cleanup, no atexit)."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        """Terminate the app if it still runs."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


def start(folder: Path, users: Path, *, db: Path | None = None, sample: bool = True,
          max_upload_mb: float | None = None, port: int | None = None,
          prefix: list[str] | None = None, timeout: float = 120) -> AppProcess:
    """Start the reviewer and wait until it answers; raise with its log if it does not."""
    port = port or free_port()
    db = db or folder / "review.sqlite"
    temp = folder / "gradio-tmp"
    temp.mkdir(parents=True, exist_ok=True)
    log = folder / f"app-{port}.log"
    cmd = [*(prefix or []), sys.executable, "-m", "app", "--host", "127.0.0.1", "--port",
           str(port), "--db", str(db), "--users", str(users), "--detectors", "literal,context",
           "--markets", MARKETS]
    if sample:
        cmd += ["--sample", str(SAMPLE)]
    if max_upload_mb is not None:
        cmd += ["--max-upload-mb", str(max_upload_mb)]
    env = {**os.environ, "GRADIO_TEMP_DIR": str(temp), "PYTHONUNBUFFERED": "1"}
    fh = log.open("wb")
    proc = subprocess.Popen(cmd, cwd=str(REPO), stdout=fh, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited {proc.returncode}: {log.read_text()[-3000:]}")
        if "running at" in log.read_text(errors="replace"):
            return AppProcess(proc, url, port, db, log, temp, env)
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"app did not start in {timeout}s: {log.read_text()[-3000:]}")


def client(app: AppProcess, user: str, password: str) -> Any:
    """A gradio_client signed in as ``user`` (no telemetry, no downloads)."""
    from gradio_client import Client

    return Client(app.url, auth=(user, password), analytics_enabled=False,
                  download_files=False, verbose=False)


def flag_ids(c: Any) -> tuple[int, list[int]]:
    """The newest revision id and its flag ids, through the API."""
    _name, rev_update, _msg = c.predict(api_name="/whoami")
    rev = rev_update["value"] if isinstance(rev_update, dict) else rev_update
    out = c.predict(rev, "all", "all", "all", "all", "all", "all", "all", "position",
                    api_name="/tables")
    table = out[1]
    return int(rev), [int(r[0]) for r in table["data"]]
