"""Does generated data help a reader? Train the same reader on (a) the seed only, (b) generated data only,
(c) generated data then the seed, and report EM/F1 of each on the held-out CMRC 2018 dev questions.

    python -m bench.experiments.qasnowball --generated OUT/generated.jsonl            # CPU, rule reader
    python -m bench.experiments.qasnowball --build-dir OUT --rounds 2                  # build first
    python -m bench.experiments.qasnowball --backend hf --reader-model hfl/chinese-roberta-wwm-ext \\
        --generated OUT/generated.jsonl                                                    # GPU user

The seed is CMRC 2018 trial (1,000 answerable questions); generated data come from the CMRC dev
*contexts* (dev questions are never used for generation, only for scoring here). With the rule reader,
"training" fits its linear span ranker (SGD logistic regression; (c) continues SGD from (b)'s weights);
its answers are limited to its candidate spans. With `--backend hf` the reader is fine-tuned.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def _data_folder(data_dir: str | None) -> Path:
    if data_dir:
        return Path(data_dir)
    from benchmarks.data.registry import dataset_dir

    return dataset_dir("cmrc2018")


def _make(backend: str, seed: int, args) -> Any:
    if backend == "rule":
        from engines.readers.rule.reader import RuleReader

        return RuleReader("zh", seed=seed)
    from engines.readers.hf import HFReader

    return HFReader(args.reader_model, "zh", seed=seed, epochs=args.epochs, batch_size=args.batch_size,
                    max_length=args.max_length, device=args.device)


def run(args) -> dict[str, Any]:
    from benchmarks.metrics import cmrc
    from annotation.squad_io import gold_answers, load_qa_file, questions, read_jsonl, write_json

    folder = _data_folder(args.data_dir)
    seed = load_qa_file(folder / "cmrc2018_trial.json").records
    dev_path = folder / "cmrc2018_dev.json"
    gold, items = gold_answers(dev_path), questions(dev_path)
    if args.generated:
        generated = read_jsonl(args.generated)
    else:
        from builders.qasnowball.inputs import preset
        from builders.qasnowball.loop import SnowballConfig
        from builders.qasnowball.run import build

        lang, s0, docs, desc = preset("cmrc", folder.parent, seed=0)
        cfg = SnowballConfig(lang=lang, rounds=args.rounds, reseed_size=args.reseed_size)
        # resume=True: a finished build of the same config is reused, a killed one continued
        build(cfg, s0, docs, args.build_dir, progress=True, log=print, inputs=desc, resume=True)
        generated = read_jsonl(Path(args.build_dir) / "generated.jsonl")
    if args.max_iteration is not None:           # (D): data of the first rounds only, to see the reseeding gain
        generated = [r for r in generated if r.get("meta", {}).get("iteration", 0) <= args.max_iteration]
    dev_ids = {q for q, _, _ in items}
    leaked = [r["id"] for r in generated if r["id"] in dev_ids]
    if leaked:
        raise SystemExit(f"generated data reuses dev question ids ({leaked[0]}): not held out")
    settings = {"a_seed_only": [(seed, False)], "b_generated_only": [(generated, False)],
                "c_generated_then_seed": [(generated, False), (seed, True)]}
    results: dict[str, Any] = {"settings": {}, "sizes": {"seed": len(seed), "generated": len(generated),
                                                         "dev_questions": len(items)}}
    prepared = None
    for name, stages in settings.items():
        runs = []
        for s in args.seeds:
            t0 = time.perf_counter()
            reader = _make(args.backend, s, args)
            for data, warm in stages:
                reader.fit(data, warm_start=warm)
            if args.backend == "rule":
                if prepared is None:
                    prepared = reader.prepare([(c, q) for _, c, q in items])
                answers = reader.answer_prepared(prepared)
            else:
                answers = reader.answer([(c, q) for _, c, q in items])
            preds = {qid: a.text for (qid, _, _), a in zip(items, answers)}
            agg = cmrc.evaluate(gold, preds)["aggregate"]
            runs.append({"seed": s, "EM": agg["EM"], "F1": agg["F1"], "time_s": round(time.perf_counter() - t0, 1)})
            print(f"{name} seed {s}: EM {agg['EM']:.2f} F1 {agg['F1']:.2f}", flush=True)
        em, f1 = [r["EM"] for r in runs], [r["F1"] for r in runs]
        results["settings"][name] = {
            "runs": runs, "EM_mean": statistics.fmean(em), "F1_mean": statistics.fmean(f1),
            "EM_std": statistics.pstdev(em), "F1_std": statistics.pstdev(f1)}
    results["backend"] = args.backend
    results["reader"] = "rule-reader (BM25 sentence + SGD span ranker)" if args.backend == "rule" else args.reader_model
    if args.output:
        write_json(results, args.output)
    return results


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--generated", help="generated.jsonl of a `bench build qasnowball --preset cmrc` run")
    p.add_argument("--build-dir", default="runs/qasnowball-cmrc", help="where to build when --generated is absent")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--reseed-size", type=int, default=500)
    p.add_argument("--backend", choices=("rule", "hf"), default="rule")
    p.add_argument("--reader-model", help="hf: an extractive-QA-capable checkpoint (name or path)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--max-length", type=int, default=384)
    p.add_argument("--device", default=None)
    p.add_argument("--max-iteration", type=int, default=None, help="use generated pairs of rounds <= N only")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--data-dir", help="folder with cmrc2018_trial.json and cmrc2018_dev.json (default: registry)")
    p.add_argument("--output", help="write the figures as JSON here")
    args = p.parse_args(argv)
    if args.backend == "hf" and not args.reader_model:
        p.error("--backend hf needs --reader-model")
    res = run(args)
    print(f"\nreader: {res['reader']}; seed {res['sizes']['seed']}, generated {res['sizes']['generated']}, "
          f"dev {res['sizes']['dev_questions']} questions; mean ± std over seeds {args.seeds}")
    for name, v in res["settings"].items():
        print(f"  {name:24s} EM {v['EM_mean']:6.2f} ± {v['EM_std']:.2f}   F1 {v['F1_mean']:6.2f} ± {v['F1_std']:.2f}")


if __name__ == "__main__":
    sys.exit(main())
