"""A progress bar on stderr for multi-file or long scans: tty only, silent in CI and --quiet.

Usage::

    with progress_bar(len(paths), "Scanning", enabled=not quiet) as bar:
        for p in paths:
            ...
            bar.advance()
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO


class _NullBar:
    """The disabled bar: same interface, does nothing."""

    def advance(self, n: int = 1) -> None:
        """Do nothing."""

    def update(self, description: str) -> None:
        """Do nothing."""


class _RichBar:
    """A rich progress bar with one task."""

    def __init__(self, progress: Any, task: Any) -> None:
        self._progress = progress
        self._task = task

    def advance(self, n: int = 1) -> None:
        """Advance the bar by ``n`` steps."""
        self._progress.advance(self._task, n)

    def update(self, description: str) -> None:
        """Change the label (e.g. to the file being scanned)."""
        self._progress.update(self._task, description=description)


def progress_enabled(enabled: bool = True, stream: TextIO | None = None) -> bool:
    """True when a bar should show: asked for, ``stream`` is a tty, and not in CI."""
    stream = stream if stream is not None else sys.stderr
    if not enabled or os.environ.get("CI") or os.environ.get("LOCREVIEW_NO_PROGRESS"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed or detached stream
        return False


@contextmanager
def progress_bar(
    total: int | None, description: str = "Scanning", enabled: bool = True,
    *, stream: TextIO | None = None,
) -> Iterator[_NullBar | _RichBar]:
    """Yield a bar with ``.advance(n)``; a no-op unless stderr is a tty outside CI."""
    stream = stream if stream is not None else sys.stderr
    if not progress_enabled(enabled, stream):
        yield _NullBar()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(file=stream, stderr=stream is sys.stderr)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,  # the bar disappears; the one-line summary stays
    )
    with progress:
        task = progress.add_task(description, total=total)
        yield _RichBar(progress, task)


class ScanProgress:
    """A ``(done, total, name)`` callback for :func:`locreview.api.scan` that draws a bar.

    The bar opens on the first call with ``total > 1`` (a single draft needs none), shows
    the current file name and closes itself when ``done >= total``; call :meth:`close` in
    a ``finally`` so an error mid-scan does not leave the terminal in a bar.
    """

    def __init__(
        self, description: str = "scanning", enabled: bool = True, *, stream: TextIO | None = None
    ) -> None:
        self.description = description
        self.enabled = progress_enabled(enabled, stream)
        self._stream = stream
        self._cm: Any = None
        self._bar: Any = None
        self._done = 0

    def __call__(self, done: int, total: int, name: str) -> None:
        """Record progress: ``done`` of ``total`` drafts, ``name`` the one being read."""
        if not self.enabled:
            return
        if self._bar is None and total > 1 and done < total:
            self._cm = progress_bar(total, self.description, True, stream=self._stream)
            self._bar = self._cm.__enter__()
            self._done = 0
        if self._bar is None:
            return
        if name:
            self._bar.update(f"{self.description} {name}")
        if done > self._done:
            self._bar.advance(done - self._done)
            self._done = done
        if done >= total:
            self.close()

    def close(self) -> None:
        """Remove the bar (safe to call more than once)."""
        if self._cm is not None:
            cm, self._cm, self._bar = self._cm, None, None
            cm.__exit__(None, None, None)
