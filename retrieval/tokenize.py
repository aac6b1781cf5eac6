"""Tokenizers (analyzers) shared by every lexical retriever.

One tokenizer object turns text into a list of terms; BM25 backends feed the *same* term lists
to bm25s and rank-bm25, so backend differences can only come from scoring. `params()` goes into
the results JSON so a run can be reproduced from its result file alone.

- "en": NFKC + lowercase, regex word split (``\\w\\w+``, as bm25s/scikit-learn), stopwords (the
  Lucene English list by default, spaCy's longer list on request), optional Snowball stemming
  via PyStemmer (stems are cached per word, so a corpus costs one stem call per distinct word).
- "zh": jieba precise mode (``jieba.lcut``), lowercase, drop whitespace/punctuation-only terms and
  spaCy's Chinese stopword list (1,891 words).
"""
from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from retrieval.base import RetrieverError

__all__ = ["Tokenizer", "EnglishTokenizer", "ChineseTokenizer", "get_tokenizer", "TOKENIZERS"]

# Lucene's EnglishAnalyzer stop set (also bm25s.stopwords.STOPWORDS_EN): the usual BM25 baseline list.
LUCENE_EN_STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there "
    "these they this to was will with".split()
)


def _stopword_set(lang: str, source: str) -> frozenset[str]:
    if source == "none":
        return frozenset()
    if lang == "en" and source == "lucene":
        return LUCENE_EN_STOPWORDS
    if lang == "en" and source == "spacy":
        from spacy.lang.en.stop_words import STOP_WORDS  # spaCy import is slow

        return frozenset(w.lower() for w in STOP_WORDS)
    if lang == "zh" and source == "spacy":
        return _spacy_zh_stopwords()
    raise RetrieverError(f"unknown stopword list {source!r} for language {lang!r}")


def _spacy_zh_stopwords() -> frozenset[str]:
    """spaCy's Chinese list, read from its source file: `import spacy.lang.zh` imports spaCy and torch (~5 s,
    half of a cached `bench run lecard`). The file is one `STOP_WORDS = set(\"\"\"...\"\"\".split())`; any other
    shape falls back to the import."""
    import ast
    import importlib.util

    spec = importlib.util.find_spec("spacy")  # finds the package without running it
    folder = (spec.submodule_search_locations or [None])[0] if spec else None
    if folder:
        path = os.path.join(folder, "lang", "zh", "stop_words.py")
        try:
            tree = ast.parse(open(path, encoding="utf-8").read())
        except (OSError, SyntaxError):
            tree = None
        for node in tree.body if tree else []:
            if (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["STOP_WORDS"]
                    and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "set"
                    and len(node.value.args) == 1 and isinstance(call := node.value.args[0], ast.Call)
                    and isinstance(call.func, ast.Attribute) and call.func.attr == "split" and not call.args
                    and isinstance(call.func.value, ast.Constant) and isinstance(call.func.value.value, str)):
                return frozenset(call.func.value.value.split())
    from spacy.lang.zh.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


class Tokenizer:
    """A callable `str -> list[str]` with a name and its parameters."""

    name: str = "base"
    costly: bool = False   # slow enough that its output is cached on disk by default (retrieval.token_cache)

    def __call__(self, text: str) -> list[str]:
        raise NotImplementedError

    def batch(self, texts: Iterable[str]) -> list[list[str]]:
        return [self(t) for t in texts]

    def params(self) -> dict[str, Any]:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params()})"


