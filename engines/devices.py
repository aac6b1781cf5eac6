"""Which torch device a model runs on, chosen one way everywhere: cuda > mps > cpu unless the user names one.

torch is imported only when a device is actually chosen, so importing this module costs nothing.
"""
from __future__ import annotations

__all__ = ["pick_device"]


def pick_device(device: str | None = None, *, error: type[Exception] | None = None) -> str:
    """`device` as given, or the best one present when it is None, "" or "auto".

    With `error`, a CUDA device asked for on a machine where torch sees none raises `error` with one line
    (instead of a stack trace from deep inside torch at the first tensor)."""
    import torch

    if device in (None, "", "auto"):
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    if error is not None and device.startswith("cuda") and not torch.cuda.is_available():
        raise error(f"device {device!r} requested but torch sees no CUDA GPU (torch {torch.__version__})")
    return device
