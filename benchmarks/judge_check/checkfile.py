"""The judge-check file (a check result's run file): the judge's raw replies next to people's verdicts.

Built by `build` from ultrachat-eval judgments bundles and imported human records, scored by `score` from
its lines alone (replies re-parsed here), so `bench verify` re-scores a check result without a judge.
Lines: `meta` (seed, n_boot, judge, anchor, reference ranking, verdict rule, source bundle sha256s), then
`pair` (question, model, baseline, length delta, the judge's two replies, optional verdict-token
log-probabilities per order, humans {annotator: winner}) and `single` (question, model, the judge's rating
reply, humans {annotator: rating}; a human rating record without `model` rates the first bundle's model,
whose dialogues `bench judge-check pairs` wrote).

Verdict rules (meta `verdicts`): "text" reads [[A]]/[[B]]/[[C]] from each reply (stats.combine_orders).
"logprobs" (for small local judges that always answer tie or always pick A) reads, per order, the
log-probabilities of "A" and "B" at the verdict token; the order's verdict is the likelier letter, and the
item's outcome is the sign of the log-odds for the model summed over both orders (a constant preference
for a position cancels out), a tie when its size is below `tie_margin`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from core import DataError, atomic_write_jsonl, iter_jsonl, sha256_file
from benchmarks.judge_check import agreement as agr
from benchmarks.judge_check.bradley_terry import CLIP, bootstrap_ranking, rank_agreement
from benchmarks.judge_check.ratings import rating_stats
from benchmarks.judging.prompts import parse_rating, parse_verdict
from benchmarks.judging.stats import combine_orders, finite

FORMAT, FORMAT_VERSION = "databench-judge-check", 1
VERDICT_RULES = ("text", "logprobs")
OUTCOME_WINNER = {"win": "model", "loss": "baseline", "tie": "tie"}


def _judge_of(meta: Mapping[str, Any]) -> Any:
    return (meta.get("judge") or {}).get("model")


def _lengths(answers: Sequence[str]) -> int:
    return sum(len(a) for a in answers)


def build(bundles: Sequence[Path], human_pairs: Sequence[Mapping[str, Any]],
          human_ratings: Sequence[Mapping[str, Any]], out: Path, *, seed: int = 0, n_boot: int = 1000,
          reference: Sequence[str] = (), verdicts: str = "text", tie_margin: float = 0.0,
          logprobs: Mapping[tuple[str, str, str, str], dict[str, float]] | None = None) -> Path:
    """Join bundles with human records (pairs by question/model/baseline, ratings by question/model).

    `logprobs[(question_id, model, baseline, order)]` = {"A": logp, "B": logp} (verdicts="logprobs")."""
    from benchmarks.judging.bundle import read_bundle, recheck

    if verdicts not in VERDICT_RULES:
        raise DataError(f"verdicts={verdicts!r}: expected one of {', '.join(VERDICT_RULES)}")
    pair_humans: dict[tuple[str, str, str], dict[str, str]] = {}
    for i, rec in enumerate(human_pairs):
        key = (str(rec.get("id")), str(rec.get("model")), str(rec.get("baseline")))
        if rec.get("winner") not in agr.WINNERS or not isinstance(rec.get("annotator"), str):
            raise DataError(f"human pairwise record {i + 1}: fields winner/annotator: expected one of "
                            f"{'/'.join(agr.WINNERS)} and a string")
        pair_humans.setdefault(key, {})[rec["annotator"]] = rec["winner"]
    rating_humans: dict[tuple[str, str | None], dict[str, float]] = {}
    for i, rec in enumerate(human_ratings):
        value = rec.get("coherence", rec.get("rating"))
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not isinstance(rec.get("annotator"), str):
            raise DataError(f"human rating record {i + 1}: fields coherence/annotator: expected a number and a string")
        rating_humans.setdefault((str(rec.get("id")), rec.get("model")), {})[rec["annotator"]] = float(value)

    meta: dict[str, Any] = {"type": "meta", "format": FORMAT, "format_version": FORMAT_VERSION, "seed": seed,
                            "n_boot": n_boot, "verdicts": verdicts, "tie_margin": tie_margin,
                            "reference": list(reference), "bundles": []}
    rows: list[dict[str, Any]] = []
    matched_pairs: set[tuple[str, str, str]] = set()
    for n, path in enumerate(bundles):
        first = n == 0                 # a rating record without `model` rates the first bundle's answers
        b = read_bundle(Path(path))
        problems = recheck(b, label=str(path))       # the judge saw these answers, under these prompts
        if problems:
            raise DataError(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
        model = str((b.meta.get("model") or {}).get("model", "model"))
        base = str((b.meta.get("baseline") or {}).get("model", "")) if b.meta.get("baseline") else ""
        meta["bundles"].append({"file": Path(path).name, "sha256": sha256_file(Path(path)), "model": model,
                                "baseline": base or None})
        for k in ("judge", "dataset", "dataset_sha"):
            meta.setdefault(k, b.meta.get(k))
        if _judge_of(b.meta) != _judge_of(meta):
            raise DataError(f"{path}: judged by {_judge_of(b.meta)!r}, the first bundle by {_judge_of(meta)!r}: "
                            f"one check is about one judge")
        if b.pairs:
            meta.setdefault("anchor", base)
            if base != meta["anchor"]:
                raise DataError(f"{path}: baseline {base!r} differs from {meta['anchor']!r} of the first bundle "
                                f"(the Bradley-Terry anchor must be one player)")
        for q in b.questions:
            if q.id in b.pairs and set(b.pairs[q.id]) == {"AB", "BA"}:
                key = (q.id, model, base)
                matched_pairs.add(key)
                row = {"type": "pair", "question_id": q.id, "model": model, "baseline": base,
                       "category": q.category,
                       "length_delta": _lengths(b.answers["model"][q.id]) - _lengths(b.answers["baseline"][q.id]),
                       "judge": {o: b.pairs[q.id][o]["judgment"] for o in ("AB", "BA")},
                       "humans": dict(sorted(pair_humans.get(key, {}).items()))}
                if verdicts == "logprobs":
                    missing = [o for o in ("AB", "BA") if (q.id, model, base, o) not in (logprobs or {})]
                    if missing:
                        raise DataError(f"{path}: question {q.id} order {missing[0]}: no verdict log-probabilities")
                    row["logprobs"] = {o: dict(logprobs[(q.id, model, base, o)]) for o in ("AB", "BA")}
                rows.append(row)
            if q.id in b.single:
                humans = rating_humans.get((q.id, model)) or (rating_humans.get((q.id, None)) if first else None) or {}
                rows.append({"type": "single", "question_id": q.id, "model": model,
                             "judge": b.single[q.id]["judgment"], "humans": dict(sorted(humans.items()))})
    unknown = sorted(set(pair_humans) - matched_pairs)
    if unknown:
        qid, m, bl = unknown[0]
        raise DataError(f"human verdict on question {qid} ({m} vs {bl}) matches no pairwise judgment of the "
                        f"bundles ({len(unknown)} such)")
    return atomic_write_jsonl(out, [meta] + rows)


def read(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """(meta, pair rows, single rows); a malformed line is a DataError naming file:line and field."""
    meta, pairs, singles = None, [], []
    for lineno, rec in iter_jsonl(path, error=DataError):
        where, kind = f"{path}:{lineno}", rec.get("type")
        if kind == "meta":
            if rec.get("format") != FORMAT or rec.get("format_version") != FORMAT_VERSION:
                raise DataError(f"{where}: field format: expected {FORMAT} v{FORMAT_VERSION}")
            if rec.get("verdicts", "text") not in VERDICT_RULES:
                raise DataError(f"{where}: field verdicts: expected one of {', '.join(VERDICT_RULES)}")
            meta = rec
            continue
        if not isinstance(rec.get("question_id"), str) or not isinstance(rec.get("humans"), dict):
            raise DataError(f"{where}: fields question_id/humans: expected a string and an object")
        if kind == "pair":
            judge = rec.get("judge")
            if not isinstance(judge, dict) or not all(isinstance(judge.get(o), str) for o in ("AB", "BA")):
                raise DataError(f"{where}: field judge: expected the replies of orders AB and BA")
            if any(v not in agr.WINNERS for v in rec["humans"].values()):
                raise DataError(f"{where}: field humans: a winner outside {'/'.join(agr.WINNERS)}")
            if not isinstance(rec.get("length_delta"), (int, float)):
                raise DataError(f"{where}: field length_delta: expected a number")
            pairs.append(rec)
        elif kind == "single":
            if not isinstance(rec.get("judge"), str):
                raise DataError(f"{where}: field judge: expected the rating reply")
            singles.append(rec)
        else:
            raise DataError(f"{where}: field type: unknown record type {kind!r}")
    if meta is None:
        raise DataError(f"{path}: no meta line (not a judge-check file)")
    if meta.get("verdicts") == "logprobs":
        for rec in pairs:
            lp = rec.get("logprobs")
            if not isinstance(lp, dict) or not all(isinstance(lp.get(o), dict) and all(
                    isinstance(lp[o].get(x), (int, float)) for x in ("A", "B")) for o in ("AB", "BA")):
                raise DataError(f"{path}: question {rec['question_id']} ({rec['model']}): field logprobs: "
                                f"expected A and B log-probabilities for orders AB and BA")
    return meta, pairs, singles


def judge_verdicts(rec: Mapping[str, Any], rule: str, tie_margin: float) -> tuple[str, str, str]:
    """(verdict with the model as A, verdict with the model as B, the item's winner) under `rule`."""
    if rule == "text":
        ab, ba = parse_verdict(rec["judge"]["AB"]), parse_verdict(rec["judge"]["BA"])
        outcome, _ = combine_orders(ab, ba)
        return ab, ba, OUTCOME_WINNER[outcome]
    lp = rec["logprobs"]
    margins = {o: float(lp[o]["A"]) - float(lp[o]["B"]) for o in ("AB", "BA")}
    ab, ba = (("A" if m > 0 else "B" if m < 0 else "tie") for m in (margins["AB"], margins["BA"]))
    for_model = margins["AB"] - margins["BA"]          # model is A in AB, B in BA
    winner = "tie" if abs(for_model) <= tie_margin else ("model" if for_model > 0 else "baseline")
    return ab, ba, winner


def score(path: Path) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, dict[str, float]]], dict[str, Any]]:
    """(metric sets, per-item scores, meta) of a judge-check file; undefined statistics are left out."""
    meta, pairs, singles = read(path)
    seed, n_boot = int(meta.get("seed", 0)), int(meta.get("n_boot", 1000))
    rule, margin = str(meta.get("verdicts", "text")), float(meta.get("tie_margin", 0.0))
    metrics: dict[str, dict[str, float]] = {}
    per: dict[str, dict[str, dict[str, float]]] = {}
    if pairs:
        judge: dict[str, str] = {}
        humans: dict[str, dict[str, str]] = {}
        orders, judge_len, human_len = [], [], []
        battles = []
        per["pairwise"] = {}
        for rec in pairs:
            item = f"{rec['question_id']}|{rec['model']}|{rec['baseline']}"
            ab, ba, winner = judge_verdicts(rec, rule, margin)
            battles.append((rec["model"], rec["baseline"], {"model": "a", "baseline": "b", "tie": "tie"}[winner]))
            orders.append((ab, ba))
            judge_len.append((winner, float(rec["length_delta"])))
            if rec["humans"]:
                judge[item] = winner
                humans[item] = rec["humans"]
                human_len += [(w, float(rec["length_delta"])) for w in rec["humans"].values()]
                agree = sum(w == winner for w in rec["humans"].values()) / len(rec["humans"])
                per["pairwise"][item] = {"agreement": agree, "judge_model_win": float(winner == "model"),
                                         "judge_tie": float(winner == "tie")}
        js, hs = agr.vote_pairs(judge, humans)
        out = {**agr.agreement(js, hs, "judge_human"), **agr.agreement(*agr.human_pairs(humans), "human_human"),
               **agr.position_stats(orders), **agr.longer_share(judge_len, "judge"),
               **agr.longer_share(human_len, "human")}
        out["n_items_with_humans"] = float(len(humans))
        out["judge_tie_rate"] = sum(w == "tie" for _, _, w in battles) / len(battles)
        metrics["pairwise"] = out
        players = {p for a, b, _ in battles for p in (a, b)}
        if len(players) >= 2:
            ranking = bootstrap_ranking(battles, str(meta.get("anchor")), seed=seed, n_boot=n_boot)
            bt: dict[str, float] = {"n_players": float(len(players)), "n_battles": float(len(battles))}
            for p in sorted(players):
                bt[f"{p}/score"] = ranking.scores[p]
                bt[f"{p}/ci_low"], bt[f"{p}/ci_high"] = ranking.ci[p]
            bt["unbounded"] = float(any(abs(v) >= CLIP for p in players
                                        for v in (ranking.scores[p], *ranking.ci[p])))
            sep = ranking.separability()
            if sep is not None:
                bt["separability"] = sep
            if meta.get("reference"):
                bt.update(rank_agreement(ranking.scores, meta["reference"]))
            metrics["bradley_terry"] = bt
    rated = []
    for rec in singles:
        j = parse_rating(rec["judge"])
        if j is not None and rec["humans"]:
            rated.append((f"{rec['question_id']}|{rec['model']}", j, sum(rec["humans"].values()) / len(rec["humans"])))
    if rated:
        metrics["ratings"] = rating_stats([r[1] for r in rated], [r[2] for r in rated], seed=seed, n_boot=n_boot)
        metrics["ratings"]["n_unreadable"] = float(sum(parse_rating(r["judge"]) is None for r in singles if r["humans"]))
        per["ratings"] = {i: {"judge": j, "human": h} for i, j, h in rated}
    return {k: finite(v) for k, v in metrics.items()}, per, meta
