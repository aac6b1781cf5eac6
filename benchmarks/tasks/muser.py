"""Task `muser`: similar-case retrieval on MUSER, scored with the paper's and trec_eval's metrics.

Two ways in: `--run FILE` scores an external run (the committed `predictions/*_top100.json` are
JSON `{qid: [ranked case ids]}`; TREC run files and `{qid: {docid: score}}` JSON work too);
`--retriever X` re-ranks each query's candidate pool, which needs the case texts
(`cases/cases_pool.json` in `--data-dir`, or `--param cases=PATH`). Both metric sets land in
`Result.metrics`: `paper`, `paper-head` (see benchmarks.metrics.muser_paper) and `standard`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotation.muser.files import LAYOUT, MuserFileError, load_cases, load_pools, load_scores, split_queries
from benchmarks.artifacts import artifact_stem
from benchmarks.metrics.muser_paper import MUSER_PAPER, MUSER_PAPER_HEAD, evaluate_paper
from benchmarks.results import ModelInfo
from core import DataError, read_json, require_file, sha256_file
from benchmarks.io.trec import read_run
from benchmarks.provenance import file_ref
from benchmarks.tasks.base import Mode, RunOptions, Scores, Task, TaskError

STANDARD_CUTOFFS = (10, 20, 30)
DEFAULT_REL_THRESHOLD = 5     # the paper's metric code calls score >= 5 relevant


def default_data_dir() -> Path:
    """The registry's MUSER folder (sha-verified; BENCH_DATA_MIRROR or the public origin)."""
    from benchmarks.data.registry import dataset_dir

    return Path(dataset_dir("muser"))


def dataset_fingerprint(root: Path) -> str:
    """sha256 over the judgment files this task reads (name + content hash, fixed order)."""
    h = hashlib.sha256()
    for key in ("pools", "split", "scores", "top30"):
        p = root / LAYOUT[key]
        h.update(f"{LAYOUT[key]}:{sha256_file(p) if p.exists() else '-'}\n".encode())
    return h.hexdigest()


def _dataset_sha(data_dir: Path | None, root: Path) -> str:
    if data_dir is None:
        from benchmarks.data.registry import dataset_sha

        return dataset_sha("muser")
    return dataset_fingerprint(root)


# ---------------------------------------------------------------- runs
def read_ranked_run(path: str | Path) -> dict[str, list[str]]:
    """JSON {qid: [ids]} / {qid: {id: score}} or a TREC run file -> {qid: [ids best first]}.

    What it covers of a task is checked by the caller (benchmarks.coverage)."""
    return _read_ranked(path)


def run_coverage(path: Path, ranked: dict[str, list[str]], root: Path, queries: list[str],
                 scores: dict[str, dict[str, int]], options: RunOptions, task: str) -> dict[str, Any]:
    """Check a run against MUSER's queries (all splits are known) and cases (pools and judged candidates)."""
    from benchmarks import coverage

    pooled: set[str] = set()
    if (root / LAYOUT["pools"]).exists():
        pooled = {c for pool in load_pools(root).values() for c in pool}
    judged = {c for docs in scores.values() for c in docs}
    found = coverage.run_coverage(path, ranked, task=task, scored=set(queries),
                                  known_queries=set(split_queries(root, "all")) | set(scores),
                                  known_docs=coverage.known(judged, pooled))
    return coverage.check(found, allow_partial=options.allow_partial)


def _read_ranked(path: str | Path) -> dict[str, list[str]]:
    path = require_file(path, "run file", error=TaskError)
    with open(path, "rb") as f:
        head = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        data = read_json(path, what="run file", error=TaskError)
        out: dict[str, list[str]] = {}
        if not isinstance(data, dict):
            raise TaskError(f"{path}: a JSON run must be an object {{qid: [ids]}} or {{qid: {{id: score}}}}")
        for q, docs in data.items():
            if isinstance(docs, list):
                out[str(q)] = _ranked_ids(path, str(q), docs)
            elif isinstance(docs, dict):
                if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in docs.values()):
                    raise TaskError(f"{path}: query {q!r}: every score must be a number")
                out[str(q)] = [d for d, _ in sorted(docs.items(), key=lambda x: (-float(x[1]), x[0]))]
            else:
                raise TaskError(f"{path}: query {q!r}: expected a list of ids or {{id: score}}")
        return out
    if head.startswith(b"["):
        raise TaskError(f"{path}: a JSON run must be an object {{qid: [ids]}} or {{qid: {{id: score}}}}")
    try:
        run = read_run(path)
    except DataError as exc:
        raise TaskError(str(exc)) from None
    return {q: [d for d, _ in sorted(docs.items(), key=lambda x: (-x[1], x[0]))] for q, docs in run.items()}


