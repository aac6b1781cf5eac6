"""`bench export webcpm OUT --source TRACES`: the four WebCPM module datasets as one HF folder."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from core import atomic_folder
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
    with atomic_folder(out_dir) as tmp, tempfile.TemporaryDirectory(dir=tmp.parent,
                                                                    prefix=f".{out_dir.name}.work.") as work:
        convert(Path(source), Path(work) / "tasks")
        os.replace(Path(work) / "tasks" / "hf", tmp)       # onto the empty folder atomic_folder made: no copy
    return out_dir
