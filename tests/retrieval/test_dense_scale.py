"""Dense encoding past one device, on CPU stand-ins for GPUs (no GPU here or in CI): `devices=cpu,cpu` runs
sentence-transformers' real multi-process pool, `executor=ray` a real local Ray cluster. Both must give the
single-device embeddings (np.allclose) and rankings, under the same cache key, and resume chunk by chunk."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from retrieval.base import RetrieverError
from retrieval.dense import DenseRetriever
from retrieval.embedding_cache import ChunkStore
from retrieval.st_encoder import parse_devices
from tests.retrieval.test_dense import _cranfield

SMALL = {"chunk_size": 10, "batch_size": 16, "max_seq_length": 48}


def _stamps(store: ChunkStore, chunks: list[int]) -> dict[int, tuple[int, int]]:
    """(inode, mtime_ns) of chunk files: a chunk that is rewritten gets a new inode (atomic replace)."""
    return {i: (os.stat(store.chunk_path(i)).st_ino, os.stat(store.chunk_path(i)).st_mtime_ns) for i in chunks}


def _cut(store: ChunkStore, chunks: list[int]) -> None:
    """What a kill mid-encode leaves: no meta.json, some chunk files missing."""
    (store.path / "meta.json").unlink()
    for i in chunks:
        store.chunk_path(i).unlink()


def _assert_same_store(a: ChunkStore, b: ChunkStore) -> None:
    assert a.path.name == b.path.name                      # the key does not name devices or workers
    assert a.ids() == b.ids() and a.n_chunks() == b.n_chunks()
    for (oa, ea), (ob, eb) in zip(a.iter_chunks(), b.iter_chunks()):
        assert oa == ob and ea.shape == eb.shape
        assert np.allclose(ea, eb, atol=1e-5), float(np.abs(ea - eb).max())


@pytest.fixture(scope="module")
def cranfield(shared_data: Path):
    corpus, queries, _ = _cranfield(shared_data, 40)
    return corpus, dict(list(queries.items())[:15])


def test_bad_devices_and_executor_params_are_one_line_errors(tiny_model: Path, tmp_path: Path) -> None:
    cases = [({"devices": "cuda:0,,cuda:1"}, "expected a comma-separated list"),
             ({"devices": "gpu0"}, "'gpu0' is not a device"),
             ({"devices": 0}, "devices=0: expected a comma-separated list"),          # -p devices=0 parses as JSON
             ({"devices": "cpu,cuda:0"}, "mixes cpu and cuda"),
             ({"devices": "cuda:0,cuda:1"}, r"cuda:0 requested but torch sees 0 CUDA GPU\(s\)"),
             ({"devices": "cpu,cpu", "device": "mps"}, "give one of them"),
             ({"executor": "spark"}, "executor 'spark': expected one of local, ray"),
             ({"address": "auto"}, "address is only used with executor ray"),
             ({"num_workers": 2}, "num_workers is for executor=ray"),
             ({"executor": "ray", "num_workers": 0}, "num_workers 0: must be >= 1"),
             ({"executor": "ray", "devices": "cpu,cpu"}, "Ray workers take their device from Ray"),
             ({"worker_gpus": 1}, "with executor=ray only"),
             ({"executor": "ray", "worker_gpus": "one"}, "worker_gpus='one': a number >= 0"),
             ({"executor": "ray", "num_workers": "two"}, "num_workers='two': expected an integer")]
    for params, message in cases:
        with pytest.raises(RetrieverError, match=message):
            DenseRetriever(str(tiny_model), cache_dir=tmp_path, **params)
    assert parse_devices(" cpu, cpu ") == ["cpu", "cpu"] and parse_devices(["cpu"]) == ["cpu"]


def _local_then_cut(corpus, tmp_path: Path, cut: list[int]) -> tuple[DenseRetriever, Path, dict]:
    """A single-device encode, and a copy of its cache as a kill mid-encode would leave it (`cut` missing).
    The multi-device / Ray run resumes that copy: it must find it under the same key, encode exactly the
    missing chunks, leave the others untouched and end with the single-device embeddings."""
    import shutil

    one = DenseRetriever(cache_dir=tmp_path / "one", **SMALL)
    one.index(corpus, show_progress=False)
    shutil.copytree(tmp_path / "one", tmp_path / "resumed")
    partial = ChunkStore(tmp_path / "resumed" / one.store.path.name)
    _cut(partial, cut)
    kept = [i for i in range(one.store.n_chunks()) if i not in cut]
    return one, tmp_path / "resumed", _stamps(partial, kept)


def _same_ranking(a: DenseRetriever, b: DenseRetriever, queries: dict[str, str]) -> None:
    run_a, run_b = a.search(queries, k=10, show_progress=False), b.search(queries, k=10, show_progress=False)
    assert set(run_a) == set(queries)
    assert {q: list(v) for q, v in run_a.items()} == {q: list(v) for q, v in run_b.items()}


KILLED_RUN = """
import sys
from pathlib import Path
from retrieval.dense import DenseRetriever
from tests.retrieval.test_dense import _cranfield
corpus, _, _ = _cranfield(Path(sys.argv[1]), 40)
DenseRetriever(cache_dir=sys.argv[2], devices="cpu,cpu", chunk_size=4, batch_size=16,
               max_seq_length=48).index(corpus, show_progress=False)
