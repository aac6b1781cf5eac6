"""Card statistics of the SQuAD-format QA data (CMRC 2018, XQuAD) and of QASnowball outputs."""
from __future__ import annotations

from pathlib import Path

from benchmarks.card_stats import Stats, build_manifest_stats, folder_stats, mean, read_json


def squad_file_stats(path: Path) -> dict[str, object]:
    """Articles, contexts, questions, answers and offset quality of one SQuAD-layout file."""
    data = read_json(path)["data"]
    contexts = [p for a in data for p in a["paragraphs"]]
    qas = [(p["context"], qa) for p in contexts for qa in p["qas"]]
    answers = [(ctx, a) for ctx, qa in qas for a in qa.get("answers", [])]
    exact = sum(1 for ctx, a in answers if a["answer_start"] >= 0
                and ctx[a["answer_start"]:a["answer_start"] + len(a["text"])] == a["text"])
    return {
        "articles": len(data),
        "contexts": len(contexts),
        "questions": len(qas),
        "distinct question ids": len({qa["id"] for _, qa in qas}),
        "questions with empty text": sum(1 for _, qa in qas if not qa["question"].strip()),
        "answers": len(answers),
        "answers with answer_start = -1": sum(1 for _, a in answers if a["answer_start"] < 0),
        "answers whose offset matches the text": exact,
        "context chars (mean)": mean([len(p["context"]) for p in contexts]),
        "question chars (mean)": mean([len(qa["question"]) for _, qa in qas]),
        "answer chars (mean)": mean([len(a["text"]) for _, a in answers]),
    }


def cmrc2018(source: Path | None = None) -> Stats:
    from benchmarks.data.registry import dataset_dir, dataset_sha

    root = dataset_dir("cmrc2018")
    return {
        "dev (cmrc2018_dev.json)": squad_file_stats(root / "cmrc2018_dev.json"),
        "trial (cmrc2018_trial.json)": squad_file_stats(root / "cmrc2018_trial.json"),
        "Revision": {"dataset sha256 (registry)": dataset_sha("cmrc2018")},
    }


def xquad(source: Path | None = None) -> Stats:
    from benchmarks.data.registry import dataset_dir, dataset_sha

    root = dataset_dir("xquad")
    en, zh = read_json(root / "xquad.en.json")["data"], read_json(root / "xquad.zh.json")["data"]
    ids = [[qa["id"] for a in d for p in a["paragraphs"] for qa in p["qas"]] for d in (en, zh)]
    return {
        "English (xquad.en.json)": squad_file_stats(root / "xquad.en.json"),
        "Chinese (xquad.zh.json)": squad_file_stats(root / "xquad.zh.json"),
        "Parallelism": {"question ids identical and in the same order": ids[0] == ids[1]},
        "Revision": {"dataset sha256 (registry)": dataset_sha("xquad")},
    }


def qasnowball(source: Path | None = None) -> Stats:
    """A built QASnowball output folder (`--source`); without one, only the seed corpora are described."""
    from benchmarks.data.registry import dataset_sha

    seeds = {"seed corpora": "CMRC 2018 dev contexts (zh), XQuAD contexts (en)",
             "cmrc2018 sha256": dataset_sha("cmrc2018"), "xquad sha256": dataset_sha("xquad")}
    if source is None:
        return {"Built output": {"status": "no built output given (`bench card qasnowball --source DIR`)"},
                "Seeds": seeds}
    out = folder_stats(source)
    manifest = build_manifest_stats(source)
    if manifest:
        out["Build (from the run manifest)"] = manifest
    out["Seeds"] = seeds
    return out
