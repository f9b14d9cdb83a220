"""Fixtures for the reviewer: users, a hostile draft, a running app on a free port."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_helpers import HOSTILE, PASSWORDS, REPO, RunningApp, start_app


@pytest.fixture(scope="session")
def users_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A users TOML file with one user per role (hashed passwords)."""
    from app.auth import hash_password

    lines = []
    for name, (role, pw) in PASSWORDS.items():
        lines += [f"[users.{name}]", f'role = "{role}"', f'password = "{hash_password(pw)}"', ""]
    path = tmp_path_factory.mktemp("users") / "users.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def hostile_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The markup-laden fixture draft as a .fountain file."""
    path = tmp_path_factory.mktemp("drafts") / "markup_test.fountain"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def running_app(users_file: Path) -> Iterator[RunningApp]:
    """The reviewer with sign-in, the bundled sample pre-loaded, on a free port."""
    from app.auth import Users

    folder = Path(tempfile.mkdtemp(prefix="locreview-app-test-"))
    sample = REPO / "samples" / "pilot_episode.fountain"
    app = start_app(folder, Users.load(users_file), sample if sample.exists() else None)
    try:
        yield app
    finally:
        app.demo.close()
        shutil.rmtree(folder, ignore_errors=True)
