"""Job machinery: checkpointed JSONL, resume after kill -9, shards, manifest."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from builders.common.jobs import config_hash, run_items, select_shard, start_manifest
from core import atomic_write_json, read_jsonl
from core.checkpointed import CheckpointedJsonl, JobError
from engines.executors import shard_of

REPO = Path(__file__).resolve().parents[3]


def test_writer_refuses_overwrite_and_resumes_after_partial_line(tmp_path):
    p = tmp_path / "out.jsonl"
    with CheckpointedJsonl(p).open(resume=False) as w:
        w.write({"id": "a", "v": 1})
        w.write({"id": "b", "v": 2})
        w.write({"id": "a", "v": 99})          # a repeated id is never written twice
    with open(p, "a", encoding="utf-8") as f:
        f.write('{"id": "c", "v"')              # what a kill -9 in the middle of a write leaves
    with pytest.raises(JobError, match="pass --resume"):
        CheckpointedJsonl(p).open(resume=False)
    w = CheckpointedJsonl(p).open(resume=True)
    assert w.done == {"a", "b"} and w.truncated_bytes == len('{"id": "c", "v"')
    w.write({"id": "c", "v": 3})
    w.close()
    assert [r["id"] for r in read_jsonl(p)] == ["a", "b", "c"]
    assert [r["v"] for r in read_jsonl(p)] == [1, 2, 3]


def test_corrupt_complete_line_is_an_error(tmp_path):
    p = tmp_path / "out.jsonl"
    p.write_text('{"id": "a"}\nnot json\n{"id": "b"}\n')
    with pytest.raises(JobError, match=r"out.jsonl:2: not valid JSON"):
        CheckpointedJsonl(p).open(resume=True)


def test_shards_are_disjoint_cover_and_stable():
    ids = [f"item-{i}" for i in range(500)]
    shards = [select_shard(ids, str, 4, i) for i in range(4)]
    assert sorted(sum(shards, [])) == sorted(ids)
    assert all(len(s) > 60 for s in shards)         # roughly balanced
    for key in ("item-7", "uc.s1.c00.t000.q00"):     # same as an independent sha256 computation
        want = int(hashlib.sha256(key.encode()).hexdigest()[:16], 16) % 4
        assert shard_of(key, 4) == want
    with pytest.raises(JobError, match="--shard-index"):
        select_shard(ids, str, 4, 4)


def test_manifest_rejects_changed_config_on_resume(tmp_path):
    m = tmp_path / "manifest.json"
    start_manifest(m, job="t", config={"a": 1}, backends={}, seed=0)
    again = start_manifest(m, job="t", config={"a": 1}, backends={}, seed=0, resume=True)
    assert again["resumes"] == 1 and again["config_hash"] == config_hash({"a": 1})
    with pytest.raises(JobError, match="config changed"):
        start_manifest(m, job="t", config={"a": 2}, backends={}, seed=0, resume=True)


def test_run_items_counts_failures_and_resume_finishes(tmp_path):
    class Flaky(Exception):
        pass

    calls = []

    def work(i: int):
        calls.append(i)
        if i % 3 == 0 and len(calls) <= 10:
            raise Flaky(f"item {i} failed")
        if i == 4:
            return {"id": str(i), "_rejected": True, "why": "test"}
        return {"id": str(i), "sq": i * i}

    p = tmp_path / "o.jsonl"
    with CheckpointedJsonl(p).open(resume=False) as w, CheckpointedJsonl(tmp_path / "r.jsonl").open(resume=False) as r:
        s1 = run_items(list(range(10)), key=str, work=work, writer=w, reject_writer=r, workers=3,
                       retry_errors=(Flaky,), show_progress=False)
    assert s1.failed == 4 and s1.written == 6
    with CheckpointedJsonl(p).open(resume=True) as w, CheckpointedJsonl(tmp_path / "r.jsonl").open(resume=True) as r:
        s2 = run_items(list(range(10)), key=str, work=work, writer=w, reject_writer=r, workers=3,
                       retry_errors=(Flaky,), show_progress=False)
    assert s2.skipped_done == 6 and s2.written == 4 and s2.failed == 0
    got = sorted(int(x["id"]) for x in read_jsonl(p))
    assert got == [i for i in range(10) if i != 4]
    assert [x["id"] for x in read_jsonl(tmp_path / "r.jsonl")] == ["4"]


SCRIPT = textwrap.dedent("""
    import sys, time
    from builders.common.jobs import run_items
    from core.checkpointed import CheckpointedJsonl
    out, resume = sys.argv[1], sys.argv[2] == "1"
    def work(i):
        time.sleep(0.02)
        return {"id": f"n{i}", "payload": "x" * (i % 50), "sq": i * i}
    with CheckpointedJsonl(out).open(resume=resume) as w:
        run_items(list(range(300)), key=lambda i: f"n{i}", work=work, writer=w, workers=4, show_progress=False)
