"""Running top-k over score chunks: keeps memory at (queries x k) however many documents are scored.

Ties are broken by the lower document row (corpus order), so a ranking does not depend on the chunk size.
"""
from __future__ import annotations

import torch


class RunningTopK:
    """Merge per-chunk top-k into a global top-k for a block of queries."""

    def __init__(self, n_queries: int, k: int, device: str | torch.device = "cpu"):
        self.k = k
        self.values = torch.full((n_queries, 0), float("-inf"), device=device)
        self.rows = torch.zeros((n_queries, 0), dtype=torch.long, device=device)

    def push(self, scores: torch.Tensor, row_offset: int) -> None:
        """scores: (n_queries, chunk_len) for documents row_offset .. row_offset+chunk_len-1."""
        kk = min(self.k, scores.shape[1])
        if kk == 0:
            return
        vals, idx = _stable_topk(scores, kk, torch.arange(scores.shape[1], device=scores.device))
        cand_vals = torch.cat([self.values, vals.to(self.values.dtype)], dim=1)
        cand_rows = torch.cat([self.rows, idx + row_offset], dim=1)
        kk = min(self.k, cand_vals.shape[1])
        self.values, self.rows = _stable_topk(cand_vals, kk, cand_rows)

    def result(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(values, rows), each (n_queries, <=k), best first."""
        return self.values, self.rows


def _stable_topk(values: torch.Tensor, k: int, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-k by value desc, then row asc: sort rows first, then a stable sort on value."""
    if rows.dim() == 1:
        rows = rows.unsqueeze(0).expand_as(values)
    order = torch.argsort(rows, dim=1, stable=True)
    values_by_row = torch.gather(values, 1, order)
    rows_sorted = torch.gather(rows, 1, order)
    # keep the k best candidates cheaply before the exact stable sort: anything below the k-th value
    # cannot enter; equal values are all kept so ties resolve by row.
    if values.shape[1] > 4 * k:
        kth = torch.topk(values_by_row, k, dim=1).values[:, -1:]
        mask = values_by_row >= kth
        values_by_row = torch.where(mask, values_by_row, torch.full_like(values_by_row, float("-inf")))
    by_value = torch.argsort(values_by_row, dim=1, descending=True, stable=True)[:, :k]
    return torch.gather(values_by_row, 1, by_value), torch.gather(rows_sorted, 1, by_value)
