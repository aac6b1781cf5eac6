"""judge-check: does an LLM judge agree with people on the same answers? (issue 24)

The run file is a judge-check file (benchmarks/judge_check/checkfile.py: the judge's raw replies from
ultrachat-eval bundles next to imported human verdicts), written by `bench judge-check score`; `bench run
judge-check --predictions FILE` (what `bench verify` does) recomputes every statistic from it without a
judge. MODES: `agreement` ranks by judge-human agreement with ties (MT-Bench's setup S2),
`agreement-no-ties` without them (S1), `ratings` by Spearman of single ratings against people's, and
`separability` by the share of judged models a Bradley-Terry fit separates (Arena-Hard).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core import DataError
from benchmarks.judge_check import agreement, bradley_terry, checkfile, ratings
from benchmarks.results import ModelInfo
from benchmarks.tasks.base import Mode, RunOptions, Scores, Task, TaskError, modes_of

MODES = modes_of(
    Mode("agreement", "pairwise", "judge_human_agreement_with_ties",
         ("judge_human_agreement_with_ties", "judge_human_n"),
         "share of (item, annotator) pairs where the judge's verdict (both orders) equals the person's; tie = a class"),
    Mode("agreement-no-ties", "pairwise", "judge_human_agreement_without_ties",
         ("judge_human_agreement_without_ties", "judge_human_n_without_ties"),
         "the same, over pairs where neither the judge nor the person said tie"),
    Mode("ratings", "ratings", "spearman", ("spearman", "n"),
         "Spearman of the judge's 1-10 ratings against the mean human rating of the same answers"),
    Mode("separability", "bradley_terry", "separability", ("separability", "n_players"),
         "share of judged-model pairs whose Bradley-Terry bootstrap CIs do not overlap"),
)


@dataclass(frozen=True)
class JudgeCheckTask(Task):
    def choices(self, options: RunOptions) -> dict[str, object]:
        """Named by the judge (and mode) only, like ultrachat-eval: the check file is the whole input."""
        return {}

    def required_modes(self, mode: Mode, scores: Scores) -> list[Mode]:
        """Only the asked mode: a statistic that is undefined on these items is absent, not 0."""
        return [mode]

    def compute(self, options: RunOptions) -> Scores:
        mode = self.mode(options.mode)
        if options.predictions is None:
            raise TaskError("judge-check scores a judge-check file: give --predictions FILE (written by "
                            "`bench judge-check score`)")
        path = Path(options.predictions)
        try:
            metrics, per, meta = checkfile.score(path)
        except DataError as exc:
            raise TaskError(str(exc)) from None
        got = metrics.get(mode.metric_set, {})
        if mode.main_score not in got:
            why = {"pairwise": "no pairwise item has both a readable judge verdict and a human verdict",
                   "ratings": "no single rating has human ratings, or one side is constant",
                   "bradley_terry": "fewer than two judged models besides the baseline"}[mode.metric_set]
            if mode.name == "agreement-no-ties" and "pairwise" in metrics:
                why = "every (judge, person) pair has a tie on one side"
            raise TaskError(f"{path}: --mode {mode.name}: {mode.main_score} is undefined here ({why})")
        judge = meta.get("judge") or {}
        docs = {"agreement": agreement.__doc__, "bradley_terry": bradley_terry.__doc__, "ratings": ratings.__doc__,
                "verdicts": checkfile.__doc__.split("Verdict rules", 1)[1]}
        return Scores(
            metrics=metrics, per_query=per, dataset_sha=str(meta.get("dataset_sha") or ""),
            # named by the judge and, beyond its text verdicts, the verdict rule (results kept apart)
            model=ModelInfo(name=str(judge.get("model", "judge")) + ("" if meta.get("verdicts", "text") == "text"
                                                                    else f"+{meta['verdicts']}"),
                            params={"verdicts": meta.get("verdicts", "text"), "tie_margin": meta.get("tie_margin", 0.0),
                                    "backend": judge.get("backend")}),
            run_file=path, device="cpu", dataset=str(meta.get("dataset") or self.dataset),
            conventions={k: " ".join(str(v).split()) for k, v in docs.items()},
            extra={"bundles": meta.get("bundles", []), "anchor": meta.get("anchor"),
                   "reference": meta.get("reference", []), "seed": meta.get("seed"), "n_boot": meta.get("n_boot")},
        )


TASK = JudgeCheckTask(
    name="judge-check", kind="generation", dataset="ultrachat", language="en", split="test", modes=MODES,
    description="Agreement of an LLM judge (ultrachat-eval judgments) with human verdicts on the same answers: "
                "MT-Bench agreement with/without ties, kappa, position and length bias, rating correlations, "
                "Bradley-Terry separability.")
