"""vLLM offline batched generation: the fast path on a GPU box (one `LLM.chat` call per batch).

Imported only when asked for: vLLM is not a dependency and needs a CUDA GPU, so constructing this
backend anywhere else raises a one-line BackendError instead of an ImportError traceback.
"""
from __future__ import annotations

from typing import Any

from annotation.floor.optional import missing
from builders.llm.base import BackendError, ChatResponse, Message, Sampling, UsageMeter


def vllm_available() -> tuple[bool, str]:
    """(usable, why not) - vLLM importable and a CUDA device visible."""
    try:
        import torch
    except ImportError:  # pragma: no cover
        return False, "torch is not installed"
    if not torch.cuda.is_available():
        return False, "no CUDA GPU visible"
    why = missing("vllm", "vllm", "the vllm backend")
    return (False, why) if why else (True, "")


class VLLMBackend:
    """Wraps `vllm.LLM`; `chat_batch` sends all conversations at once so vLLM batches them."""

    name = "vllm"

    def __init__(self, model: str, *, tensor_parallel_size: int = 1, max_model_len: int | None = None,
                 gpu_memory_utilization: float = 0.9, dtype: str = "auto", seed: int = 0,
                 **engine_kw: Any) -> None:
        ok, why = vllm_available()
        if not ok:
            raise BackendError(f"vllm backend unavailable: {why}")
        from vllm import LLM

        self.model = model
        self.meter = UsageMeter()
        self._params = {"tensor_parallel_size": tensor_parallel_size, "max_model_len": max_model_len,
                        "gpu_memory_utilization": gpu_memory_utilization, "dtype": dtype, "seed": seed}
        kw = {k: v for k, v in self._params.items() if v is not None}
        self.llm = LLM(model=model, trust_remote_code=False, **kw, **engine_kw)

    def params(self) -> dict[str, Any]:
        return dict(self._params)

    @staticmethod
    def _sampling(s: Sampling) -> Any:
        from vllm import SamplingParams

        return SamplingParams(temperature=s.temperature, top_p=s.top_p, max_tokens=s.max_tokens,
                              seed=s.seed, stop=s.stop)

    def chat_batch(self, conversations: list[list[Message]],
                   sampling: Sampling | None = None) -> list[ChatResponse]:
        if not conversations:
            return []
        outs = self.llm.chat(conversations, self._sampling(sampling or Sampling()), use_tqdm=False)
        result = []
        for out in outs:
            comp = out.outputs[0]
            resp = ChatResponse(text=comp.text, finish_reason=comp.finish_reason, model=self.model,
                                prompt_tokens=len(out.prompt_token_ids or []),
                                completion_tokens=len(comp.token_ids))
            self.meter.add_response(resp)
            result.append(resp)
        return result

    def chat(self, messages: list[Message], sampling: Sampling | None = None) -> ChatResponse:
        return self.chat_batch([messages], sampling)[0]
