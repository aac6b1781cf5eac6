"""Card statistics of the Chinese legal case retrieval data (LeCaRD, MUSER), from the raw files."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from benchmarks.card_stats import Stats, mean, read_json, read_jsonl


def lecard(source: Path | None = None) -> Stats:
    from benchmarks.data.registry import dataset_dir, dataset_sha

    root = dataset_dir("lecard") / "data"
    queries = read_jsonl(root / "query" / "query.json")
    labels = read_json(root / "label" / "label_top30_dict.json")
    grades = Counter(int(g) for docs in labels.values() for g in docs.values())
    pools = sorted(p for p in (root / "candidates").iterdir() if p.is_dir())
    pool_ids = [f.stem for p in pools for f in p.glob("*.json")]
    pool_files = len(pool_ids)
    return {
        "Counts": {
            "queries": len(queries),
            "queries with labels": len(labels),
            "judged pairs": sum(grades.values()),
            **{f"pairs with grade {g}": grades[g] for g in sorted(grades)},
            "queries with a candidate pool in this copy": len(pools),
            "candidate documents in those pools": pool_files,
            "distinct candidate documents (ids shared by pools counted once)": len(set(pool_ids)),
        },
        "Lengths (characters)": {"query fact description (mean)": mean([len(q["q"]) for q in queries])},
        "Revision": {"dataset sha256 (registry)": dataset_sha("lecard")},
    }


def muser(source: Path | None = None) -> Stats:
    from benchmarks.data.registry import dataset_dir, dataset_sha

    root = dataset_dir("muser")
    cands = read_json(root / "cases" / "cands_by_query.json")
    split = read_json(root / "cases" / "train_test.json")
    scores = read_json(root / "labels" / "sim_scores.json")
    golden = read_json(root / "labels" / "golden_labels.json")
    dist = Counter(int(s) for docs in scores.values() for s in docs.values())
    distinct = {str(c) for cs in cands.values() for c in cs}
    items = {name: read_json(root / "legal_items" / f"{name}.json") for name in ("aqbq", "zyjd", "ft")}
    out: Stats = {
        "Counts": {
            "queries": len(cands),
            "candidates per query (min / max)": f"{min(map(len, cands.values()))} / {max(map(len, cands.values()))}",
            "distinct candidate cases": len(distinct),
            "cases (queries and candidates)": len(distinct | set(cands)),
            "train / test queries": f"{len(split['train'])} / {len(split['test'])}",
            "golden candidates per query (score >= 7, mean)": mean([len(v) for v in golden.values()]),
            "queries with no golden candidate": sum(1 for v in golden.values() if not v),
        },
        "Similarity score distribution (0-8, all judged pairs)": {str(s): dist[s] for s in sorted(dist)},
        "Legal-element label sets (labels per level)": {
            name: " / ".join(str(len(level)) for level in data.values()) for name, data in items.items()},
        "Revision": {"dataset sha256 (registry)": dataset_sha("muser")},
    }
    return out
