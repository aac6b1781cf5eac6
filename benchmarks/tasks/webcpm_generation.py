"""webcpm-query, webcpm-fact, webcpm-synthesis: ROUGE-L on jieba-segmented text.

Both ROUGE-L protocols are reported (`paper` = the rouge 1.0.1 package's semantics that
evaluate.py used, `standard` = LCS F1); --mode paper|strict picks the main set (mode strict
reads set `standard`). Synthesis also reports novelty and length. Gold comes from a folder built by
`bench build webcpm-tasks` (--data-dir); a missing prediction scores 0.
"""
from __future__ import annotations

from dataclasses import dataclass

from benchmarks.metrics import novelty as nov
from benchmarks.metrics.rouge import CONVENTIONS, rouge_l
from benchmarks.results import ModelInfo
from benchmarks.tasks.base import Mode, RunOptions, Scores, Task, TaskError
from benchmarks.tasks.webcpm_common import dataset_sha, load_gold, obtain_predictions, param_keys
from engines.devices import pick_device


@dataclass(frozen=True)
class WebCPMGenerationTask(Task):
    module: str = "query"

    def param_keys(self, options: RunOptions) -> tuple[str, ...] | None:
        return param_keys(options)

    def compute(self, options: RunOptions) -> Scores:
        split = options.split or self.split
        gold, gold_path = load_gold(self.module, options, split)
        if not gold:
            raise TaskError(f"{gold_path}: no {self.module} instances in split {split!r}")
        preds, pred_path, model, coverage = obtain_predictions(self.module, options, gold)
        per: dict[str, dict[str, dict[str, float]]] = {"paper": {}, "standard": {}}
        for g in gold:
            p = preds.get(g.id, "")
            for protocol in ("paper", "standard"):
                row = {"rouge_l": rouge_l(p, g.target, protocol=protocol) if g.target else 0.0}
                if self.module == "synthesis":
                    row["novelty"] = nov.novelty(g.source, p)
                    row["length"] = float(len(p))
                per[protocol][g.id] = row
        metrics = {s: {k: sum(r[k] for r in rows.values()) / len(rows) for k in next(iter(rows.values()))}
                   for s, rows in per.items()}
        for s in metrics:
            metrics[s]["n"] = float(len(gold))
            metrics[s]["missing_predictions"] = float(sum(g.id not in preds for g in gold))
        conventions = {**CONVENTIONS, "missing_prediction": "scores 0 (empty prediction)"}
        if self.module == "synthesis":
            conventions.update(nov.CONVENTIONS)
        return Scores(metrics=metrics, per_query=per, model=ModelInfo(name=model, params=dict(options.params)),
                      dataset_sha=dataset_sha(gold_path), run_file=pred_path, split=split, conventions=conventions,
                      device=pick_device(options.device) if options.model else "cpu",
                      extra={"gold_file": getattr(gold_path, "name", str(gold_path)),
                             **({"coverage": coverage} if coverage else {})})


def _task(module: str, what: str) -> WebCPMGenerationTask:
    metrics = ("rouge_l",) + (("novelty", "length") if module == "synthesis" else ())
    return WebCPMGenerationTask(
        name=f"webcpm-{module}", kind="generation", dataset="webcpm", language="zh", split="test",
        modes=(Mode("paper", "paper", "rouge_l", metrics, "ROUGE-L as the rouge 1.0.1 package computes it"),
               Mode("strict", "standard", "rouge_l", metrics, "ROUGE-L as the LCS F1 of its definition")),
        description=f"WebCPM {what}; ROUGE-L on jieba tokens (gold: a `bench build webcpm-tasks` folder).",
        module=module)


QUERY = _task("query", "search-query generation")
FACT = _task("fact", "supporting-fact extraction (full quote text)")
SYNTHESIS = _task("synthesis", "answer synthesis from facts (+ novelty, length)")