class EnglishTokenizer(Tokenizer):
    name = "en"
    _word = re.compile(r"(?u)\b\w\w+\b")

    def __init__(self, *, stem: bool = False, stopwords: bool | str = True, stemmer: str = "english") -> None:
        self.stem = bool(stem)
        self.stopword_source = "lucene" if stopwords is True else ("none" if stopwords is False else str(stopwords))
        self.stopwords = _stopword_set("en", self.stopword_source)
        self.stemmer_name = stemmer
        self._stem: Callable[[str], str] | None = None
        self._cache: dict[str, str] = {}
        if self.stem:
            import Stemmer  # PyStemmer, Snowball in C

            try:
                self._stem = Stemmer.Stemmer(stemmer).stemWord
            except KeyError:
                raise RetrieverError(f"unknown Snowball stemmer {stemmer!r}") from None

    def _stem_word(self, word: str) -> str:
        s = self._cache.get(word)
        if s is None:
            s = self._stem(word) if self._stem else word  # type: ignore[misc]
            self._cache[word] = s
        return s

    def __call__(self, text: str) -> list[str]:
        if not text.isascii():  # ASCII is already NFKC: skip the normalisation cost on English corpora
            text = unicodedata.normalize("NFKC", text)
        words = self._word.findall(text.lower())
        stop = self.stopwords
        if self._stem is None:
            return [w for w in words if w not in stop]
        cache = self._cache
        out = []
        for w in words:
            if w in stop:
                continue
            s = cache.get(w)
            out.append(s if s is not None else self._stem_word(w))
        return out

    def params(self) -> dict[str, Any]:
        return {"name": self.name, "stem": self.stemmer_name if self.stem else None,
                "stopwords": self.stopword_source, "pattern": self._word.pattern, "lowercase": True}


class ChineseTokenizer(Tokenizer):
    name = "zh"
    costly = True   # jieba: ~100 s for LeCaRD's pools, so `bench run` caches its output

    def __init__(self, *, stopwords: bool | str = True, stem: bool | None = None) -> None:
        if stem:
            raise RetrieverError("stemming is not defined for Chinese (tokenizer zh): drop stem=true")
        self.stopword_source = "spacy" if stopwords is True else ("none" if stopwords is False else str(stopwords))
        self.stopwords = _stopword_set("zh", self.stopword_source)
        import jieba

        jieba.setLogLevel(60)  # jieba prints "Building prefix dict" to stderr otherwise
        self._lcut = jieba.lcut

    def __getstate__(self) -> dict[str, Any]:
        # jieba.lcut is bound to jieba's global tokenizer (holds a lock): a pickled copy (a Ray worker's)
        # re-binds it on load instead
        return {k: v for k, v in self.__dict__.items() if k != "_lcut"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        import jieba

        jieba.setLogLevel(60)
        self.__dict__.update(state)
        self._lcut = jieba.lcut

    @staticmethod
    def _is_word(term: str) -> bool:
        # keep terms with at least one letter/number/CJK char: drops punctuation and whitespace runs
        return any(unicodedata.category(c)[0] in "LN" for c in term)

    def __call__(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text).lower()
        stop = self.stopwords
        return [t for t in self._lcut(text, cut_all=False, HMM=True)
                if t not in stop and not t.isspace() and self._is_word(t)]

    def params(self) -> dict[str, Any]:
        return {"name": self.name, "segmenter": "jieba.lcut(cut_all=False, HMM=True)",
                "stopwords": self.stopword_source, "lowercase": True, "nfkc": True}


TOKENIZERS: dict[str, type[Tokenizer]] = {"en": EnglishTokenizer, "zh": ChineseTokenizer}


def get_tokenizer(lang: str, *, stem: bool | None = None, stopwords: bool | str = True) -> Tokenizer:
    """The analyzer for a language ("en", "zh"). `stem=None` means the language default: no stemming
    (plain BM25, the baseline papers quote); `stem=True` adds Snowball English stemming."""
    if isinstance(lang, Tokenizer):
        return lang
    key = lang.lower().split("-")[0]
    if key not in TOKENIZERS:
        raise RetrieverError(f"no tokenizer for language {lang!r}; known: {', '.join(sorted(TOKENIZERS))}")
    if key == "en":
        return EnglishTokenizer(stem=False if stem is None else stem, stopwords=stopwords)
    return ChineseTokenizer(stem=stem, stopwords=stopwords)
