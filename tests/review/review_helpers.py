"""Flags and reports built by hand from ``locreview.model`` for review store tests."""

from __future__ import annotations

from typing import Any

from locreview.model import (
    DocumentResult,
    ElementRef,
    Flag,
    LineIndex,
    Report,
    Severity,
    make_fingerprint,
)

TEXT = (
    "INT. SQUARE - DAY\n"
    "ANNA\n"
    "We met at Tiananmen in June.\n"
    "BORIS\n"
    "The map says Takeshima.\n"
    "ANNA\n"
    "Pass the dog meat.\n"
)


def flag(
    entry: str = "cn.tiananmen",
    market: str = "CN",
    matched: str = "Tiananmen",
    context: str = "We met at Tiananmen in June.",
    *,
    severity: str = "high",
    category: str = "historical",
    text: str = TEXT,
    scene: int | None = 1,
    speaker: str | None = "ANNA",
    version: str | None = "1.0",
    detector: str = "literal",
) -> Flag:
    """Build a flag for ``matched`` at its first position in ``text``."""
    start = max(text.find(matched), 0)
    span = LineIndex(text).span(start, start + len(matched))
    return Flag(
        market=market,
        category=category,
        severity=Severity.parse(severity),
        entry_id=entry,
        detector=detector,
        score=0.9,
        text=matched,
        span=span,
        element=ElementRef(2, "dialogue", scene, speaker, "en", "INT. SQUARE - DAY"),
        rationale=f"{entry} hurts in {market}.",
        suggestion="Rewrite the line.",
        sources=["A source, 2020"],
        fingerprint=make_fingerprint(entry, market, matched, context),
        term=matched,
        glossary_version=version,
    )


def report(flags: list[Flag], markets: list[str] | None = None, **glossaries: str) -> Report:
    """Wrap flags into a one-document report."""
    markets = markets or sorted({f.market for f in flags}) or ["CN"]
    gl: dict[str, Any] = {m: "1.0" for m in markets}
    gl.update(glossaries)
    doc = DocumentResult(path="draft.fountain", format="fountain", elements=7, flags=flags)
    return Report(markets=markets, glossaries=gl, documents=[doc])
