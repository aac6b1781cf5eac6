"""CMRC 2018 exact match and F1, as defined by the official `cmrc2018_evaluate.py` (v5, SQuAD-style).

The official script segments text "mixed": lowercase + strip, then every CJK character (U+4E00-U+9FA5)
and every mark in its punctuation list is one token, and each run of other characters goes through
`nltk.word_tokenize`. NLTK's punkt data is not available offline, so `word_tokenize_run` re-implements
the Penn-Treebank rules that `word_tokenize` applies to a run (tests compare it with NLTK's own
`NLTKWordTokenizer` on every non-CJK run of the CMRC answers). Sentence splitting is not replicated:
the official script lowercases before tokenising, and punkt does not break lower-case text in runs
like these. Quirks kept on purpose, because they change scores:
- with `rm_punc`, a listed mark is dropped *without* ending the current run ("ω-force" -> "ωforce");
- "……" is a two-character entry in the list, so it never matches a single character;
- F1 uses the longest common *substring* (contiguous), not subsequence;
- a question with no prediction scores 0 and counts in the total (official: "Unanswered question").
"""
from __future__ import annotations

import re
from typing import Mapping, Sequence

__all__ = ["SP_CHAR", "mixed_segmentation", "remove_punctuation", "find_lcs", "calc_f1_score",
           "calc_em_score", "evaluate", "word_tokenize_run", "CONVENTIONS"]

SP_CHAR = ['-', ':', '_', '*', '^', '/', '\\', '~', '`', '+', '=',
           '，', '。', '：', '？', '！', '“', '”', '；', '’', '《', '》', '……', '·', '、',
           '「', '」', '（', '）', '－', '～', '『', '』']
_SP_SET = set(SP_CHAR)          # a set lookup of one character: "……" never matches, as officially
_CJK = re.compile("[\u4e00-\u9fa5]")

CONVENTIONS = {
    "segmentation": "official mixed segmentation: CJK chars + listed marks are tokens; other runs Treebank-tokenised",
    "em": "exact match after removing the official punctuation list (lowercased, stripped); max over gold",
    "f1": "longest common substring of tokens (punctuation removed); P = lcs/len(pred), R = lcs/len(gold); max over gold",
    "missing": "a question with no prediction scores 0 and counts (official SKIP behaviour)",
    "scale": "percent (0-100); AVERAGE = (EM + F1) / 2",
}

# Penn Treebank rules as `nltk.word_tokenize` applies them to one sentence (order matters).
_RULES: list[tuple[re.Pattern[str], str]] = [
    # starting quotes
    (re.compile("([«“‘„]|[`]+)"), r" \1 "),
    (re.compile(r'^"'), r"``"),
    (re.compile(r"(``)"), r" \1 "),
    (re.compile(r"([ (\[{<])(\"|'{2})"), r"\1 `` "),
    (re.compile(r"(?i)(?<!\w)(')(?!(?:re|ve|ll|m|t|s|d|n)\b)(?=\w)"), r"\1 "),
    # punctuation
    (re.compile(r"([^.])(\.)([\]\)}>\"'»”’ ]*+)\s*$"), r"\1 \2 \3 "),
    (re.compile(r"([:,])([^\d])"), r" \1 \2"),
    (re.compile(r"([:,])$"), r" \1 "),
    (re.compile(r"\.{2,}"), r" \g<0> "),
    (re.compile(r"[;@#$%&]"), r" \g<0> "),
    (re.compile("[\u2012-\u2015]"), r" \g<0> "),
    (re.compile(r"([^.])(\.)([\]\)}>\"']*)\s*$"), r"\1 \2\3 "),
    (re.compile(r"[?!]"), r" \g<0> "),
    (re.compile(r"([^'])' "), r"\1 ' "),
    (re.compile(r"[*]"), r" \g<0> "),
    # brackets, double dashes
    (re.compile(r"[\]\[(){}<>]"), r" \g<0> "),
    (re.compile(r"--"), r" -- "),
]
_ENDING: list[tuple[re.Pattern[str], str]] = [
    (re.compile("([»”’])"), r" \1 "),
    (re.compile(r"''"), " '' "),
    (re.compile(r'"'), " '' "),
    (re.compile(r"\s+"), " "),
    (re.compile(r"([^' ])('[sS]|'[mM]|'[dD]|') "), r"\1 \2 "),
    (re.compile(r"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) "), r"\1 \2 "),
]
_CONTRACTIONS = [re.compile(p) for p in (
    r"(?i)\b(can)(?#X)(not)\b", r"(?i)\b(d)(?#X)('ye)\b", r"(?i)\b(gim)(?#X)(me)\b", r"(?i)\b(gon)(?#X)(na)\b",
    r"(?i)\b(got)(?#X)(ta)\b", r"(?i)\b(lem)(?#X)(me)\b", r"(?i)\b(more)(?#X)('n)\b", r"(?i)\b(wan)(?#X)(na)(?=\s)",
    r"(?i) ('t)(?#X)(is)\b", r"(?i) ('t)(?#X)(was)\b")]


