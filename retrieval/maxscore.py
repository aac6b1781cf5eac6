"""Exact top-k BM25 by MaxScore (Turtle & Flood 1995) over the bm25 backend's own weight matrix, compiled by numba.

Why: the exhaustive search scores every posting of every query term; with k=10 most of those documents can never
reach the top 10. MaxScore orders the query's terms by their largest weight (the term's upper bound); once the k-th
best score so far (theta) exceeds the summed bounds of the weakest terms, a document that only has those terms
cannot enter the top k, so their lists stop bringing documents: they only add to the documents the other
(essential) lists bring.

How: the doc-id space is walked in windows of `WINDOW` documents (as Lucene's MaxScoreBulkScorer does). In each
window the essential lists' postings are added term-at-a-time into a small dense accumulator that stays in cache,
the non-essential lists add only to documents already there (walking the window's postings, or looking each
document up when the list has PROBE times more postings there than there are documents), and the touched documents
are then offered to a k-heap. These loops have no data-dependent branches to mispredict, which is what made the earlier
document-at-a-time kernel (one branchy step per document) 3x slower on dense Zipf lists (benchmarks/perf/RESULTS.md).

Exact, ties included, so it is the default: a list stops being essential only when the bounds of it and every
weaker list sum *below* theta (with a 1e-12 relative margin against rounding in the bound sums), every document
scoring exactly theta is kept (an equal score, or one pushed out of the heap, goes to a tie buffer), and the caller
then ranks the candidates that score >= the final theta exactly as the exhaustive path does (score, then doc id).
Each document's score is summed over the query terms in one fixed order (strongest bound first, whatever the
window), so documents with the same terms and weights tie exactly, as they do in the exhaustive product. The tie
buffer is compacted (entries below theta dropped: theta only grows) when it fills, and a query whose ties at theta
outgrow half of it is rerun with a buffer twice as large. Terms whose bound is 0 add nothing and are left out.
tests/retrieval/test_maxscore.py compares the candidates with exhaustive scoring on corpora built to tie often.

The postings are the CSR (terms x docs) matrix bm25s builds (doc ids ascending within a term); `term_max` is each
term's largest weight, computed once per index. Kernels run without the GIL, so query chunks run on threads.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_MARGIN = 1e-12
WINDOW = 4096      # documents per window: the accumulator (32 KiB of float64) stays in the L1/L2 cache
PROBE = 32         # a non-essential list is looked up per document when it has 32x more postings in the window
TIES = 64          # the tie buffer's first size (it grows only when more ties than half of it sit at theta)


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
def compact(bs, bd, nb, theta):
    """Drop the tie-buffer entries below theta (they can no longer tie with the final theta); the count kept."""
    keep = 0
    for i in range(nb):
        if bs[i] >= theta:
            bs[keep] = bs[i]
            bd[keep] = bd[i]
            keep += 1
    return keep


@njit(nogil=True, cache=True)
def search(indptr, indices, data, tmax, terms, qweights, k, acc, touched, bs, bd):
    """One query: (docs, scores, True), the candidates scoring >= the final theta; or (_, _, False) when the ties
    at theta outgrow the tie buffer (bs, bd): the caller reruns with a larger one. `acc` (WINDOW zeros) and
    `touched` (WINDOW slots) are work space, left zeroed."""
    mq = len(terms)
    ub = np.empty(mq)
    for i in range(mq):
        ub[i] = qweights[i] * tmax[terms[i]]
    order = np.argsort(ub, kind="mergesort")
    pos = np.empty(mq, np.int64)
    end = np.empty(mq, np.int64)
    w = np.empty(mq)
    prefix = np.empty(mq)         # prefix[j]: the summed bounds of lists 0..j (weakest first)
    m = 0
    total = 0.0
    for i in range(mq):
        o = order[i]
        if ub[o] <= 0.0:          # adds nothing to any score
            continue
        t = terms[o]
        pos[m] = indptr[t]
        end[m] = indptr[t + 1]
        w[m] = qweights[o]
        total += ub[o]
        prefix[m] = total
        m += 1
    hs = np.empty(k)
    hd = np.empty(k, np.int64)
    n = 0
    cap = len(bs)
    nb = 0
    theta = 0.0                   # stays 0 until the heap holds k documents: nothing is pruned before
    first = 0                     # lists first..m-1 are essential (bring documents)
    big = np.iinfo(np.int64).max
    nxt = big
    for j in range(m):
        if pos[j] < end[j] and indices[pos[j]] < nxt:
            nxt = indices[pos[j]]
    while nxt != big and first < m:
        w0 = (nxt // WINDOW) * WINDOW
        wend = w0 + WINDOW
        nxt = big
        nt = 0
        for j in range(m - 1, first - 1, -1):       # essential lists, strongest first: the fixed summation order
            p0 = pos[j]
            e = end[j]
            p1 = seek(indices, p0, e, wend)
            wj = w[j]
            for p in range(p0, p1):
                x = indices[p] - w0
                c = wj * data[p]
                a = acc[x]
                touched[nt] = x
                nt += (a == 0.0) & (c > 0.0)        # listed once, at its first nonzero weight
                acc[x] = a + c
            pos[j] = p1
            if p1 < e and indices[p1] < nxt:
                nxt = indices[p1]                     # the next window holding an essential posting
        if nt == 0:
            continue
        for j in range(first - 1, -1, -1):           # non-essential lists add only to the documents already here
            p0 = seek(indices, pos[j], end[j], w0)
            p1 = seek(indices, p0, end[j], wend)
            wj = w[j]
            if PROBE * nt < p1 - p0:                  # few documents here, a long list: look each one up
                q = p0
                last = -1
                for i in range(nt):
                    x = touched[i]
                    if x < last:                      # touched is in doc order within each essential list
                        q = p0
                    last = x
                    q = seek(indices, q, p1, x + w0)
                    if q < p1 and indices[q] == x + w0:
                        acc[x] += wj * data[q]
            else:                                     # walk the list's window, branch-free
                for p in range(p0, p1):
                    x = indices[p] - w0
                    a = acc[x]
                    acc[x] = a + (wj * data[p]) * (a > 0.0)
            pos[j] = p1
        for i in range(nt):
            x = touched[i]
            s = acc[x]
            acc[x] = 0.0
            if s >= theta and s > 0.0:
                if n < k:
                    hs[n] = s
                    hd[n] = x + w0
                    heap_up(hs, hd, n)
                    n += 1
                    if n == k:
                        theta = hs[0]
                    continue
                if nb == cap:                         # full: drop what fell below theta, or rerun with more room
                    nb = compact(bs, bd, nb, theta)
                    if 2 * nb >= cap:
                        for r in range(i + 1, nt):
                            acc[touched[r]] = 0.0
                        return hd[:0], hs[:0], False
                if s > theta:                         # the evicted root may still tie with the final theta
                    bs[nb] = hs[0]
                    bd[nb] = hd[0]
                    hs[0] = s
                    hd[0] = x + w0
                    heap_down(hs, hd, n, 0)
                    theta = hs[0]
                else:
                    bs[nb] = s
                    bd[nb] = x + w0
                nb += 1
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
    return out_d, out_s, True


@njit(nogil=True, cache=True)
def search_batch(indptr, indices, data, tmax, q_off, q_terms, q_w, k):
    """`search` for each query of a batch (one compiled call per chunk of queries, not one per query):
    (offsets, docs, scores), query q's candidates being docs[offsets[q]:offsets[q + 1]]."""
    nq = len(q_off) - 1
    out_off = np.zeros(nq + 1, np.int64)
    cap = max(16, nq * (k + 4))
    od = np.empty(cap, np.int64)
    osc = np.empty(cap)
    acc = np.zeros(WINDOW)
    touched = np.empty(WINDOW + 1, np.int32)
    bs = np.empty(TIES)
    bd = np.empty(TIES, np.int64)
    c = 0
    for q in range(nq):
        while True:
            docs, scores, ok = search(indptr, indices, data, tmax, q_terms[q_off[q]:q_off[q + 1]],
                                      q_w[q_off[q]:q_off[q + 1]], k, acc, touched, bs, bd)
            if ok:
                break
            bs = np.empty(2 * len(bs))
            bd = np.empty(len(bs), np.int64)
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
