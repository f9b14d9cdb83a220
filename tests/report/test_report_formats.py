"""write_report dispatch: every format renders the real multi-scene sample."""

from __future__ import annotations

import io

import pytest

from locreview.errors import ConfigError, LocreviewError
from locreview.report import FORMATS, write_report


def test_formats_are_the_documented_set() -> None:
    assert FORMATS == ("text", "json", "csv", "html", "md", "sarif", "srt-notes")


@pytest.mark.parametrize("fmt", FORMATS)
def test_formats_every_writer_renders_the_sample(sample, fmt: str) -> None:
    out = io.StringIO()
    write_report(sample.report, fmt, out, scripts=sample.scripts)
    text = out.getvalue()
    assert text.strip()
    # every writer mentions at least one matched term of the sample
    assert "Taiwan, my country" in text or "Takeshima" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_formats_write_to_a_file(sample, tmp_path, fmt: str) -> None:
    path = tmp_path / f"report.{fmt}"
    with path.open("w", encoding="utf-8", newline="") as fh:
        write_report(sample.report, fmt, fh, scripts=sample.scripts)
    assert path.stat().st_size > 0


@pytest.mark.parametrize("fmt", ["pdf", "", "HTML5", "../etc/passwd"])
def test_formats_unknown_format_is_a_config_error(sample, fmt: str) -> None:
    with pytest.raises(ConfigError) as exc:
        write_report(sample.report, fmt, io.StringIO())
    assert isinstance(exc.value, LocreviewError)
    assert "unknown report format" in str(exc.value)


def test_formats_names_are_case_insensitive(sample) -> None:
    a, b = io.StringIO(), io.StringIO()
    write_report(sample.report, "JSON", a)
    write_report(sample.report, "json", b)
    assert a.getvalue() == b.getvalue()


def test_formats_status_from_a_real_review_store(sample, tmp_path) -> None:
    from locreview.review.store import ReviewStore

    for d in sample.report.documents:
        for f in d.flags:
            f.status = None
    store = ReviewStore(tmp_path / "review.db")
    rec = store.record_revision(
        "film", "crossing", sample.report, file_name="crossing.fountain", actor="tester",
        data=b"draft v1",
    )
    stored = store.flags(rec.revision.id)
    lese = next(sf for sf in stored if sf.entry_id == "th.lese-majeste")
    store.decide(lese.id, "needs_discussion", reviewer="tester", note="ask legal")
    out = io.StringIO()
    write_report(sample.report, "text", out, store=store)
    lines = out.getvalue().splitlines()
    assert any("th.lese-majeste" in ln and ln.endswith("[needs_discussion]") for ln in lines)
    assert any("th.buddha-image-disrespect" in ln and ln.endswith("[open]") for ln in lines)
