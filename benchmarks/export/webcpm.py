"""`bench export webcpm OUT --source TRACES`: the four WebCPM module datasets as one HF folder."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from builders.webcpm.convert import convert
from builders.webcpm.errors import WebCPMError


def export(out_dir: Path, *, source: Path | None = None) -> Path:
    """HF-loadable folder (configs action/query/fact/synthesis, splits train/dev/test) from a trace file."""
    if source is None:
        raise WebCPMError("webcpm export needs --source TRACES.jsonl (built with `bench build webcpm`)")
    source = Path(source)
    if source.is_dir():                     # a build folder: its traces.jsonl
        source = source / "traces.jsonl"
    if not source.is_file():
        raise WebCPMError(f"--source {source}: trace file not found")
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.work."))
    try:
        convert(Path(source), work / "tasks")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        (work / "tasks" / "hf").rename(out_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out_dir
