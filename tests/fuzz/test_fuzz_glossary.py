"""Property-based fuzzing of the glossary loader (random bytes, mutations of the shipped
packs, random YAML documents) and of the normaliser + scan over random text with terms
and evasion characters sprinkled in: only GlossaryError may escape the loader, and every
flag's span must slice the original text exactly."""

from __future__ import annotations

import os
import tempfile
import time
from functools import cache

import pytest
import yaml
from fuzz_settings import PER_INPUT_SECONDS, REPO
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz_readers import mutated

from locreview.detect.normalize import normalize
from locreview.errors import GlossaryError, LocreviewError
from locreview.glossary.loader import load_glossaries, parse_pack

PACKS = tuple(sorted((REPO / "glossaries").glob("*.yaml"))) + tuple(
    sorted((REPO / "tests" / "fixtures" / "glossaries").glob("*.yaml")))


@cache
def _seeds() -> tuple[bytes, ...]:
    # Small packs keep each example fast; the mutations exercise the same YAML paths.
    return tuple(p.read_bytes() for p in PACKS if p.stat().st_size < 40_000)


def _load(fuzz_stats, target: str, data: bytes) -> None:
    fd, name = tempfile.mkstemp(suffix=".yaml", prefix="fuzz-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        t0 = time.perf_counter()
        try:
            parse_pack(name)
            load_glossaries([name])
            outcome = "loaded"
        except GlossaryError as exc:
            outcome = "GlossaryError"
            assert exc.path and str(exc)
        took = time.perf_counter() - t0
    finally:
        os.unlink(name)
    fuzz_stats.add(target, outcome, took)
    assert took < PER_INPUT_SECONDS


@given(data=st.binary(max_size=4096))
def test_fuzz_glossary_random_bytes(fuzz_stats, data: bytes) -> None:
    _load(fuzz_stats, "glossary: random bytes", data)


def test_fuzz_glossary_mutations(fuzz_stats) -> None:
    seeds = _seeds()
    assert seeds

    @given(data=mutated(seeds))
    def run(data: bytes) -> None:
        _load(fuzz_stats, f"glossary: mutated packs ({len(seeds)} seeds)", data)

    run()


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=30))
docs = st.recursive(scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(
    st.sampled_from(["id", "terms", "en", "category", "severity", "markets", "context",
                     "requires_any", "window", "examples", "flag", "pass", "sources", "kind",
                     "title", "extends", "entries", "market", "version", "overrides",
                     "suppress", "scope", "theme", "x"]) | st.text(max_size=8), c, max_size=5),
    max_leaves=30)


@given(body=docs, market=st.sampled_from(["CN", "KR", "XX", "", "cn"]))
def test_fuzz_glossary_random_documents(fuzz_stats, body, market: str) -> None:
    doc = {"kind": "market", "market": market, "version": "1",
           "entries": body if isinstance(body, list) else [body]}
    _load(fuzz_stats, "glossary: random YAML documents",
          yaml.safe_dump(doc, allow_unicode=True).encode("utf-8"))


# -- normaliser and scan ---------------------------------------------------------------------

EVIL = ["\u200b", "\u200d", "\u202e", "\u202c", "\u2066", "\ufe0f", "\u3164", "\u0430",
        "\u0422", "\uff34", " ", ".", "\r\n", "\r", "\x00", "\u0301", "台灣", "独立", "臺"]
PIECES = st.lists(st.one_of(st.sampled_from(["Taiwan", "Tiananmen", "Dalai Lama", "台湾独立",
                                             "六四屠殺", "T a i w a n"] + EVIL),
                            st.text(max_size=12)), max_size=40).map("".join)


@given(text=PIECES)
def test_fuzz_normalize_offsets(fuzz_stats, text: str) -> None:
    t0 = time.perf_counter()
    n = normalize(text)
    assert len(n.offsets) == len(n.text) + 1
    for i in range(len(n.text)):
        s, e = n.original_span(i, i + 1)
        assert 0 <= s < e <= len(text)
    fuzz_stats.add("normalise: random text with evasion characters", "ok",
                   time.perf_counter() - t0)


@pytest.fixture(scope="module")
def detector():
    from locreview.api import build_detector

    pack = REPO / "tests" / "security" / "fixtures" / "evasion.yaml"
    return build_detector(["CN"], glossaries=[pack], detectors="literal,context")


def test_fuzz_scan_spans(fuzz_stats, detector) -> None:
    from locreview.api import scan

    @given(text=PIECES)
    def run(text: str) -> None:
        t0 = time.perf_counter()
        try:
            report = scan(text.encode("utf-8", "surrogatepass"), ["CN"], detector=detector,
                          format="text")
        except LocreviewError as exc:
            fuzz_stats.add("scan: random text with terms and evasions", type(exc).__name__,
                           time.perf_counter() - t0)
            return
        for f in report.flags:
            assert 0 <= f.span.start < f.span.end <= len(text)
            assert f.text, f
        fuzz_stats.add("scan: random text with terms and evasions",
                       "flagged" if report.flags else "clean", time.perf_counter() - t0)

    run()
