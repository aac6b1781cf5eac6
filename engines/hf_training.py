"""Shared machinery of the hf modules: device choice, seeding, a small mixed-precision training loop.

No `Trainer`: one plain loop keeps the three modules' training identical and easy to read; bf16
autocast on CUDA (when supported), fp32 on CPU. Checkpoints load with `trust_remote_code=False`.
"""
from __future__ import annotations

import random
from typing import Any, Iterable

from core import UserError

__all__ = ["set_seed", "train", "batches", "bucketed", "pad", "load_tokenizer", "from_pretrained", "ModelLoadError"]


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


def pad(rows: list[list[int]], value: int):
    """Token id rows right-padded with `value` to the longest, as one tensor."""
    import torch

    width = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (width - len(r)) for r in rows])


def batches(items: list[Any], size: int, *, shuffle: bool = False, seed: int = 0) -> Iterable[list[Any]]:
    order = list(range(len(items)))
    if shuffle:
        random.Random(seed).shuffle(order)
    for i in range(0, len(order), size):
        yield [items[j] for j in order[i:i + size]]


def bucketed(items: list[Any], size: int, length, *, seed: int, pool: int = 8) -> list[list[Any]]:
    """Shuffled batches of similar lengths: shuffle, sort each pool of `pool` batches by `length`, cut, shuffle
    the batches. Less padding (a CPU run pays for every padded token), still a random order each epoch."""
    rng = random.Random(seed)
    order = list(range(len(items)))
    rng.shuffle(order)
    out = []
    for p in range(0, len(order), size * pool):
        chunk = sorted(order[p:p + size * pool], key=lambda i: length(items[i]))
        out += [[items[i] for i in chunk[b:b + size]] for b in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


def train(model, features: list[dict[str, Any]], *, epochs: int, batch_size: int, lr: float, device: str,
          seed: int, collate, length=None) -> dict[str, float]:
    """Fine-tune `model` in place on `features` (dicts collated to tensors by `collate`); returns stats.

    With `length` (feature -> tokens), batches group features of similar length (`bucketed`)."""
    import torch

    model.to(device)
    model.train()
    if not features:
        return {"steps": 0, "loss": float("nan")}
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    use_bf16 = device == "cuda" and torch.cuda.is_bf16_supported()
    steps, last = 0, float("nan")
    for epoch in range(epochs):
        order = bucketed(features, batch_size, length, seed=seed + epoch) if length is not None else \
            batches(features, batch_size, shuffle=True, seed=seed + epoch)
        for batch in order:
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
