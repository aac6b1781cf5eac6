"""`build`: the one function behind `bench build qasnowball` (and the experiment script)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from builders.qasnowball.backends import make_modules
from builders.qasnowball.loop import Snowball, SnowballConfig
from builders.qasnowball.output import write_outputs

__all__ = ["build"]


def build(config: SnowballConfig, seed: Sequence[dict[str, Any]], docs: Sequence[dict[str, Any]], out_dir: str | Path,
          *, chat: Any = None, progress: bool = True, log: Callable[[str], None] | None = None,
          inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run all rounds (resuming finished ones) and write the outputs; returns the summary."""
    modules = make_modules(config.backend, config.lang, seed=config.seed, chat=chat, **config.backend_options)
    result = Snowball(config, modules, out_dir, progress=progress, log=log).run(seed, docs)
    manifest = {"config": config.to_dict(), "inputs": inputs or {}, "seed_size": len(seed), "docs": len(docs),
                "rounds": [{k: v for k, v in r.items() if k != "models"} for r in result["rounds"]]}
    files = write_outputs(result["generated"], out_dir, manifest=manifest)
    return {"rounds": result["rounds"], "records": len(result["generated"]), "files": files,
            "final_seed_size": result["final_seed_size"]}
