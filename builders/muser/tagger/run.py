"""One call for the CLI: prepare the sentence data, train a tagger, score it on the held-out split."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from core import atomic_write_json
from builders.muser.tagger.data import prepare
from builders.muser.tagger.metrics import multilabel_prf


def train_and_evaluate(data: str | Path, *, model: str = "linear", out_dir: str | Path | None = None,
                       seed: int = 13, test_fraction: float = 0.2, limit: int | None = None,
                       epochs: int = 3, batch_size: int = 32, lr: float = 3e-5, max_length: int = 128,
                       device: str | None = None, threads: int | None = None,
                       show_progress: bool = True) -> dict[str, Any]:
    """`model="linear"` is the CPU baseline; anything else is an HF checkpoint name or path."""
    start = time.time()
    prepared = prepare(data, test_fraction=test_fraction, seed=seed, limit=limit)
    texts = [e.sentence for e in prepared.test]
    if model == "linear":
        from builders.muser.tagger.linear import LinearTagger

        tagger: Any = LinearTagger().fit(prepared.train)
        params = tagger.params()
    else:
        from builders.muser.tagger.hf import HFTagger, HFTaggerConfig
        from engines.devices import pick_device

        cfg = HFTaggerConfig(model=model, epochs=epochs, batch_size=batch_size, lr=lr, max_length=max_length,
                             seed=seed, device=pick_device(device), threads=threads)
        ckpt = Path(out_dir) / "checkpoint" if out_dir is not None else None
        tagger = HFTagger.train(cfg, prepared.train, show_progress=show_progress, checkpoint_dir=ckpt)
        params = cfg.params()
    scores = multilabel_prf([e.labels for e in prepared.test], tagger.predict(texts))
    report = {"data": str(data), "seed": seed, "test_fraction": test_fraction, "split": prepared.stats,
              "model": params, "metrics": scores, "wall_time_s": round(time.time() - start, 2)}
    if out_dir is not None:
        out = Path(out_dir)
        tagger.save(out)
        atomic_write_json(out / "report.json", report)
    return report
