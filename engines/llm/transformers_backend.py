"""A local Hugging Face causal LM through its own chat template (any hub name or local path; GGUF too).

Why: lets a builder run with no server at all (CPU for tiny models, GPU when present), so tests and
small jobs need nothing but a checkpoint. `gguf_file=` loads a llama.cpp GGUF (needs the `gguf`
package; transformers dequantises it). Remote code is never trusted.
"""
from __future__ import annotations

import threading
from typing import Any

from core.optional import require
from engines.devices import pick_device
from engines.llm.base import BackendError, ChatResponse, Message, Sampling, UsageMeter


class TransformersBackend:
    """`model.generate` over `tokenizer.apply_chat_template(..., add_generation_prompt=True)`."""

    name = "transformers"

    def __init__(self, model: str, *, gguf_file: str | None = None, device: str | None = None,
                 dtype: str | None = None, revision: str | None = None, chat_template: str | None = None,
                 local_files_only: bool | None = None) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - both are core dependencies
            raise BackendError(f"transformers backend needs torch and transformers: {exc}") from exc
        self.model = model
        self.gguf_file = gguf_file
        self.device = pick_device(device)
        self.revision = revision
        self.meter = UsageMeter()
        self._lock = threading.Lock()   # one generate at a time: torch already uses every core
        kw: dict[str, Any] = {"trust_remote_code": False}
        if gguf_file:
            # transformers reads GGUF with `gguf` and loads the dequantised weights through `accelerate`
            for module, spec in (("gguf", "gguf>=0.10"), ("accelerate", "accelerate>=1.0")):
                require(module, spec, "the transformers backend with gguf_file=", error=BackendError)
            kw["gguf_file"] = gguf_file
        if revision:
            kw["revision"] = revision
        if local_files_only is not None:
            kw["local_files_only"] = local_files_only
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model, **kw)
            mkw = dict(kw)
            if dtype:
                mkw["dtype"] = getattr(torch, dtype)
            self.lm = AutoModelForCausalLM.from_pretrained(model, **mkw).to(self.device)
        except (OSError, ValueError) as exc:
            raise BackendError(f"transformers backend: cannot load {model!r}"
                               f"{f' (gguf_file={gguf_file})' if gguf_file else ''}: {exc}") from exc
        self.lm.eval()
        if chat_template:
            self.tokenizer.chat_template = chat_template
        if not getattr(self.tokenizer, "chat_template", None):
            raise BackendError(f"transformers backend: {model!r} has no chat template; pass chat_template=")
        self._torch = torch

    def params(self) -> dict[str, Any]:
        return {"gguf_file": self.gguf_file, "device": self.device, "revision": self.revision}

    def _eos_ids(self) -> set[int]:
        ids: set[int] = set()
        for source in (self.tokenizer.eos_token_id, getattr(self.lm.generation_config, "eos_token_id", None)):
            if isinstance(source, int):
                ids.add(source)
            elif isinstance(source, (list, tuple)):
                ids.update(int(i) for i in source)
        return ids

    def chat(self, messages: list[Message], sampling: Sampling | None = None) -> ChatResponse:
        """Generate one reply; `finish_reason` is "length" when max_tokens cut it, else "stop"."""
        s = sampling or Sampling()
        torch = self._torch
        prompt = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        enc = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(self.device)
        do_sample = s.temperature > 0
        gen_kw: dict[str, Any] = {"max_new_tokens": s.max_tokens, "do_sample": do_sample}
        if do_sample:
            gen_kw.update(temperature=s.temperature, top_p=s.top_p)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        if pad is not None:
            gen_kw["pad_token_id"] = pad
        with self._lock, torch.no_grad():
            if s.seed is not None:
                torch.manual_seed(s.seed)
            out = self.lm.generate(**enc, **gen_kw)
        new = out[0, enc["input_ids"].shape[1]:].tolist()
        eos = self._eos_ids()
        hit_eos = any(t in eos for t in new)
        if hit_eos:
            new = new[: next(i for i, t in enumerate(new) if t in eos)]
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        finish = "stop" if hit_eos or len(new) < s.max_tokens else "length"
        for stop in s.stop or []:
            if stop and stop in text:
                text, finish = text.split(stop, 1)[0], "stop"
        resp = ChatResponse(text=text.strip(), finish_reason=finish, model=self.model,
                            prompt_tokens=int(enc["input_ids"].shape[1]), completion_tokens=len(new))
        self.meter.add_response(resp)
        return resp

    def chat_batch(self, conversations: list[list[Message]],
                   sampling: Sampling | None = None) -> list[ChatResponse]:
        return [self.chat(m, sampling) for m in conversations]
