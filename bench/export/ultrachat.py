"""Exporter `ultrachat`: a built UltraChat set (build/merge output, or any dialogue file) -> the
ultrachat_200k layout as an HF-loadable folder (train_sft / test_sft / train_gen / test_gen)."""
from __future__ import annotations

from pathlib import Path

from core import DataError


def export(out_dir: Path, *, source: Path | None = None) -> Path:
    """Write `source`'s dialogues to `out_dir` in the ultrachat_200k format, lineage columns included."""
    from builders.ultrachat.formats import export_h4_folder, load_dialogues

    if source is None:
        raise DataError("ultrachat export needs --source: a `bench build ultrachat` output folder or a dialogue file")
    return export_h4_folder(load_dialogues(source), out_dir)
