"""webcpm-action: next-action prediction of the WebCPM search model (10 scored actions).

Scored in both protocols every time (`paper` skips undecodable outputs as evaluate.py did,
`strict` counts them wrong); --mode picks the main score's set (default paper).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from benchmarks.metrics.action_f1 import CONVENTIONS, score_actions
from benchmarks.results import ModelInfo, Result, machine_info
from benchmarks.tasks.base import RunOptions, Task, TaskError
from benchmarks.tasks.webcpm_common import dataset_sha, load_gold, obtain_predictions, pick_device


@dataclass(frozen=True)
class WebCPMActionTask(Task):
    def evaluate(self, options: RunOptions) -> Result:
        t0 = time.time()
        mode = options.mode or "paper"
        if mode not in ("paper", "strict"):
            raise TaskError(f"--mode {mode!r}: webcpm-action knows paper | strict")
        split = options.split or self.split
        gold, gold_path = load_gold("action", options, split)
        preds, pred_path, model = obtain_predictions("action", options, gold)
        golds = [g.target for g in gold]
        outputs = [preds.get(g.id, "") for g in gold]       # a missing prediction is undecodable
        scores = {m: score_actions(golds, outputs, m) for m in ("paper", "strict")}
        per_query = {m: {gold[i].id: {"correct": float(ok)} for i, ok in zip(s.kept, s.correct)}
                     for m, s in scores.items()}
        from annotation.floor import sha256_file  # noqa: PLC0415

        return Result(
            task=self.name, task_version=self.version, dataset=self.dataset, dataset_sha=dataset_sha(gold_path),
            split=split, model=ModelInfo(name=model, params=dict(options.params)),
            metrics={m: s.metrics() for m, s in scores.items()},
            main_score={"metric": "micro_f1", "set": mode, "value": scores[mode].micro_f1},
            per_query=per_query,
            conventions={**CONVENTIONS, "missing_prediction": "an instance without prediction is undecodable"},
            run_file=str(pred_path) if pred_path else None,
            run_sha256=sha256_file(pred_path) if pred_path else None, wall_time_s=round(time.time() - t0, 3),
            machine=machine_info(pick_device(options.device) if options.model else "cpu"),
            extra={"gold_file": str(gold_path),
                   "per_label": {m: s.per_label for m, s in scores.items()}},
        )


TASK = WebCPMActionTask(
    name="webcpm-action", kind="classification", dataset="webcpm", language="zh", split="test",
    metrics=("micro_f1", "macro_f1", "undecodable_ratio"), main_score="micro_f1",
    description="WebCPM action prediction: next browser action from the search-model prompt "
                "(10 scored actions; paper = undecodable skipped, strict = undecodable wrong).",
)
