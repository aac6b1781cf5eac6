"""Shared machinery of the hf modules: device choice, seeding, a small mixed-precision training loop.

No `Trainer`: one plain loop keeps the three modules' training identical and easy to read; bf16
autocast on CUDA (when supported), fp32 on CPU. Checkpoints load with `trust_remote_code=False`.
"""
from __future__ import annotations

import random
from typing import Any, Iterable

from core import UserError

__all__ = ["set_seed", "train", "batches", "load_tokenizer", "from_pretrained", "ModelLoadError"]


def set_seed(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class ModelLoadError(UserError):
    """A checkpoint that cannot be loaded (not on disk, not in the HF cache while offline, wrong kind)."""


def from_pretrained(cls: Any, name: str) -> Any:
    """`cls.from_pretrained(name)` without remote code; a missing/unreadable checkpoint is one line."""
    try:
        return cls.from_pretrained(name, trust_remote_code=False)
    except (OSError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelLoadError(f"qasnowball hf backend: cannot load {name!r} with {cls.__name__}: {first}") from None


def load_tokenizer(name: str):
    from transformers import AutoTokenizer

    tok = from_pretrained(AutoTokenizer, name)
    if not tok.is_fast:
        raise ValueError(f"{name}: a fast tokenizer (offset mapping) is required")
    return tok


def batches(items: list[Any], size: int, *, shuffle: bool = False, seed: int = 0) -> Iterable[list[Any]]:
    order = list(range(len(items)))
    if shuffle:
        random.Random(seed).shuffle(order)
    for i in range(0, len(order), size):
        yield [items[j] for j in order[i:i + size]]


def train(model, features: list[dict[str, Any]], *, epochs: int, batch_size: int, lr: float, device: str,
          seed: int, collate) -> dict[str, float]:
    """Fine-tune `model` in place on `features` (dicts collated to tensors by `collate`); returns stats."""
    import torch

    model.to(device)
    model.train()
    if not features:
        return {"steps": 0, "loss": float("nan")}
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    use_bf16 = device == "cuda" and torch.cuda.is_bf16_supported()
    steps, last = 0, float("nan")
    for epoch in range(epochs):
        for batch in batches(features, batch_size, shuffle=True, seed=seed + epoch):
            inputs = {k: v.to(device) for k, v in collate(batch).items()}
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=use_bf16):
                loss = model(**inputs).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            steps += 1
            last = float(loss.detach().cpu())
    model.eval()
    return {"steps": steps, "loss": last, "bf16": use_bf16}
