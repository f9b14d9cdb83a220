"""Users, roles and password hashing of the reviewer."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_helpers import PASSWORDS

from app.auth import ROLES, Users, hash_password, verify_password
from locreview.errors import ConfigError


def test_auth_hash_is_salted_and_verifies() -> None:
    a, b = hash_password("s3cret"), hash_password("s3cret")
    assert a != b and a.startswith("scrypt$") and "s3cret" not in a
    assert verify_password("s3cret", a) and verify_password("s3cret", b)
    assert not verify_password("s3cret!", a)
    assert not verify_password("s3cret", "plain-text")
    assert not verify_password("s3cret", "scrypt$x$y$z$a$b")


def test_auth_users_file_and_roles(users_file: Path) -> None:
    users = Users.load(users_file)
    assert len(users) == 3 and not users.anonymous
    assert users.authenticate("carla", PASSWORDS["carla"][1])
    assert not users.authenticate("carla", PASSWORDS["cody"][1])
    assert not users.authenticate("nobody", "x")
    editor, consultant, compliance = users.user("erin"), users.user("carla"), users.user("cody")
    assert editor.can("upload") and not editor.can("decide") and not editor.can("export")
    assert consultant.can("decide") and consultant.can("note") and not consultant.can("upload")
    assert all(compliance.can(p) for p in ("upload", "decide", "export", "suppress", "read"))
    assert users.user(None) is None and users.user("mallory") is None
    assert set(ROLES) == {"editor", "consultant", "compliance"}


def test_auth_env_variable(users_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCREVIEW_USERS", str(users_file))
    assert len(Users.load()) == 3
    monkeypatch.delenv("LOCREVIEW_USERS")
    with pytest.raises(ConfigError, match="no users configured"):
        Users.load()
    anon = Users.load(anonymous=True)
    assert anon.anonymous and anon.user(None).role == "compliance"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('[users.x]\nrole = "editor"\npassword = "hunter2"\n', "clear-text"),
        (f'[users.x]\nrole = "boss"\npassword = "{hash_password("a")}"\n', "unknown role"),
        ("users = 3\n", "no \\[users.NAME\\]"),
        ("[users.x\n", "not valid TOML"),
    ],
)
def test_auth_bad_users_files(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "users.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem) as info:
        Users.load(path)
    assert info.value.path == str(path)


def test_auth_example_users_file_loads() -> None:
    example = Path(__file__).resolve().parents[2] / "app" / "users.example.toml"
    users = Users.load(example)
    assert {users.user(n).role for n in ("editor", "consultant", "compliance")} == set(ROLES)
