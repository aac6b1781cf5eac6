"""ultrachat-eval: a chat model answers UltraChat's 385 curated questions (or any MT-Bench-style file) and an
LLM judge grades it, single-answer 1-10 and, with a baseline, pairwise in both orders.

The machinery lives in benchmarks/judging/; this file only maps `bench run` options onto it and the
results onto a Result. The run file is the judgments bundle, so `bench run ultrachat-eval --predictions
BUNDLE` (what `bench verify` does) recomputes every number from the stored judgments without a judge.
MODES declares mode -> (metric set, main metric): `single` ranks by the mean rating, `pairwise` by
win + tie/2, `pairwise-lc` by the length-controlled win rate.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core import DataError
from benchmarks.artifacts import artifact_stem
from benchmarks.judging import stats
from benchmarks.results import ModelInfo
from benchmarks.tasks.base import Mode, RunOptions, Scores, Task, TaskError, modes_of

MODES = modes_of(
    Mode("single", "single", "score", ("score", "score_ci_low", "score_ci_high", "n_invalid"),
         "mean 1-10 rating of the judge (unparseable judgments count as invalid, not 0)"),
    Mode("pairwise", "pairwise", "score", ("score", "win_rate", "tie_rate", "loss_rate", "consistency"),
         "win + tie/2 against --baseline, both orders; inconsistent verdicts count as ties"),
    Mode("pairwise-lc", "pairwise", "lc_win_rate", ("lc_win_rate", "win_rate", "score", "consistency"),
         "length-controlled win rate against --baseline (logistic fit on length difference)"),
)


@dataclass(frozen=True)
class JudgedChatTask(Task):
    def param_keys(self, options: RunOptions) -> tuple[str, ...] | None:
        """None: `JudgeConfig.from_params` checks the judged tasks' keys (their backends' too)."""
        return None

    def required_modes(self, mode: Mode, scores: Scores) -> list[Mode]:
        """Pairwise sets exist only with a baseline: check the modes whose set this run computed."""
        return [m for m in self.modes.values() if m is mode or m.metric_set in scores.metrics]

    def choices(self, options: RunOptions) -> dict[str, object]:
        """Judged runs are named by model and mode only (their judge, backends and -p settings are kept in
        the bundle), as before: a different judge into the same folder is the user's to keep apart."""
        return {}

    def compute(self, options: RunOptions) -> Scores:
        from benchmarks.judging import bundle as bundles, pipeline

        mode = self.mode(options.mode)
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
                if mode.metric_set == "pairwise" and cfg.baseline is None:     # before any answer is asked
                    raise TaskError(f"--mode {mode.name} compares the model with a baseline: give --baseline "
                                    f"RESULT_BUNDLE_OR_ANSWERS (or --mode single)")
                name = options.model or (pred.name.split(".")[0] if pred else "model")
                out = Path(options.output or "runs")
                # named like the result (`.MODE` beyond the default): a pairwise run keeps the single run's bundle
                suffix = f".{mode.name}" if mode.name != self.default_mode else ""
                b, path, usage = pipeline.run(cfg, out, artifact_stem(self.name, name) + suffix, answers_file=pred)
        except DataError as exc:
            raise TaskError(str(exc)) from None
        metrics, per_query = bundles.score_bundle(b)
        if mode.metric_set not in metrics:
            raise TaskError(f"--mode {mode.name}: no {mode.metric_set} judgments (pairwise modes need --baseline)")
        why = bundles.unreadable(b, min_valid=cfg.min_valid)
        if why:
            raise TaskError(bundles.refusal(path, why))
        warnings = bundles.degenerate(b)
        why = bundles.unreadable(b)          # kept only because -p judge_min_valid said so: said, and not submittable
        if why:
            warnings.insert(0, f"unreadable judge: {why}; scored anyway because -p judge_min_valid="
                               f"{cfg.min_valid:g} (bench submit refuses such a result)")
        model = b.meta.get("model") or {}
        return Scores(
            metrics=metrics, per_query=per_query, dataset_sha=str(b.meta.get("dataset_sha", "")),
            model=ModelInfo(name=str(model.get("model", "model")), params=pipeline.model_params(b.meta)),
            run_file=path, device=options.device or "cpu", dataset=str(b.meta.get("dataset", self.dataset)),
            conventions={"statistics": stats.__doc__.split("Conventions", 1)[1].strip(),
                         "lengths": "characters of all assistant turns of an answer"},
            extra={"judging": {k: b.meta.get(k) for k in ("model", "judge", "baseline", "prompts")},
                   "n_questions": len(b.questions), "question_source": b.meta.get("source"),
                   "usage": usage, "seed": b.meta.get("seed"), "n_boot": b.meta.get("n_boot"),
                   **({"warnings": warnings} if warnings else {})},
        )


TASK = JudgedChatTask(
    name="ultrachat-eval", kind="generation", dataset="ultrachat", language="en", split="test", modes=MODES,
    description="UltraChat's 385 curated questions answered by a chat model and graded by an LLM judge "
                "(1-10; with --baseline also pairwise win/tie/loss in both orders, LC win rate).")
