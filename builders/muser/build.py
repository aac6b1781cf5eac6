"""Build a MUSER-style dataset from annotated cases.

Input: `cases_pool.json` in the documented format (uid, caseID, content{本院查明, 本院认为, 法条},
labels, split_labels), the label schema, which cases are queries, and optionally per-view human
judgments (`judgments.jsonl`: query, candidate, annotator, aqbq 0-3, zyjd 0/1/3, ft 0/2).
Output, on the shared job runner (builders.common.jobs): `job/manifest.json` hashes the config and the
inputs, `job/queries.jsonl` is the checkpoint (one fsynced line per query: its pool and per-view grades),
so a kill -9 loses at most the query in flight and `--resume` finishes byte-identically; an existing
output is refused without `--resume`, a changed config under `--resume` is refused naming what changed.
The dataset files are then written in place, each atomically, `build.json` last:
- MUSER's original layout: legal_items/, cases/{cases_pool,cands_by_query,train_test}.json,
  labels/{sim_scores,top30_dict,golden_labels,view_scores}.json (+ judgments.jsonl when given);
- `hf/`: an HF folder `datasets.load_dataset` reads (MTEB retrieval layout: corpus, queries,
  default qrels with query-id / corpus-id / score, splits train and test);
- `build.json`: parameters, counts, and per-view agreement (kappa) when judgments have several annotators.
"""
from __future__ import annotations

import random
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from annotation.muser.files import LAYOUT, load_cases, write_json
from annotation.muser.judgments import PairJudgments, Settled, agreement, read_judgments, settle
from annotation.muser.schema import VIEW_SCORES, CaseRecord
from annotation.muser.validate import Report, check_cases_file, check_judgments, check_schema_dir
from core import DataError, UserError, atomic_folder, atomic_write_bytes, read_jsonl, sha256_file, sha256_json
from builders.common.jobs import (BuildReport, NothingKept, check_output, nothing_kept_leaves_nothing, run_items,
                                  start_manifest, update_manifest)
from core.checkpointed import CheckpointedJsonl
from builders.muser.pooling import pool
from annotation.muser.similarity import elements, model_grades, similarity

GOLDEN_MIN = 7
TOP = 30


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
    resume: bool = False


@dataclass
class MuserBuildReport(BuildReport):
    build: dict[str, Any]                   # build.json: parameters, counts, agreement
    queries_resumed: int                    # manifest: job/manifest.json
    settled_note: str | None = None         # how disagreements between annotators were decided (said, not silent)
    settled_by_rule: int = 0                # ... of which by a rule (majority, lower grade) rather than a person

    @property
    def counts(self) -> dict[str, Any]:
        return self.build["counts"]


def _fail_on_errors(rep: Report) -> None:
    errors = [i for i in rep.issues if i.severity == "error"]
    if errors:
        more = f" (+{len(errors) - 3} more; run `bench validate muser`)" if len(errors) > 3 else ""
        raise BuildError("; ".join(str(i) for i in errors[:3]) + more)


def _retriever_rankings(name: str, cases: dict[str, CaseRecord], queries: list[str], depth: int,
                        params: dict[str, Any]) -> dict[str, list[str]]:
    from retrieval import registry
    from retrieval.types import Document

    retriever = registry.create(name, **{"lang": "zh", **params})
    retriever.index({c: Document(doc_id=c, text=r.text, lang="zh") for c, r in cases.items()}, show_progress=False)
    run = retriever.search({q: cases[q].text for q in queries}, k=depth + 1, show_progress=False)
    return {q: [d for d, _ in sorted(run.get(q, {}).items(), key=lambda x: (-x[1], x[0]))] for q in queries}


def _schema_sha(schema_dir: Path) -> str:
    return sha256_json({str(p.relative_to(schema_dir)): sha256_file(p)
                        for p in sorted(schema_dir.rglob("*")) if p.is_file()})


