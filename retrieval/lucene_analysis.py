"""Anserini's English analysis and Lucene's BM25, in Python: what `-p preset=anserini` uses.

Why: IR papers quote Anserini's BM25 baselines (Lucene's StandardTokenizer, possessive filter, lowercase, Lucene's
33 English stopwords, Porter stemming; BM25Similarity with k1=0.9 b=0.4). Reproducing them without a JVM lets `bm25`
report numbers comparable with those baselines at `bm25`'s speed. Checked against `-r lucene` (Anserini 1.7.1,
Lucene 9.9.1) on Cranfield and Vaswani: tests/retrieval/test_anserini_preset.py.

- Tokenizer: UAX#29 word boundaries as Lucene's StandardTokenizer applies them to Latin text: runs of letters,
  digits and underscores, joined across `.` `'` `’` `:` between two letters and across `.` `,` `;` `'` between two
  digits ("u.s.a", "don't", "3.14", "1,000"); single characters are tokens too. Non-Latin scripts (CJK ideographs,
  Thai...) are not segmented the way UAX#29 does: this preset is for English. No NFKC (Lucene does none).
- EnglishPossessiveFilter: a trailing `'s` / `’s` / `＇s` is dropped; then lowercase, stopwords, Porter (the
  original algorithm with Porter's own departures, as Lucene's PorterStemmer: NLTK's MARTIN_EXTENSIONS mode).
- Scoring (`lucene_weights`): Lucene 8+'s BM25Similarity, idf = ln(1 + (N - df + 0.5) / (df + 0.5)), tf part
  tf / (tf + k1 (1 - b + b dl / avgdl)) with no (k1 + 1) factor, float32 as Lucene computes it, and dl the document
  length after Lucene's one-byte norm encoding (SmallFloat.intToByte4: exact up to 23, then 4 significant bits)
  while avgdl uses the exact total. A query term repeated n times weighs n (Anserini's boost).
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from retrieval.base import RetrieverError
from retrieval.tokenize import LUCENE_EN_STOPWORDS, Tokenizer

_L = r"[^\W\d_]"
_TOKEN = re.compile(rf"\w+(?:(?:(?<={_L})[.'’:](?={_L})|(?<=\d)[.,;'’](?=\d))\w+)*")
_POSSESSIVE = ("'s", "’s", "＇s", "'S", "’S", "＇S")


class AnseriniEnglishTokenizer(Tokenizer):
    """Anserini's DefaultEnglishAnalyzer (StandardTokenizer, possessive, lowercase, stopwords, Porter)."""

    name = "anserini-en"

    def __init__(self, *, stem: bool | None = True, stopwords: bool | str = True) -> None:
        self.stem = True if stem is None else bool(stem)
        if not isinstance(stopwords, bool) and str(stopwords).lower() not in {"lucene", "none"}:
            raise RetrieverError(f"anserini-en: stopwords={stopwords!r}; expected true or false (Lucene's list)")
        self.stopwords = LUCENE_EN_STOPWORDS if stopwords in (True, "lucene") else frozenset()
        self._cache: dict[str, str] = {}
        if self.stem:
            from nltk.stem.porter import PorterStemmer

            self._stemmer = PorterStemmer(mode=PorterStemmer.MARTIN_EXTENSIONS)

    def _stem(self, word: str) -> str:
        s = self._cache.get(word)
        if s is None:
            s = self._cache[word] = self._stemmer.stem(word, to_lowercase=False)
        return s

    def __call__(self, text: str) -> list[str]:
        out = []
        stop = self.stopwords
        for m in _TOKEN.finditer(text):
            tok = m.group()
            if tok.endswith(_POSSESSIVE):
                tok = tok[:-2]
            if not tok or tok.strip("_") == "":
                continue
            tok = tok.lower()
            if tok in stop:
                continue
            out.append(self._stem(tok) if self.stem else tok)
        return out

    def params(self) -> dict[str, Any]:
        return {"name": self.name, "stem": "porter (Lucene PorterStemmer = NLTK MARTIN_EXTENSIONS)" if self.stem else None,
                "stopwords": "lucene" if self.stopwords else "none",
                "pattern": "UAX#29-like (StandardTokenizer) + EnglishPossessiveFilter", "lowercase": True}


# --- Lucene's SmallFloat.intToByte4 / byte4ToInt: the one-byte document length ---------------------------------------
def _long_to_int4(i: int) -> int:
    num_bits = i.bit_length()
    if num_bits < 4:
        return i
    shift = num_bits - 4
    return ((i >> shift) & 0x07) | ((shift + 1) << 3)


def _int4_to_long(i: int) -> int:
    bits, shift = i & 0x07, (i >> 3) - 1
    return bits if shift == -1 else (bits | 0x08) << shift


_NUM_FREE = 255 - _long_to_int4(2**31 - 1)   # 24


def lucene_norm_length(length: int) -> int:
    """The document length BM25Similarity sees: byte4ToInt(intToByte4(length))."""
    if length < _NUM_FREE:
        return length
    return _NUM_FREE + _int4_to_long(_long_to_int4(length - _NUM_FREE))


def lucene_weights(tf: np.ndarray, doc: np.ndarray, df: np.ndarray, term: np.ndarray, doc_len: np.ndarray,
                   k1: float, b: float) -> np.ndarray:
    """Per-posting BM25 weights exactly as Lucene 9's BM25Scorer computes them in float32 (then widened).

    tf/doc/term: one entry per (term, doc) posting; df per term; doc_len per document (exact token counts)."""
    f32 = np.float32
    n_docs = int((doc_len > 0).sum())   # Lucene's docCount: documents with at least one token in the field
    avgdl = f32(doc_len.sum(dtype=np.float64) / max(n_docs, 1))
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(f32)          # computed in double, cast to float
    table = np.array([lucene_norm_length(i) for i in range(int(doc_len.max(initial=0)) + 1)], dtype=np.int64)
    norm_len = table[doc_len]
    inv = (f32(1) / (f32(k1) * ((f32(1) - f32(b)) + f32(b) * norm_len.astype(f32) / avgdl))).astype(f32)
    weight = idf[term]
    freq_norm = tf.astype(f32) * inv[doc]
    return (weight - weight / (f32(1) + freq_norm)).astype(np.float64)


def lucene_postings(ids: list[list[int]], n_terms: int, k1: float, b: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(data, indices, indptr) of the (terms x docs) CSR matrix of Lucene BM25 weights, from each document's term
    ids: the layout of bm25s's `scores`, so the `bm25` backend searches, saves and loads it unchanged."""
    n_docs = len(ids)
    lengths = np.fromiter((len(d) for d in ids), dtype=np.int64, count=n_docs)
    flat = np.fromiter((t for d in ids for t in d), dtype=np.int64, count=int(lengths.sum()))
    docs = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    keys, tf = np.unique(flat * n_docs + docs, return_counts=True)   # sorted by term, then doc: CSR order
    term, doc = keys // n_docs, keys % n_docs
    df = np.bincount(term, minlength=n_terms)
    data = lucene_weights(tf, doc, df, term, lengths, k1, b)
    indptr = np.concatenate(([0], np.cumsum(df))).astype(np.int64)
    return data, doc.astype(np.int32), indptr
