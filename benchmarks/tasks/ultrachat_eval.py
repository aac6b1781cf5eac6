"""ultrachat-eval: a chat model answers UltraChat's 385 curated questions (or any MT-Bench-style file) and an
LLM judge grades it, single-answer 1-10 and, with a baseline, pairwise in both orders.

The machinery lives in benchmarks/judging/; this file only maps `bench run` options onto it and the
results onto a Result. The run file is the judgments bundle, so `bench run ultrachat-eval --predictions
BUNDLE` (what `bench verify` does) recomputes every number from the stored judgments without a judge.
MODES is the declarative mode -> (metric set, main metric) table; the main score follows `--mode`.
`pairwise` ranks by win + tie/2; `pairwise-lc` by the length-controlled win rate, which today's submission
checks refuse (they expect one main metric per task, `score`) until tasks declare main metrics per mode.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from annotation.floor import DataError, sha256_file
from benchmarks.judging import stats
from benchmarks.results import ModelInfo, Result, machine_info
from benchmarks.tasks.base import RunOptions, Task, TaskError

MODES: dict[str, tuple[str, str]] = {"single": ("single", "score"), "pairwise": ("pairwise", "score"),
                                     "pairwise-lc": ("pairwise", "lc_win_rate")}


@dataclass(frozen=True)
class JudgedChatTask(Task):
    def evaluate(self, options: RunOptions) -> Result:
        from benchmarks.judging import bundle as bundles, pipeline  # noqa: PLC0415
        from benchmarks.runner import artifact_stem  # noqa: PLC0415

        t0 = time.time()
        mode = options.mode or "single"
        if mode not in MODES:
            raise TaskError(f"--mode {mode!r}: {self.name} knows {' | '.join(MODES)}")
        try:
            cfg = pipeline.JudgeConfig.from_params(dict(options.params), options.model, options.device,
                                                   options.batch_size)
            pred = Path(options.predictions) if options.predictions else None
            if pred is not None and bundles.is_bundle(pred):          # re-score stored judgments (verify)
                b, path, usage = bundles.read_bundle(pred), pred, {}
                problems = bundles.recheck(b, label=str(pred)) + pipeline.check_registry_questions(b)
                if problems:
                    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
                    raise TaskError(f"{problems[0]}{more}")
            else:
                name = options.model or (pred.name.split(".")[0] if pred else "model")
                out = Path(options.output or "runs")
                b, path, usage = pipeline.run(cfg, out, artifact_stem(self.name, name), answers_file=pred)
        except DataError as exc:
            raise TaskError(str(exc)) from None
        metrics, per_query = bundles.score_bundle(b)
        set_name, metric = MODES[mode]
        if set_name not in metrics:
            raise TaskError(f"--mode {mode}: no {set_name} judgments (pairwise modes need --baseline)")
        model = b.meta.get("model") or {}
        return Result(
            task=self.name, task_version=self.version, dataset=str(b.meta.get("dataset", self.dataset)),
            dataset_sha=str(b.meta.get("dataset_sha", "")), split=self.split,
            model=ModelInfo(name=str(model.get("model", "model")), params=pipeline.model_params(b.meta)),
            metrics=metrics, main_score={"metric": metric, "set": set_name, "value": metrics[set_name][metric]},
            per_query=per_query, conventions={"statistics": stats.__doc__.split("Conventions", 1)[1].strip(),
                                              "lengths": "characters of all assistant turns of an answer"},
            run_file=str(path), run_sha256=sha256_file(path), wall_time_s=round(time.time() - t0, 3),
            machine=machine_info(options.device or "cpu"), run_format="predictions",
            extra={"mode": mode, "judging": {k: b.meta.get(k) for k in ("model", "judge", "baseline", "prompts")}, "n_questions": len(b.questions), "question_source": b.meta.get("source"),
                   "usage": usage, "seed": b.meta.get("seed"), "n_boot": b.meta.get("n_boot")},
        )


TASK = JudgedChatTask(
    name="ultrachat-eval", kind="generation", dataset="ultrachat", language="en", split="test",
    metrics=("score",), main_score="score",
    description="UltraChat's 385 curated questions answered by a chat model and graded by an LLM judge "
                "(1-10; with --baseline also pairwise win/tie/loss in both orders, LC win rate).")
