"""Project suppressions: promotion from dismissals, scope, expiry, reopening, revoking."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from review_helpers import flag

from locreview.errors import ConfigError
from locreview.review import ReviewStore

A = flag()
A_KR = flag(market="KR")
B = flag("cn.dog", "CN", "dog meat", "Pass the dog meat.")


def _dismissed(store: ReviewStore, upload, flags=None, **kw) -> int:
    rid = upload(flags or [A], **kw).revision.id
    fid = store.flags(rid)[0].id
    store.decide(fid, "dismissed", reviewer="cora", reason="fictional square")
    return fid


def test_suppression_needs_a_dismissal(store: ReviewStore, upload) -> None:
    rid = upload([A]).revision.id
    fid = store.flags(rid)[0].id
    with pytest.raises(ConfigError, match="dismiss"):
        store.promote_to_suppression(fid, reviewer="cmp")
    store.decide(fid, "accepted", reviewer="c")
    with pytest.raises(ConfigError, match="dismiss"):
        store.promote_to_suppression(fid, reviewer="cmp")


def test_suppression_is_honoured_by_later_scans_in_scope(store: ReviewStore, upload) -> None:
    fid = _dismissed(store, upload)
    sup = store.promote_to_suppression(fid, reviewer="cmp", expires="2099-12-31")
    assert (sup.reason, sup.reviewer, sup.markets, sup.term) == (
        "fictional square", "cmp", ["CN"], "tiananmen")
    assert sup.expires_at == "2100-01-01T00:00:00+00:00" and sup.status == "active"
    # Another draft of the same project: suppressed; KR is out of scope; B is another entry.
    res = upload([A, A_KR, B], draft="ep2", markets=["CN", "KR"])
    assert res.suppressed == 1
    st = {(f.entry_id, f.market): f.status for f in store.flags(res.revision.id)}
    assert st == {("cn.tiananmen", "CN"): "suppressed", ("cn.tiananmen", "KR"): "open",
                  ("cn.dog", "CN"): "open"}
    # Another project does not inherit it.
    other = upload([A], project="q").revision.id
    assert store.flags(other)[0].status == "open"
    # A reviewer can still decide a suppressed flag explicitly.
    sf = [f for f in store.flags(res.revision.id) if f.status == "suppressed"][0]
    store.decide(sf.id, "accepted", reviewer="lee")
    assert store.flag(sf.id).status == "accepted"
    by = {r.market: r for r in store.readiness(res.revision.id)}
    assert by["KR"].verdict == "1 high open"
    audit = [e for e in store.audit(project="p") if e.action == "suppression.created"]
    assert audit and audit[0].detail["reason"] == "fictional square"


def test_suppression_every_market_and_any_match(store: ReviewStore, upload) -> None:
    fid = _dismissed(store, upload)
    store.promote_to_suppression(fid, reviewer="cmp", markets=["*"], any_match=True,
                                 reason="the square is invented")
    other = flag(matched="June", context="We met at Tiananmen in June.", market="KR")
    res = upload([A_KR, other], markets=["KR"])
    assert {f.status for f in store.flags(res.revision.id)} == {"suppressed"}


def test_suppression_covers_lookalikes_in_same_revision(store: ReviewStore, upload) -> None:
    twin = flag(context="Another line about Tiananmen.")
    rid = upload([A, twin]).revision.id
    first, second = store.flags(rid)
    store.decide(first.id, "dismissed", reviewer="c", reason="fiction")
    store.promote_to_suppression(first.id, reviewer="cmp")
    assert store.flag(second.id).status == "suppressed"


def test_suppression_expires(tmp_path) -> None:
    now = {"t": datetime(2026, 1, 1, tzinfo=UTC)}
    store = ReviewStore(tmp_path / "r.sqlite", clock=lambda: now["t"])
    from review_helpers import report

    def up(n: int) -> int:
        return store.record_revision("p", "d", report([A]), file_name="d", actor="e",
                                     data=str(n).encode()).revision.id

    fid = store.flags(up(1))[0].id
    store.decide(fid, "dismissed", reviewer="c", reason="fiction")
    sup = store.promote_to_suppression(fid, reviewer="cmp", expires="2026-03-31")
    assert store.flags(up(2))[0].suppression_id == sup.id
    now["t"] = datetime(2026, 4, 1, 0, 0, 1, tzinfo=UTC)
    assert store.suppression_state(store.suppressions("p")[0]) == "expired"
    # Decisions carry over, but the suppression no longer applies to the new flags.
    assert store.flags(up(3))[0].suppression_id is None
    with pytest.raises(ConfigError, match="bad expiry"):
        store.promote_to_suppression(fid, reviewer="cmp", expires="next tuesday")


def test_suppression_reopens_when_entry_changes_version(store: ReviewStore, upload) -> None:
    fid = _dismissed(store, upload)
    sup = store.promote_to_suppression(fid, reviewer="cmp")
    assert sup.entry_version == "1.0"
    changed = flag(version="2.0")
    res = upload([changed], draft="ep2")
    assert res.reopened_suppressions == [sup.id] and res.suppressed == 0
    (f,) = store.flags(res.revision.id)
    assert f.status == "open" and f.entry_version == "2.0"
    (s,) = store.suppressions("p")
    assert s.status == "reopened" and "1.0 -> 2.0" in (s.closed_reason or "")
    assert any(e.action == "suppression.reopened" and e.actor == "system"
               for e in store.audit(project="p"))
    # Reopened suppressions are not honoured afterwards, even for the old version.
    res2 = upload([A], draft="ep3")
    assert store.flags(res2.revision.id)[0].status == "open"


def test_entry_version_prefers_explanation(store: ReviewStore, upload) -> None:
    f = flag()
    f.explanation = {"entry_version": "sha:abc"}
    rid = upload([f]).revision.id
    assert store.flags(rid)[0].entry_version == "sha:abc"


def test_suppression_revoke(store: ReviewStore, upload) -> None:
    fid = _dismissed(store, upload)
    sup = store.promote_to_suppression(fid, reviewer="cmp")
    with pytest.raises(ConfigError, match="reason"):
        store.revoke_suppression(sup.id, reviewer="cmp", reason="")
    store.revoke_suppression(sup.id, reviewer="cmp", reason="law changed")
    assert store.suppressions()[0].status == "revoked"
    assert store.flags(upload([A], draft="ep2").revision.id)[0].status == "open"
