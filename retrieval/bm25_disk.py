"""BM25 index on disk, memory-mapped: corpora too big for RAM (MS MARCO's 8.8M passages) on one machine.

Why: the in-memory `bm25` index holds the Corpus dict, every document's term ids and bm25s's weight matrix at
once (about 3.5 GB at 1M short documents, so 20-30 GB at 8.8M passages). Here the index is built in bounded
memory and searched without loading it: the MaxScore kernel (retrieval/maxscore.py) reads only the postings it
touches, so it runs unchanged on `np.load(mmap_mode="r")` arrays and the page cache holds what is hot.

Build (two passes, both streamed):
1. documents are tokenised in chunks (`chunk_docs`, 200k by default); each chunk's (term, doc, tf) postings,
   sorted by term then doc, go to a run file; the document frequencies and lengths are counted on the way.
2. the runs are merged term-major, one range of terms at a time (about `merge_postings` postings): each run's
   slice of the range is read, stably ordered by term (runs are in document order, so documents stay
   ascending), weighted by BM25 and appended to `indices.npy` / `data.npy`.
The weights are bm25s's (method="atire", idf_method="robertson": what the in-memory index computes), with the
same numpy operations in the same dtypes, so the arrays, and hence the top k and the scores, are identical to
the in-memory index's (tests/retrieval/test_bm25_disk.py compares them bit for bit).

The folder: `indptr.npy` (int64, terms + 1), `indices.npy` (int32 doc positions), `data.npy` (weights, `dtype`),
`term_max.npy` (each term's largest weight, float64: MaxScore's bounds), `doc_len.npy`, the vocabulary and the
doc ids each as offsets (int64) + utf-8 bytes (uint8) arrays (never millions of Python strings), and
`databench_bm25_disk.json` (the meta), written last. It is built in a temp folder beside the target and renamed into place
(core.atomic_folder), so a half-built index is never opened; the meta holds the key (corpus sha or file
sha/size, tokenizer settings, k1, b, dtype): `ensure()` reuses a folder with the same key and rebuilds otherwise.
"""
from __future__ import annotations

import itertools
import json
import math
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from core import atomic_folder
from retrieval.base import RetrieverError
from retrieval.progress import bar
from retrieval.tokenize import Tokenizer

FORMAT = 1
META = "databench_bm25_disk.json"   # bm25s_backend.DISK_META
CHUNK_DOCS = 200_000         # documents per run file (bounds the build's memory)
MERGE_POSTINGS = 4_000_000   # postings per merge range (bounds the merge's memory: ~70 bytes each)
TOKENIZE_BATCH = 4_096       # documents tokenised at once: their token strings are the only Python strings held


def index_key(corpus: dict[str, Any], tokenizer: Tokenizer, k1: float, b: float, dtype: str) -> dict[str, Any]:
    """Everything that decides the index's content: a folder built under another key is rebuilt, never used."""
    return {"format": FORMAT, "corpus": corpus, "tokenizer": tokenizer.params(), "k1": float(k1), "b": float(b),
            "dtype": str(np.dtype(dtype)), "scoring": "bm25s atire/robertson"}


def _strings_to_arrays(strings: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """(offsets int64, utf-8 bytes uint8): string i is bytes[offsets[i]:offsets[i + 1]]."""
    raw = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(raw) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, raw), dtype=np.int64, count=len(raw)), out=offsets[1:])
    return offsets, np.frombuffer(b"".join(raw), dtype=np.uint8)


class StringArray:
    """A read-only sequence of strings over (offsets, utf-8 bytes) arrays: 8.8M doc ids cost two arrays."""

    def __init__(self, offsets: np.ndarray, data: np.ndarray):
        self.offsets, self.data = offsets, data

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:
        return self.data[self.offsets[i]:self.offsets[i + 1]].tobytes().decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        for start in range(0, len(self), 1 << 20):      # a block of strings at a time: bounded memory
            offs = self.offsets[start:min(len(self), start + (1 << 20)) + 1].tolist()
            blob = self.data[offs[0]:offs[-1]].tobytes()
            base = offs[0]
            for a, b in zip(offs[:-1], offs[1:]):
                yield blob[a - base:b - base].decode("utf-8")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (list, StringArray)) and len(self) == len(other) and all(
            a == b for a, b in zip(self, other))


