"""CMRC 2018 EM/F1 equals the official cmrc2018_evaluate.py (v5) on worked examples and on real data.

The official script is Python 2 and calls `nltk.word_tokenize`, whose punkt data is not available
offline. Two checks: (1) our Treebank re-implementation equals NLTK's own `NLTKWordTokenizer` (what
word_tokenize applies after sentence splitting; no data needed) on every non-CJK run of the real
answers; (2) an oracle written here line by line after the official script (with NLTK's tokenizer)
gives the same EM/F1 as benchmarks.metrics.cmrc on all 3,219 dev questions with perturbed predictions.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks.metrics import cmrc


@pytest.fixture()
def data_root(shared_data) -> Path:
    return shared_data


def test_worked_examples():
    # rm_punc drops '-' without ending the run, so "ω-force" is one token "ωforce"
    assert cmrc.mixed_segmentation("光荣和ω-force", rm_punc=True) == ["光", "荣", "和", "ωforce"]
    assert cmrc.mixed_segmentation("光荣和ω-force") == ["光", "荣", "和", "ω", "-", "force"]
    # P = 2/2, R = 2/4 -> F1 = 2/3
    assert cmrc.calc_f1_score(["北京大学"], "北京") == pytest.approx(2 / 3)
    # longest common SUBSTRING: 甲乙丙丁 vs 甲丙丁 -> 丙丁 (2), P = 2/3, R = 2/4 -> 4/7
    assert cmrc.calc_f1_score(["甲乙丙丁"], "甲丙丁") == pytest.approx(4 / 7)
    # English runs go through Treebank tokenisation: "in 1990." -> in, 1990, .
    assert cmrc.mixed_segmentation("在1990年") == ["在", "1990", "年"]
    assert cmrc.calc_em_score(["《战国无双3》"], "战国无双3") == 1.0
    assert cmrc.calc_em_score(["光荣和ω-force"], "光荣和ωforce") == 1.0
    assert cmrc.remove_punctuation("好……") == "好……"        # "……" is one 2-char list entry: never matches
    assert cmrc.calc_f1_score(["答案"], "") == 0.0


def test_missing_prediction_scores_zero_and_counts():
    res = cmrc.evaluate({"a": ["北京"], "b": ["上海"]}, {"a": "北京"})
    assert res["aggregate"]["EM"] == 50.0 and res["aggregate"]["F1"] == 50.0 and res["aggregate"]["missing"] == 1
    assert res["aggregate"]["AVERAGE"] == 50.0


def _non_cjk_runs(texts):
    runs = set()
    for t in texts:
        for r in re.split("[\u4e00-\u9fa5]|[" + re.escape("".join(c for c in cmrc.SP_CHAR if len(c) == 1)) + "]",
                          t.lower().strip()):
            if r:
                runs.add(r)
    return runs


def test_tokeniser_equals_nltk_on_real_runs(data_root):
    nltk_tok = pytest.importorskip("nltk.tokenize").NLTKWordTokenizer()
    texts = []
    for f in ("cmrc2018/cmrc2018_dev.json", "cmrc2018/cmrc2018_trial.json", "xquad/xquad.zh.json"):
        for art in json.loads((data_root / f).read_text(encoding="utf-8"))["data"]:
            for p in art["paragraphs"]:
                texts += [a["text"] for qa in p["qas"] for a in qa["answers"]]
    runs = _non_cjk_runs(texts)
    assert len(runs) > 1000
    assert [r for r in runs if nltk_tok.tokenize(r) != cmrc.word_tokenize_run(r)] == []


# ---- an oracle written after the official script (py2 -> py3, nltk tokenizer without punkt) -------------
def _oracle(gold_file, preds):
    tok = pytest.importorskip("nltk.tokenize").NLTKWordTokenizer()
    sp_char = ['-', ':', '_', '*', '^', '/', '\\', '~', '`', '+', '=', '，', '。', '：', '？', '！', '“', '”', '；',
               '’', '《', '》', '……', '·', '、', '「', '」', '（', '）', '－', '～', '『', '』']

    def seg(s, rm):
        s, out, tmp = str(s).lower().strip(), [], ""
        for ch in s:
            if rm and ch in sp_char:
                continue
            if re.search("[\u4e00-\u9fa5]", ch) or ch in sp_char:
                if tmp != "":
                    out.extend(tok.tokenize(tmp))
                    tmp = ""
                out.append(ch)
            else:
                tmp += ch
        if tmp != "":
            out.extend(tok.tokenize(tmp))
        return out

    def lcs(s1, s2):
        m = [[0] * (len(s2) + 1) for _ in range(len(s1) + 1)]
        mmax = 0
        for i in range(len(s1)):
            for j in range(len(s2)):
                if s1[i] == s2[j]:
                    m[i + 1][j + 1] = m[i][j] + 1
                    mmax = max(mmax, m[i + 1][j + 1])
        return mmax

    def rp(s):
        return "".join(c for c in str(s).lower().strip() if c not in sp_char)

    f1 = em = total = 0
    for inst in gold_file["data"]:
        for para in inst["paragraphs"]:
            for qas in para["qas"]:
                total += 1
                answers = [x["text"] for x in qas["answers"]]
                if qas["id"].strip() not in preds:
                    continue
                pred = str(preds[qas["id"].strip()])
                scores = []
                for a in answers:
                    a_s, p_s = seg(a, True), seg(pred, True)
                    n = lcs(a_s, p_s)
                    scores.append(0 if n == 0 else 2 * (n / len(p_s)) * (n / len(a_s)) / (n / len(p_s) + n / len(a_s)))
                f1 += max(scores)
                em += int(any(rp(a) == rp(pred) for a in answers))
    return 100.0 * em / total, 100.0 * f1 / total


def test_equals_official_algorithm_on_cmrc_dev(data_root):
    gold_file = json.loads((data_root / "cmrc2018" / "cmrc2018_dev.json").read_text(encoding="utf-8"))
    preds, gold = {}, {}
    for n, inst in enumerate(gold_file["data"]):
        for para in inst["paragraphs"]:
            for k, qa in enumerate(para["qas"]):
                texts = [a["text"] for a in qa["answers"]]
                gold[qa["id"]] = texts
                ctx = para["context"]
                a = texts[-1]
                variants = [a, a[1:], a + ctx[:3], ctx[:12], "", a.upper() + " (x)"]
                if (n + k) % 7 != 0:                  # leave some questions unanswered
                    preds[qa["id"]] = variants[(n + k) % len(variants)]
    ours = cmrc.evaluate(gold, preds)["aggregate"]
    em, f1 = _oracle(gold_file, preds)
    assert ours["EM"] == pytest.approx(em, abs=1e-9)
    assert ours["F1"] == pytest.approx(f1, abs=1e-9)
    assert 0 < em < 100 and 0 < f1 < 100