"""


@pytest.mark.slow                  # two encoder processes start (torch + sentence-transformers each)
def test_two_cpu_devices_killed_mid_encode_resume_to_the_single_device_store(cranfield, shared_data: Path,
                                                                             tmp_path: Path) -> None:
    """A real kill -9 of a `devices=cpu,cpu` encode (its whole process group) after 2 of 10 chunks; the
    multi-device rerun encodes only the missing chunks and ends equal to one device's store and ranking."""
    import signal
    import subprocess
    import sys
    import time

    corpus, queries = cranfield
    kw = {**SMALL, "chunk_size": 4}
    one = DenseRetriever(cache_dir=tmp_path / "one", **kw)
    one.index(corpus, show_progress=False)
    killed = tmp_path / "killed" / one.store.path.name         # the same key, whatever the device count
    repo = str(Path(__file__).resolve().parents[2])
    proc = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(shared_data), str(tmp_path / "killed")],
                            start_new_session=True, env={**os.environ, "PYTHONPATH": repo})
    try:
        deadline = time.monotonic() + 90
        while len(list(killed.glob("chunk_*.npy"))) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done = sorted(int(p.stem.split("_")[1]) for p in killed.glob("chunk_*.npy"))
    assert 2 <= len(done) < 10 and not (killed / "meta.json").exists(), (done, proc.returncode)
    kept = _stamps(ChunkStore(killed), done)
    two = DenseRetriever(cache_dir=tmp_path / "killed", devices="cpu,cpu", **kw)
    assert two.params()["devices"] == ["cpu", "cpu"] and two.encoder.device == "cpu"
    two.index(corpus, show_progress=False)
    assert two.encoded_chunks == [i for i in range(10) if i not in done]
    assert _stamps(two.store, done) == kept                  # done chunks were not encoded again
    _assert_same_store(one.store, two.store)
    _same_ranking(one, two, queries)


def test_ray_encoding_resumes_a_local_cache(ray_cluster, cranfield, tmp_path: Path) -> None:
    corpus, queries = cranfield
    one, cache, kept = _local_then_cut(corpus, tmp_path, [0, 2, 3])
    ray = DenseRetriever(cache_dir=cache, executor="ray", num_workers=2, **SMALL)
    ray.index(corpus, show_progress=False)                # chunks 0, 2, 3 go to Ray workers by index hash
    assert ray.encoded_chunks == [0, 2, 3] and _stamps(ray.store, list(kept)) == kept
    _assert_same_store(one.store, ray.store)
    _same_ranking(one, ray, queries)
