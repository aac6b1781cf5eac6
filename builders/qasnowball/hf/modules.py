"""HF answer extractor (BIO token classification), question generator (seq2seq) and extractive reader.

Each `fit(S)` reloads the base checkpoint and fine-tunes it on S (`warm_start=True` continues from the
current weights instead), so every round's modules are trained on that round's seed set. Batched
inference; GPU and bf16 autocast when present.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

from builders.qasnowball.hf.common import batches, from_pretrained, load_tokenizer, pick_device, set_seed, train
from builders.qasnowball.modules import Answer, Candidate

__all__ = ["HFAnswerExtractor", "HFQuestionGenerator", "HFReader"]


class _HFModule:
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

    def _fit(self, features: list[dict[str, Any]], collate, warm_start: bool) -> None:
        set_seed(self.seed + self.rounds)
        if self.model is None or not warm_start:
            self.model = self._load()
        self.stats = train(self.model, features, epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                           device=self.device, seed=self.seed + self.rounds, collate=collate)
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


def _pad(rows: list[list[int]], value: int):
    import torch

    width = max(len(r) for r in rows)
    return torch.tensor([r + [value] * (width - len(r)) for r in rows])


class HFReader(_HFModule):
    name = "hf-reader"
    auto_class = "AutoModelForQuestionAnswering"

    def __init__(self, model: str, lang: str, *, stride: int = 128, max_answer_tokens: int = 30, **kw: Any):
        super().__init__(model, lang, **kw)
        self.stride, self.max_answer_tokens = stride, max_answer_tokens

    def _encode(self, questions: list[str], contexts: list[str]):
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
        self._fit(feats, self._collate, warm_start)

    def _collate(self, batch):
        import torch

        out = {"input_ids": _pad([b["input_ids"] for b in batch], self.tok.pad_token_id),
               "attention_mask": _pad([b["attention_mask"] for b in batch], 0)}
        if "token_type_ids" in batch[0]:
            out["token_type_ids"] = _pad([b["token_type_ids"] for b in batch], 0)
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
            for b0, batch in enumerate(batches(list(range(len(rows))), self.batch_size * 2)):
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


class HFAnswerExtractor(_HFModule):
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
        out = {"input_ids": _pad([b["input_ids"] for b in batch], self.tok.pad_token_id),
               "attention_mask": _pad([b["attention_mask"] for b in batch], 0)}
        if "labels" in batch[0]:
            out["labels"] = _pad([b["labels"] for b in batch], -100)
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


class HFQuestionGenerator(_HFModule):
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
        out = {"input_ids": _pad([b["input_ids"] for b in batch], self.tok.pad_token_id),
               "attention_mask": _pad([b["attention_mask"] for b in batch], 0)}
        if "labels" in batch[0]:
            out["labels"] = _pad([b["labels"] for b in batch], -100)
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
