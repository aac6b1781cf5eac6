"""vLLM data parallelism: the wiring, with a STAND-IN for vLLM. vllm is not installed here and needs a GPU, so
a ten-line fake `vllm` package (LLM records its keywords and the VLLM_DP_* environment it was built in; chat
echoes the last message with its rank) stands in for it. What is real: the spawned rank processes, the queues,
the split and re-join of a batch, the environment each rank gets, the keywords that reach `vllm.LLM`, the
checks and the CLI spec filtering. What it cannot show: that vLLM itself balances ranks over GPUs."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from engines.llm import create_backend
from engines.llm import vllm_backend
from engines.llm.base import BackendError, Sampling
from engines.llm.spec import BackendSpec
from engines.llm.vllm_dp import split_even

STAND_IN = '''
"""STAND-IN for vllm (tests only): records how it was built, echoes the last message with its DP rank."""
import json, os, types

def _log(kind, data):
    rank = os.environ.get("VLLM_DP_RANK", "-")
    with open(os.path.join(os.environ["VLLM_STANDIN_LOG"], f"{kind}-{rank}-{os.getpid()}.json"), "a") as f:
        f.write(json.dumps(data) + "\\n")

class SamplingParams:
    def __init__(self, **kw):
        self.kw = kw

class LLM:
    def __init__(self, **kw):
        _log("llm", {"kw": kw, "env": {k: v for k, v in os.environ.items() if k.startswith("VLLM_DP_")}})

    def chat(self, conversations, sampling, use_tqdm=False):
        _log("chat", {"n": len(conversations), "sampling": sampling.kw})
        rank = os.environ.get("VLLM_DP_RANK", "-")
        return [types.SimpleNamespace(prompt_token_ids=[1, 2], outputs=[types.SimpleNamespace(
            text=f"r{rank}:{c[-1]['content']}", finish_reason="stop", token_ids=[1, 2, 3])]) for c in conversations]
'''


@pytest.fixture()
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    pkg = tmp_path / "standin" / "vllm"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(textwrap.dedent(STAND_IN))
    log = tmp_path / "log"
    log.mkdir()
    monkeypatch.syspath_prepend(str(pkg.parent))          # spawn hands sys.path to the rank processes
    monkeypatch.setenv("VLLM_STANDIN_LOG", str(log))
    monkeypatch.setattr(vllm_backend, "vllm_available", lambda: (True, ""))
    monkeypatch.setattr(vllm_backend, "visible_gpus", lambda: 4)   # the stand-in's GPU count
    return log


def _records(log: Path, kind: str) -> list[dict]:
    return [json.loads(line) for p in sorted(log.glob(f"{kind}-*.json")) for line in p.read_text().splitlines()]


def test_split_is_even_and_contiguous():
    assert split_even(5, 2) == [(0, 3), (3, 5)]
    assert split_even(1, 3) == [(0, 1), (1, 1), (1, 1)]


def test_bad_data_parallel_settings_are_one_line_errors(stand_in: Path):
    for bad in (0, -1, "2", 1.5, True):
        with pytest.raises(BackendError, match="data_parallel_size must be an integer >= 1"):
            create_backend("vllm", "m", data_parallel_size=bad)
    with pytest.raises(BackendError, match="needs 8 GPUs, torch sees 4"):
        create_backend("vllm", "m", data_parallel_size=4, tensor_parallel_size=2)


def test_ranks_get_vllm_env_and_engine_kwargs_and_answers_come_back_in_order(stand_in: Path):
    b = create_backend("vllm", "some/model", data_parallel_size=2, max_model_len=512, enforce_eager=True)
    try:
        convs = [[{"role": "user", "content": f"q{i}"}] for i in range(5)]
        out = b.chat_batch(convs, Sampling(max_tokens=7, seed=3, temperature=0.0))
        assert [r.text for r in out] == ["r0:q0", "r0:q1", "r0:q2", "r1:q3", "r1:q4"]
        assert b.meter.snapshot()["completion_tokens"] == 15 and b.meter.snapshot()["requests"] == 5
        one = b.chat_batch([[{"role": "user", "content": "only"}]])     # rank 1 gets vLLM's placeholder
        assert [r.text for r in one] == ["r0:only"]
    finally:
        b.close()
    built = _records(stand_in, "llm")
    assert sorted(r["env"]["VLLM_DP_RANK"] for r in built) == ["0", "1"]
    assert {r["env"]["VLLM_DP_SIZE"] for r in built} == {"2"}
    assert len({r["env"]["VLLM_DP_MASTER_PORT"] for r in built}) == 1
    assert all(r["env"]["VLLM_DP_RANK_LOCAL"] == r["env"]["VLLM_DP_RANK"] for r in built)
    assert all(r["kw"] == {"model": "some/model", "trust_remote_code": False, "tensor_parallel_size": 1,
                           "max_model_len": 512, "gpu_memory_utilization": 0.9, "dtype": "auto", "seed": 0,
                           "enforce_eager": True} for r in built)
    chats = _records(stand_in, "chat")
    assert sorted(c["n"] for c in chats) == [1, 1, 2, 3]
    assert all(c["sampling"]["max_tokens"] == 7 for c in chats if c["n"] > 1)
    assert b.params()["data_parallel_size"] == 2


def test_cli_flag_reaches_only_vllm_and_is_not_hashed():
    shared = {"concurrency": 4, "api_key_env": "OPENAI_API_KEY", "data_parallel_size": 2, "device": None}
    spec = BackendSpec.from_cli("vllm", "m", shared=shared)
    assert spec.options == {"data_parallel_size": 2}       # HTTP flags no longer leak into engine kwargs
    assert spec.describe(for_hash=True)["options"] == {}
    assert "data_parallel_size" not in BackendSpec.from_cli("openai", "m", shared=shared).options
