"""vLLM offline batched generation: the fast path on a GPU box (one `LLM.chat` call per batch).

Imported only when asked for: vLLM is not a dependency and needs a CUDA GPU, so constructing this
backend anywhere else raises a one-line BackendError instead of an ImportError traceback.
"""
from __future__ import annotations

from typing import Any

from core.optional import missing
from engines.llm.base import BackendError, ChatResponse, Message, Sampling, UsageMeter


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


def visible_gpus() -> int:
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def _positive(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BackendError(f"vllm: {name} must be an integer >= 1, got {value!r}")
    return value


def _sampling_kw(s: Sampling) -> dict[str, Any]:
    """SamplingParams keywords as plain data (they cross to the data-parallel rank processes)."""
    return {"temperature": s.temperature, "top_p": s.top_p, "max_tokens": s.max_tokens, "seed": s.seed,
            "stop": s.stop}


class VLLMBackend:
    """Wraps `vllm.LLM`; `chat_batch` sends all conversations at once so vLLM batches them."""

    name = "vllm"

    def __init__(self, model: str, *, tensor_parallel_size: int = 1, data_parallel_size: int = 1,
                 max_model_len: int | None = None, gpu_memory_utilization: float = 0.9, dtype: str = "auto",
                 seed: int = 0, **engine_kw: Any) -> None:
        """`data_parallel_size` N > 1: N engine replicas of `tensor_parallel_size` GPUs each, one process per
        replica as vLLM documents for offline data parallelism (engines.llm.vllm_dp); needs N x TP GPUs."""
        dp, tp = _positive(data_parallel_size, "data_parallel_size"), _positive(tensor_parallel_size,
                                                                                 "tensor_parallel_size")
        ok, why = vllm_available()
        if not ok:
            raise BackendError(f"vllm backend unavailable: {why}")
        if dp > 1 and dp * tp > visible_gpus():
            raise BackendError(f"vllm: data_parallel_size {dp} x tensor_parallel_size {tp} needs {dp * tp} GPUs, "
                               f"torch sees {visible_gpus()}")
        self.model = model
        self.meter = UsageMeter()
        self._params = {"tensor_parallel_size": tp, "data_parallel_size": dp, "max_model_len": max_model_len,
                        "gpu_memory_utilization": gpu_memory_utilization, "dtype": dtype, "seed": seed}
        kw = {k: v for k, v in self._params.items() if v is not None and k != "data_parallel_size"}
        self._dp: Any = None
        if dp > 1:
            from engines.llm.vllm_dp import DataParallelLLM

            self._dp = DataParallelLLM(model, dp, {**kw, **engine_kw})
            return
        from vllm import LLM

        self.llm = LLM(model=model, trust_remote_code=False, **kw, **engine_kw)

    def params(self) -> dict[str, Any]:
        return dict(self._params)

    @staticmethod
    def _sampling(s: Sampling) -> Any:
        from vllm import SamplingParams

        return SamplingParams(**_sampling_kw(s))

    def chat_batch(self, conversations: list[list[Message]],
                   sampling: Sampling | None = None) -> list[ChatResponse]:
        if not conversations:
            return []
        s = sampling or Sampling()
        if self._dp is not None:
            rows = self._dp.chat(conversations, _sampling_kw(s))
        else:
            outs = self.llm.chat(conversations, self._sampling(s), use_tqdm=False)
            rows = [(o.outputs[0].text, o.outputs[0].finish_reason, len(o.prompt_token_ids or []),
                     len(o.outputs[0].token_ids)) for o in outs]
        result = []
        for text, finish, n_prompt, n_completion in rows:
            resp = ChatResponse(text=text, finish_reason=finish, model=self.model, prompt_tokens=n_prompt,
                                completion_tokens=n_completion)
            self.meter.add_response(resp)
            result.append(resp)
        return result

    def close(self) -> None:
        """Stop the data-parallel rank processes (they are daemons: they also end with this process)."""
        if self._dp is not None:
            self._dp.close()
            self._dp = None

    def chat(self, messages: list[Message], sampling: Sampling | None = None) -> ChatResponse:
        return self.chat_batch([messages], sampling)[0]