def build_dataset(cfg: BuildConfig) -> MuserBuildReport:
    """Validate inputs, pool, score, split and write both layouts (resumable per query)."""
    t0 = time.monotonic()
    rep = Report()
    schema = check_schema_dir(Path(cfg.schema_dir), rep)
    _fail_on_errors(rep)
    assert schema is not None
    check_cases_file(Path(cfg.cases), schema, rep)
    _fail_on_errors(rep)
    raw = load_cases(cfg.cases)
    cases = {k: CaseRecord.from_dict(k, v) for k, v in raw.items()}
    if len(cases) < 2:         # a pool is the other cases: with fewer than two there is no pair to build
        raise BuildError(f"{cfg.cases}: {len(cases)} case record{'s' if len(cases) != 1 else ''}; a MUSER dataset "
                         "needs a query case and at least one other case to pool (nothing to build)")
    for name, value in (("--depth", cfg.depth), ("--pool-size", cfg.pool_size)):
        if value < 1:
            raise BuildError(f"{name} {value}: must be >= 1 (a pool of 0 candidates keeps no pair)")
    if cfg.queries:
        unknown = [q for q in cfg.queries if q not in cases]
        if unknown:
            raise BuildError(f"{cfg.cases}: query ids {unknown} have no case record")
        queries = list(dict.fromkeys(cfg.queries))
    else:
        n = cfg.n_queries or max(1, len(cases) // 10)
        queries = sorted(random.Random(cfg.seed).sample(sorted(cases), min(n, len(cases))))
    per_pair: PairJudgments = {}
    judged: dict[str, list[str]] = {}          # query -> judged candidates, in judgments-file order
    settled = Settled({})
    if cfg.judgments is not None:
        check_judgments(Path(cfg.judgments), rep, None)
        _fail_on_errors(rep)
        per_pair = read_judgments(cfg.judgments)
        qset = set(queries)
        for q, c in per_pair:       # a judged pair always belongs to its pool (appended after the pooled ones)
            if q not in qset or c not in cases or c == q:
                rep.add(cfg.judgments, f"pair ({q}, {c}) is not a (query, other case) of this build", f"{q}/{c}")
            else:
                judged.setdefault(q, []).append(c)
        _fail_on_errors(rep)
        try:
            settled = settle(per_pair, cfg.judgments)     # adjudicated, majority, or lower grade on a tie
        except DataError as exc:
            raise BuildError(str(exc)) from None

    out = Path(cfg.out_dir)
    mpath = out / "job" / "manifest.json"
    check_output(mpath, [out], resume=cfg.resume)
    with nothing_kept_leaves_nothing(out):
        return _build(cfg, schema, raw, cases, queries, per_pair, judged, settled, out, mpath, t0)


def _build(cfg: BuildConfig, schema: Any, raw: dict[str, Any], cases: dict[str, CaseRecord], queries: list[str],
           per_pair: PairJudgments, judged: dict[str, list[str]], settled: Settled, out: Path, mpath: Path,
           t0: float) -> MuserBuildReport:
    """The job (pooling and grading, resumable per query) and the dataset files; inputs already checked."""
    hashed = {"cases_sha256": sha256_file(cfg.cases), "schema_sha256": _schema_sha(Path(cfg.schema_dir)),
              "judgments_sha256": sha256_file(cfg.judgments) if cfg.judgments else None, "queries": queries,
              "sources": list(cfg.sources), "depth": cfg.depth, "pool_size": cfg.pool_size,
              "test_fraction": cfg.test_fraction, "seed": cfg.seed, "hf": cfg.hf,
              "retriever_params": cfg.retriever_params}
    if settled.adjudication is not None:      # its `resolved` values change grades: a changed file is a new build
        hashed["adjudication_sha256"] = sha256_file(settled.adjudication)
    job = start_manifest(mpath, job="muser", config=hashed, backends={}, seed=cfg.seed, resume=cfg.resume)
    elems = {c: elements(r, schema) for c, r in cases.items()}

    with CheckpointedJsonl(out / "job" / "queries.jsonl").open(resume=cfg.resume) as writer:
        todo = [q for q in queries if q not in writer.done]
        resumed = len(queries) - len(todo)
        ranked = {src: _retriever_rankings(src, cases, todo, cfg.depth, cfg.retriever_params)
                  for src in dict.fromkeys(cfg.sources) if src != "elements" and todo}

        def work(q: str) -> dict[str, Any]:
            """One query: each source's ranking -> pool (+ judged pairs) -> per-view grades."""
            rankings = []
            for src in cfg.sources:
                if src == "elements":
                    scored = sorted(((c, similarity(elems[q], elems[c], schema)) for c in cases if c != q),
                                    key=lambda x: -x[1])     # stable: ties keep case-file order
                    rankings.append([c for c, _ in scored])
                else:
                    rankings.append(ranked[src][q])
            pooled = pool(rankings, depth=cfg.depth, query_id=q, size=cfg.pool_size)
            added = [c for c in judged.get(q, []) if c not in pooled]
            grades: dict[str, dict[str, Any]] = {}
            for c in pooled + added:
                if (q, c) in settled.grades:
                    grades[c] = {**settled.grades[(q, c)], "source": "judgments"}
                else:
                    grades[c] = {**model_grades(elems[q], elems[c], schema), "source": "model"}
            return {"id": q, "pool": pooled + added, "judged_added": len(added), "view_scores": grades}

        run_items(queries, key=lambda q: q, work=work, writer=writer, workers=1, ordered=True,
                  description="pooling + grading queries", show_progress=cfg.show_progress)
    lines = {r["id"]: r for r in read_jsonl(out / "job" / "queries.jsonl")}
    pools = {q: lines[q]["pool"] for q in queries}
    if not any(pools.values()):
        raise NothingKept(f"{cfg.cases}: no (query, candidate) pair in the pools of {len(queries)} "
                          f"quer{'ies' if len(queries) != 1 else 'y'} (sources {', '.join(cfg.sources)} ranked no "
                          "other case): nothing to build")
    view_scores = {q: lines[q]["view_scores"] for q in queries}
    added = sum(lines[q]["judged_added"] for q in queries)
    n_human = sum(g["source"] == "judgments" for q in queries for g in view_scores[q].values())
    sim_scores: dict[str, dict[str, int]] = {}
    for q in queries:
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
                   "pairs_from_judgments": n_human, "judged_added_to_pools": added,
                   "train": len(split["train"]), "test": len(split["test"]),
                   "golden": sum(1 for q in sim_scores for s in sim_scores[q].values() if s >= GOLDEN_MIN)},
        "agreement": agreement(per_pair),
        "judgments": str(cfg.judgments) if cfg.judgments else None,
        "settled": settled.to_dict() if cfg.judgments else None,
    }
    with atomic_folder(out / LAYOUT["schema"]) as tmp:
        shutil.copytree(cfg.schema_dir, tmp, dirs_exist_ok=True)
    write_json(out / LAYOUT["cases"], raw)
    write_json(out / LAYOUT["pools"], {q: [int(c) if numeric else c for c in p] for q, p in pools.items()})
    write_json(out / LAYOUT["split"], split)
    write_json(out / LAYOUT["scores"], sim_scores)
    write_json(out / LAYOUT["top30"], {q: dict(list(s.items())[:TOP]) for q, s in sim_scores.items()})
    write_json(out / LAYOUT["golden"], {q: [c for c, v in s.items() if v >= GOLDEN_MIN] for q, s in sim_scores.items()})
    write_json(out / LAYOUT["view_scores"], view_scores)
    if cfg.judgments is not None:
        atomic_write_bytes(out / LAYOUT["judgments"], Path(cfg.judgments).read_bytes())
    if cfg.hf:
        from builders.muser.hf_export import write_mteb_folder

        write_mteb_folder(out / "hf", cases, queries, sim_scores, split)
    write_json(out / "build.json", manifest)          # last: the dataset is complete
    update_manifest(mpath, job, status="complete", counts=manifest["counts"])
    return MuserBuildReport(out=out, manifest=mpath, build=manifest, queries_resumed=resumed,
                            seconds=round(time.monotonic() - t0, 2),
                            settled_note=settled.note(Path(cfg.judgments)) if cfg.judgments else None,
                            settled_by_rule=settled.by_rule)


def parse_ids(values: Sequence[str] | None) -> list[str] | None:
    """`--queries 1,2 --queries 3` -> ["1", "2", "3"]."""
    if not values:
        return None
    return [x.strip() for v in values for x in v.split(",") if x.strip()]