def _ranked_ids(path: Path, qid: str, docs: list[Any]) -> list[str]:
    """A query's ranked list; a null, non-id or repeated entry is an error (no silent `"None"` or dedup)."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, doc in enumerate(docs):
        if doc is None or isinstance(doc, bool) or not isinstance(doc, (str, int)) or not str(doc).strip():
            raise TaskError(f"{path}: query {qid!r}: field [{i}]: {json.dumps(doc)} is not a case id "
                            f"(expected a string or an integer)")
        doc = str(doc)
        if doc in seen:
            raise TaskError(f"{path}: query {qid!r}: case {doc!r} is ranked twice (positions {seen[doc] + 1} "
                            f"and {i + 1}); each case may appear once")
        seen[doc] = i
        out.append(doc)
    return out


def ranked_to_run(ranked: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Strictly decreasing scores so trec_eval keeps the given order (no tie re-sorting)."""
    return {q: {d: float(len(ids) - i) for i, d in enumerate(dict.fromkeys(ids))} for q, ids in ranked.items()}


# ---------------------------------------------------------------- standard metrics
def standard_metrics(scores: dict[str, dict[str, int]], ranked: dict[str, list[str]], queries: list[str],
                     rel_threshold: int = DEFAULT_REL_THRESHOLD) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """trec_eval nDCG@10/20/30 (graded 0-8) and P@10 / MAP (relevant = score >= threshold);
    queries absent from the run score 0."""
    from benchmarks.metrics import evaluate

    names = [f"nDCG@{k}" for k in STANDARD_CUTOFFS] + ["P@10", "MAP"]
    run = ranked_to_run({q: ranked.get(q, []) for q in queries})
    ev = evaluate({q: dict(scores[q]) for q in queries}, run, names, relevance=rel_threshold)
    per_query = {q: {m: ev.per_query[q][m] for m in names} for q in queries}
    return {m: sum(per_query[q][m] for q in queries) / len(queries) for m in names}, per_query


# ---------------------------------------------------------------- retriever path
def rerank_pools(root: Path, options: RunOptions, queries: list[str]) -> dict[str, list[str]]:
    """Re-rank each query's candidate pool with a registry retriever over the case texts."""
    from retrieval import registry
    from retrieval.types import Document

    params = dict(options.params)
    cases_path = Path(params.pop("cases", root / LAYOUT["cases"]))
    if not cases_path.exists():
        raise TaskError(f"muser --retriever needs the case texts: {cases_path} not found "
                        "(pass --data-dir with cases/cases_pool.json or --param cases=PATH)")
    try:
        cases = load_cases(cases_path)
    except MuserFileError as exc:
        raise TaskError(str(exc)) from None

    def text(cid: str) -> str:
        c = cases[cid].get("content", {})
        return "".join(c.get("本院查明", [])) + "".join(c.get("本院认为", []))

    pools = load_pools(root)
    missing = sorted({c for q in queries for c in [q, *pools.get(q, [])] if c not in cases})
    if missing:
        raise TaskError(f"{cases_path}: {len(missing)} cases of the pools have no record (e.g. {missing[0]!r})")
    if options.retriever == "elements":
        return _rank_by_elements(cases, pools, queries, root, params)
    corpus = {c: Document(doc_id=c, text=text(c), lang="zh") for q in queries for c in pools[q]}
    params.setdefault("lang", "zh")
    retriever = registry.create(options.retriever, **params)
    run = retriever.rerank(corpus, {q: text(q) for q in queries}, {q: pools[q] for q in queries},
                           k=options.k, show_progress=options.show_progress)
    return {q: [d for d, _ in sorted(run.get(q, {}).items(), key=lambda x: (-x[1], x[0]))] for q in queries}


def _rank_by_elements(cases: dict[str, dict[str, Any]], pools: dict[str, list[str]], queries: list[str],
                      root: Path, params: dict[str, Any]) -> dict[str, list[str]]:
    """The legal-element (LE) model: rank each pool by gold-label similarity (needs annotated cases)."""
    from annotation.muser.schema import CaseRecord, LabelSchema
    from annotation.muser.similarity import elements, similarity

    schema_dir = Path(params.get("schema", root / LAYOUT["schema"]))
    schema = LabelSchema.load(schema_dir)
    el = {c: elements(CaseRecord.from_dict(c, cases[c]), schema) for q in queries for c in [q, *pools[q]]}
    return {q: [c for c, _ in sorted(((c, similarity(el[q], el[c], schema)) for c in pools[q]), key=lambda x: -x[1])]
            for q in queries}


def model_graded(root: Path, queries: list[str]) -> str | None:
    """A warning when the grades of `queries` were pre-filled by the legal-element model (`bench build
    muser` marks them `source: model` in labels/view_scores.json): scoring that same model on them
    grades it against its own output."""
    path = root / LAYOUT["view_scores"]
    if not path.is_file():
        return None
    try:
        views = read_json(path, what="view scores", error=TaskError)
    except TaskError:
        return None                       # an unreadable optional file: the scores themselves come from elsewhere
    grades = [g for q in queries for g in ((views.get(q) or {}).values() if isinstance(views, dict) else ())
              if isinstance(g, dict)]
    by_model = sum(g.get("source") == "model" for g in grades)
    if not by_model:
        return None
    return (f"{by_model} of {len(grades)} grades of these queries in {path} came from the legal-element model "
            f"(source: model), the model --retriever elements scores: it is graded against its own output; "
            f"have people judge those pairs (bench annotate export muser-pairs) before reporting this figure")