# --- build ------------------------------------------------------------------------------------------------
def _batched(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, n)):
        yield chunk


def _write_runs(docs: Iterable[tuple[str, str]], tokenizer: Tokenizer, runs: Path, chunk_docs: int,
                n_docs: int | None, show_progress: bool) -> tuple[dict[str, int], np.ndarray, np.ndarray, list[str]]:
    """Pass 1: one run file per chunk of documents. Returns (vocabulary, df, doc lengths, run stems)."""
    counter = itertools.count()
    ids_of: defaultdict[str, int] = defaultdict(counter.__next__)   # first-seen order, as the in-memory index
    df = np.zeros(1024, dtype=np.int64)
    lengths: list[np.ndarray] = []
    id_file = open(runs / "doc_ids.bin", "wb")
    id_offsets: list[np.ndarray] = []
    stems: list[str] = []
    n_done = 0
    with id_file, bar("bm25 on disk: tokenizing", n_docs, enabled=show_progress) as advance:
        for chunk in _batched(docs, chunk_docs):
            n = len(chunk)
            term_parts, len_parts = [], []
            for part in _batched(chunk, TOKENIZE_BATCH):
                toks = tokenizer.batch([text for _, text in part])
                lens = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
                term_parts.append(np.fromiter(map(ids_of.__getitem__, itertools.chain.from_iterable(toks)),
                                              dtype=np.int64, count=int(lens.sum())))
                len_parts.append(lens)
                advance(len(part))
            lens = np.concatenate(len_parts)
            offs, raw = _strings_to_arrays(d for d, _ in chunk)
            id_file.write(raw.tobytes())
            id_offsets.append(offs[1:] + (id_offsets[-1][-1] if id_offsets else 0))
            # (term, doc) pairs with their counts, sorted by term then doc: one int64 sort per chunk
            pair = np.concatenate(term_parts) * n + np.repeat(np.arange(n, dtype=np.int64), lens)
            uniq, tf = np.unique(pair, return_counts=True)
            terms = (uniq // n).astype(np.int32)
            stem = f"run{len(stems):05d}"
            terms.tofile(runs / f"{stem}.terms")          # raw int32 runs: read back by slices, not mapped
            (uniq % n + n_done).astype(np.int32).tofile(runs / f"{stem}.docs")
            tf.astype(np.int32).tofile(runs / f"{stem}.tf")
            stems.append(stem)
            if len(ids_of) > len(df):
                df = np.concatenate([df, np.zeros(max(len(ids_of) - len(df), len(df)), dtype=np.int64)])
            df[:len(ids_of)] += np.bincount(terms, minlength=len(ids_of))
            lengths.append(lens)
            n_done += n
            del pair, uniq, tf, terms, term_parts
    if n_done >= 2**31:
        raise RetrieverError(f"bm25 on disk: {n_done} documents: more than int32 doc positions hold")
    vocab = dict(ids_of)
    vocab.setdefault("", len(vocab))   # bm25s's empty term: in the vocabulary, no postings (as in memory)
    df = np.concatenate([df, np.zeros(max(0, len(vocab) - len(df)), dtype=np.int64)])[:len(vocab)]
    np.save(runs / "doc_id_offsets.npy", np.concatenate([[0], *id_offsets]).astype(np.int64))
    return vocab, df, np.concatenate(lengths) if lengths else np.zeros(0, np.int64), stems


def _idf(df: np.ndarray, n_docs: int, dtype: np.dtype) -> np.ndarray:
    """bm25s's robertson idf (floored at 0), with math.log term by term as bm25s computes it."""
    out = np.zeros(len(df), dtype=dtype)
    for t in np.flatnonzero(df).tolist():
        d = int(df[t])
        out[t] = math.log(max((n_docs - d + 0.5) / (d + 0.5), 1))
    return out


def _weights(tf: np.ndarray, l_d: np.ndarray, idf: np.ndarray, l_avg: np.float64, k1: float, b: float,
             dtype: np.dtype) -> np.ndarray:
    """bm25s's `_score_tfc_atire` times idf, vectorised over postings with the same operand dtypes as its
    per-document loop (tf in `dtype`, lengths as float64 through `b * l_d / l_avg`), so every weight is equal."""
    tf = tf.astype(dtype)
    tfc = (tf * (k1 + 1)) / (tf + k1 * (1 - b + b * l_d / l_avg))
    return (idf * tfc).astype(dtype)


def _merge(folder: Path, runs: Path, stems: list[str], df: np.ndarray, doc_len: np.ndarray, k1: float, b: float,
           dtype: np.dtype, merge_postings: int, show_progress: bool) -> np.ndarray:
    """Pass 2: term-major CSR from the runs, one range of terms at a time, written sequentially. Returns term_max."""
    n_docs, n_terms = len(doc_len), len(df)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    total = int(indptr[-1])
    np.save(folder / "indptr.npy", indptr)
    l_avg = np.array(doc_len).mean() if n_docs else np.float64(0)   # as bm25s: mean of the lengths
    idf = _idf(df, n_docs, dtype)
    term_max = np.zeros(n_terms, dtype=np.float64)
    cuts = [0]   # term ranges of about merge_postings postings each
    while cuts[-1] < n_terms:
        nxt = int(np.searchsorted(indptr, indptr[cuts[-1]] + merge_postings, side="right")) - 1
        cuts.append(min(n_terms, max(nxt, cuts[-1] + 1)))
    # where each range starts in each run (runs are sorted by term): one read of each run's terms
    run_cuts = [np.searchsorted(np.fromfile(runs / f"{s}.terms", dtype=np.int32), cuts).tolist() for s in stems]
    files = {(s, part): open(runs / f"{s}.{part}", "rb") for s in stems for part in ("terms", "docs", "tf")}

    def read(stem: str, part: str, lo: int, hi: int) -> np.ndarray:
        f = files[stem, part]
        f.seek(4 * lo)
        return np.fromfile(f, dtype=np.int32, count=hi - lo)
    outs = {}
    for name, kind in (("indices", np.int32), ("data", dtype)):
        f = open(folder / f"{name}.npy", "wb")   # an npy header, then the ranges appended in order
        np.lib.format.write_array_header_1_0(f, {"descr": np.lib.format.dtype_to_descr(np.dtype(kind)),
                                                 "fortran_order": False, "shape": (total,)})
        outs[name] = f
    try:
        with bar("bm25 on disk: merging postings", total, enabled=show_progress) as advance:
            for r in range(len(cuts) - 1):
                parts_t, parts_d, parts_f = [], [], []
                for stem, at in zip(stems, run_cuts):
                    parts_t.append(read(stem, "terms", at[r], at[r + 1]))
                    parts_d.append(read(stem, "docs", at[r], at[r + 1]))
                    parts_f.append(read(stem, "tf", at[r], at[r + 1]))
                terms = np.concatenate(parts_t)
                order = np.argsort(terms, kind="stable")   # runs are in doc order: docs stay ascending per term
                terms, docs, tfs = terms[order], np.concatenate(parts_d)[order], np.concatenate(parts_f)[order]
                del parts_t, parts_d, parts_f, order
                data = _weights(tfs, doc_len[docs], idf[terms], l_avg, k1, b, dtype)
                if len(terms):
                    starts = np.flatnonzero(np.r_[True, terms[1:] != terms[:-1]])
                    term_max[terms[starts]] = np.maximum.reduceat(data.astype(np.float64), starts)
                docs.tofile(outs["indices"])
                data.tofile(outs["data"])
                advance(len(terms))
    finally:
        for f in [*outs.values(), *files.values()]:
            f.close()
    return term_max


def build(folder: str | Path, docs: Iterable[tuple[str, str]], key: dict[str, Any], *, tokenizer: Tokenizer,
          k1: float, b: float, dtype: str = "float32", n_docs: int | None = None, chunk_docs: int = CHUNK_DOCS,
          merge_postings: int = MERGE_POSTINGS, show_progress: bool = True) -> Path:
    """Index (doc id, text) pairs into `folder` (replaced atomically). `n_docs` only sizes the progress bar."""
    folder = Path(folder)
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise RetrieverError(f"bm25 on disk: dtype={dtype!r}; expected float32 or float64")
    with atomic_folder(folder) as tmp:
        runs = tmp / "_runs"
        runs.mkdir()
        vocab, df, doc_len, stems = _write_runs(docs, tokenizer, runs, chunk_docs, n_docs, show_progress)
        if not len(doc_len):
            raise RetrieverError("bm25 on disk: cannot index an empty corpus")
        term_max = _merge(tmp, runs, stems, df, doc_len, k1, b, dt, merge_postings, show_progress)
        np.save(tmp / "term_max.npy", term_max)
        np.save(tmp / "doc_len.npy", doc_len.astype(np.int32))
        shutil.move(runs / "doc_id_offsets.npy", tmp / "doc_id_offsets.npy")
        raw = np.fromfile(runs / "doc_ids.bin", dtype=np.uint8)
        np.save(tmp / "doc_id_bytes.npy", raw)
        del raw
        offs, raw = _strings_to_arrays(sorted(vocab, key=vocab.__getitem__))
        np.save(tmp / "vocab_offsets.npy", offs)
        np.save(tmp / "vocab_bytes.npy", raw)
        shutil.rmtree(runs)
        meta = {"key": key, "n_docs": len(doc_len), "n_terms": len(vocab), "n_postings": int(df.sum()),
                "avg_doc_len": float(doc_len.mean())}
        (tmp / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


# --- open and search --------------------------------------------------------------------------------------
class DiskIndex:
    """An opened index folder: memory-mapped arrays, the vocabulary as a dict (the only per-term Python objects)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        meta_path = self.folder / META
        if not meta_path.is_file():
            raise RetrieverError(f"{self.folder}: not a bm25 on-disk index (missing {META})")
        self.meta = json.loads(meta_path.read_text(encoding="utf-8"))

        def load(name: str) -> np.ndarray:
            try:
                return np.load(self.folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as e:
                raise RetrieverError(f"{self.folder / name}.npy: unreadable ({e}); delete the folder") from None

        self.indptr, self.indices, self.data = load("indptr"), load("indices"), load("data")
        self.term_max = np.ascontiguousarray(load("term_max"))
        self.doc_ids = StringArray(load("doc_id_offsets"), load("doc_id_bytes"))
        terms = StringArray(np.asarray(load("vocab_offsets")), np.asarray(load("vocab_bytes")))
        self.vocab: dict[str, int] = {t: i for i, t in enumerate(terms)}
        if len(self.doc_ids) != self.meta["n_docs"] or len(self.indptr) != len(self.vocab) + 1 \
                or int(self.indptr[-1]) != len(self.indices) or len(self.indices) != len(self.data):
            raise RetrieverError(f"{self.folder}: inconsistent bm25 on-disk index (array sizes); delete the folder")

    def score_all(self, term_ids: list[int]) -> np.ndarray:
        """Every document's score (re-ranking pools): the query terms' postings summed, a repeated term again."""
        scores = np.zeros(len(self.doc_ids), dtype=self.data.dtype)
        for t in term_ids:
            lo, hi = int(self.indptr[t]), int(self.indptr[t + 1])
            scores[self.indices[lo:hi]] += self.data[lo:hi]
        return scores


def holds(folder: str | Path, key: dict[str, Any]) -> bool:
    """Whether `folder` is a complete index built under `key` (an unreadable meta means "rebuild")."""
    meta_path = Path(folder) / META
    try:
        return json.loads(meta_path.read_text(encoding="utf-8")).get("key") == key
    except (OSError, ValueError, AttributeError):
        return False


def ensure(folder: str | Path, key: dict[str, Any], docs: Callable[[], Iterable[tuple[str, str]]], *,
           tokenizer: Tokenizer, k1: float, b: float, dtype: str, n_docs: int | None = None,
           show_progress: bool = True, **build_options: Any) -> tuple[DiskIndex, bool]:
    """(the index, whether it was built now): `folder` is reused when it holds `key`, else (re)built from `docs()`."""
    built = not holds(folder, key)
    if built:
        build(folder, docs(), key, tokenizer=tokenizer, k1=k1, b=b, dtype=dtype, n_docs=n_docs,
              show_progress=show_progress, **build_options)
    return DiskIndex(folder), built
