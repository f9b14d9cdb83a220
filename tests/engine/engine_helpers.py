"""Helpers of the catalog-engine tests: a generated catalog, the small glossaries, comparisons."""

from __future__ import annotations

import json
import random
from pathlib import Path

GLOSSARIES = Path(__file__).resolve().parents[1] / "fixtures" / "glossaries"
MARKETS = ["KR", "CN", "TH", "JP"]
DETECTORS = "literal,context"

# Lines with and without terms of the test glossaries, in the languages they cover.
RISKY = [
    "The chart calls it the Sea of Japan.",
    "We anchor off Takeshima at dawn.",
    "독도는 우리 땅이라고 그가 말했다.",
    "地図には日本海と書いてある。",
    "He never spoke about the Tiananmen massacre.",
    "The protesters held a Pooh cutout mocking President Xi.",
    "他支持台灣獨立。",
    "The king arrives at noon.",
    "ในหลวงเสด็จมาถึงแล้ว",
    "If I had a time machine I would stop it.",
]
PLAIN = [
    "She folds the letter and puts it away.",
    "The rain keeps falling on the harbour.",
    "Nobody answers the phone.",
    "오늘은 날씨가 좋네요.",
    "明日は会議があります。",
    "我们明天去上海。",
    "They took photos at Tiananmen Gate.",
    "My daughter loves Winnie the Pooh stories.",
]


def _lines(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(RISKY) if rng.random() < 0.25 else rng.choice(PLAIN) for _ in range(n)]


def _fountain(rng: random.Random, n: int) -> str:
    out = ["Title: Episode", "", ""]
    for s in range(n // 6 + 1):
        out += [f"INT. ROOM {s} - DAY", "", rng.choice(PLAIN), ""]
        for line in _lines(rng, 4):
            out += [rng.choice(["MINA", "JOON", "WEI"]), line, ""]
    return "\n".join(out)


def _srt(rng: random.Random, n: int) -> str:
    out = []
    for i, line in enumerate(_lines(rng, n), 1):
        out += [str(i), f"00:{i // 60:02d}:{i % 60:02d},000 --> 00:{i // 60:02d}:{i % 60:02d},900",
                line, ""]
    return "\n".join(out)


def _vtt(rng: random.Random, n: int) -> str:
    out = ["WEBVTT", ""]
    for i, line in enumerate(_lines(rng, n), 1):
        out += [f"00:{i // 60:02d}:{i % 60:02d}.000 --> 00:{i // 60:02d}:{i % 60:02d}.900", line, ""]
    return "\n".join(out)


def make_catalog(root: Path, n: int = 50, *, bad: bool = True, lines: int = 40) -> list[Path]:
    """Write ``n`` drafts (fountain, srt, vtt, txt in sub-folders) and, with ``bad``, 2 broken ones."""
    rng = random.Random(11)
    kinds = [("fountain", _fountain), ("srt", _srt), ("vtt", _vtt),
             ("txt", lambda r, k: "\n\n".join(_lines(r, k)))]
    paths: list[Path] = []
    for i in range(n - (2 if bad else 0)):
        ext, make = kinds[i % len(kinds)]
        folder = root / f"season{i % 3 + 1}"
        folder.mkdir(parents=True, exist_ok=True)
        p = folder / f"ep{i:03d}.{ext}"
        p.write_text(make(rng, lines), encoding="utf-8")
        paths.append(p)
    if bad:
        (root / "season1" / "empty.srt").write_bytes(b"")
        (root / "season2" / "garbage.txt").write_bytes(bytes(range(256)) * 8)
        paths += [root / "season1" / "empty.srt", root / "season2" / "garbage.txt"]
    return paths


def documents_json(report) -> list[str]:  # type: ignore[no-untyped-def]
    """The documents of a report as JSON strings, order-normalised (sorted by path)."""
    return sorted(json.dumps(d.to_dict(), sort_keys=True) for d in report.documents)
