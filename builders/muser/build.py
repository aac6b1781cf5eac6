"""Build a MUSER-style dataset from annotated cases.

Input: `cases_pool.json` in the documented format (uid, caseID, content{本院查明, 本院认为, 法条},
labels, split_labels), the label schema, which cases are queries, and optionally per-view human
judgments (`judgments.jsonl`: query, candidate, annotator, aqbq 0-3, zyjd 0/1/3, ft 0/2).
Output (written to a temp folder, then renamed in):
- MUSER's original layout: legal_items/, cases/{cases_pool,cands_by_query,train_test}.json,
  labels/{sim_scores,top30_dict,golden_labels,view_scores}.json (+ judgments.jsonl when given);
- `hf/`: an HF folder `datasets.load_dataset` reads (MTEB retrieval layout: corpus, queries,
  default qrels with query-id / corpus-id / score, splits train and test);
- `build.json`: parameters, counts, and per-view agreement (kappa) when judgments have several annotators.
"""
from __future__ import annotations

import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from annotation.muser.files import LAYOUT, load_cases, write_json
from annotation.muser.judgments import PairJudgments, agreement, read_judgments
from annotation.muser.schema import VIEW_SCORES, CaseRecord
from annotation.muser.validate import Report, check_cases_file, check_judgments, check_schema_dir
from annotation.floor import atomic_folder
from builders.muser.pooling import pool
from builders.muser.similarity import elements, model_grades, similarity

GOLDEN_MIN = 7
TOP = 30

from annotation.floor import UserError


class BuildError(UserError, ValueError):
    """Invalid builder input; the message names the file, record and field of the first problems."""


@dataclass
class BuildConfig:
    cases: Path
    out_dir: Path
    schema_dir: Path
    queries: list[str] | None = None       # case ids used as queries (default: n_queries sampled)
    n_queries: int | None = None
    sources: tuple[str, ...] = ("elements",)   # "elements" = legal-element model; else a retriever name
    depth: int = 50                         # top-`depth` of each source enters the pool
    pool_size: int = 100
    judgments: Path | None = None
    test_fraction: float = 0.2
    seed: int = 13
    hf: bool = True
    retriever_params: dict[str, Any] = field(default_factory=dict)
    show_progress: bool = True


def _fail_on_errors(rep: Report) -> None:
    errors = [i for i in rep.issues if i.severity == "error"]
    if errors:
        more = f" (+{len(errors) - 3} more; run `bench validate muser`)" if len(errors) > 3 else ""
        raise BuildError("; ".join(str(i) for i in errors[:3]) + more)


def _retriever_rankings(name: str, cases: dict[str, CaseRecord], queries: list[str], depth: int,
                        params: dict[str, Any]) -> dict[str, list[str]]:
    from retrieval import registry  # noqa: PLC0415
    from retrieval.types import Document  # noqa: PLC0415

    retriever = registry.create(name, **{"lang": "zh", **params})
    retriever.index({c: Document(doc_id=c, text=r.text, lang="zh") for c, r in cases.items()}, show_progress=False)
    run = retriever.search({q: cases[q].text for q in queries}, k=depth + 1, show_progress=False)
    return {q: [d for d, _ in sorted(run.get(q, {}).items(), key=lambda x: (-x[1], x[0]))] for q in queries}


def _aggregate(grades: list[int], view: str) -> int:
    """Majority grade of the annotators; a tie goes to the lower grade (conservative)."""
    counts = Counter(grades)
    best = max(counts.values())
    return min(g for g, c in counts.items() if c == best)


