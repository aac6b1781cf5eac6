"""Epoch checkpoints for tagger fine-tuning, so a long run resumes where it stopped.

After every epoch: the model (safetensors), the AdamW state (tensors in safetensors, the rest in
JSON: no pickle) and `progress.json` {epochs_done, labels, config} are written to a temp folder that
then replaces the checkpoint folder, so a crash never leaves a half-written checkpoint. A resumed run
skips the finished epochs (each epoch's shuffle and dropout are seeded by seed + epoch, so resuming
gives the same model as an uninterrupted run).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core import atomic_folder


def save(folder: Path, model: Any, tokenizer: Any, optimizer: Any, epochs_done: int, labels: list[str],
         config: dict[str, Any]) -> None:
    from safetensors.torch import save_file

    folder = Path(folder)
    with atomic_folder(folder) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        state = optimizer.state_dict()
        tensors, scalars = {}, {}
        for idx, entry in state["state"].items():
            for key, value in entry.items():
                if hasattr(value, "detach") and value.dim() > 0:
                    tensors[f"{idx}.{key}"] = value.detach().cpu().contiguous()
                else:
                    scalars[f"{idx}.{key}"] = float(value)
        save_file(tensors, str(tmp / "optimizer.safetensors"))
        (tmp / "optimizer.json").write_text(json.dumps({"scalars": scalars, "param_groups": state["param_groups"]}))
        (tmp / "progress.json").write_text(json.dumps({"epochs_done": epochs_done, "labels": labels,
                                                       "config": config}, ensure_ascii=False))


def progress(folder: Path) -> dict[str, Any] | None:
    path = Path(folder) / "progress.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def load_optimizer(folder: Path, optimizer: Any) -> None:
    import torch
    from safetensors.torch import load_file

    tensors = load_file(str(Path(folder) / "optimizer.safetensors"))
    meta = json.loads((Path(folder) / "optimizer.json").read_text())
    state: dict[int, dict[str, Any]] = {}
    for name, value in tensors.items():
        idx, key = name.split(".", 1)
        state.setdefault(int(idx), {})[key] = value
    for name, value in meta["scalars"].items():
        idx, key = name.split(".", 1)
        state.setdefault(int(idx), {})[key] = torch.tensor(value)
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