""")


def test_kill_dash_9_then_resume_loses_and_duplicates_nothing(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(SCRIPT)
    out = tmp_path / "out.jsonl"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, str(script), str(out), "0"], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 2000):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = out.read_text().count("\n")
    assert 0 < partial < 300
    subprocess.run([sys.executable, str(script), str(out), "1"], env=env, check=True, timeout=120)
    recs = list(read_jsonl(out))
    assert len(recs) == 300 == len({r["id"] for r in recs})
    assert all(r["sq"] == int(r["id"][1:]) ** 2 for r in recs)


def test_atomic_write_json_replaces_whole_file(tmp_path):
    p = tmp_path / "m.json"
    atomic_write_json(p, {"a": 1})
    atomic_write_json(p, {"b": 2})
    assert json.loads(p.read_text()) == {"b": 2}
    assert [x.name for x in tmp_path.iterdir()] == ["m.json"]


def test_atomic_folder_swaps_in_on_success_and_keeps_the_old_folder_on_error(tmp_path):
    from core import atomic_folder

    out = tmp_path / "out"
    with atomic_folder(out) as tmp:
        (tmp / "a.txt").write_text("new")
    assert (out / "a.txt").read_text() == "new"
    with pytest.raises(RuntimeError):
        with atomic_folder(out) as tmp:
            (tmp / "a.txt").write_text("half")
            raise RuntimeError("crash mid-write")
    assert (out / "a.txt").read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]   # no temp folder left behind


def test_run_items_ordered_writes_input_order_whatever_finishes_first(tmp_path):
    import random

    delays = {str(i): random.Random(i).random() * 0.02 for i in range(30)}

    def work(i: str) -> dict:
        time.sleep(delays[i])
        return {"id": i}

    with CheckpointedJsonl(tmp_path / "o.jsonl").open(resume=False) as w:
        run_items(list(delays), key=str, work=work, writer=w, workers=4, ordered=True, show_progress=False)
    assert [r["id"] for r in read_jsonl(tmp_path / "o.jsonl")] == list(delays)


def test_keep_records_holds_loaded_and_written_records_as_a_reread_would(tmp_path):
    p = tmp_path / "out.jsonl"
    p.write_text('{"id": "a", "v": [1]}\n{"id": "b", "v": [2]}\n{"id": "c", "v"')     # cut-off tail
    w = CheckpointedJsonl(p, keep_records=True).open(resume=True)
    live = {"id": "c", "v": [3]}
    w.write(live)
    live["v"].append(99)                           # the caller's object changes after the write
    w.close()
    assert w.records == {r["id"]: r for r in read_jsonl(p)}
    assert list(w.records) == ["a", "b", "c"] and w.records["c"]["v"] == [3]
    assert CheckpointedJsonl(p).open(resume=True).records is None      # off by default: no memory held


def test_cut_tail_found_across_read_blocks(tmp_path):
    """The backwards scan for the last newline crosses block edges (block=4 bytes here)."""
    import io

    from core.checkpointed import _end_of_last_line

    for data in (b"", b"no newline at all", b'{"id": "a"}\n', b'{"id": "a"}\n{"id": "b", "v": 12345',
                 b"\n" + b"x" * 9):
        assert _end_of_last_line(io.BytesIO(data), len(data), block=4) == data.rfind(b"\n") + 1, data
