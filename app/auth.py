"""Users, roles and password hashes for the reviewer (stdlib only; no gradio here).

Users come from a TOML file (``--users PATH`` or ``LOCREVIEW_USERS=PATH``)::

    [users.alice]
    role = "editor"
    password = "scrypt$16384$8$1$<salt>$<hash>"   # from: python -m app hash-password

Passwords are never stored in clear: only salted scrypt hashes, compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from locreview.errors import ConfigError

#: What each role may do. Everyone who can sign in may read.
ROLES: dict[str, frozenset[str]] = {
    "editor": frozenset({"read", "upload"}),
    "consultant": frozenset({"read", "decide", "note"}),
    "compliance": frozenset({"read", "upload", "decide", "note", "export", "suppress"}),
}

#: The single local user of an explicitly anonymous run.
ANONYMOUS = "local"

_N, _R, _P = 2**14, 8, 1  # scrypt cost: ~50 ms per check, 16 MiB memory


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """Return a salted scrypt hash string for ``password``."""
    if not password:
        raise ConfigError("a password cannot be empty")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, encoded: str) -> bool:
    """Check ``password`` against a hash from :func:`hash_password` (constant time)."""
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


# A hash to check against when the user is unknown, so a wrong name costs the same time
# as a wrong password and does not reveal which names exist.
_DUMMY = hash_password("not-a-real-password", salt=b"0" * 16)


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in reviewer and what the role allows."""

    name: str
    role: str

    def can(self, permission: str) -> bool:
        """True when the role grants ``permission``."""
        return permission in ROLES.get(self.role, frozenset())


class Users:
    """The user table: name -> (role, password hash)."""

    def __init__(self, entries: dict[str, tuple[str, str]], *, anonymous: bool = False) -> None:
        for name, (role, _) in entries.items():
            if role not in ROLES:
                raise ConfigError(
                    f"user {name!r} has unknown role {role!r} (expected {', '.join(ROLES)})"
                )
        self._entries = dict(entries)
        self.anonymous = anonymous

    @classmethod
    def load(cls, path: str | Path | None = None, *, anonymous: bool = False) -> Users:
        """Load users from ``path`` or ``$LOCREVIEW_USERS`` (none when anonymous)."""
        path = path or os.environ.get("LOCREVIEW_USERS") or None
        if path is None:
            if anonymous:
                return cls({}, anonymous=True)
            raise ConfigError(
                "no users configured: pass --users FILE or set LOCREVIEW_USERS (see "
                "app/users.example.toml), or --anonymous for a local single-user run"
            )
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read the users file: {exc.strerror}", path=str(p)) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"the users file is not valid TOML: {exc}", path=str(p)) from None
        table = data.get("users")
        if not isinstance(table, dict) or not table:
            raise ConfigError("the users file has no [users.NAME] tables", path=str(p))
        entries: dict[str, tuple[str, str]] = {}
        for name, spec in table.items():
            if not isinstance(spec, dict):
                raise ConfigError(f"users.{name} must be a table", path=str(p))
            role, pw = spec.get("role"), spec.get("password")
            if not isinstance(pw, str) or not pw.startswith("scrypt$"):
                raise ConfigError(
                    f"users.{name}.password must be a hash from `python -m app hash-password`"
                    " (clear-text passwords are refused)",
                    path=str(p),
                )
            entries[str(name)] = (str(role), pw)
        try:
            return cls(entries, anonymous=anonymous)
        except ConfigError as exc:
            raise ConfigError(exc.message, path=str(p)) from None

    def __len__(self) -> int:
        return len(self._entries)

    def authenticate(self, name: str, password: str) -> bool:
        """Check a name and password (the callable Gradio's ``auth=`` takes)."""
        entry = self._entries.get(str(name))
        ok = verify_password(str(password), entry[1] if entry else _DUMMY)
        return bool(entry) and ok

    def user(self, name: str | None) -> User | None:
        """Return the user called ``name`` (the anonymous local user when configured)."""
        if name and name in self._entries:
            return User(name, self._entries[name][0])
        if self.anonymous and not name:
            return User(ANONYMOUS, "compliance")
        return None
