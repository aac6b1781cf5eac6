"""vLLM data parallelism for offline generation, the way vLLM documents it (examples/features/data_parallel/
data_parallel_offline.py): one process per DP rank, each told its place by the VLLM_DP_RANK /
VLLM_DP_RANK_LOCAL / VLLM_DP_SIZE / VLLM_DP_MASTER_IP / VLLM_DP_MASTER_PORT environment variables, each
building its own `vllm.LLM` (vLLM picks each rank's GPUs) and generating its own contiguous share of the batch.

Why long-lived rank processes: loading a model takes minutes, so the ranks are started once and then fed
one share per `chat_batch`; every rank gets a share each time (a placeholder when the batch is smaller
than the rank count, as in vLLM's example: the ranks step together).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import queue
import socket
import time
from typing import Any

from engines.llm.base import BackendError

PLACEHOLDER = [{"role": "user", "content": "Placeholder"}]


def rank_env(rank: int, size: int, master_ip: str, master_port: int) -> dict[str, str]:
    """The environment vLLM reads to place one DP rank (single node: local rank = global rank)."""
    return {"VLLM_DP_RANK": str(rank), "VLLM_DP_RANK_LOCAL": str(rank), "VLLM_DP_SIZE": str(size),
            "VLLM_DP_MASTER_IP": master_ip, "VLLM_DP_MASTER_PORT": str(master_port)}


def split_even(n: int, parts: int) -> list[tuple[int, int]]:
    """[start, end) of each rank's share, sizes differing by at most one (vLLM's example split)."""
    floor, extra = divmod(n, parts)
    starts = [r * floor + min(r, extra) for r in range(parts + 1)]
    return [(starts[r], starts[r + 1]) for r in range(parts)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rank_main(env: dict[str, str], model: str, engine_kw: dict[str, Any], inbox: Any, outbox: Any) -> None:
    """One DP rank: build the LLM once, then answer (conversations, sampling kwargs) until None arrives."""
    os.environ.update(env)
    rank = int(env["VLLM_DP_RANK"])
    try:
        from vllm import LLM, SamplingParams

        llm = LLM(model=model, trust_remote_code=False, **engine_kw)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        outbox.put((rank, "error", f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"))
        return
    outbox.put((rank, "ready", None))
    while (job := inbox.get()) is not None:
        conversations, sampling = job
        try:
            outs = llm.chat(conversations, SamplingParams(**sampling), use_tqdm=False)
            rows = [(o.outputs[0].text, o.outputs[0].finish_reason, len(o.prompt_token_ids or []),
                     len(o.outputs[0].token_ids)) for o in outs]
            outbox.put((rank, "ok", rows))
        except Exception as exc:  # noqa: BLE001 - any engine failure goes back to the parent as one line
            outbox.put((rank, "error", f"{type(exc).__name__}: {exc}"))


class DataParallelLLM:
    """`size` vLLM engines in rank processes; `chat` splits a batch across them and joins the replies in order."""

    def __init__(self, model: str, size: int, engine_kw: dict[str, Any], timeout_s: float = 3600) -> None:
        ctx = mp.get_context("spawn")            # CUDA must not be initialised before the ranks start
        port = _free_port()
        self.size, self.timeout_s = size, timeout_s
        self._outbox = ctx.Queue()
        self._inboxes = [ctx.Queue() for _ in range(size)]
        self._procs = [ctx.Process(target=_rank_main, daemon=True,
                                   args=(rank_env(r, size, "127.0.0.1", port), model, engine_kw,
                                         self._inboxes[r], self._outbox)) for r in range(size)]
        for p in self._procs:
            p.start()
        try:
            self._collect()
        except BackendError:
            self.close()
            raise

    def _collect(self) -> dict[int, Any]:
        """One answer per rank; a rank that reports an error, dies or stays silent is a BackendError."""
        got: dict[int, Any] = {}
        deadline = time.monotonic() + self.timeout_s
        while len(got) < self.size:
            try:
                rank, status, payload = self._outbox.get(timeout=2)
            except queue.Empty:
                dead = [r for r, p in enumerate(self._procs) if not p.is_alive() and r not in got]
                if dead:
                    raise BackendError(f"vllm data parallel: rank(s) {dead} died (exit code "
                                       f"{self._procs[dead[0]].exitcode})") from None
                if time.monotonic() > deadline:
                    raise BackendError(f"vllm data parallel: no answer from the ranks in "
                                       f"{self.timeout_s:.0f} s") from None
                continue
            if status == "error":
                raise BackendError(f"vllm data parallel: rank {rank} failed: {payload}")
            got[rank] = payload
        return got

    def chat(self, conversations: list[list[dict[str, str]]], sampling: dict[str, Any]) -> list[tuple]:
        """(text, finish_reason, prompt_tokens, completion_tokens) per conversation, in input order."""
        shares = split_even(len(conversations), self.size)
        for r, (a, b) in enumerate(shares):
            self._inboxes[r].put((conversations[a:b] or [PLACEHOLDER], sampling))
        rows = self._collect()
        return [row for r, (a, b) in enumerate(shares) for row in rows[r][:b - a]]

    def close(self) -> None:
        for box in self._inboxes:
            box.put(None)
        for p in self._procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
