"""Our analyzers feeding engines that tokenise on whitespace (tantivy, Elasticsearch).

Why: the engines' own analyzers do not segment Chinese, and using the *same* token lists as the bm25s
backend makes the engines comparable with it (differences then come from scoring, not analysis).
"""
from __future__ import annotations

import re
from typing import Any

from retrieval.lexical import _as_bool
from retrieval.tokenize import Tokenizer, get_tokenizer

_SPACE = re.compile(r"\s+")


def make_tokenizer(lang: str = "en", tokenizer: str | Tokenizer | None = None, stem: Any = None,
                   stopwords: Any = True) -> Tokenizer:
    """The same parameter handling as the BM25 backends (`stem=true`, `stopwords=spacy|false`)."""
    if isinstance(tokenizer, Tokenizer):
        return tokenizer
    if isinstance(stopwords, str) and stopwords.lower() in {"true", "false", "1", "0", "yes", "no"}:
        stopwords = bool(_as_bool(stopwords, "stopwords"))
    return get_tokenizer(tokenizer or lang, stem=_as_bool(stem, "stem"), stopwords=stopwords)


def tokenizer_from_params(params: dict[str, Any]) -> Tokenizer:
    """Rebuild a tokenizer from its `params()` (what a saved index records)."""
    name = params["name"]
    stem = bool(params.get("stem")) if name == "en" else None
    stop = params.get("stopwords", True)
    stop = {"lucene": True, "none": False}.get(stop, stop) if name == "en" else {"spacy": True, "none": False}.get(
        stop, stop)
    return get_tokenizer(name, stem=stem, stopwords=stop)


def as_text(tokens: list[str]) -> str:
    """Tokens joined by single spaces; a token never contains whitespace (it would split in the engine)."""
    return " ".join(_SPACE.sub("_", t) for t in tokens if t)