def word_tokenize_run(text: str) -> list[str]:
    """Treebank tokenisation of one non-CJK run (what `nltk.word_tokenize` does to it)."""
    for pattern, repl in _RULES:
        text = pattern.sub(repl, text)
    text = f" {text} "
    for pattern, repl in _ENDING:
        text = pattern.sub(repl, text)
    for pattern in _CONTRACTIONS:
        text = pattern.sub(r" \1 \2 ", text)
    return text.split()


def mixed_segmentation(in_str: str, rm_punc: bool = False) -> list[str]:
    in_str = str(in_str).lower().strip()
    segs: list[str] = []
    temp = ""
    for char in in_str:
        if rm_punc and char in _SP_SET:
            continue
        if _CJK.match(char) or char in _SP_SET:
            if temp:
                segs.extend(word_tokenize_run(temp))
                temp = ""
            segs.append(char)
        else:
            temp += char
    if temp:
        segs.extend(word_tokenize_run(temp))
    return segs


def remove_punctuation(in_str: str) -> str:
    return "".join(ch for ch in str(in_str).lower().strip() if ch not in _SP_SET)


def find_lcs(s1: Sequence[str], s2: Sequence[str]) -> tuple[Sequence[str], int]:
    """Longest common contiguous run of tokens; first one found on ties (as officially)."""
    prev = [0] * (len(s2) + 1)
    best, end = 0, 0
    for i in range(len(s1)):
        cur = [0] * (len(s2) + 1)
        for j in range(len(s2)):
            if s1[i] == s2[j]:
                cur[j + 1] = prev[j] + 1
                if cur[j + 1] > best:
                    best, end = cur[j + 1], i + 1
        prev = cur
    return s1[end - best:end], best


def calc_f1_score(answers: Sequence[str], prediction: str) -> float:
    scores = []
    pred = mixed_segmentation(prediction, rm_punc=True)
    for ans in answers:
        gold = mixed_segmentation(ans, rm_punc=True)
        _, lcs_len = find_lcs(gold, pred)
        if lcs_len == 0:
            scores.append(0.0)
            continue
        precision = lcs_len / len(pred)
        recall = lcs_len / len(gold)
        scores.append(2 * precision * recall / (precision + recall))
    return max(scores) if scores else 0.0


def calc_em_score(answers: Sequence[str], prediction: str) -> float:
    pred = remove_punctuation(prediction)
    return 1.0 if any(remove_punctuation(a) == pred for a in answers) else 0.0


def evaluate(gold: Mapping[str, Sequence[str]], predictions: Mapping[str, str]) -> dict:
    """{"aggregate": {EM, F1, AVERAGE, total, missing}, "per_query": {...}, "conventions": {...}}."""
    per_query: dict[str, dict[str, float]] = {}
    missing = 0
    for qid, answers in gold.items():
        key = qid.strip()
        if key not in predictions:
            missing += 1
            per_query[qid] = {"EM": 0.0, "F1": 0.0}
            continue
        pred = str(predictions[key])
        per_query[qid] = {"EM": 100.0 * calc_em_score(answers, pred), "F1": 100.0 * calc_f1_score(answers, pred)}
    n = len(gold) or 1
    em = sum(v["EM"] for v in per_query.values()) / n
    f1 = sum(v["F1"] for v in per_query.values()) / n
    agg = {"EM": em, "F1": f1, "AVERAGE": (em + f1) / 2, "total": float(len(gold)), "missing": float(missing)}
    return {"aggregate": agg, "per_query": per_query, "conventions": dict(CONVENTIONS)}
