"""Fine-tune any Hugging Face encoder checkpoint (name or local path) as a multi-label tagger.

GPU when present (cuda > mps > cpu unless `device` is given). Labels are a multi-hot vector with
BCE loss (`problem_type="multi_label_classification"`); a label is predicted at sigmoid > 0.5 and a
sentence with none gets its best label. Checkpoints are saved as safetensors; no
`trust_remote_code`. Tested offline with a tiny random-init BERT built in the test.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from builders.muser.tagger.data import Example, TaggerDataError
from engines.devices import pick_device


@dataclass
class HFTaggerConfig:
    model: str                      # HF hub name or local folder
    epochs: int = 3
    batch_size: int = 32
    lr: float = 3e-5
    max_length: int = 128
    seed: int = 13
    device: str | None = None
    threads: int | None = None      # CPU threads for torch (1 avoids thread thrashing on a busy machine)

    def params(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


class HFTagger:
    def __init__(self, model: Any, tokenizer: Any, labels: list[str], device: str, max_length: int) -> None:
        self.model, self.tokenizer, self.labels = model, tokenizer, labels
        self.device, self.max_length = device, max_length

    @classmethod
    def train(cls, config: HFTaggerConfig, examples: Sequence[Example], *, show_progress: bool = True,
              losses: list[float] | None = None, checkpoint_dir: str | Path | None = None) -> "HFTagger":
        """Fine-tune; with `checkpoint_dir`, save after each epoch and resume from the last one saved."""
        import torch
        from rich.progress import Progress
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from builders.muser.tagger import checkpoint

        if config.threads:
            torch.set_num_threads(config.threads)
        device = pick_device(config.device)
        labels = sorted({x for e in examples for x in e.labels})
        index = {x: i for i, x in enumerate(labels)}
        done = checkpoint.progress(Path(checkpoint_dir)) if checkpoint_dir else None
        if done is not None and done["labels"] != labels:
            raise TaggerDataError(f"{checkpoint_dir}: checkpoint was trained on other labels; use a new --out")
        start_epoch = done["epochs_done"] if done else 0
        source = str(checkpoint_dir) if done else config.model
        torch.manual_seed(config.seed)
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForSequenceClassification.from_pretrained(
            source, num_labels=len(labels), problem_type="multi_label_classification",
            id2label=dict(enumerate(labels)), label2id=index).to(device)
        opt = torch.optim.AdamW(model.parameters(), lr=config.lr)
        if done:
            checkpoint.load_optimizer(Path(checkpoint_dir), opt)
        per_epoch = (len(examples) + config.batch_size - 1) // config.batch_size
        model.train()
        with Progress(disable=not show_progress, transient=True) as bar:
            task = bar.add_task("fine-tuning tagger", total=config.epochs * per_epoch, completed=start_epoch * per_epoch)
            for epoch in range(start_epoch, config.epochs):
                order = list(range(len(examples)))
                random.Random(config.seed + epoch).shuffle(order)
                torch.manual_seed(config.seed + epoch)
                for start in range(0, len(order), config.batch_size):
                    batch = [examples[i] for i in order[start:start + config.batch_size]]
                    enc = tokenizer([e.sentence for e in batch], truncation=True, max_length=config.max_length,
                                    padding=True, return_tensors="pt").to(device)
                    y = torch.zeros(len(batch), len(labels), device=device)
                    for r, e in enumerate(batch):
                        for x in e.labels:
                            y[r, index[x]] = 1.0
                    out = model(**enc, labels=y)
                    out.loss.backward()
                    opt.step()
                    opt.zero_grad()
                    if losses is not None:
                        losses.append(float(out.loss.detach()))
                    bar.advance(task)
                if checkpoint_dir:
                    checkpoint.save(Path(checkpoint_dir), model, tokenizer, opt, epoch + 1, labels, config.params())
        model.eval()
        return cls(model, tokenizer, labels, device, config.max_length)

    def predict(self, texts: Sequence[str], batch_size: int = 64) -> list[list[str]]:
        import torch

        out: list[list[str]] = []
        with torch.no_grad():
            for start in range(0, len(texts), batch_size):
                enc = self.tokenizer(list(texts[start:start + batch_size]), truncation=True,
                                     max_length=self.max_length, padding=True, return_tensors="pt").to(self.device)
                probs = torch.sigmoid(self.model(**enc).logits).cpu()
                for row in probs:
                    idx = (row > 0.5).nonzero().flatten().tolist() or [int(row.argmax())]
                    out.append([self.labels[i] for i in idx])
        return out

    def save(self, folder: str | Path) -> Path:
        folder = Path(folder)
        self.model.save_pretrained(folder, safe_serialization=True)
        self.tokenizer.save_pretrained(folder)
        (folder / "tagger.json").write_text(json.dumps({"labels": self.labels, "max_length": self.max_length},
                                                       ensure_ascii=False), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path, device: str | None = None) -> "HFTagger":
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        folder = Path(folder)
        meta = json.loads((folder / "tagger.json").read_text(encoding="utf-8"))
        dev = pick_device(device)
        model = AutoModelForSequenceClassification.from_pretrained(folder).to(dev).eval()
        return cls(model, AutoTokenizer.from_pretrained(folder), meta["labels"], dev, meta["max_length"])
