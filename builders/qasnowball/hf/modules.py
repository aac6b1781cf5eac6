"""HF answer extractor (BIO token classification) and question generator (seq2seq); the reader is
`engines.readers.hf.HFReader`.

Each `fit(S)` reloads the base checkpoint and fine-tunes it on S (`warm_start=True` continues from the
current weights instead), so every round's modules are trained on that round's seed set. Batched
inference; GPU and bf16 autocast when present.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

from engines.hf_training import batches
from engines.readers.hf import HFModule, pad
from engines.readers.base import Candidate

__all__ = ["HFAnswerExtractor", "HFQuestionGenerator"]


class HFAnswerExtractor(HFModule):
    """BIO tagging of answer-worthy spans over the context alone (labels O=0, B=1, I=2)."""

    name = "hf-extractor"
    auto_class = "AutoModelForTokenClassification"

    def _encode(self, contexts: list[str]):
        return self.tok(contexts, truncation=True, max_length=self.max_length, stride=self.max_length // 4,
                        return_overflowing_tokens=True, return_offsets_mapping=True)

    def fit(self, examples: Sequence[dict[str, Any]], *, warm_start: bool = False) -> None:
        spans: dict[str, set[tuple[int, int]]] = defaultdict(set)
        for ex in examples:
            for t, s in zip(ex["answers"]["text"], ex["answers"]["answer_start"]):
                spans[ex["context"]].add((s, s + len(t)))
        contexts = sorted(spans)
        enc = self._encode(contexts)
        feats = []
        for i, offsets in enumerate(enc["offset_mapping"]):
            ctx_spans = spans[contexts[enc["overflow_to_sample_mapping"][i]]]
            labels = []
            for (a, b) in offsets:
                if a == b:
                    labels.append(-100)
                    continue
                lab = 0
                for s, e in ctx_spans:
                    if s <= a < e:
                        lab = 1 if a == s or (labels and labels[-1] == 0) else 2
                        break
                labels.append(lab)
            feats.append({"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i],
                          "labels": labels})
        self._fit(feats, self._collate, warm_start)

    def _collate(self, batch):
        out = {"input_ids": pad([b["input_ids"] for b in batch], self.tok.pad_token_id),
               "attention_mask": pad([b["attention_mask"] for b in batch], 0)}
        if "labels" in batch[0]:
            out["labels"] = pad([b["labels"] for b in batch], -100)
        return out

    def extract(self, context: str, k: int) -> list[Candidate]:
        import torch

        model = self._ensure()
        enc = self._encode([context])
        found: dict[tuple[int, int], float] = {}
        rows = [{"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i]}
                for i in range(len(enc["input_ids"]))]
        inputs = {k_: v.to(self.device) for k_, v in self._collate(rows).items()}
        with torch.no_grad():
            probs = torch.softmax(model(**inputs).logits.float(), -1).cpu()
        for i, offsets in enumerate(enc["offset_mapping"]):
            tags = probs[i].argmax(-1).tolist()
            j = 0
            while j < len(offsets):
                if offsets[j][0] == offsets[j][1] or tags[j] != 1:
                    j += 1
                    continue
                e = j + 1
                while e < len(offsets) and offsets[e][0] != offsets[e][1] and tags[e] == 2:
                    e += 1
                s_char, e_char = offsets[j][0], offsets[e - 1][1]
                score = float(torch.stack([probs[i, t, tags[t]] for t in range(j, e)]).mean())
                found[(s_char, e_char)] = max(score, found.get((s_char, e_char), 0.0))
                j = e
        chosen: list[Candidate] = []
        for (s, e), score in sorted(found.items(), key=lambda kv: (-kv[1], kv[0])):
            if context[s:e].strip() and not any(s < c.end and c.start < e for c in chosen):
                chosen.append(Candidate(s, e, context[s:e], "SPAN", score))
            if len(chosen) == k:
                break
        return chosen


class HFQuestionGenerator(HFModule):
    """Seq2seq QG with PAQ's input format: `answer: A | title: T | context: ... ** A ** ...`."""

    name = "hf-qg"
    auto_class = "AutoModelForSeq2SeqLM"

    def __init__(self, model: str, lang: str, *, window_chars: int = 400, max_question_tokens: int = 48, **kw: Any):
        super().__init__(model, lang, **kw)
        self.window_chars, self.max_question_tokens = window_chars, max_question_tokens

    def _source(self, context: str, start: int, text: str) -> str:
        lo = max(0, start - self.window_chars // 2)
        hi = min(len(context), start + len(text) + self.window_chars // 2)
        marked = context[lo:start] + " ** " + text + " ** " + context[start + len(text):hi]
        return f"answer: {text} | context: {marked}"

    def fit(self, examples: Sequence[dict[str, Any]], *, warm_start: bool = False) -> None:
        srcs = [self._source(e["context"], e["answers"]["answer_start"][0], e["answers"]["text"][0]) for e in examples]
        enc = self.tok(srcs, truncation=True, max_length=self.max_length)
        tgt = self.tok(text_target=[e["question"] for e in examples], truncation=True,
                       max_length=self.max_question_tokens)
        feats = [{"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i],
                  "labels": tgt["input_ids"][i]} for i in range(len(examples))]
        self._fit(feats, self._collate, warm_start)

    def _collate(self, batch):
        out = {"input_ids": pad([b["input_ids"] for b in batch], self.tok.pad_token_id),
               "attention_mask": pad([b["attention_mask"] for b in batch], 0)}
        if "labels" in batch[0]:
            out["labels"] = pad([b["labels"] for b in batch], -100)
        return out

    def generate(self, context: str, answers: Sequence[Candidate], n: int) -> list[list[tuple[str, float]]]:
        import torch

        model = self._ensure()
        if not answers:
            return []
        srcs = [self._source(context, a.start, a.text) for a in answers]
        out: list[list[tuple[str, float]]] = []
        for batch in batches(srcs, self.batch_size):
            enc = self.tok(batch, truncation=True, max_length=self.max_length, padding=True, return_tensors="pt")
            enc = {k: v.to(self.device) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
            with torch.no_grad():
                gen = model.generate(**enc, num_beams=max(n, 2), num_return_sequences=n, do_sample=False,
                                     max_new_tokens=self.max_question_tokens, output_scores=True,
                                     return_dict_in_generate=True)
            texts = self.tok.batch_decode(gen.sequences, skip_special_tokens=True)
            scores = gen.sequences_scores.float().cpu().tolist() if gen.sequences_scores is not None else [0.0] * len(texts)
            for i in range(len(batch)):
                cand = []
                for q, s in zip(texts[i * n:(i + 1) * n], scores[i * n:(i + 1) * n]):
                    q = q.strip()
                    if self.lang == "zh":
                        q = q.replace(" ", "")
                    cand.append((q, float(s)))
                out.append(cand)
        return out
