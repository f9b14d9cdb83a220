"""Shared pieces of the reviewer tests: users, a hostile draft, starting the app, clients."""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Before gradio is imported anywhere: no telemetry, no version check, no hub access.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # the app package lives at the repo root, not installed
    sys.path.insert(0, str(REPO))
MARKETS = ["CN", "KR", "TH"]
DETECTORS = ["literal", "context"]  # the semantic stage is tested elsewhere; keep the UI fast
PASSWORDS = {"erin": ("editor", "erin-pw-1"), "carla": ("consultant", "carla-pw-2"),
             "cody": ("compliance", "cody-pw-3")}

#: A draft whose lines carry markup that must show as text, next to terms that get flagged.
HOSTILE = """Title: Markup Test

INT. SEOUL NEWSROOM - NIGHT

MINJI
The old map calls the islets Takeshima <script>alert(1)</script> in bold.

PRODUCER
Say East Sea, not Sea of Japan. <img src=x onerror="alert(2)"> &amp; more.

EXT. HARBOUR - DAWN

A gangster counts chips from a baccarat table.
"""


@dataclass
class RunningApp:
    """A launched reviewer: its URL, service and the folder its files live in."""

    url: str
    service: Any
    demo: Any
    folder: Path


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(folder: Path, users: Any, sample: Path | None) -> RunningApp:
    from app.main import create_app, launch

    os.environ["GRADIO_TEMP_DIR"] = str(folder / "gradio")
    demo, service = create_app(db=folder / "review.sqlite", users=users, sample=sample,
                               sample_markets=MARKETS, markets=MARKETS, detectors=DETECTORS,
                               max_upload_bytes=2 * 1024 * 1024)
    url = launch(demo, users, port=free_port(), max_upload_bytes=2 * 1024 * 1024, block=False)
    return RunningApp(url, service, demo, folder)


def client(app: RunningApp, user: str | None) -> Any:
    """A gradio_client signed in as ``user`` (no telemetry, no downloads)."""
    from gradio_client import Client

    auth = (user, PASSWORDS[user][1]) if user else None
    return Client(app.url, auth=auth, analytics_enabled=False, download_files=False,
                  verbose=False)
