"""Card statistics of WebCPM (module tasks) and UltraChat: the public files, plus a built folder if given."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from benchmarks.card_stats import Stats, build_manifest_stats, folder_stats, mean, read_json, read_jsonl


def _with_source(stats: Stats, source: Path | None, name: str) -> Stats:
    if source is None:
        stats["Built output"] = {"status": f"no built output given (`bench card {name} --source DIR`)"}
        return stats
    stats.update(folder_stats(source))
    manifest = build_manifest_stats(source)
    if manifest:
        stats["Build (from the run manifest)"] = manifest
    return stats


def webcpm(source: Path | None = None) -> Stats:
    from benchmarks.data.registry import dataset_dir, dataset_sha

    root = dataset_dir("webcpm")
    actions = read_jsonl(root / "inference" / "output" / "test_output.json")
    gold = Counter(r["answer"] for r in actions)
    browsing = read_json(root / "run_web_browsing" / "predictions" / "test.json")
    stats: Stats = {
        "Action prediction (inference/output/test_output.json)": {
            "records": len(actions),
            "distinct gold actions": len(gold),
            "exact match of the first `；` segment": sum(
                1 for r in actions if r["decode_tokens"].split("；")[0].strip() == r["answer"]),
            **{f"gold `{a}`": n for a, n in gold.most_common()},
        },
        "Web browsing (run_web_browsing/predictions/test.json)": {
            "predictions": len(browsing),
            "distinct questions": len({b["question"] for b in browsing}),
            "facts per prediction (mean)": mean([len(b["abstract"]) for b in browsing]),
            "answer chars (mean)": mean([len(b["answer"]) for b in browsing]),
        },
        "Revision": {"dataset sha256 (registry)": dataset_sha("webcpm")},
    }
    return _with_source(stats, source, "webcpm")


def ultrachat(source: Path | None = None) -> Stats:
    from benchmarks.data.registry import dataset_dir, dataset_sha

    evalset = read_json(dataset_dir("ultrachat") / "ultra_eval.json")
    classes = Counter(e["class"].strip() for e in evalset)
    stats: Stats = {
        "Evaluation questions (ultra_eval.json)": {
            "questions": len(evalset),
            "distinct question strings": len({e["data"] for e in evalset}),
            "with non-ASCII characters": sum(1 for e in evalset if not e["data"].isascii()),
            **{f"class {c}": n for c, n in classes.items()},
        },
        "Revision": {"dataset sha256 (registry)": dataset_sha("ultrachat")},
    }
    return _with_source(stats, source, "ultrachat")