def _write_trec(ranked: dict[str, list[str]], path: Path, tag: str) -> Path:
    from benchmarks.io.trec import write_run

    write_run(ranked_to_run(ranked), path, tag=tag)
    return path


# ---------------------------------------------------------------- the task
STANDARD = tuple(f"nDCG@{k}" for k in STANDARD_CUTOFFS) + ("P@10", "MAP")
CONVENTIONS = {
    "standard.qrels": "labels/sim_scores.json: all judged candidates, graded 0-8; "
                      "documents outside the query's pool are non-relevant",
    "standard.gain": "nDCG: trec_eval ndcg_cut, linear gain = score, ideal from all judged scores",
    "standard.missing_queries": "a split query missing from the run scores 0",
    "ties": "a ranked list is scored in its given order (strictly decreasing scores)",
}


@dataclass(frozen=True)
class MuserTask(Task):
    def param_keys(self, options: RunOptions) -> tuple[str, ...] | None:
        """A run file: the relevance threshold; the element model: also `cases` and `schema`; another
        retriever: those go to its constructor, which refuses what it does not take."""
        if options.run_file is not None:
            return self.scoring_params
        if options.retriever == "elements":
            return (*self.scoring_params, "cases", "schema")
        return None

    def compute(self, options: RunOptions) -> Scores:
        root = Path(options.data_dir) if options.data_dir else default_data_dir()
        split = options.split or self.split
        rel = int(options.params.pop("rel_threshold", DEFAULT_REL_THRESHOLD))
        try:
            queries = split_queries(root, split)
            top30 = load_scores(root, "top30")
            scores = load_scores(root, "scores")
        except MuserFileError as exc:
            raise TaskError(str(exc)) from None
        warning = None
        coverage = None
        if options.run_file is not None:
            ranked = read_ranked_run(options.run_file)
            try:
                coverage = run_coverage(Path(options.run_file), ranked, root, queries, scores, options, self.name)
            except MuserFileError as exc:
                raise TaskError(str(exc)) from None
            model = ModelInfo(name=f"external-run:{Path(options.run_file).stem}", params={"run": file_ref(options.run_file)})
            run_path: Path | None = Path(options.run_file)
        elif options.retriever:
            ranked = rerank_pools(root, options, queries)
            warning = model_graded(root, queries) if options.retriever == "elements" else None
            model = ModelInfo(name=options.retriever, params=dict(options.params))

            run_path = _write_trec(ranked, Path(options.output or "runs")
                                   / f"{artifact_stem(self.name, options.retriever, options.variant)}.{split}.run", options.retriever)
        else:
            raise TaskError("muser: pass --run FILE (score a run) or --retriever NAME (needs case texts)")
        judged = {q: list(d.items()) for q, d in top30.items()}
        paper = evaluate_paper(judged, ranked, queries, MUSER_PAPER)
        head = evaluate_paper(judged, ranked, queries, MUSER_PAPER_HEAD)
        std, std_q = standard_metrics(scores, ranked, queries, rel)
        conventions = {f"paper.{k}": v for k, v in paper.conventions.items()}
        conventions["paper-head.precision"] = head.conventions["precision"]
        conventions.update({**CONVENTIONS, "standard.relevant": f"P@10 and MAP: score >= {rel}"})
        return Scores(
            metrics={"paper": paper.aggregate, "paper-head": head.aggregate, "standard": std},
            per_query={"paper": paper.per_query, "paper-head": head.per_query, "standard": std_q},
            model=model, dataset_sha=_dataset_sha(options.data_dir, root), run_file=run_path, split=split,
            conventions=conventions, device=options.device or "cpu",
            extra={"queries": len(queries), "missing_queries": paper.missing, "n_queries": len(queries),
                   "n_docs": len({d for q in queries for d in scores[q]}), "data_dir": root.resolve().name,
                   "rel_threshold": rel, **({"warnings": [warning]} if warning else {}),
                   **({"coverage": coverage} if coverage else {})},
        )


TASK = MuserTask(
    name="muser", kind="retrieval", dataset="muser", language="zh", split="test",
    scoring_params=("rel_threshold",),
    modes=(Mode("paper", "paper", "NDCG@30", tuple(MUSER_PAPER.measures()),
                "the paper's metric code as in its Table 6 (judged top-30; P@k over judged predictions)"),
           Mode("paper-head", "paper-head", "NDCG@30", tuple(MUSER_PAPER_HEAD.measures()),
                "the MUSER repository at HEAD (plain P@k)"),
           Mode("standard", "standard", "nDCG@10", STANDARD,
                "trec_eval on all judged pairs (graded nDCG; P@10/MAP with score >= 5 relevant)")),
    description="MUSER similar-case retrieval (100 queries x 100 candidates, multi-view 0-8 scores): the "
                "paper's protocol (top-30 judged, CIKM 2023 Table 6) and trec_eval on all judged pairs.",
)
