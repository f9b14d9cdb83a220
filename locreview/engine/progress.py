"""Catalog progress: documents done / total, throughput and ETA, as a bar or as log lines.

A catalog scan calls its ``progress(done, total, name)`` once with the documents reused from
the results store (``name`` empty) and then once per finished document. The first call sets
the baseline, so throughput and ETA count only documents scanned in this run.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any, TextIO

from locreview.progress import progress_enabled


@dataclass(frozen=True, slots=True)
class ProgressSnapshot:
    """Where a catalog scan stands."""

    done: int
    total: int
    reused: int  # done before this run started (from the results store)
    elapsed: float
    rate: float  # documents scanned per second in this run
    eta: float | None  # seconds left at the current rate; None until it can be estimated

    def line(self) -> str:
        """One human line: ``120/10000 documents (1.2%), 3.4 docs/s, ETA 48m25s``."""
        pct = 100.0 * self.done / self.total if self.total else 100.0
        parts = [f"{self.done}/{self.total} documents ({pct:.1f}%)"]
        if self.reused:
            parts.append(f"{self.reused} reused")
        parts.append(f"{self.rate:.2f} docs/s")
        parts.append(f"ETA {format_seconds(self.eta)}" if self.eta is not None else "ETA ?")
        return ", ".join(parts)


def format_seconds(s: float | None) -> str:
    """Format seconds as ``1h02m``, ``4m10s`` or ``12s``."""
    if s is None:
        return "?"
    s = max(0, int(round(s)))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if h:
        return f"{h}h{m:02d}m"
    if m:
        return f"{m}m{sec:02d}s"
    return f"{sec}s"


class CatalogProgress:
    """A ``(done, total, name)`` callback that tracks throughput/ETA and shows it.

    ``mode``: ``"auto"`` (a bar on a terminal, log lines otherwise — a batch job's log
    wants lines), ``"bar"``, ``"lines"`` or ``"off"`` (only track, e.g. for the summary).
    """

    def __init__(
        self,
        mode: str = "auto",
        *,
        stream: TextIO | None = None,
        interval: float = 10.0,
        clock: Any = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if mode == "auto":
            mode = "bar" if progress_enabled(True, self.stream) else "lines"
        if mode not in ("bar", "lines", "off"):
            raise ValueError(f"unknown progress mode {mode!r}")
        self.mode = mode
        self.interval = interval
        self._clock = clock
        self._start: float | None = None
        self._base = 0
        self._done = 0
        self._total = 0
        self._last_line = 0.0
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int, name: str) -> None:
        """Record that ``done`` of ``total`` documents are finished (``name`` the last one)."""
        t = self._clock()
        if self._start is None:
            self._start, self._base, self._last_line = t, done, t
        self._done, self._total = done, total
        if self.mode == "bar":
            self._draw_bar(name)
        elif self.mode == "lines" and (
            t - self._last_line >= self.interval or (done >= total and total)
        ):
            self._last_line = t
            self.stream.write(f"locreview: {self.snapshot().line()}\n")
            self.stream.flush()
        if done >= total:
            self.close()

    def snapshot(self) -> ProgressSnapshot:
        """Return the current figures."""
        elapsed = (self._clock() - self._start) if self._start is not None else 0.0
        scanned = self._done - self._base
        rate = scanned / elapsed if elapsed > 0 else 0.0
        left = self._total - self._done
        eta: float | None = None
        if left <= 0:
            eta = 0.0
        elif rate > 0:
            eta = left / rate
        return ProgressSnapshot(self._done, self._total, self._base, elapsed, rate, eta)

    def _draw_bar(self, name: str) -> None:
        if self._bar is None:
            if self._done >= self._total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("scanning"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TextColumn("ETA {task.fields[eta]}"),
                TextColumn("{task.fields[name]}"),
                console=Console(file=self.stream),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(
                "scanning", total=self._total, completed=self._done, rate="", eta="?", name=""
            )
        snap = self.snapshot()
        self._bar.update(
            self._task,
            completed=snap.done,
            total=snap.total,
            rate=f"{snap.rate:.1f} docs/s",
            eta=format_seconds(snap.eta),
            name=name[-40:],
        )

    def close(self) -> None:
        """Remove the bar (safe to call more than once)."""
        if self._bar is not None:
            bar, self._bar = self._bar, None
            bar.stop()
