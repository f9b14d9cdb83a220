"""The project's error types: every problem a user can cause is one of these.

Each error carries a code (``[E101]``), the file it concerns and, where known, a line and
column, so the CLI can print one clear line (``path:line:col: [E101] problem``) and exit 2
instead of a traceback. Libraries callers catch :class:`LocreviewError` only.
"""

from __future__ import annotations


class LocreviewError(Exception):
    """Base class of every error locreview raises on purpose."""

    code = "E000"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        entry_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.entry_id = entry_id

    def location(self) -> str:
        """Return ``path:line:col`` (whatever parts are known)."""
        parts = [self.path or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        ident = f" {self.entry_id}:" if self.entry_id else ""
        return f"{self.location()}:{ident} [{self.code}] {self.message}"


class InputError(LocreviewError):
    """A draft cannot be read: missing, a directory, unreadable, empty."""

    code = "E100"


class InputTooLargeError(InputError):
    """A draft exceeds the configured size limit."""

    code = "E101"


class EncodingError(InputError):
    """A draft's bytes cannot be decoded as text."""

    code = "E102"


class FormatError(InputError):
    """A draft is in an unknown format or is malformed for its format."""

    code = "E103"


class UnsafeInputError(InputError):
    """A draft looks hostile (XML entities, zip bomb, path traversal)."""

    code = "E104"


class GlossaryError(LocreviewError):
    """A glossary file is unreadable or invalid."""

    code = "E200"


class ConfigError(LocreviewError):
    """Bad options: unknown market, detector, format or severity."""

    code = "E300"


class ReviewStoreError(LocreviewError):
    """The review database cannot be opened or written."""

    code = "E400"
