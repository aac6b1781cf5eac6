"""ROUGE-L on jieba tokens; the `paper` protocol equals the rouge 1.0.1 package evaluate.py used."""
from __future__ import annotations

import json
from pathlib import Path

import jieba
import pytest

from benchmarks.metrics.novelty import novelty
from benchmarks.metrics.rouge import rouge_l, rouge_l_max, segment


@pytest.fixture(scope="module")
def test_output(shared_data: Path) -> Path:
    """The released action-prediction output (159 prompts from real human traces)."""
    return shared_data / "webcpm" / "inference" / "output" / "test_output.json"


def test_paper_protocol_equals_the_rouge_package_on_real_text(test_output):
    rouge = pytest.importorskip("rouge")
    scorer = rouge.Rouge()
    rows = [json.loads(line) for line in test_output.read_text(encoding="utf-8").splitlines()]
    pairs = [(r["decode_tokens"], r["instance"][0]["source"][:300]) for r in rows[::3]]
    pairs += [(r["decode_tokens"][:80], r["decode_tokens"][10:120]) for r in rows[::3]]
    checked = 0
    for pred, ref in pairs:
        if not pred.strip() or not ref.strip():
            continue
        expected = scorer.get_scores(" ".join(jieba.cut(pred)), " ".join(jieba.cut(ref)), avg=True)["rouge-l"]["f"]
        assert rouge_l(pred, ref, protocol="paper") == pytest.approx(expected, abs=1e-12)
        checked += 1
    assert checked > 50


def test_standard_protocol():
    assert rouge_l("今天天气很好", "今天天气很好") == pytest.approx(1.0)
    assert rouge_l("今天天气很好。", "今天天气不错。") > 0       # unsegmented whitespace ROUGE gives 0 here
    pred, ref = segment("我爱北京天安门"), segment("我爱天安门")
    assert rouge_l("我爱北京天安门", "我爱天安门") == pytest.approx(2 * len(ref) / (len(pred) + len(ref)))
    assert rouge_l("!!!", "!!!") == 0.0                          # only ASCII punctuation: 0 (evaluate.py)
    assert rouge_l_max("天安门", ["故宫", "天安门"]) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        rouge_l("a", "b", protocol="other")


def test_novelty():
    assert novelty("摘要：天空是蓝色的", "天空是蓝色的") == 0.0
    assert novelty("abc", "vwxyz") == 1.0
    # 2-grams {ab, bx}: 1 of 2 new; 3-grams {abx}: new; no 4-gram -> 0
    assert novelty("ab", "abx") == pytest.approx((0.5 + 1.0 + 0.0) / 3)
