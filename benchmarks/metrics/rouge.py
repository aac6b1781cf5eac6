"""ROUGE-L on jieba-segmented Chinese (never on unsegmented text, where a whitespace
tokenizer sees one "word" per sentence and scores 0 unless identical).

Two protocols:
- `standard`: LCS over the token sequences, P = LCS/|pred|, R = LCS/|ref|, F1 (beta = 1).
- `paper`: what WebCPM's evaluate.py computed with the `rouge` 1.0.1 package on the
  space-joined jieba tokens: summary-level ROUGE-L, sentences split at ".", union-LCS over
  *distinct* tokens, lengths counted as distinct tokens (the package's `exclusive=True`).
Both return 0.0 when the prediction is empty after removing ASCII punctuation (evaluate.py).
"""
from __future__ import annotations

import string
from typing import Sequence

CONVENTIONS = {
    "segmentation": "jieba.lcut (precise mode) on prediction and reference; whitespace tokens dropped",
    "empty_prediction": "0.0 when the prediction has no character outside ASCII punctuation (as evaluate.py)",
    "multiple_references": "max over references",
    "standard": "LCS-based P/R/F1 with beta=1 over token sequences",
    "paper": "rouge==1.0.1 get_scores rouge-l f on space-joined jieba tokens (distinct-token counts, '.' splits sentences)",
}
_PUNCT = set(string.punctuation)


def segment(text: str) -> list[str]:
    import jieba

    return [t for t in jieba.lcut(text) if t.strip()]


def _lcs_table(x: Sequence[str], y: Sequence[str]) -> list[list[int]]:
    table = [[0] * (len(y) + 1) for _ in range(len(x) + 1)]
    for i in range(1, len(x) + 1):
        xi, row, prev = x[i - 1], table[i], table[i - 1]
        for j in range(1, len(y) + 1):
            row[j] = prev[j - 1] + 1 if xi == y[j - 1] else max(prev[j], row[j - 1])
    return table


def lcs_length(x: Sequence[str], y: Sequence[str]) -> int:
    if not x or not y:
        return 0
    prev = [0] * (len(y) + 1)
    for xi in x:
        cur = [0]
        for j, yj in enumerate(y, 1):
            cur.append(prev[j - 1] + 1 if xi == yj else max(prev[j], cur[-1]))
        prev = cur
    return prev[-1]


def _recon(x: Sequence[str], y: Sequence[str]) -> set[str]:
    """Tokens of one LCS, reconstructed the way rouge 1.0.1 does (ties go to y's side)."""
    table = _lcs_table(x, y)
    out: set[str] = set()
    i, j = len(x), len(y)
    while i > 0 and j > 0:
        if x[i - 1] == y[j - 1]:
            out.add(x[i - 1])
            i, j = i - 1, j - 1
        elif table[i - 1][j] > table[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return out


def _no_content(text: str) -> bool:
    return not "".join(ch for ch in text if ch not in _PUNCT)


def rouge_l(prediction: str, reference: str, *, protocol: str = "standard") -> float:
    """ROUGE-L F of one prediction against one reference, on jieba tokens."""
    if _no_content(prediction):
        return 0.0
    pred, ref = segment(prediction), segment(reference)
    if protocol == "standard":
        lcs = lcs_length(pred, ref)
        if lcs == 0:
            return 0.0
        p, r = lcs / len(pred), lcs / len(ref)
        return 2 * p * r / (p + r)
    if protocol != "paper":
        raise ValueError(f"unknown ROUGE-L protocol {protocol!r} (standard | paper)")
    hyp_s = [" ".join(s.split()) for s in " ".join(pred).split(".") if len(s) > 0]
    ref_s = [" ".join(s.split()) for s in " ".join(ref).split(".") if len(s) > 0]
    if not hyp_s or not ref_s:
        return 0.0
    m = len({w for s in ref_s for w in s.split(" ")})
    n = len({w for s in hyp_s for w in s.split(" ")})
    union: set[str] = set()
    llcs = 0
    for r_sent in ref_s:
        before = len(union)
        rw = r_sent.split(" ")
        for h in hyp_s:
            union |= _recon(rw, h.split(" "))
        llcs += len(union) - before
    r, p = llcs / m, llcs / n
    return 2.0 * ((p * r) / (p + r + 1e-8))


def rouge_l_max(prediction: str, references: Sequence[str] | str, *, protocol: str = "standard") -> float:
    if isinstance(references, str):
        references = [references]
    return max((rouge_l(prediction, r, protocol=protocol) for r in references), default=0.0)
