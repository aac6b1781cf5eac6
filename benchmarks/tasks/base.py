"""Tasks are declarative metadata plus one `compute` step; the base class builds every Result.

Like mteb's TaskMetadata: the name, dataset, language and *modes* are data, so `bench list`, the
leaderboard and the submission checker can describe a task without running it. A mode is one
scoring protocol: the metric set (a key of `Result.metrics`) its main score is read from, the
main metric, and the metrics that set must report. Each task kind has one subclass whose
`compute` returns metric values only; `Task.evaluate` validates `--mode` first, then builds the
Result once (`make_result`): main score from the declared mode, `mode`, `run_format`, run sha, and
the `scoring_params` the checker must re-score with.
"""
from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from core import UserError

if TYPE_CHECKING:
    from benchmarks.results import ModelInfo, Result

TaskKind = Literal["retrieval", "qa", "classification", "generation"]


class TaskError(UserError):
    """A user-facing error: printed by the CLI as one line, never a traceback."""


@dataclass
class RunOptions:
    """Everything `bench run` can pass to a task; each task kind reads what it needs."""

    retriever: str | None = None
    k: int = 100
    output: Path | None = None
    run_file: Path | None = None          # score an external TREC/JSON run
    predictions: Path | None = None       # score an external prediction file (QA, actions)
    model: str | None = None              # HF name or local path (dense, reader, generator)
    split: str | None = None
    mode: str | None = None               # a declared mode of the task (None = its default)
    device: str | None = None             # None = auto (cuda > mps > cpu)
    batch_size: int | None = None
    params: dict[str, Any] = field(default_factory=dict)   # retriever/model params (k1=..., b=...)
    data_dir: Path | None = None          # override the registry's dataset folder
    show_progress: bool = True
    allow_partial: bool = False           # score a run/predictions file that covers too little (benchmarks.coverage)
    variant: str = ""                     # set by the runner: names this run's files apart (benchmarks.artifacts)


@dataclass(frozen=True)
class Mode:
    """One scoring protocol of a task: main score = `Result.metrics[metric_set][main_score]`."""

    name: str
    metric_set: str               # key of Result.metrics / Result.per_query this mode reads
    main_score: str               # the metric ranked on the leaderboard
    metrics: tuple[str, ...]      # what `metric_set` must report (main_score among them)
    description: str = ""

    def __post_init__(self) -> None:
        if self.main_score not in self.metrics:
            raise ValueError(f"mode {self.name}: main score {self.main_score!r} is not among its metrics")


@dataclass
class Scores:
    """What a task's `compute` returns: values only. `Task.make_result` turns it into a Result."""

    metrics: dict[str, dict[str, float]]                      # metric set -> metric -> value
    per_query: dict[str, dict[str, dict[str, float]]]         # metric set -> query id -> metric -> value
    model: "ModelInfo"
    dataset_sha: str
    run_file: Path | None = None          # the run/predictions file scored or written (hashed here)
    conventions: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    device: str = "cpu"
    split: str | None = None              # None = options.split or the task's split
    dataset: str | None = None            # None = the task's dataset (e.g. "custom:FILE" for a user's own file)


def modes_of(*modes: Mode) -> Mapping[str, Mode]:
    """A read-only {name: Mode} in declaration order (a task's `modes` field)."""
    return MappingProxyType({m.name: m for m in modes})


