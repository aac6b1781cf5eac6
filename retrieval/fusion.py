"""Fusion of several runs: reciprocal rank fusion and normalised weighted sum (`--retriever bm25+dense`).

Our own ~100 lines instead of `ranx.fuse`: ranx compiles its fusion with numba (about 14 s of JIT on a
fresh install, 2 s cached) and pulls seaborn/ir_datasets into the runtime install, while fusing a few
hundred queries in plain Python takes milliseconds. tests/retrieval/test_fusion.py checks the values
against ranx on a fixture.

Conventions (the same as ranx):
- rank of a document = its position in the part's run ordered by score desc, then doc id desc (trec_eval order);
- RRF score = sum over parts of 1 / (rrf_k + rank), rank starting at 1; a part that did not return a document
  contributes 0;
- weighted sum: each part's scores are normalised per query (min-max: (s - min) / (max - min); z-score:
  (s - mean) / std, population std; a zero spread is floored at 1e-9), then summed with the weights; a part
  that did not return a document contributes 0 after normalisation.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Callable, ClassVar

import numpy as np

from core import atomic_write_json, read_json
from retrieval.base import Retriever, RetrieverError
from retrieval.types import Corpus, Queries, Run

METHODS = ("rrf", "wsum")
NORMS = ("min-max", "zscore", "none")
SAVE_FILE = "fusion.json"
_EPS = 1e-9


def ranked(docs: dict[str, float]) -> list[str]:
    """Doc ids by score desc, then doc id desc (the order trec_eval evaluates in)."""
    return [d for d, _ in sorted(docs.items(), key=lambda item: (item[1], item[0]), reverse=True)]


def rrf(runs: Sequence[Run], rrf_k: float = 60) -> Run:
    """Reciprocal rank fusion (Cormack, Clarke & Buettcher, SIGIR 2009)."""
    fused: Run = {}
    for run in runs:
        for qid, docs in run.items():
            out = fused.setdefault(qid, {})
            for rank, doc in enumerate(ranked(docs), start=1):
                out[doc] = out.get(doc, 0.0) + 1.0 / (rrf_k + rank)
    return fused


def normalize(run: Run, norm: str = "min-max") -> Run:
    """Per-query score normalisation (see the module docstring for the formulas)."""
    if norm == "none":
        return run
    if norm not in NORMS:
        raise RetrieverError(f"fusion: unknown norm {norm!r}; known: {', '.join(NORMS)}")
    out: Run = {}
    for qid, docs in run.items():
        if not docs:
            out[qid] = {}
            continue
        scores = np.fromiter(docs.values(), dtype=np.float64, count=len(docs))
        if norm == "min-max":
            lo, spread = scores.min(), max(scores.max() - scores.min(), _EPS)
            values = (scores - lo) / spread
        else:
            values = (scores - scores.mean()) / max(scores.std(), _EPS)
        out[qid] = dict(zip(docs, values.tolist()))
    return out


def weighted_sum(runs: Sequence[Run], weights: Sequence[float] | None = None, norm: str = "min-max") -> Run:
    weights = list(weights) if weights is not None else [1.0] * len(runs)
    if len(weights) != len(runs):
        raise RetrieverError(f"fusion: {len(weights)} weights for {len(runs)} runs")
    fused: Run = {}
    for w, run in zip(weights, runs):
        for qid, docs in normalize(run, norm).items():
            out = fused.setdefault(qid, {})
            for doc, s in docs.items():
                out[doc] = out.get(doc, 0.0) + float(w) * s
    return fused


def fuse(runs: Sequence[Run], method: str = "rrf", *, rrf_k: float = 60, weights: Sequence[float] | None = None,
         norm: str = "min-max", k: int | None = None) -> Run:
    """Fuse runs; every query of any run gets a key; keep the top k per query if k is given."""
    if method == "rrf":
        fused = rrf(runs, rrf_k)
    elif method == "wsum":
        fused = weighted_sum(runs, weights, norm)
    else:
        raise RetrieverError(f"fusion: unknown method {method!r}; known: {', '.join(METHODS)}")
    for run in runs:
        for qid in run:
            fused.setdefault(qid, {})
    if k is not None:
        fused = {qid: {d: docs[d] for d in ranked(docs)[:k]} for qid, docs in fused.items()}
    return fused


class FusionRetriever(Retriever):
    """Runs every part, then fuses their runs. Each part retrieves `depth` documents (default max(k, 100)).

    Built by `retrieval.registry.create("a+b", ...)`, which owns the names and routes `--param`s to the parts
    (the keyword-only parameters below are the fusion's own); this module imports nothing from the registry.
    """

    name: ClassVar[str] = "fusion"

    def __init__(self, parts: Sequence[Retriever], *, fusion: str = "rrf", rrf_k: float = 60,
                 weights: Sequence[float] | str | None = None, norm: str = "min-max", depth: int | None = None):
        if len(parts) < 2:
            raise RetrieverError("fusion needs at least two retrievers, e.g. bm25+dense")
        if fusion not in METHODS:
            raise RetrieverError(f"fusion: unknown method {fusion!r}; known: {', '.join(METHODS)}")
        if norm not in NORMS:
            raise RetrieverError(f"fusion: unknown norm {norm!r}; known: {', '.join(NORMS)}")
        if isinstance(weights, str):   # --param weights=0.3,0.7
            try:
                weights = [float(w) for w in weights.split(",")]
            except ValueError:
                raise RetrieverError(f"fusion: weights={weights!r}: expected numbers separated by commas") from None
        if weights is not None and len(weights) != len(parts):
            raise RetrieverError(f"fusion: {len(weights)} weights for {len(parts)} retrievers")
        self.parts = list(parts)
        self.method, self.rrf_k, self.norm = fusion, float(rrf_k), norm
        self.weights = [float(w) for w in weights] if weights is not None else None
        self.depth = int(depth) if depth is not None else None

    def _depth(self, k: int) -> int:
        return self.depth if self.depth is not None else max(k, 100)

    def _fuse(self, runs: list[Run], k: int) -> Run:
        return fuse(runs, self.method, rrf_k=self.rrf_k, weights=self.weights, norm=self.norm, k=k)

    def index(self, corpus: Corpus, *, show_progress: bool = True) -> None:
        for part in self.parts:
            part.index(corpus, show_progress=show_progress)

    def search(self, queries: Queries, k: int = 100, *, show_progress: bool = True) -> Run:
        runs = [p.search(queries, self._depth(k), show_progress=show_progress) for p in self.parts]
        fused = self._fuse(runs, k)
        return {qid: fused.get(qid, {}) for qid in queries}

    def rerank(self, corpus: Corpus, queries: Queries, pools: dict[str, list[str]], k: int = 100,
               *, show_progress: bool = True) -> Run:
        runs = [p.rerank(corpus, queries, pools, self._depth(k), show_progress=show_progress) for p in self.parts]
        fused = self._fuse(runs, k)
        return {qid: fused.get(qid, {}) for qid in pools}

    def params(self) -> dict[str, Any]:
        return {"fusion": self.method, "rrf_k": self.rrf_k if self.method == "rrf" else None,
                "weights": self.weights, "norm": self.norm if self.method == "wsum" else None,
                "depth": self.depth if self.depth is not None else "max(k, 100)",
                "parts": [{"name": p.name, "params": p.params()} for p in self.parts]}

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        names = []
        for i, part in enumerate(self.parts):
            sub = f"part{i}_{part.name}"
            part.save(path / sub)
            names.append({"name": part.name, "dir": sub})
        state = {"parts": names, "fusion": self.method, "rrf_k": self.rrf_k, "weights": self.weights,
                 "norm": self.norm, "depth": self.depth}
        atomic_write_json(path / SAVE_FILE, state)

    @classmethod
    def load(cls, path: str | Path, *, load_part: Callable[[str, Path], Retriever] | None = None) -> "FusionRetriever":
        """Rebuild from save(); `load_part(name, folder)` loads one part (retrieval.registry.load passes its own)."""
        path = Path(path)
        if load_part is None:
            raise RetrieverError("fusion: load a saved fusion with retrieval.registry.load(name, path)")
        if not (path / SAVE_FILE).is_file():
            raise RetrieverError(f"fusion: {path / SAVE_FILE} not found (not a saved fusion index)")
        state = read_json(path / SAVE_FILE, what="saved fusion", error=RetrieverError)
        parts = [load_part(p["name"], path / p["dir"]) for p in state["parts"]]
        return cls(parts, fusion=state["fusion"], rrf_k=state["rrf_k"], weights=state["weights"],
                   norm=state["norm"], depth=state["depth"])
