"""The extractive-QA task kind: read a SQuAD-format file, predict with a reader (or read a prediction
file), score with the official definitions (SQuAD v1.1 EM/F1 for English, CMRC 2018 for Chinese).

A prediction file is the official format of both evaluators: one JSON object {question id: answer text}.
A question without a prediction scores 0 and counts, as in both official scripts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import read_json
from benchmarks.artifacts import artifact_stem
from benchmarks.provenance import file_ref
from benchmarks.tasks.base import Mode, RunOptions, Scores, Task, TaskError

METRIC_SET = "official"


def read_predictions(path: Path) -> dict[str, str]:
    """{question id: answer}; a repeated id is refused by the JSON reader (naming its line)."""
    data = read_json(path, what="prediction file", error=TaskError)
    if not isinstance(data, dict):
        raise TaskError(f"{path}: expected a JSON object {{question id: answer text}}, got {type(data).__name__}")
    for qid, text in data.items():
        if not isinstance(text, str):
            raise TaskError(f"{path}: record {qid}: the prediction must be a string, got {type(text).__name__}")
    return data


@dataclass(frozen=True)
class QATask(Task):
    file: str = ""                       # file inside the dataset folder
    metric: str = "squad"                # "squad" (en) or "cmrc" (zh)
    rule_train: str = ""                 # "dataset:file" for the rule reader, or "crossfit"
    unscored_ids: frozenset[str] = frozenset()   # question ids of the data that are not scored (unanswerable)
    conventions: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def data_folder(self, options: RunOptions, dataset: str | None = None) -> tuple[Path, str]:
        from benchmarks.data import registry
        from benchmarks.tasks.retrieval_task import _folder_sha

        if options.data_dir is not None and dataset in (None, self.dataset):
            folder = Path(options.data_dir)
            if not folder.is_dir():
                raise TaskError(f"{folder}: --data-dir is not a folder")
            return folder, "local:" + _folder_sha(folder)
        name = dataset or self.dataset
        return registry.dataset_dir(name, show_progress=options.show_progress), registry.dataset_sha(name)

    def score(self, gold: dict[str, list[str]], preds: dict[str, str]) -> dict[str, Any]:
        from benchmarks.metrics import cmrc, squad

        return (cmrc if self.metric == "cmrc" else squad).evaluate(gold, preds)

    def _rule_predictions(self, options: RunOptions, items, path: Path) -> tuple[dict[str, str], dict[str, Any]]:
        from benchmarks.qa.readers import crossfit_predict, make_reader, predict
        from annotation.squad_io import load_qa_file

        seed = int(options.params.get("seed", 0))
        train_file = options.params.get("train_file")
        if train_file:
            reader = make_reader("rule", self.language, seed=seed)
            _fit(reader, train_file)
            return predict(reader, items, show_progress=options.show_progress), {
                "train": file_ref(train_file), **reader.params()}
        if self.rule_train == "crossfit":
            recs = load_qa_file(path).records
            return crossfit_predict(recs, items, self.language, seed=seed, show_progress=options.show_progress,
                                    source=path), {
                "train": "2-fold cross-fit over articles (seeded)", "seed": seed}
        dataset, fname = self.rule_train.split(":")
        folder, _ = self.data_folder(options, dataset)
        reader = make_reader("rule", self.language, seed=seed)
        _fit(reader, folder / fname)
        return predict(reader, items, show_progress=options.show_progress), {"train": f"{dataset}/{fname}",
                                                                            **reader.params()}

    def param_keys(self, options: RunOptions) -> tuple[str, ...] | None:
        """Predictions are scored as they are; the rule reader reads `seed` and `train_file`; an HF reader
        `max_length`, and with `train_file` it is fine-tuned first (`epochs`, `lr`, `seed`, `freeze_layers`)."""
        from benchmarks.qa.readers import HF_TRAIN_PARAMS, is_rule

        if options.predictions is not None:
            return ()
        return ("seed", "train_file") if is_rule(options.model) else ("max_length", *HF_TRAIN_PARAMS)

    def compute(self, options: RunOptions) -> Scores:
        from benchmarks.qa.readers import is_rule, make_reader, predict
        from benchmarks.results import ModelInfo
        from annotation.squad_io import gold_answers, questions, write_json

        folder, dataset_sha = self.data_folder(options)
        path = folder / self.file
        gold = gold_answers(path)
        device = "cpu"
        pred_path: Path | None = None
        coverage = None
        if options.predictions is not None:
            from benchmarks import coverage as cover

            preds = read_predictions(options.predictions)
            found = cover.predictions_coverage(options.predictions, preds, task=self.name, scored=gold,
                                               known_ids=self.unscored_ids)
            coverage = cover.check(found, allow_partial=options.allow_partial)
            model = ModelInfo(name="external-predictions", params={"predictions": file_ref(options.predictions)})
            pred_path = Path(options.predictions)
        else:
            items = questions(path)
            if is_rule(options.model):
                preds, params = self._rule_predictions(options, items, path)
                model = ModelInfo(name="rule-reader", params=params)
            else:
                p = options.params
                reader = make_reader(options.model, self.language, device=options.device,
                                     batch_size=options.batch_size, seed=int(p.get("seed", 0)),
                                     max_length=int(p.get("max_length", 384)), train=p)
                device = reader.device
                trained = {}
                if p.get("train_file"):
                    _fit(reader, p["train_file"])
                    trained = {"train": file_ref(p["train_file"])}
                preds = predict(reader, items, show_progress=options.show_progress)
                model = ModelInfo(name=str(options.model), params={**trained, **reader.params()})
            if options.output is not None:
                stem = artifact_stem(self.name, model.name, options.variant)
                pred_path = write_json(preds, Path(options.output) / f"{stem}.predictions.json")
        ev = self.score(gold, preds)
        agg = {k: v for k, v in ev["aggregate"].items() if k not in ("total", "missing")}
        return Scores(
            metrics={METRIC_SET: agg}, per_query={METRIC_SET: ev["per_query"]}, model=model, dataset_sha=dataset_sha,
            run_file=pred_path, conventions={**ev["conventions"], **self.conventions}, device=device, split=self.split,
            extra={"n_queries": len(gold), "n_docs": len({c for _, c, _ in questions(path)}),
                   "missing_predictions": int(ev["aggregate"]["missing"]),
                   "language": self.language, "file": self.file, **({"coverage": coverage} if coverage else {})})


def official_mode(metrics: tuple[str, ...]) -> Mode:
    """The single mode of a QA task: the official evaluator's EM/F1, main score F1."""
    return Mode("official", METRIC_SET, "F1", metrics, "the official evaluator (SQuAD v1.1 or CMRC 2018)")


def _fit(reader: Any, train_file: str | Path) -> None:
    """Train a reader on `train_file`; a file it cannot learn from is a one-line error naming it."""
    from benchmarks.qa.readers import load_train
    from engines.readers.base import ReaderError

    try:
        reader.fit(load_train(train_file))
    except ReaderError as exc:
        raise TaskError(f"{train_file}: {exc}") from None
