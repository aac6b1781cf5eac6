"""The one interface every retriever implements.

Index a corpus once, search many query sets, save/load the index so a big corpus is
indexed once per machine. `params()` is what goes into the results JSON, so a run
can be reproduced from its result file alone.
"""
from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

from retrieval.types import Corpus, Queries, Run

from core import UserError


class RetrieverError(UserError):
    """A user-facing error (bad parameter, empty corpus, missing index); printed as one line."""


class Retriever(ABC):
    name: ClassVar[str]

    @abstractmethod
    def index(self, corpus: Corpus, *, show_progress: bool = True) -> None:
        """Build the index. Raises RetrieverError on an empty corpus."""

    @abstractmethod
    def search(self, queries: Queries, k: int = 100, *, show_progress: bool = True) -> Run:
        """Top-k documents per query, as {qid: {docid: score}}. Every query gets a key, even if empty."""

    @abstractmethod
    def params(self) -> dict[str, Any]:
        """Everything that changes the ranking (model, k1, b, tokenizer...), JSON-serialisable."""

    def save(self, path: str | Path) -> None:
        raise RetrieverError(f"{self.name}: saving an index is not supported")

    @classmethod
    def load(cls, path: str | Path) -> "Retriever":
        raise RetrieverError(f"{cls.name}: loading an index is not supported")

    def rerank(self, corpus: Corpus, queries: Queries, pools: dict[str, list[str]], k: int = 100,
               *, show_progress: bool = True) -> Run:
        """Score each query only against its own candidate pool (LeCaRD, MUSER).

        Default: index each pool separately. Backends with a cheaper way override it.
        """
        run: Run = {}
        for qid, pool in pools.items():
            sub = {d: corpus[d] for d in pool if d in corpus}
            if not sub:
                run[qid] = {}
                continue
            self.index(sub, show_progress=False)
            run.update(self.search({qid: queries[qid]}, k=min(k, len(sub)), show_progress=False))
        return run


def _constructor_chain(cls: type) -> tuple[set[str], bool]:
    """(keyword names of the constructor chain, whether it ends in a `**kwargs` that takes anything)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        sig = inspect.signature(init)
        names |= {p.name for p in sig.parameters.values()
                  if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name != "self"}
        if not any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
            return names, False
    return names, True


def accepted_params(cls: type) -> list[str]:
    """Keyword names the constructor chain of `cls` accepts, read from the signatures (following a
    forwarding `**kwargs` up the MRO), so "unknown parameter" messages never drift from the code."""
    return sorted(_constructor_chain(cls)[0])


def accepts_any_param(cls: type) -> bool:
    """True when the chain ends in a `**kwargs` no base names (the class checks its parameters itself)."""
    return _constructor_chain(cls)[1]
