"""Any Hugging Face extractive QA checkpoint as a reader, and the base every HF module of QASnowball shares.

Each `fit(S)` reloads the base checkpoint and fine-tunes it on S (`warm_start=True` continues from the
current weights instead). Batched inference; GPU and bf16 autocast when present. `HFReader(freeze_layers=k)`
trains only the layers above k on cached lower-layer states (engines.readers.hf_split), the CPU budget
setting of the neural-reader experiment; the default k=0 is the plain full fine-tune.
"""
from __future__ import annotations

from typing import Any, Sequence

from engines.devices import pick_device
from engines.hf_training import batches, from_pretrained, load_tokenizer, pad, set_seed, train
from engines.readers.base import Answer

__all__ = ["HFModule", "HFReader", "pad"]


class HFModule:
    auto_class = ""

    def __init__(self, model: str, lang: str, *, seed: int = 0, epochs: int = 2, batch_size: int = 16,
                 lr: float = 5e-5, max_length: int = 384, device: str | None = None, work_dir: str | None = None):
        self.base, self.lang, self.seed = model, lang, seed
        self.epochs, self.batch_size, self.lr, self.max_length = epochs, batch_size, lr, max_length
        self.device = pick_device(device)
        self.work_dir = work_dir
        self.tok = load_tokenizer(model)
        self.model = None
        self.stats: dict[str, Any] = {}
        self.rounds = 0

    def _load(self):
        import transformers

        cls = getattr(transformers, self.auto_class)
        return from_pretrained(cls, self.base).to(self.device).eval()

    def _fit(self, features: list[dict[str, Any]], collate, warm_start: bool, length=None) -> None:
        set_seed(self.seed + self.rounds)
        if self.model is None or not warm_start:
            self.model = self._load()
        self.stats = train(self.model, features, epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                           device=self.device, seed=self.seed + self.rounds, collate=collate, length=length)
        self.stats["features"] = len(features)
        self.rounds += 1
        if self.work_dir:
            path = f"{self.work_dir}/{type(self).__name__}-fit{self.rounds}"
            self.model.save_pretrained(path)
            self.tok.save_pretrained(path)

    def _ensure(self):
        if self.model is None:
            self.model = self._load()
        return self.model

    def params(self) -> dict[str, Any]:
        return {"model": self.base, "class": self.auto_class, "device": self.device, "epochs": self.epochs,
                "lr": self.lr, "fits": self.rounds, "last_fit": self.stats}


