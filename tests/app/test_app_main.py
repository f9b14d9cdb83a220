"""The ``python -m app`` entry point: loopback only, password hashing, clear start-up errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from app_helpers import REPO  # noqa: F401 - puts the repo root on sys.path

from app.auth import verify_password
from app.main import main


def test_main_refuses_non_loopback_host(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rc = main(["--anonymous", "--host", "0.0.0.0", "--db", str(tmp_path / "r.sqlite")])
    out = capsys.readouterr()
    assert rc == 2 and "127.0.0.1 only" in out.err
    assert "anonymous mode" in out.out


def test_main_needs_users_unless_anonymous(tmp_path: Path, capsys: pytest.CaptureFixture,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCREVIEW_USERS", raising=False)
    monkeypatch.delenv("LOCREVIEW_ANONYMOUS", raising=False)
    assert main(["--db", str(tmp_path / "r.sqlite")]) == 2
    assert "no users configured" in capsys.readouterr().err


def test_main_bad_database_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database" * 200)
    assert main(["--anonymous", "--db", str(bad)]) == 2
    assert "not a readable locreview review database" in capsys.readouterr().err


def test_main_hash_password(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse\n"))
    assert main(["hash-password"]) == 0
    encoded = capsys.readouterr().out.strip()
    assert verify_password("correct horse", encoded)
