"""An extractive QA model cut in two: frozen lower layers whose outputs are computed once per input window
and cached, and the trainable top layers + span head.

Why: on a 2-core CPU a full fine-tune of even a 6-layer MiniLM costs ~10-40 s per step of 16 x 256 tokens,
too slow for an experiment that trains the same reader dozens of times on overlapping data. With the
embeddings and the lowest k layers frozen, their output for a window never changes, so every run after
the first pays only for the top layers (and no backward pass below them). `freeze_layers=0` (the
default of HFReader) never comes here: that is the plain full fine-tune a GPU user gets.

Works for BERT-like encoders (`base_model.embeddings` + `base_model.encoder.layer`: BERT, RoBERTa,
ELECTRA, MiniLM); `SplitQA.top` reproduces `model(**inputs)` exactly when nothing is trained (tested).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import torch

from engines.readers.base import ReaderError

__all__ = ["SplitQA", "LowerCache", "SpanOutput"]


@dataclass
class SpanOutput:
    loss: Any
    start_logits: Any
    end_logits: Any


class LowerCache:
    """Lower-layer hidden states per (checkpoint, k, window tokens); share one across readers of one base.

    Stored as float32 CPU tensors of shape (tokens, hidden); a window is keyed by its token ids and
    token type ids, so the same question/context window is encoded once however many runs train on it."""

    def __init__(self) -> None:
        self.store: dict[tuple, torch.Tensor] = {}
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self.store)


class SplitQA(torch.nn.Module):
    """`qa_model` (an AutoModelForQuestionAnswering) with embeddings and the lowest `k` layers frozen."""

    def __init__(self, qa_model: Any, k: int) -> None:
        super().__init__()
        base = qa_model.base_model
        layers = getattr(getattr(base, "encoder", None), "layer", None)
        if layers is None or not hasattr(base, "embeddings") or not hasattr(qa_model, "qa_outputs"):
            raise ReaderError(f"freeze_layers needs a BERT-like encoder (embeddings + encoder.layer + qa_outputs); "
                              f"{type(qa_model).__name__} has no such layout")
        if not 0 < k < len(layers):
            raise ReaderError(f"freeze_layers={k}: must be between 1 and {len(layers) - 1} for a "
                              f"{len(layers)}-layer encoder")
        self.qa, self.k = qa_model, k
        for p in base.embeddings.parameters():
            p.requires_grad_(False)
        for layer in layers[:k]:
            for p in layer.parameters():
                p.requires_grad_(False)

    @property
    def _layers(self):
        return self.qa.base_model.encoder.layer

    def _mask(self, hidden: torch.Tensor, attention_mask: torch.Tensor):
        from transformers.masking_utils import create_bidirectional_mask

        return create_bidirectional_mask(config=self.qa.config, inputs_embeds=hidden, attention_mask=attention_mask)

    @torch.no_grad()
    def lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
              token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Output of the frozen part (eval mode: no dropout) for a padded batch."""
        base = self.qa.base_model
        was = base.training
        base.eval()
        h = base.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
        mask = self._mask(h, attention_mask)
        for layer in self._layers[:self.k]:
            h = layer(h, attention_mask=mask)
            h = h[0] if isinstance(h, tuple) else h
        base.train(was)
        return h

    def forward(self, hidden: torch.Tensor, attention_mask: torch.Tensor, start_positions: torch.Tensor | None = None,
                end_positions: torch.Tensor | None = None) -> SpanOutput:
        """Top layers + span head on cached lower states; the loss is BertForQuestionAnswering's."""
        h = hidden
        mask = self._mask(h, attention_mask)
        for layer in self._layers[self.k:]:
            h = layer(h, attention_mask=mask)
            h = h[0] if isinstance(h, tuple) else h
        logits = self.qa.qa_outputs(h)
        start, end = (t.squeeze(-1).contiguous() for t in logits.split(1, dim=-1))
        loss = None
        if start_positions is not None and end_positions is not None:
            ignored = start.size(1)
            ce = torch.nn.CrossEntropyLoss(ignore_index=ignored)
            loss = (ce(start, start_positions.clamp(0, ignored)) + ce(end, end_positions.clamp(0, ignored))) / 2
        return SpanOutput(loss, start, end)

    def encode_rows(self, rows: Sequence[dict[str, Any]], cache: LowerCache | None, key: str, device: str,
                    batch_size: int, pad_id: int) -> list[torch.Tensor]:
        """Lower states for tokenised rows ({input_ids, attention_mask, token_type_ids?}), cached by content."""
        from engines.hf_training import pad

        out: list[torch.Tensor | None] = [None] * len(rows)
        keys = [(key, self.k, tuple(r["input_ids"]), tuple(r.get("token_type_ids") or ())) for r in rows]
        todo = []
        for i, kk in enumerate(keys):
            hit = cache.store.get(kk) if cache is not None else None
            if hit is None:
                todo.append(i)
            else:
                out[i] = hit
        if cache is not None:
            cache.hits += len(rows) - len(todo)
            cache.misses += len(todo)
        todo.sort(key=lambda i: len(rows[i]["input_ids"]))        # similar lengths together: less padding
        for b in range(0, len(todo), batch_size):
            idx = todo[b:b + batch_size]
            batch = [rows[i] for i in idx]
            ids = pad([r["input_ids"] for r in batch], pad_id).to(device)
            mask = pad([r["attention_mask"] for r in batch], 0).to(device)
            tti = pad([r["token_type_ids"] for r in batch], 0).to(device) if "token_type_ids" in batch[0] else None
            h = self.lower(ids, mask, tti).float().cpu()
            for j, i in enumerate(idx):
                out[i] = h[j, :len(rows[i]["input_ids"])].clone()
                if cache is not None:
                    cache.store[keys[i]] = out[i]
        return out  # type: ignore[return-value]


def _save_pretrained(self: SplitQA, path: str) -> None:
    """The whole QA model (frozen part included) as an ordinary checkpoint."""
    self.qa.save_pretrained(path)


SplitQA.save_pretrained = _save_pretrained  # type: ignore[attr-defined]
