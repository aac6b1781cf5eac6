"""A user's data folder as a Task: the description's fields become the task's one declared Mode, so
the base class builds the Result exactly as for a registered task (and `bench verify` re-scores it).

Retrieval reuses RetrievalTask (retrieve or read `--run`, pytrec_eval scoring); QA reuses QATask
(reader or `--predictions`, official SQuAD/CMRC EM/F1). Only where the data comes from differs.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.datasets_local.base import LocalDataError
from benchmarks.datasets_local.description import Description
from benchmarks.datasets_local.registry import get_format
from benchmarks.tasks.base import Mode, RunOptions, Scores, Task
from benchmarks.tasks.qa_task import METRIC_SET as QA_SET
from benchmarks.tasks.qa_task import QATask
from benchmarks.tasks.retrieval_task import METRIC_SET as RETRIEVAL_SET
from benchmarks.tasks.retrieval_task import RetrievalTask
from core import UserError

PREFIX = "local:"
QA_FILE = "questions.jsonl"


def is_local(task_name: str) -> bool:
    return task_name.startswith(PREFIX)


def _record(scores: Scores, desc: Description, sha: str) -> Scores:
    """What a local result carries beyond a registered one: its dataset name, format and description."""
    scores.dataset = desc.name
    scores.dataset_sha = "local:" + sha
    scores.extra.update({"dataset_format": desc.format, "databench": {**desc.to_dict(), "path": desc.path}})
    return scores


@dataclass(frozen=True)
class LocalRetrievalTask(RetrievalTask):
    folder: str = ""
    sha: str = ""
    desc: Any = field(default=None, hash=False, compare=False)

    def data_folder(self, options: RunOptions) -> tuple[Path, str]:
        return Path(self.folder), "local:" + self.sha

    def load(self, options: RunOptions, folder: Path):  # -> Collection
        desc = self.desc if not options.split or options.split == self.desc.split else replace(self.desc, split=options.split)
        return get_format(desc.format).load_retrieval(folder, desc)

    def score(self, collection: Any, run: Any) -> Any:
        """With `relevance: N` (> 1): nDCG on the graded qrels, binary measures on grade >= N (as MUSER's)."""
        from benchmarks.metrics import evaluate

        return evaluate(collection.qrels, run, self.metrics, relevance=self.desc.relevance)

    def compute(self, options: RunOptions) -> Scores:
        return _record(super().compute(options), self.desc, self.sha)


@dataclass(frozen=True)
class LocalQATask(QATask):
    folder: str = ""
    sha: str = ""
    desc: Any = field(default=None, hash=False, compare=False)
    work_dir: str = ""

    def data_folder(self, options: RunOptions, dataset: str | None = None) -> tuple[Path, str]:
        if dataset not in (None, self.dataset):          # the rule reader's training set (registry data)
            return super().data_folder(replace(options, data_dir=None), dataset)
        return Path(self.work_dir), "local:" + self.sha

    def compute(self, options: RunOptions) -> Scores:
        """Flatten the user's file (any accepted layout) into one squad JSONL, then score as QATask does."""
        from core import atomic_write_jsonl

        skipped: list[str] = []

        def answerable():
            for rec in get_format(self.desc.format).qa_records(Path(self.folder), self.desc):
                ans = rec.get("answers")
                if rec.get("is_impossible") or (isinstance(ans, dict) and not ans.get("text")):
                    skipped.append(str(rec.get("id")))
                    continue
                yield rec

        with tempfile.TemporaryDirectory(prefix="bench-local-qa-") as tmp:
            atomic_write_jsonl(Path(tmp) / QA_FILE, answerable())
            if (Path(tmp) / QA_FILE).stat().st_size == 0:
                raise LocalDataError(f"{self.folder}: no answerable questions")
            # a SQuAD 2.0 predictions file answers the unanswerable ones too: known ids, not scored
            try:
                scores = QATask.compute(replace(self, work_dir=tmp, unscored_ids=frozenset(skipped)), options)
            except UserError as exc:        # name the user's file, not the scratch copy of its answerable part
                folder = Path(self.folder)
                source = folder / self.desc.files["file"] if self.desc.files.get("file") else folder
                raise LocalDataError(str(exc).replace(str(Path(tmp) / QA_FILE), str(source))) from None
        if skipped:
            scores.conventions["unanswerable"] = f"{len(skipped)} unanswerable (SQuAD 2.0) questions not scored"
        scores.extra["file"] = self.desc.files.get("file", "")
        return _record(scores, self.desc, self.sha)


@dataclass(frozen=True)
class LocalRegisteredTask(Task):
    """A folder in a registered task's --data-dir layout: that task computes, with all its modes."""

    inner: Any = field(default=None, hash=False, compare=False)
    data_root: str = ""
    sha: str = ""
    desc: Any = field(default=None, hash=False, compare=False)

    @property
    def run_format(self) -> str:
        return self.inner.run_format

    def required_modes(self, mode: Mode, scores: Scores) -> list[Mode]:
        return self.inner.required_modes(mode, scores)

    def param_keys(self, options: RunOptions) -> tuple[str, ...] | None:
        return self.inner.param_keys(options)

    def compute(self, options: RunOptions) -> Scores:
        inner_options = replace(options, data_dir=Path(self.data_root), split=options.split or self.split)
        return _record(self.inner.compute(inner_options), self.desc, self.sha)


def build_task(desc: Description, folder: Path, sha: str) -> Task:
    """The task a description declares: name `local:NAME`, one mode from metrics + main_score (or, for a
    registered task's layout, that task's modes)."""
    if desc.kind == "task":
        from benchmarks.datasets_local.registered import registered_task
        from benchmarks.tasks.registry import get_task

        name, root = registered_task(desc.format, folder)
        inner = get_task(name)
        return LocalRegisteredTask(name=PREFIX + desc.name, kind=inner.kind, dataset=desc.name, language=inner.language,
                                   split=desc.split, description=f"local {desc.format} dataset {folder} scored as {name}",
                                   modes=inner.modes, default_mode=inner.default_mode,
                                   scoring_params=inner.scoring_params, version=inner.version,
                                   inner=inner, data_root=str(root), sha=sha, desc=desc)
    common = dict(name=PREFIX + desc.name, kind=desc.kind, dataset=desc.name, language=desc.lang, split=desc.split,
                  description=f"local {desc.format} dataset {folder}", folder=str(folder), sha=sha, desc=desc)
    if desc.kind == "retrieval":
        mode = Mode("standard", RETRIEVAL_SET, desc.main_score, tuple(desc.metrics),
                    "trec_eval (pytrec_eval) over the folder's qrels")
        return LocalRetrievalTask(modes=(mode,), rerank=desc.ranking == "rerank", **common)
    mode = Mode("official", QA_SET, desc.main_score, tuple(desc.metrics),
                "the official evaluator (SQuAD v1.1, or CMRC 2018 for zh)")
    # the rule reader trains as the registered tasks' does: CMRC 2018 trial for Chinese, 2-fold cross-fit otherwise
    rule_train = "cmrc2018:cmrc2018_trial.json" if desc.lang == "zh" else "crossfit"
    return LocalQATask(modes=(mode,), file=QA_FILE, metric=desc.qa_metric, rule_train=rule_train, **common)
