"""`build_from_options`: what `bench build ultrachat` parsed -> config, backends, inputs -> pipeline.build.

The CLI only parses flags and resolves the ultra_eval.json path through the data registry; config
overrides, the entity list, and the assistant / user-simulator backends are wired here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import read_text, require_file
from core.checkpointed import JobError
from engines.llm.cached import release, with_cache
from engines.llm.spec import BackendSpec
from builders.ultrachat.config import UltraChatConfig, load_config
from builders.ultrachat.pipeline import UltraChatBuildReport, build

__all__ = ["UltraChatOptions", "build_from_options", "load_cfg"]


def load_cfg(path: str | Path | None) -> UltraChatConfig:
    """The JSON config (defaults when None); a bad one is a one-line JobError naming file and key."""
    if path is not None:
        require_file(path, "UltraChat config", error=JobError)
    try:
        return load_config(path)
    except (ValueError, UnicodeDecodeError) as exc:
        raise JobError(str(exc)) from None


@dataclass
class UltraChatOptions:
    out: Path
    assistant: BackendSpec
    user: BackendSpec | None = None          # None: the assistant plays the user too
    config: Path | None = None
    seed: int | None = None
    sectors: str | None = None               # "1,2,3"
    materials: Path | None = None
    entities: Path | None = None             # one entity per line
    eval_sets: list[Path] = field(default_factory=list)
    ultra_eval: Path | None = None           # resolved by the caller (bench: the data registry)
    num_shards: int = 1
    shard_index: int = 0
    workers: int = 1
    resume: bool = False
    stage: str = "all"
    show_progress: bool = True
    executor: Any = None                     # a engines.executors.ExecutorSpec (dialogue stage)
    llm_cache: Path | None = None            # request cache folder (None: the shared default)
    use_cache: bool | None = None            # False: --no-llm-cache (None: on unless BENCH_LLM_CACHE=off)


def configure(opts: UltraChatOptions) -> UltraChatConfig:
    cfg = load_cfg(opts.config)
    if opts.seed is not None:
        cfg.seed = opts.seed
    if opts.sectors:
        try:
            cfg.sectors = [int(s) for s in opts.sectors.split(",") if s.strip()]
        except ValueError:
            cfg.sectors = []
        if not cfg.sectors or any(s not in (1, 2, 3) for s in cfg.sectors):
            raise JobError(f"--sectors {opts.sectors!r}: expected a comma list of 1, 2, 3")
    if opts.materials:
        cfg.sector3.materials = str(opts.materials)
    if opts.entities:
        text = read_text(opts.entities, what="entity list", error=JobError)
        cfg.sector1.entities = [e.strip() for e in text.splitlines() if e.strip()]
        if not cfg.sector1.entities:
            raise JobError(f"{opts.entities}: no entities (empty file)")
    cfg.filters.eval_sets += [str(p) for p in opts.eval_sets]
    return cfg


def build_from_options(opts: UltraChatOptions) -> UltraChatBuildReport:
    cfg = configure(opts)
    # every request of both roles goes through the shared request cache (engines.llm.cached)
    assistant = with_cache(opts.assistant.create(), opts.llm_cache, enabled=opts.use_cache)
    user: Any = with_cache(opts.user.create(), opts.llm_cache, enabled=opts.use_cache) \
        if opts.user is not None else assistant
    try:
        return build(opts.out, cfg, assistant, user, resume=opts.resume, num_shards=opts.num_shards,
                     shard_index=opts.shard_index, workers=opts.workers, stage=opts.stage,
                     show_progress=opts.show_progress, ultra_eval=opts.ultra_eval, executor=opts.executor)
    finally:
        release(assistant, user)
