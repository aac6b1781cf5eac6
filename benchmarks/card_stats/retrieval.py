"""Card statistics of the classic English collections (Cranfield, Vaswani), via the data loaders."""
from __future__ import annotations

from pathlib import Path

from benchmarks.card_stats import Stats, mean


def _collection_stats(name: str) -> Stats:
    from benchmarks.data.loaders.trec_xml import load_cranfield, load_vaswani
    from benchmarks.data.registry import dataset_dir, dataset_sha

    loader = {"cranfield": load_cranfield, "vaswani": load_vaswani}[name]
    col = loader(dataset_dir(name))
    pairs = [(q, d, g) for q, docs in col.qrels.items() for d, g in docs.items()]
    positives = [p for p in pairs if p[2] > 0]
    rel_per_query = [sum(1 for g in docs.values() if g > 0) for docs in col.qrels.values()]
    return {
        "Counts": {
            "documents": len(col.corpus),
            "documents with empty text": sum(1 for d in col.corpus.values() if not d.text.strip()),
            "queries": len(col.queries),
            "judged queries": len(col.qrels),
            "qrels (pairs)": len(pairs),
            "relevant pairs (grade > 0)": len(positives),
            "relevant documents per query (mean / min / max)":
                f"{mean(rel_per_query)} / {min(rel_per_query)} / {max(rel_per_query)}",
        },
        "Lengths (whitespace tokens)": {
            "document title + text (mean)": mean([len(d.full_text.split()) for d in col.corpus.values()]),
            "query (mean)": mean([len(q.split()) for q in col.queries.values()]),
        },
        "Revision": {"dataset sha256 (registry)": dataset_sha(name)},
    }


def cranfield(source: Path | None = None) -> Stats:
    return _collection_stats("cranfield")


def vaswani(source: Path | None = None) -> Stats:
    return _collection_stats("vaswani")