@dataclass(frozen=True)
class Task:
    name: str
    kind: TaskKind
    dataset: str                 # registry name in benchmarks.data
    language: str                # ISO 639-1 ("en", "zh")
    split: str
    description: str
    modes: Mapping[str, Mode] = field(default_factory=dict, hash=False, compare=False)
    default_mode: str = ""       # "" = the first declared mode
    scoring_params: tuple[str, ...] = ()   # --param keys that change how a given run is scored (recorded)
    version: str = "1"           # bump when data or protocol changes results

    def __post_init__(self) -> None:
        modes = self.modes
        if isinstance(modes, Sequence):
            modes = modes_of(*modes)
        if not modes:
            raise ValueError(f"task {self.name}: declares no mode")
        if any(key != m.name for key, m in modes.items()):
            raise ValueError(f"task {self.name}: a mode's key differs from its name")
        object.__setattr__(self, "modes", MappingProxyType(dict(modes)))
        default = self.default_mode or next(iter(modes))
        if default not in modes:
            raise ValueError(f"task {self.name}: default mode {default!r} is not declared")
        object.__setattr__(self, "default_mode", default)

    # --- declared metadata, readable without running ------------------------------------------
    @property
    def main_score(self) -> str:
        """The default mode's main metric (what `bench list` shows)."""
        return self.modes[self.default_mode].main_score

    @property
    def metrics(self) -> tuple[str, ...]:
        """Every metric any mode declares, in declaration order."""
        return tuple(dict.fromkeys(m for mode in self.modes.values() for m in mode.metrics))

    @property
    def run_format(self) -> str:
        """How a result is re-scored: `--run` (trec) for retrieval, `--predictions` otherwise."""
        return "trec" if self.kind == "retrieval" else "predictions"

    def mode(self, name: str | None) -> Mode:
        """The declared mode `name` (None = default); an unknown name is a one-line TaskError."""
        if name is None:
            return self.modes[self.default_mode]
        if name not in self.modes:
            raise TaskError(f"task {self.name}: unknown --mode {name!r}; valid modes: {', '.join(self.modes)}")
        return self.modes[name]

    # --- running ------------------------------------------------------------------------------
    def choices(self, options: RunOptions) -> dict[str, Any]:
        """What the user chose beyond the task and the model name: it names the run's files apart
        (benchmarks.artifacts), so another `-p`, `--k`, `--split`, retriever `--model` or scored file never
        overwrites an earlier result. Read before `compute`, which may consume params."""
        out: dict[str, Any] = {}
        if options.params:
            out["params"] = dict(options.params)
        if self.kind == "retrieval" and options.k != RunOptions.k:
            out["k"] = options.k
        if options.split not in (None, self.split):
            out["split"] = options.split
        if self.kind == "retrieval" and options.model is not None:
            out["model"] = options.model          # the retriever's name is the model name; --model is a parameter
        scored = options.run_file if options.run_file is not None else options.predictions
        if scored is not None:
            out["file"] = Path(scored).name
        return out

    def compute(self, options: RunOptions) -> Scores:
        """Run (or score a given file) and return every mode's metric set."""
        raise NotImplementedError(f"task {self.name} has no runner")

    def param_keys(self, options: RunOptions) -> tuple[str, ...] | None:
        """The `--param` keys this run reads; None when whoever reads them checks them itself (a retriever's
        or a chat backend's constructor). `evaluate` refuses any other key: ignored, it would change nothing
        and the run would be scored with the default in its place, without a word."""
        return self.scoring_params

    def evaluate(self, options: RunOptions) -> "Result":
        """Validate the mode and the params, compute, and build the Result (the only place a Result is built)."""
        from core.options import check_keys

        mode = self.mode(options.mode)
        accepted = self.param_keys(options)
        if accepted is not None:
            how = "scoring a file" if options.run_file or options.predictions else \
                f"model {options.model}" if options.model else "this run"
            check_keys(options.params, accepted, flag="--param", what=f"task {self.name} ({how})", error=TaskError)
        scoring = {k: options.params[k] for k in self.scoring_params if k in options.params}
        start = time.perf_counter()
        scores = self.compute(options)
        return self.make_result(options, scores, mode, wall_time_s=time.perf_counter() - start,
                                scoring_params=scoring)

    def required_modes(self, mode: Mode, scores: Scores) -> list[Mode]:
        """The modes whose metrics `scores` must hold: all of them, unless a task can only compute some."""
        return list(self.modes.values())

    def make_result(self, options: RunOptions, scores: Scores, mode: Mode, *, wall_time_s: float | None = None,
                    scoring_params: dict[str, Any] | None = None) -> "Result":
        """The Result of `scores` under `mode`; a mode whose metrics were not computed is our bug."""
        from core import sha256_file
        from benchmarks.results import Result, machine_info

        for declared in self.required_modes(mode, scores):
            got = scores.metrics.get(declared.metric_set, {})
            missing = [m for m in declared.metrics if m not in got]
            if missing:
                raise RuntimeError(f"task {self.name}: mode {declared.name} declares {', '.join(missing)} "
                                   f"in set {declared.metric_set!r} but compute() did not report it")
        run_file = Path(scores.run_file) if scores.run_file is not None else None
        from benchmarks.provenance import local_name, scrub_paths  # no local path in a result
        model = type(scores.model)(name=local_name(scores.model.name), revision=scores.model.revision,
                                   params=scrub_paths(dict(scores.model.params)))
        return Result(
            task=self.name, task_version=self.version, dataset=scores.dataset or self.dataset, dataset_sha=scores.dataset_sha,
            split=scores.split or options.split or self.split, model=model, metrics=scores.metrics,
            main_score={"metric": mode.main_score, "set": mode.metric_set,
                        "value": scores.metrics[mode.metric_set][mode.main_score]},
            per_query=scores.per_query, conventions=scores.conventions,
            run_file=str(run_file) if run_file else None,
            run_sha256=sha256_file(run_file) if run_file and run_file.is_file() else None,
            wall_time_s=round(wall_time_s, 3) if wall_time_s is not None else None,
            machine=machine_info(scores.device), extra=scores.extra,
            run_format=self.run_format, mode=mode.name, scoring_params=dict(scoring_params or {}),
        )