class HFReader(HFModule):
    name = "hf-reader"
    auto_class = "AutoModelForQuestionAnswering"

    def __init__(self, model: str, lang: str, *, stride: int = 128, max_answer_tokens: int = 30,
                 freeze_layers: int = 0, lower_cache: Any = None, **kw: Any):
        super().__init__(model, lang, **kw)
        self.stride, self.max_answer_tokens = stride, max_answer_tokens
        self.freeze_layers, self.lower_cache = freeze_layers, lower_cache
        if freeze_layers and lower_cache is None:      # at least fit and answer of this reader share it
            from engines.readers.hf_split import LowerCache

            self.lower_cache = LowerCache()

    def _load(self):
        model = super()._load()
        if not self.freeze_layers:
            return model
        from engines.readers.hf_split import SplitQA

        return SplitQA(model, self.freeze_layers).to(self.device).eval()

    def _lower_rows(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Frozen-layer mode: token rows -> {hidden, attention_mask (+ labels)} with cached lower states."""
        model = self._ensure()
        hidden = model.encode_rows(rows, self.lower_cache, self.base, self.device, self.batch_size * 2,
                                   self.tok.pad_token_id)
        out = []
        for r, h in zip(rows, hidden):
            row = {"hidden": h, "attention_mask": r["attention_mask"]}
            if "start_positions" in r:
                row["start_positions"], row["end_positions"] = r["start_positions"], r["end_positions"]
            out.append(row)
        return out

    def params(self) -> dict[str, Any]:
        out = super().params()
        if self.freeze_layers:
            out["freeze_layers"] = self.freeze_layers
        out["max_length"] = self.max_length
        return out

    def _encode(self, questions: list[str], contexts: list[str]):
        # a question of more than half the window is cut there: the tokenizer cannot slide a window whose
        # context part is not longer than the stride (it panics), and such "questions" are rare run-ons
        limit = self.max_length // 2
        lengths = self.tok(questions, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        questions = [q[:offs[limit - 1][1]] if len(offs) > limit else q for q, offs in zip(questions, lengths)]
        return self.tok(questions, contexts, truncation="only_second", max_length=self.max_length,
                        stride=min(self.stride, self.max_length // 4), return_overflowing_tokens=True,
                        return_offsets_mapping=True)

    def fit(self, examples: Sequence[dict[str, Any]], *, warm_start: bool = False) -> None:
        enc = self._encode([e["question"] for e in examples], [e["context"] for e in examples])
        feats = []
        for i, offsets in enumerate(enc["offset_mapping"]):
            ex = examples[enc["overflow_to_sample_mapping"][i]]
            s_char = ex["answers"]["answer_start"][0]
            e_char = s_char + len(ex["answers"]["text"][0])
            seq = enc.sequence_ids(i)
            start = end = 0
            ctx = [j for j, s in enumerate(seq) if s == 1]
            if ctx and offsets[ctx[0]][0] <= s_char and offsets[ctx[-1]][1] >= e_char:
                start = next(j for j in ctx if offsets[j][1] > s_char)
                end = max(j for j in ctx if offsets[j][0] < e_char)
            row = {"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i],
                   "start_positions": start, "end_positions": end}
            if "token_type_ids" in enc:
                row["token_type_ids"] = enc["token_type_ids"][i]
            feats.append(row)
        if self.freeze_layers:       # load (seeded head) first: the lower states come from the frozen part
            if self.model is None or not warm_start:
                set_seed(self.seed + self.rounds)
                self.model = self._load()
            self._fit(self._lower_rows(feats), self._collate, warm_start=True,
                      length=lambda f: len(f["attention_mask"]))
            return
        self._fit(feats, self._collate, warm_start)

    def _collate(self, batch):
        import torch

        if "hidden" in batch[0]:
            width = max(len(b["hidden"]) for b in batch)
            hidden = torch.zeros(len(batch), width, batch[0]["hidden"].shape[-1])
            for i, b in enumerate(batch):
                hidden[i, :len(b["hidden"])] = b["hidden"]
            out = {"hidden": hidden, "attention_mask": pad([b["attention_mask"] for b in batch], 0)}
            if "start_positions" in batch[0]:
                out["start_positions"] = torch.tensor([b["start_positions"] for b in batch])
                out["end_positions"] = torch.tensor([b["end_positions"] for b in batch])
            return out
        out = {"input_ids": pad([b["input_ids"] for b in batch], self.tok.pad_token_id),
               "attention_mask": pad([b["attention_mask"] for b in batch], 0)}
        if "token_type_ids" in batch[0]:
            out["token_type_ids"] = pad([b["token_type_ids"] for b in batch], 0)
        if "start_positions" in batch[0]:
            out["start_positions"] = torch.tensor([b["start_positions"] for b in batch])
            out["end_positions"] = torch.tensor([b["end_positions"] for b in batch])
        return out

    def answer(self, items: Sequence[tuple[str, str]]) -> list[Answer]:
        import torch

        model = self._ensure()
        best: dict[int, Answer] = {}
        for chunk_start in range(0, len(items), 256):
            chunk = items[chunk_start:chunk_start + 256]
            enc = self._encode([q for _, q in chunk], [c for c, _ in chunk])
            rows = [{"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i],
                     **({"token_type_ids": enc["token_type_ids"][i]} if "token_type_ids" in enc else {})}
                    for i in range(len(enc["input_ids"]))]
            if self.freeze_layers:
                rows = self._lower_rows(rows)
            order = sorted(range(len(rows)), key=lambda i: len(rows[i]["attention_mask"]))   # less padding
            for batch in batches(order, self.batch_size * 2):
                inputs = {k: v.to(self.device) for k, v in self._collate([rows[i] for i in batch]).items()}
                with torch.no_grad(), torch.autocast(device_type="cuda", dtype=torch.bfloat16,
                                                     enabled=self.device == "cuda"):
                    out = model(**inputs)
                sp = torch.softmax(out.start_logits.float(), -1).cpu()
                ep = torch.softmax(out.end_logits.float(), -1).cpu()
                for r, i in enumerate(batch):
                    seq = enc.sequence_ids(i)
                    ctx = [j for j, s in enumerate(seq) if s == 1]
                    if not ctx:
                        continue
                    lo, hi = ctx[0], ctx[-1]
                    s_p, e_p = sp[r, lo:hi + 1], ep[r, lo:hi + 1]
                    scores = s_p[:, None] * e_p[None, :]
                    scores = torch.triu(scores) - torch.triu(scores, diagonal=self.max_answer_tokens)
                    flat = int(torch.argmax(scores))
                    s_tok, e_tok = divmod(flat, scores.shape[1])
                    score = float(scores[s_tok, e_tok])
                    offs = enc["offset_mapping"][i]
                    s_char, e_char = offs[lo + s_tok][0], offs[lo + e_tok][1]
                    sample = chunk_start + enc["overflow_to_sample_mapping"][i]
                    context = items[sample][0]
                    if sample not in best or score > best[sample].score:
                        best[sample] = Answer(s_char, context[s_char:e_char], score)
        return [best.get(i, Answer(0, "", 0.0)) for i in range(len(items))]
