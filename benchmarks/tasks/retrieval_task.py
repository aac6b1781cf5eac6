"""The retrieval task kind: load a collection, retrieve (or re-rank pools, or read a run), score.

A concrete task (cranfield.py, vaswani.py, lecard.py) is only data: a RetrievalTask with its
dataset, language, one `trec_eval_mode(main score, metrics)` and the loader that parses its raw files.
"""
from __future__ import annotations

import inspect
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.artifacts import artifact_stem
from benchmarks.provenance import file_ref
from benchmarks.tasks.base import Mode, RunOptions, Scores, Task, TaskError
from core.registry import resolve

METRIC_SET = "standard"


def _accepts(cls: type, name: str) -> bool:
    params = inspect.signature(cls.__init__).parameters
    return name in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _folder_sha(folder: Path) -> str:
    """Revision of a user-given data folder: sha256 over (path, sha256) of every file in it."""
    from core import sha256_tree

    return sha256_tree(folder, sorted(Path(root) / name for root, _, names in os.walk(folder, followlinks=True)
                                      for name in names))


@dataclass(frozen=True)
class RetrievalTask(Task):
    loader: str = ""                                   # "module:function(folder, split, **loader_params)"
    splits: tuple[str, ...] = ()
    rerank: bool = False                               # score each query's own candidate pool
    default_retriever: str = "bm25"
    loader_params: tuple[str, ...] = ()                # --param keys consumed by the loader, not the retriever
    conventions: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def param_keys(self, options: RunOptions) -> tuple[str, ...] | None:
        """Scoring a run file reads only the loader's and the scoring keys; retrieving hands the rest to the
        retriever, whose constructor refuses what it does not take."""
        return self.loader_params + self.scoring_params if options.run_file is not None else None

    # --- steps (each callable on its own from Python) -----------------------------------------
    def data_folder(self, options: RunOptions) -> tuple[Path, str]:
        from benchmarks.data import registry

        if options.data_dir is not None:
            folder = Path(options.data_dir)
            if not folder.is_dir():
                raise TaskError(f"{folder}: --data-dir is not a folder")
            return folder, "local:" + _folder_sha(folder)
        return registry.dataset_dir(self.dataset, show_progress=options.show_progress), registry.dataset_sha(self.dataset)

    def load(self, options: RunOptions, folder: Path):  # -> benchmarks.data.loaders.Collection
        split = options.split or self.split
        if self.splits and split not in self.splits:
            raise TaskError(f"task {self.name}: unknown split {split!r}; known: {', '.join(self.splits)}")
        kwargs = {k: options.params[k] for k in self.loader_params if k in options.params}
        collection = resolve(self.loader)(folder, **({"split": split} if self.splits else {}), **kwargs)
        if not collection.corpus:
            raise TaskError(f"{folder}: task {self.name}: the corpus is empty")
        if not collection.queries:
            raise TaskError(f"{folder}: task {self.name}: no queries")
        return collection

    def retrieve(self, collection: Any, options: RunOptions) -> tuple[Any, dict[str, Any], dict[str, float]]:
        """Returns (run, ModelInfo kwargs, timings)."""
        from retrieval.registry import create, get_class

        name = options.retriever or self.default_retriever
        params = {k: v for k, v in options.params.items() if k not in self.loader_params}
        if "lang" not in params and all(_accepts(get_class(part), "lang") for part in name.split("+")):
            params["lang"] = self.language
        for key, value in (("model", options.model), ("device", options.device), ("batch_size", options.batch_size)):
            if value is None or key in params:
                continue
            if not any(_accepts(get_class(part), key) for part in name.split("+")):
                raise TaskError(f"--{key.replace('_', '-')}: retriever {name!r} takes no {key}")
            params[key] = value
        retriever = create(name, **params)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        if self.rerank:
            run = retriever.rerank(collection.corpus, collection.queries, collection.pools, k=options.k,
                                   show_progress=options.show_progress)
            timings["rerank_s"] = time.perf_counter() - t0
        else:
            retriever.index(collection.corpus, show_progress=options.show_progress)
            timings["index_s"] = time.perf_counter() - t0
            t1 = time.perf_counter()
            run = retriever.search(collection.queries, k=options.k, show_progress=options.show_progress)
            timings["search_s"] = time.perf_counter() - t1
        return run, {"name": name, "params": retriever.params()}, timings

    def check_retrieved(self, run: Any, collection: Any, folder: Path, retriever: str) -> None:
        """A run in which no query retrieved anything scores 0 everywhere: an error, not a figure."""
        if not any(run.get(q) for q in collection.queries):
            raise TaskError(f"{folder}: task {self.name}: retriever {retriever} retrieved no document for any of "
                            f"the {len(collection.queries)} queries over {len(collection.corpus)} documents (empty "
                            f"documents, or queries in another language than the index's {self.language!r}?)")

    def coverage(self, collection: Any, run: Any, options: RunOptions) -> dict[str, Any]:
        """Check an external run against the collection (benchmarks.coverage): the `extra.coverage` dict."""
        from benchmarks import coverage

        judged_docs = {d for docs in collection.qrels.values() for d in docs}
        pooled = {d for pool in (collection.pools or {}).values() for d in pool}
        found = coverage.run_coverage(options.run_file, run, task=self.name, scored=collection.qrels,
                                      known_queries=coverage.known(collection.queries, collection.other_queries),
                                      known_docs=coverage.known(collection.corpus, judged_docs, pooled))
        return coverage.check(found, allow_partial=options.allow_partial)

    def score(self, collection: Any, run: Any) -> Any:  # -> benchmarks.metrics.Evaluation
        """trec_eval measures of `run` against the collection's qrels (a subclass may change the relevance rule)."""
        from benchmarks.metrics import evaluate

        return evaluate(collection.qrels, run, self.metrics)

    def compute(self, options: RunOptions) -> Scores:
        from benchmarks.io.trec import read_run_any, write_run
        from benchmarks.results import ModelInfo

        folder, dataset_sha = self.data_folder(options)
        collection = self.load(options, folder)
        coverage: dict[str, Any] | None = None
        if options.run_file is not None:
            run = read_run_any(options.run_file)
            model = {"name": "external-run", "params": {"run": file_ref(options.run_file)}}
            timings: dict[str, float] = {}
            coverage = self.coverage(collection, run, options)
        else:
            run, model, timings = self.retrieve(collection, options)
            self.check_retrieved(run, collection, folder, model["name"])
        evaluation = self.score(collection, run)
        run_path = Path(options.run_file) if options.run_file is not None else None
        if options.output is not None and options.run_file is None:
            run_path = write_run(run, Path(options.output) / f"{artifact_stem(self.name, model['name'], options.variant)}.run",
                                 tag=model["name"])
        return Scores(
            metrics={METRIC_SET: evaluation.aggregate}, per_query={METRIC_SET: evaluation.per_query},
            model=ModelInfo(name=model["name"], params=model["params"]), dataset_sha=dataset_sha, run_file=run_path,
            conventions={**evaluation.conventions, **self.conventions, **collection.notes},
            extra={"k": options.k, "n_queries": len(collection.queries), "n_docs": len(collection.corpus),
                   "n_queries_judged": len(collection.qrels), "timings_s": {k: round(v, 3) for k, v in timings.items()},
                   "language": self.language, "kind": "rerank" if self.rerank else "full-ranking",
                   **({"coverage": coverage} if coverage else {})})


def trec_eval_mode(main_score: str, metrics: tuple[str, ...]) -> Mode:
    """The single mode of a plain retrieval task: trec_eval measures over the task's qrels."""
    return Mode("standard", METRIC_SET, main_score, metrics, "trec_eval (pytrec_eval) over the task's qrels")
