"""RunningTopK must equal one global sort (score desc, then corpus row asc) whatever the chunking."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from retrieval.topk import RunningTopK


def _reference(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    rows = np.stack([np.lexsort((np.arange(scores.shape[1]), -s))[:k] for s in scores])
    return np.take_along_axis(scores, rows, 1), rows


@pytest.mark.parametrize("chunk", [1, 7, 50, 1000])
@pytest.mark.parametrize("k", [1, 5, 60])
def test_running_topk_equals_global_sort(chunk: int, k: int) -> None:
    rng = np.random.default_rng(chunk * 100 + k)
    # rounded scores produce many ties, which must resolve by row whatever the chunk size
    scores = np.round(rng.normal(size=(9, 333)), 1).astype(np.float32)
    heap = RunningTopK(scores.shape[0], k)
    for off in range(0, scores.shape[1], chunk):
        heap.push(torch.from_numpy(scores[:, off:off + chunk]), off)
    vals, rows = heap.result()
    ref_vals, ref_rows = _reference(scores, k)
    np.testing.assert_array_equal(rows.numpy(), ref_rows)
    np.testing.assert_array_equal(vals.numpy(), ref_vals)


def test_k_larger_than_corpus_returns_all() -> None:
    heap = RunningTopK(2, 10)
    heap.push(torch.tensor([[0.1, 0.3], [0.5, 0.2]]), 0)
    heap.push(torch.tensor([[0.2], [0.9]]), 2)
    vals, rows = heap.result()
    assert rows.tolist() == [[1, 2, 0], [2, 0, 1]]
    assert vals.shape == (2, 3)
