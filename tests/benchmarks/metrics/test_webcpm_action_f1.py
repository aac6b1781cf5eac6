"""Action F1 on the real test_output.json, cross-checked with scikit-learn (what evaluate.py used)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.metrics import f1_score

from annotation.webcpm.actions import SCORED_WORDS, WORDS
from benchmarks.metrics.action_f1 import score_actions


@pytest.fixture(scope="module")
def test_output(shared_data: Path) -> Path:
    """The released action-prediction output (159 prompts from real human traces)."""
    return shared_data / "webcpm" / "inference" / "output" / "test_output.json"


@pytest.fixture(scope="module")
def real(test_output):
    rows = [json.loads(line) for line in test_output.read_text(encoding="utf-8").splitlines()]
    return [r["answer"] for r in rows], [r["decode_tokens"] for r in rows]


def _sklearn_reference(golds, preds, strict):
    """evaluate.py's loop, re-typed: skip undecodable (paper) or keep as a wrong label (strict)."""
    t, p = [], []
    for g, d in zip(golds, preds):
        if d not in WORDS:
            if not strict:
                continue
            d = "<undecodable>"
        if d in ("开始", "拒答", "至顶") or g in ("开始", "拒答", "至顶") or g not in WORDS:
            continue
        t.append(g)
        p.append(d)
    labels = [w for w in SCORED_WORDS if w in set(t) | set(p)]
    return f1_score(t, p, average="micro"), f1_score(t, p, average="macro", labels=labels), len(t)


@pytest.mark.parametrize("mode", ["paper", "strict"])
def test_real_output_matches_sklearn(real, mode):
    golds, preds = real
    s = score_actions(golds, preds, mode)
    micro, macro, n = _sklearn_reference(golds, preds, strict=mode == "strict")
    assert s.scored == n and s.total == 159
    assert s.micro_f1 == pytest.approx(micro, abs=1e-12)
    assert s.macro_f1 == pytest.approx(macro, abs=1e-12)
    assert s.undecodable == sum(p not in WORDS for p in preds) == 21


def test_paper_mode_agrees_with_the_data_readme(real):
    # shared/data/webcpm/README.md: "138 scored, micro-F1 0.616, macro-F1 0.406 over the 9 labels present"
    s = score_actions(*real, "paper")
    assert (s.scored, round(s.micro_f1, 3), round(s.macro_f1, 3), len(s.per_label)) == (138, 0.616, 0.406, 9)
    strict = score_actions(*real, "strict")
    assert strict.micro_f1 < s.micro_f1 and strict.scored == 159


def test_drops_and_modes():
    golds = ["下翻", "搜索", "开始", "结束", "返回"]
    preds = ["下翻", "搜索；天气", "下翻", "至顶", "返回"]
    paper, strict = score_actions(golds, preds, "paper"), score_actions(golds, preds, "strict")
    assert paper.scored == 2 and paper.micro_f1 == 1.0 and paper.undecodable == 1
    assert strict.scored == 3 and strict.micro_f1 == pytest.approx(2 / 3)
    assert set(strict.per_label) == {"下翻", "搜索", "返回"}        # the undecodable is no label
    with pytest.raises(ValueError):
        score_actions(golds, preds[:2])
