"""Exact top-k BM25 by MaxScore (Turtle & Flood 1995) over the bm25 backend's own weight matrix, compiled by numba.

Why: the exhaustive search scores every posting of every query term; with k=10 most of those documents can never
reach the top 10. MaxScore orders the query's terms by their largest weight (the term's upper bound); once the k-th
best score so far (theta) exceeds the summed bounds of the weakest terms, a document that only has those terms
cannot enter the top k, so their lists stop driving the traversal and are only probed (galloping search) for the
documents the other lists bring, and a document is dropped as soon as its bound falls below theta.

Exact, ties included, so it is the default: a document is skipped only when its upper bound is *below* theta (with
a 1e-12 relative margin against rounding in the bound sums), every document scoring exactly theta is kept (an
equal score, or one pushed out of the heap, goes to a tie buffer), and the caller then ranks the candidates that
score >= the final theta exactly as the exhaustive path does (score, then doc id). Each candidate's score is summed
over the query terms in one fixed order, so documents with the same terms and weights tie exactly, as they do in
the exhaustive product. tests/retrieval/test_maxscore.py compares both on random corpora built to tie often.

The postings are the CSR (terms x docs) matrix bm25s builds (doc ids ascending within a term); `term_max` is each
term's largest weight, computed once per index. Kernels run without the GIL, so query chunks run on threads.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_MARGIN = 1e-12


def term_max(indptr: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Each term's largest posting weight (0 for a term without postings)."""
    out = np.zeros(len(indptr) - 1, dtype=np.float64)
    nonempty = np.flatnonzero(np.diff(indptr) > 0)
    if nonempty.size:
        out[nonempty] = np.maximum.reduceat(data.astype(np.float64), indptr[nonempty])
    return out


@njit(nogil=True, cache=True)
def heap_down(hs, hd, n, i):
    while True:
        left, r, m = 2 * i + 1, 2 * i + 2, i
        if left < n and hs[left] < hs[m]:
            m = left
        if r < n and hs[r] < hs[m]:
            m = r
        if m == i:
            return
        hs[i], hs[m] = hs[m], hs[i]
        hd[i], hd[m] = hd[m], hd[i]
        i = m

@njit(nogil=True, cache=True)
def heap_up(hs, hd, i):
    while i > 0:
        p = (i - 1) // 2
        if hs[p] <= hs[i]:
            return
        hs[i], hs[p] = hs[p], hs[i]
        hd[i], hd[p] = hd[p], hd[i]
        i = p

@njit(nogil=True, cache=True)
def seek(indices, lo, end, d):
    """The first position in [lo, end) whose doc is >= d: galloping from lo (the targets only grow), then binary."""
    step = 1
    hi = lo
    while hi < end and indices[hi] < d:
        lo = hi + 1
        hi += step
        step <<= 1
    if hi > end:
        hi = end
    while lo < hi:
        mid = (lo + hi) >> 1
        if indices[mid] < d:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(nogil=True, cache=True)
def search(indptr, indices, data, tmax, terms, qweights, k):
    m = len(terms)
    ub = np.empty(m)
    for i in range(m):
        ub[i] = qweights[i] * tmax[terms[i]]
    order = np.argsort(ub, kind="mergesort")
    pos = np.empty(m, np.int64)
    end = np.empty(m, np.int64)
    w = np.empty(m)
    u = np.empty(m)
    prefix = np.empty(m)
    acc = 0.0
    for j in range(m):
        t = terms[order[j]]
        pos[j] = indptr[t]
        end[j] = indptr[t + 1]
        w[j] = qweights[order[j]]
        u[j] = ub[order[j]]
        acc += u[j]
        prefix[j] = acc
    contrib = np.zeros(m)
    hs = np.empty(k)
    hd = np.empty(k, np.int64)
    n = 0
    cap = 64
    bs = np.empty(cap)
    bd = np.empty(cap, np.int64)
    nb = 0
    theta = 0.0
    first = 0                  # lists first..m-1 are essential (drive the traversal)
    big = np.iinfo(np.int64).max
    while True:
        d = big
        for j in range(first, m):
            if pos[j] < end[j]:
                x = indices[pos[j]]
                if x < d:
                    d = x
        if d == big:
            break
        partial = 0.0
        for j in range(m):
            contrib[j] = 0.0
        for j in range(first, m):
            if pos[j] < end[j] and indices[pos[j]] == d:
                contrib[j] = w[j] * data[pos[j]]
                partial += contrib[j]
                pos[j] += 1
        alive = True
        for j in range(first - 1, -1, -1):
            if n == k and (partial + prefix[j]) * (1.0 + _MARGIN) < theta:
                alive = False
                break
            lo = seek(indices, pos[j], end[j], d)
            pos[j] = lo
            if lo < end[j] and indices[lo] == d:
                contrib[j] = w[j] * data[lo]
                partial += contrib[j]
        if not alive:
            continue
        s = 0.0
        for j in range(m):                   # one fixed order: equal term sets give equal sums
            s += contrib[j]
        if s <= 0.0:
            continue
        evicted_s, evicted_d, spill = 0.0, 0, False
        if n < k:
            hs[n] = s
            hd[n] = d
            heap_up(hs, hd, n)
            n += 1
        elif s > theta:
            evicted_s, evicted_d, spill = hs[0], hd[0], True
            hs[0] = s
            hd[0] = d
            heap_down(hs, hd, n, 0)
        elif s == theta:
            evicted_s, evicted_d, spill = s, d, True
        if spill:                            # may still tie with the final theta
            if nb == cap:
                cap *= 2
                bs2 = np.empty(cap)
                bd2 = np.empty(cap, np.int64)
                bs2[:nb] = bs[:nb]
                bd2[:nb] = bd[:nb]
                bs, bd = bs2, bd2
            bs[nb] = evicted_s
            bd[nb] = evicted_d
            nb += 1
        if n == k:
            theta = hs[0]
            while first < m and prefix[first] * (1.0 + _MARGIN) < theta:
                first += 1
    keep = 0
    for i in range(nb):
        if bs[i] >= theta:
            keep += 1
    out_s = np.empty(n + keep)
    out_d = np.empty(n + keep, np.int64)
    out_s[:n] = hs[:n]
    out_d[:n] = hd[:n]
    c = n
    for i in range(nb):
        if bs[i] >= theta:
            out_s[c] = bs[i]
            out_d[c] = bd[i]
            c += 1
    return out_d, out_s


@njit(nogil=True, cache=True)
def search_batch(indptr, indices, data, tmax, q_off, q_terms, q_w, k):
    """`search` for each query of a batch (one compiled call per chunk of queries, not one per query):
    (offsets, docs, scores), query q's candidates being docs[offsets[q]:offsets[q + 1]]."""
    nq = len(q_off) - 1
    out_off = np.zeros(nq + 1, np.int64)
    cap = max(16, nq * (k + 4))
    od = np.empty(cap, np.int64)
    osc = np.empty(cap)
    c = 0
    for q in range(nq):
        docs, scores = search(indptr, indices, data, tmax, q_terms[q_off[q]:q_off[q + 1]],
                              q_w[q_off[q]:q_off[q + 1]], k)
        if c + len(docs) > cap:
            cap = 2 * (c + len(docs))
            od2 = np.empty(cap, np.int64)
            os2 = np.empty(cap)
            od2[:c] = od[:c]
            os2[:c] = osc[:c]
            od, osc = od2, os2
        od[c:c + len(docs)] = docs
        osc[c:c + len(docs)] = scores
        c += len(docs)
        out_off[q + 1] = c
    return out_off, od[:c], osc[:c]


