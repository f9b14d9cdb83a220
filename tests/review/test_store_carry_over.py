"""Carry-over of decisions between revisions of a draft, and the revision view."""

from __future__ import annotations

from review_helpers import flag

from locreview.review import ReviewStore

A = flag()  # cn.tiananmen
B = flag("cn.dog", "CN", "dog meat", "Pass the dog meat.")
C = flag("kr.takeshima", "KR", "Takeshima", "The map says Takeshima.")
D = flag("cn.new", "CN", "June", "We met at Tiananmen in June.")


def _by_entry(store: ReviewStore, rid: int) -> dict:
    return {f.entry_id: f for f in store.flags(rid)}


def test_carry_over_inherits_decisions_by_fingerprint(store: ReviewStore, upload) -> None:
    r1 = upload([A, B, C]).revision
    f1 = _by_entry(store, r1.id)
    store.decide(f1["cn.tiananmen"].id, "dismissed", reviewer="cora", reason="fictional square")
    store.decide(f1["cn.dog"].id, "accepted", reviewer="dan", note="cut it")
    # Revision 2: A moved to another line (same element context), B unchanged, C gone, D new.
    moved_text = "\n\n\n" + "We met at Tiananmen in June.\nPass the dog meat.\n"
    a_moved = flag(text=moved_text)
    assert a_moved.span.line != A.span.line and a_moved.fingerprint == A.fingerprint
    res = upload([a_moved, B, D])
    assert (res.revision.number, res.carried_over) == (2, 2)
    f2 = _by_entry(store, res.revision.id)
    a2 = f2["cn.tiananmen"]
    assert a2.status == "dismissed" and a2.decision.carried_over
    assert a2.decision.carried_from == f1["cn.tiananmen"].id
    assert (a2.decision.reviewer, a2.decision.reason) == ("cora", "fictional square")
    assert f2["cn.dog"].status == "accepted" and f2["cn.dog"].decision.note == "cut it"
    assert f2["cn.new"].status == "open"
    # The earlier revision's decisions are untouched.
    assert _by_entry(store, r1.id)["cn.tiananmen"].decision.carried_from is None

    diff = store.diff(res.revision.id)
    assert diff.previous_id == r1.id
    assert [f.entry_id for f in diff.new] == ["cn.new"]
    assert sorted(f.entry_id for f in diff.carried_over) == ["cn.dog", "cn.tiananmen"]
    assert [f.entry_id for f in diff.resolved] == ["kr.takeshima"]
    assert diff.unchanged == []
    actions = [e.action for e in store.audit(flag_id=a2.id)]
    assert actions == ["decision.carried_over"]
    rec = [e for e in store.audit(project="p") if e.action == "revision.recorded"][-1]
    assert rec.detail["resolved"] == 1 and rec.detail["carried_over"] == 2


def test_carry_over_is_reversible(store: ReviewStore, upload) -> None:
    r1 = upload([A]).revision
    store.decide(store.flags(r1.id)[0].id, "dismissed", reviewer="cora", reason="fiction")
    r2 = upload([A]).revision
    (f,) = store.flags(r2.id)
    assert f.decision.carried_over
    store.clear_decision(f.id, reviewer="lee", note="context changed, look again")
    assert store.flag(f.id).status == "open"
    store.decide(f.id, "accepted", reviewer="lee")
    d = store.flag(f.id).decision
    assert d.status == "accepted" and not d.carried_over
    # An undecided flag in revision 2 does not hide the decision of revision 1 for revision 3.
    store.clear_decision(f.id, reviewer="lee")
    r3 = upload([A]).revision
    assert store.flags(r3.id)[0].status == "dismissed"
    diff = store.diff(r3.id)
    assert [x.entry_id for x in diff.carried_over] == ["cn.tiananmen"] and not diff.new


def test_carry_over_skips_a_revision_gap_and_stays_within_draft(store: ReviewStore, upload) -> None:
    r1 = upload([A, B]).revision
    store.decide(_by_entry(store, r1.id)["cn.dog"].id, "accepted", reviewer="c")
    upload([A])  # B resolved in revision 2
    r3 = upload([A, B]).revision  # and back in revision 3
    assert _by_entry(store, r3.id)["cn.dog"].status == "accepted"
    other = upload([A, B], draft="ep2").revision
    assert all(f.status == "open" for f in store.flags(other.id))


def test_revision_view_of_first_revision(store: ReviewStore, upload) -> None:
    r1 = upload([A, B]).revision
    diff = store.diff(r1.id)
    assert diff.previous_id is None and len(diff.new) == 2 and not diff.resolved
