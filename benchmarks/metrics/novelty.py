"""Synthesis novelty and length, as WebCPM's evaluate.py defines them.

Novelty of an answer = mean over n = 2, 3, 4 of the share of its *distinct character*
n-grams that do not occur in the prompt (facts + question); length = characters.
"""
from __future__ import annotations

CONVENTIONS = {
    "novelty": "mean over n=2,3,4 of |distinct char n-grams of answer not in prompt| / |distinct char n-grams of answer|",
    "novelty_short_answer": "an n with no answer n-gram (answer shorter than n) counts as 0 novelty for that n "
                            "(evaluate.py divided by zero there)",
    "length": "answer length in characters",
}


def ngrams(text: str, n: int) -> set[str]:
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def novelty(prompt: str, answer: str, orders: tuple[int, ...] = (2, 3, 4)) -> float:
    shares = []
    for n in orders:
        ans = ngrams(answer, n)
        shares.append(len(ans - ngrams(prompt, n)) / len(ans) if ans else 0.0)
    return sum(shares) / len(shares)
