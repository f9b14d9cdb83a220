"""locreview.progress: a bar on a tty only; silent in CI, with --quiet, or when piped."""

from __future__ import annotations

import io

import pytest

from locreview.progress import progress_bar, progress_enabled


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_disabled_when_not_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    stream = io.StringIO()
    with progress_bar(3, "Scanning", True, stream=stream) as bar:
        for _ in range(3):
            bar.advance()
    assert stream.getvalue() == ""


def test_progress_disabled_in_ci_and_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert not progress_enabled(True, FakeTTY())
    monkeypatch.delenv("CI")
    assert not progress_enabled(False, FakeTTY())
    assert progress_enabled(True, FakeTTY())


def test_progress_draws_on_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("LOCREVIEW_NO_PROGRESS", raising=False)
    stream = FakeTTY()
    with progress_bar(2, "Scanning drafts", True, stream=stream) as bar:
        bar.update("Scanning a.fountain")
        bar.advance(2)
    assert "a.fountain" in stream.getvalue() or "Scanning" in stream.getvalue()


def test_progress_closed_stream_is_not_a_tty() -> None:
    s = io.StringIO()
    s.close()
    assert not progress_enabled(True, s)


def test_progress_scan_callback_draws_and_closes(monkeypatch: pytest.MonkeyPatch) -> None:
    from locreview.progress import ScanProgress

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("LOCREVIEW_NO_PROGRESS", raising=False)
    stream = FakeTTY()
    cb = ScanProgress("scanning", True, stream=stream)
    for i, name in enumerate(["a.fountain", "b.srt", "c.pdf"]):
        cb(i, 3, name)
    assert cb._bar is not None
    cb(3, 3, "")
    assert cb._bar is None
    cb.close()  # idempotent
    assert "scanning" in stream.getvalue()


def test_progress_scan_callback_single_draft_and_piped(monkeypatch: pytest.MonkeyPatch) -> None:
    from locreview.progress import ScanProgress

    monkeypatch.delenv("CI", raising=False)
    stream = FakeTTY()
    cb = ScanProgress(stream=stream)
    cb(0, 1, "a.fountain")
    cb(1, 1, "")
    assert stream.getvalue() == ""
    piped = io.StringIO()
    cb = ScanProgress(stream=piped)
    cb(0, 5, "a")
    assert not cb.enabled and piped.getvalue() == ""
