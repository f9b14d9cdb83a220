"""Helpers the writers share: review status, citations, passages in context, grouping."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from locreview.model import Flag, Script, Severity

#: Severities from most to least severe, the order every summary table uses.
SEVERITIES: tuple[Severity, ...] = tuple(reversed(Severity))

# A citation may end in ``<url>`` (Source.cite()); only http(s) becomes a link, so a glossary
# cannot smuggle javascript: or data: URLs into a report as clickable links.
_CITE_URL = re.compile(r"<([^<>\s]+)>\s*$")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`\\]+$", re.IGNORECASE)

#: How much of a long element to show on each side of a match.
CONTEXT_CHARS = 160


def flag_status(flag: Flag, store: Any) -> str | None:
    """Return the review decision of ``flag``: from the flag, else from ``store``.

    ``store`` may be a mapping (``(market, fingerprint)`` or ``fingerprint`` → status) or an
    object with ``decision_status(fingerprint, market) -> str | None`` (the review store).
    """
    if flag.status:
        return flag.status
    if store is None:
        return None
    if isinstance(store, Mapping):
        value = store.get((flag.market, flag.fingerprint), store.get(flag.fingerprint))
        return str(value) if value is not None else None
    getter = getattr(store, "decision_status", None)
    if callable(getter):
        value = getter(flag.fingerprint, flag.market)
        return str(value) if value is not None else None
    return None


def resolve_store(store: Any) -> Any:
    """Turn a review store into a ``{(market, fingerprint): status}`` mapping, once.

    A mapping or an object with ``decision_status`` passes through. A
    :class:`locreview.review.store.ReviewStore` (``revisions()`` + ``flags(revision_id)``) is
    read newest revision first, so each finding gets its most recent decision.
    """
    if store is None or isinstance(store, Mapping) or hasattr(store, "decision_status"):
        return store
    revisions = getattr(store, "revisions", None)
    flags = getattr(store, "flags", None)
    if not (callable(revisions) and callable(flags)):
        return None
    out: dict[tuple[str, str], str] = {}
    for rev in revisions():
        for sf in flags(rev.id):
            out.setdefault((sf.market, sf.fingerprint), sf.status)
    return out


def safe_url(url: str) -> str | None:
    """Return ``url`` if it is a plain http(s) URL, else None."""
    url = url.strip()
    return url if _SAFE_URL.match(url) else None


@dataclass(frozen=True, slots=True)
class Citation:
    """A source split into its text and (when it is a safe http(s) URL) its link."""

    text: str
    url: str | None
    raw_url: str | None  # the bracketed target as written, even when unsafe


def split_citation(source: str) -> Citation:
    """Split ``"Title, Publisher <https://...>"`` into text and link."""
    m = _CITE_URL.search(source)
    if not m:
        return Citation(source.strip(), safe_url(source) if " " not in source.strip() else None,
                        None)
    url = safe_url(m.group(1))
    if url is None:
        # An unsafe target stays visible as text (a reviewer should see what the glossary
        # says) but never becomes a link.
        return Citation(source.strip(), None, m.group(1))
    text = source[: m.start()].strip().rstrip(",").strip()
    return Citation(text or url, url, m.group(1))


def _local_index(script: Script, el_index: int, offset: int) -> int | None:
    """Map an original offset to an index into element ``el_index``'s text."""
    el = script.elements[el_index]
    if el.offsets is None:
        i = offset - el.span.start
        return i if 0 <= i <= len(el.text) else None
    if not el.offsets:
        return None
    i = bisect.bisect_left(el.offsets, offset)
    return min(i, len(el.text))


def passage(flag: Flag, script: Script | None, width: int = CONTEXT_CHARS) -> list[tuple[str, bool]]:
    """Return the flag's element text as ``(text, is_match)`` pieces, the match marked.

    Pieces are plain text: each writer escapes them for its own format. Long elements are
    cut to ``width`` characters either side of the match. Without the script (or when the
    flag does not sit inside its element) the piece is just the matched text.
    """
    fallback = [(flag.text, True)]
    if script is None or not 0 <= flag.element.index < len(script.elements):
        return fallback
    el = script.elements[flag.element.index]
    start = _local_index(script, el.index, flag.span.start)
    end = _local_index(script, el.index, flag.span.end)
    if start is None or end is None or end < start:
        return fallback
    text = el.text
    before, match, after = text[:start], text[start:end], text[end:]
    if not match:
        return fallback
    if len(before) > width:
        before = "…" + before[-width:]
    if len(after) > width:
        after = after[:width] + "…"
    return [(p, m) for p, m in ((before, False), (match, True), (after, False)) if p]


def scene_label(flag: Flag) -> str:
    """Return a heading for the scene a flag sits in."""
    ref = flag.element
    if ref.scene:
        heading = (ref.scene_heading or "").strip()
        return f"Scene {ref.scene}: {heading}" if heading else f"Scene {ref.scene}"
    if flag.span.time_start:
        return "Subtitle cues"
    return "Before the first scene"


def group_by_scene(flags: Iterable[Flag]) -> list[tuple[str, list[Flag]]]:
    """Group flags by scene (in script order), each group sorted by position."""
    groups: dict[tuple[int, str], list[Flag]] = {}
    for f in sorted(flags, key=Flag.sort_key):
        groups.setdefault((f.element.scene or 0, scene_label(f)), []).append(f)
    return [(label, fl) for (_, label), fl in sorted(groups.items(), key=lambda kv: kv[0][0])]


def location(flag: Flag) -> str:
    """Return ``line:col`` plus page and timecode where known."""
    loc = f"{flag.span.line}:{flag.span.column}"
    if flag.span.page is not None:
        loc += f", p. {flag.span.page}"
    if flag.span.time_start:
        loc += f", {flag.span.time_start}"
        if flag.span.time_end:
            loc += f"–{flag.span.time_end}"
    return loc


def oneline(value: str) -> str:
    """Fold newlines and control characters (C0, C1) to spaces."""
    return "".join(
        " " if (c.isspace() or ord(c) < 32 or 127 <= ord(c) < 160) else c for c in value
    )