def build_dataset(cfg: BuildConfig) -> dict[str, Any]:
    """Validate inputs, pool, score, split and write both layouts; returns the build manifest."""
    rep = Report()
    schema = check_schema_dir(Path(cfg.schema_dir), rep)
    _fail_on_errors(rep)
    assert schema is not None
    check_cases_file(Path(cfg.cases), schema, rep)
    _fail_on_errors(rep)
    raw = load_cases(cfg.cases)
    cases = {k: CaseRecord.from_dict(k, v) for k, v in raw.items()}
    if cfg.queries:
        unknown = [q for q in cfg.queries if q not in cases]
        if unknown:
            raise BuildError(f"{cfg.cases}: query ids {unknown} have no case record")
        queries = list(dict.fromkeys(cfg.queries))
    else:
        n = cfg.n_queries or max(1, len(cases) // 10)
        queries = sorted(random.Random(cfg.seed).sample(sorted(cases), min(n, len(cases))))
    elems = {c: elements(r, schema) for c, r in cases.items()}

    rankings: dict[str, list[list[str]]] = {q: [] for q in queries}
    from rich.progress import Progress  # noqa: PLC0415

    with Progress(disable=not cfg.show_progress, transient=True) as bar:
        for src in cfg.sources:
            if src == "elements":
                task = bar.add_task("pooling: legal-element model", total=len(queries))
                for q in queries:
                    scored = sorted(((c, similarity(elems[q], elems[c], schema)) for c in cases if c != q),
                                    key=lambda x: -x[1])     # stable: ties keep case-file order
                    rankings[q].append([c for c, _ in scored])
                    bar.advance(task)
            else:
                task = bar.add_task(f"pooling: {src}", total=1)
                for q, ranked in _retriever_rankings(src, cases, queries, cfg.depth, cfg.retriever_params).items():
                    rankings[q].append(ranked)
                bar.advance(task)
    pools = {q: pool(rankings[q], depth=cfg.depth, query_id=q, size=cfg.pool_size) for q in queries}

    per_pair: PairJudgments = {}
    added = 0
    if cfg.judgments is not None:
        check_judgments(Path(cfg.judgments), rep, None)
        _fail_on_errors(rep)
        per_pair = read_judgments(cfg.judgments)
        for q, c in per_pair:       # a judged pair always belongs to its pool (appended after the pooled ones)
            if q not in pools or c not in cases or c == q:
                rep.add(cfg.judgments, f"pair ({q}, {c}) is not a (query, other case) of this build", f"{q}/{c}")
            elif c not in pools[q]:
                pools[q].append(c)
                added += 1
        _fail_on_errors(rep)
    view_scores: dict[str, dict[str, dict[str, Any]]] = {}
    sim_scores: dict[str, dict[str, int]] = {}
    n_human = 0
    for q in queries:
        view_scores[q] = {}
        for c in pools[q]:
            judged = per_pair.get((q, c))
            if judged:
                grades = {v: _aggregate([j[v] for j in judged.values()], v) for v in VIEW_SCORES}
                source = "judgments"
                n_human += 1
            else:
                grades = model_grades(elems[q], elems[c], schema)
                source = "model"
            view_scores[q][c] = {**grades, "source": source}
        order = sorted(pools[q], key=lambda c: -sum(view_scores[q][c][v] for v in VIEW_SCORES))  # stable
        sim_scores[q] = {c: sum(view_scores[q][c][v] for v in VIEW_SCORES) for c in order}

    shuffled = list(queries)
    random.Random(cfg.seed).shuffle(shuffled)
    n_test = max(1, round(len(shuffled) * cfg.test_fraction)) if len(shuffled) > 1 else 0
    split = {"train": shuffled[n_test:], "test": shuffled[:n_test]}

    numeric = all(c.isdigit() for p in pools.values() for c in p)
    manifest = {
        "builder": "muser", "cases": str(cfg.cases), "schema_dir": str(cfg.schema_dir), "sources": list(cfg.sources),
        "depth": cfg.depth, "pool_size": cfg.pool_size, "seed": cfg.seed, "test_fraction": cfg.test_fraction,
        "counts": {"cases": len(cases), "queries": len(queries), "pairs": sum(len(p) for p in pools.values()),
                   "pairs_from_judgments": n_human, "judged_added_to_pools": added, "train": len(split["train"]), "test": len(split["test"]),
                   "golden": sum(1 for q in sim_scores for s in sim_scores[q].values() if s >= GOLDEN_MIN)},
        "agreement": agreement(per_pair),
        "judgments": str(cfg.judgments) if cfg.judgments else None,
    }
    out = Path(cfg.out_dir)
    with atomic_folder(out) as tmp:
        shutil.copytree(cfg.schema_dir, tmp / LAYOUT["schema"])
        write_json(tmp / LAYOUT["cases"], raw)
        write_json(tmp / LAYOUT["pools"], {q: [int(c) if numeric else c for c in p] for q, p in pools.items()})
        write_json(tmp / LAYOUT["split"], split)
        write_json(tmp / LAYOUT["scores"], sim_scores)
        write_json(tmp / LAYOUT["top30"], {q: dict(list(s.items())[:TOP]) for q, s in sim_scores.items()})
        write_json(tmp / LAYOUT["golden"], {q: [c for c, v in s.items() if v >= GOLDEN_MIN] for q, s in sim_scores.items()})
        write_json(tmp / LAYOUT["view_scores"], view_scores)
        if cfg.judgments is not None:
            shutil.copyfile(cfg.judgments, tmp / LAYOUT["judgments"])
        if cfg.hf:
            from builders.muser.hf_export import write_mteb_folder  # noqa: PLC0415

            write_mteb_folder(tmp / "hf", cases, queries, sim_scores, split)
        write_json(tmp / "build.json", manifest)
    return manifest


def parse_ids(values: Sequence[str] | None) -> list[str] | None:
    """`--queries 1,2 --queries 3` -> ["1", "2", "3"]."""
    if not values:
        return None
    return [x.strip() for v in values for x in v.split(",") if x.strip()]
