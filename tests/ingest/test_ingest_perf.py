"""Linear time: doubling a draft roughly doubles the parse time; huge lines never hang."""

from __future__ import annotations

import time

import pytest

from locreview.ingest import read_script

BLOCK = (
    "INT. TEMPLE - NIGHT #12#\n\nMonks *chant*. A portrait [[locreview: note]] hangs.\n\n"
    "TENZIN (V.O.)\n(whispering)\nWe must leave before dawn.\n\nCUT TO:\n\n"
)
SRT_CUE = "{n}\n00:00:{s:02d},000 --> 00:00:{s:02d},500\n<i>Hello</i> world\n\n"


def _fountain(size: int) -> bytes:
    return (BLOCK * (size // len(BLOCK))).encode()


def _srt(count: int) -> bytes:
    # Timecodes restart every minute: use hours to keep cues in order and not overlapping.
    out = []
    for n in range(count):
        h, rem = divmod(n, 3600)
        m, s = divmod(rem, 60)
        out.append(
            f"{n + 1}\n{h:02d}:{m:02d}:{s:02d},000 --> {h:02d}:{m:02d}:{s:02d},500\n<i>Hi</i> you\n\n"
        )
    return "".join(out).encode()


def _fdx(count: int) -> bytes:
    para = '<Paragraph Type="Action"><Text>Monks chant &amp; pray.</Text></Paragraph>\n'
    return (
        '<?xml version="1.0"?>\n<FinalDraft><Content>\n' + para * count + "</Content></FinalDraft>"
    ).encode()


def _cpu(data: bytes, name: str) -> float:
    t0 = time.process_time()
    read_script(data, name=name)
    return time.process_time() - t0


@pytest.mark.parametrize(
    ("name", "make", "n"),
    [
        ("a.fountain", _fountain, 200_000),
        ("a.txt", _fountain, 200_000),
        ("a.srt", _srt, 4_000),
        ("a.fdx", _fdx, 4_000),
    ],
    ids=["fountain", "text", "srt", "fdx"],
)
def test_parse_time_scales_linearly(name: str, make, n: int) -> None:  # noqa: ANN001
    """Twice the input costs about twice the time (a quadratic step would cost four times)."""
    _cpu(make(n // 4), name)  # warm up imports and caches
    small = min(_cpu(make(n), name) for _ in range(2))
    big = min(_cpu(make(2 * n), name) for _ in range(2))
    assert big < 3.5 * max(small, 0.02)


@pytest.mark.slow
@pytest.mark.parametrize("ext", ["fountain", "txt", "srt", "vtt"])
def test_50mb_single_line_does_not_hang(ext: str) -> None:
    """A 50 MB single line (full of markup characters) reads in bounded time."""
    body = b"*a _b [[c /*d <i>e</i> &amp; " * (50 * 1024 * 1024 // 30 - 10)
    head = {
        "srt": b"1\n00:00:01,000 --> 00:00:02,000\n",
        "vtt": b"WEBVTT\n\n00:01.000 --> 00:02.000\n",
    }.get(ext, b"")
    t0 = time.perf_counter()
    s = read_script(head + body, name=f"big.{ext}")
    assert time.perf_counter() - t0 < 120
    assert len(s.elements) >= 1
