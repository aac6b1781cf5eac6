"""webcpm-action: next-action prediction of the WebCPM search model (10 scored actions).

Scored in both protocols every time (`paper` skips undecodable outputs as evaluate.py did,
`strict` counts them wrong); --mode picks the main score's set (default paper).
"""
from __future__ import annotations

from dataclasses import dataclass

from benchmarks.metrics.action_f1 import CONVENTIONS, score_actions
from benchmarks.results import ModelInfo
from benchmarks.tasks.base import Mode, RunOptions, Scores, Task
from benchmarks.tasks.webcpm_common import dataset_sha, load_gold, obtain_predictions, param_keys
from engines.devices import pick_device

METRICS = ("micro_f1", "macro_f1", "undecodable_ratio")


@dataclass(frozen=True)
class WebCPMActionTask(Task):
    def param_keys(self, options: RunOptions) -> tuple[str, ...] | None:
        return param_keys(options)

    def compute(self, options: RunOptions) -> Scores:
        split = options.split or self.split
        gold, gold_path = load_gold("action", options, split)
        preds, pred_path, model, coverage = obtain_predictions("action", options, gold)
        golds = [g.target for g in gold]
        outputs = [preds.get(g.id, "") for g in gold]       # a missing prediction is undecodable
        scores = {m: score_actions(golds, outputs, m) for m in ("paper", "strict")}
        return Scores(
            metrics={m: s.metrics() for m, s in scores.items()},
            per_query={m: {gold[i].id: {"correct": float(ok)} for i, ok in zip(s.kept, s.correct)}
                       for m, s in scores.items()},
            model=ModelInfo(name=model, params=dict(options.params)), dataset_sha=dataset_sha(gold_path),
            run_file=pred_path, split=split,
            conventions={**CONVENTIONS, "missing_prediction": "an instance without prediction is undecodable"},
            device=pick_device(options.device) if options.model else "cpu",
            extra={"gold_file": gold_path.name, "per_label": {m: s.per_label for m, s in scores.items()},
                   **({"coverage": coverage} if coverage else {})},
        )


TASK = WebCPMActionTask(
    name="webcpm-action", kind="classification", dataset="webcpm", language="zh", split="test",
    modes=(Mode("paper", "paper", "micro_f1", METRICS, "evaluate.py's protocol: undecodable outputs skipped"),
           Mode("strict", "strict", "micro_f1", METRICS, "undecodable outputs count as wrong")),
    description="WebCPM action prediction: next browser action from the search-model prompt "
                "(10 scored actions; paper = undecodable skipped, strict = undecodable wrong).",
)
