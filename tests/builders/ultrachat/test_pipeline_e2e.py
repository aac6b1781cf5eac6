"""The whole pipeline through the CLI against a real llama.cpp server (SmolLM2-135M-Instruct):
all three sectors with small counts, a real failing proxy in front of the server (backoff), kill -9 +
--resume reproducing the uninterrupted run, stats on both formats, merge of shards, HF loading."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotation.ultrachat import validate_path
from bench.cli import app
from core import read_jsonl
from engines.executors import shard_of
from tests.builders.killpoints import bench, env, kill_at, refused, sha256_files
from tests.engines.llm.failing_proxy import FailingProxy, every

pytestmark = [pytest.mark.llm, pytest.mark.slow]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, uc_data) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("uc_inputs")
    squad = json.loads((uc_data / "squad_v2_sample" / "dev-v2.0.json").read_text())
    art = squad["data"][0]
    (d / "materials.jsonl").write_text(json.dumps({
        "id": f"{art['title']}-0", "text": art["paragraphs"][0]["context"],
        "source_url": f"https://en.wikipedia.org/wiki/{art['title']}", "material_type": "Articles and Blog Posts",
        "license": "CC BY-SA 4.0"}) + "\n")
    cfg = {"sectors": [1, 2, 3], "seed": 7,
           "sector1": {"meta_concepts": ["Food and drink"], "subtopics_per_concept": [1, 1],
                       "questions_per_subtopic": 2, "expanded_per_question": 0, "rounds": [2, 2]},
           "sector2": {"material_types": ["Emails"], "instructions_per_type": 1, "rewrite_fraction": 1.0,
                       "rounds": [2, 2]},
           "sector3": {"materials": str(d / "materials.jsonl"), "instructions_per_material": 2,
                       "max_material_chars": 200, "rounds": [2, 2]},
           "seeds_sampling": {"temperature": 0.7, "max_tokens": 64},
           "assistant_sampling": {"temperature": 0.7, "max_tokens": 64},
           "user_sampling": {"temperature": 0.9, "max_tokens": 32},
           "list_retries": 1, "user_retries": 1,
           "system_prompt": "You are a helpful assistant. Answer in one short sentence."}
    (d / "config.json").write_text(json.dumps(cfg))
    return {"dir": d, "config": d / "config.json"}


@pytest.fixture(scope="module")
def run_a(llama_server, inputs, tmp_path_factory):
    """Uninterrupted run through a proxy that fails some requests with 429 / 500 / malformed JSON."""
    out = tmp_path_factory.mktemp("run_a") / "out"
    sched = every({4: "429", 7: "500", 9: "malformed"})
    with FailingProxy(llama_server.base_url, sched) as proxy:
        proc = subprocess.run(bench("build", "ultrachat", str(out), "--model", "smollm2", "--base-url", proxy.base_url,
                                    "--config", str(inputs["config"]), "--concurrency", "2", "--backoff-base", "0.05",
                                    "--max-retries", "8", "--quiet"),
                              env=env(), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"out": out, "proxy": proxy, "stdout": proc.stdout}


def test_three_sectors_backoff_no_dialogue_lost(run_a):
    out, proxy = run_a["out"], run_a["proxy"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["counts"]["failed"] == 0
    usage = manifest["usage"]["assistant"]
    assert proxy.total_injected() >= 3
    assert usage["retries"] == proxy.total_injected()          # every injected failure was retried, counted
    assert usage["requests"] == proxy.forwarded                # and every real answer was used once
    assert set(usage["retry_reasons"]) <= {"http_429", "http_500", "malformed_json"}
    openings = {f"uc.{r['id']}" for r in read_jsonl(out / "openings.jsonl")}
    done = {r["id"] for r in read_jsonl(out / "dialogues.jsonl")} | {r["id"] for r in read_jsonl(out / "rejected.jsonl")}
    assert openings == done and len(openings) >= 3              # no dialogue lost
    final = list(read_jsonl(out / "ultrachat.jsonl"))
    assert {r["sector"] for r in final} == {1, 2, 3}
    assert validate_path(out / "ultrachat.jsonl") == []
    for r in final:
        assert r["gen"]["ai_model"] == "smollm2" and r["gen"]["params"]["assistant"]["max_tokens"] == 64
        assert r["meta"]["node_id"] == r["id"][3:] and r["meta"]["parent_id"]
        if r["sector"] == 3:
            assert r["meta"]["source_url"].startswith("https://en.wikipedia.org/") and "template_id" in r["meta"]
        if r["sector"] == 1:
            assert r["meta"]["meta_topic"] == "Food and drink" and r["meta"]["subtopic"]
    report = json.loads((out / "filter_report.json").read_text())
    assert report["openings"]["settings"]["eval_questions"] == 385
    assert report["dialogues"]["kept"] == len(final)


def test_exports_load_with_datasets(run_a):
    from datasets import load_dataset

    out = run_a["out"]
    final = {r["id"]: r for r in read_jsonl(out / "ultrachat.jsonl")}
    ds = load_dataset(str(out / "export" / "ultrachat_200k"))
    assert set(ds) <= {"train_sft", "test_sft", "train_gen", "test_gen"}
    rows = [row for split in ds.values() for row in split]
    assert sorted(r["id"] for r in rows) == sorted(final)
    assert validate_path(out / "export" / "ultrachat_200k") == []
    for row in rows:
        assert row["messages"] == [{"content": m["content"], "role": m["role"]} for m in final[row["id"]]["messages"]]
    raw = load_dataset("json", data_files=str(out / "export" / "raw.jsonl"), split="train")
    assert sorted(raw["id"]) == sorted(final)
    assert all(len(d) % 2 == 0 for d in raw["data"])


# files of a finished build that must not depend on interruptions: same bytes as the uninterrupted run
FINAL_FILES = ["openings.jsonl", "ultrachat.jsonl", "removed.jsonl", "filter_report.json", "export/raw.jsonl"]


def test_kill_9_twice_and_resume_reproduce_the_uninterrupted_run(llama_server, inputs, run_a, tmp_path):
    """kill -9 inside the seed-tree stage, resume, kill -9 again inside the dialogue stage, resume: the
    dataset files are byte-identical (sha256) to run_a's; checkpoints hold no duplicate and no loss."""
    out = tmp_path / "out"
    args = bench("build", "ultrachat", str(out), "--model", "smollm2", "--base-url", llama_server.base_url,
                 "--config", str(inputs["config"]), "--concurrency", "1", "--quiet")
    dialogues = out / "dialogues.jsonl"
    # 1. inside the seed trees: the first level has its line, later levels are being generated
    kill_at(args, out / "seeds" / "s1_subtopics.jsonl", 1, timeout=600)
    assert not (out / "openings.jsonl").exists() and not dialogues.exists()
    # without --resume the folder is refused; with another config too; one line each, nothing changed
    assert "pass --resume" in refused(args)
    err = refused(args + ["--resume", "--seed", "8"])
    assert "manifest.json: config changed" in err and "config.seed: 7 -> 8" in err
    # 2. inside the dialogues of the resumed run
    written = kill_at(args + ["--resume"], dialogues, 1, timeout=600)
    total = sum(1 for _ in read_jsonl(run_a["out"] / "openings.jsonl"))
    assert 1 <= written < total
    resumed = subprocess.run(args + ["--resume"], env=env(), capture_output=True, text=True, timeout=900)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["resumes"] == 2 and manifest["status"] == "complete"
    ids = [r["id"] for r in read_jsonl(dialogues)]
    assert len(ids) == len(set(ids))                                        # no duplicate
    ref = run_a["out"]
    names = FINAL_FILES + sorted(str(p.relative_to(ref)) for p in (ref / "export" / "ultrachat_200k").rglob("*")
                                 if p.is_file())
    a, b = sha256_files(ref, names), sha256_files(out, names)
    print(f"ultrachat kill points: seeds stage, then dialogues after {written}/{total}; sha256 equal for "
          f"{len(a)} files, ultrachat.jsonl {a['ultrachat.jsonl']} == {b['ultrachat.jsonl']}")
    assert a == b
    for name in ["dialogues.jsonl", "rejected.jsonl"] + sorted(f"seeds/{p.name}" for p in (ref / "seeds").glob("*.jsonl")):
        assert sorted(read_jsonl(out / name), key=lambda r: r["id"]) == \
            sorted(read_jsonl(ref / name), key=lambda r: r["id"]), name      # same records (completion order aside)


def test_stats_on_generated_and_200k_format(llama_server, run_a, tmp_path):
    runner = CliRunner()
    out = run_a["out"]
    r1 = runner.invoke(app, ["stats", "ultrachat", str(out), "--json", str(tmp_path / "a.json"),
                             "--coherence-model", "smollm2", "--coherence-base-url", llama_server.base_url,
                             "--coherence-sample", "3"])
    assert r1.exit_code == 0, r1.output
    r2 = runner.invoke(app, ["stats", "ultrachat", str(out / "export" / "ultrachat_200k"), "--json", str(tmp_path / "b.json")])
    assert r2.exit_code == 0, r2.output
    a, b = json.loads((tmp_path / "a.json").read_text()), json.loads((tmp_path / "b.json").read_text())
    n = sum(1 for _ in read_jsonl(out / "ultrachat.jsonl"))
    assert a["dialogues"] == b["dialogues"] == n
    for key in ("turns_mean", "dialogue_length_mean", "utterance_length_mean", "mtld", "topic_diversity"):
        assert a[key] is not None and a[key] == pytest.approx(b[key]), key
    assert 1 <= a["turns_mean"] <= 2 and 0 < a["topic_diversity"] < 1.5
    assert a["coherence_judged"] == min(3, n)
    assert a["coherence"] is None or 1 <= a["coherence"] <= 10
    assert "MTLD" in r1.output and "topic diversity" in r1.output
    # a build folder also gets the filter / re-ask table (placeholder and role_confusion among the rules)
    assert a["build_quality"]["stages"]["dialogues"]["kept"] == n and "build_quality" not in b
    assert "filters and re-asks" in r1.output


def test_shards_and_merge(run_a, inputs, llama_server, tmp_path):
    """Shard files from the finished run: each shard run resumes with nothing left to generate (no LLM
    calls), writes its own filtered shard, and `bench merge` of the shards equals the unsharded set."""
    src = run_a["out"]
    all_dialogues = list(read_jsonl(src / "dialogues.jsonl"))
    rejected = list(read_jsonl(src / "rejected.jsonl"))
    shard_dirs = []
    for i in range(2):
        d = tmp_path / f"shard{i}"
        shutil.copytree(src / "seeds", d / "seeds")
        sfx = f"-{i:05d}-of-00002"
        (d / f"dialogues{sfx}.jsonl").write_text("".join(
            json.dumps(r) + "\n" for r in all_dialogues if shard_of(r["id"][3:], 2) == i))
        (d / f"rejected{sfx}.jsonl").write_text("".join(
            json.dumps(r) + "\n" for r in rejected if shard_of(r["id"][3:], 2) == i))
        proc = subprocess.run(bench("build", "ultrachat", str(d), "--model", "smollm2", "--base-url", llama_server.base_url,
                                    "--config", str(inputs["config"]), "--num-shards", "2", "--shard-index", str(i),
                                    "--resume", "--quiet"), env=env(), capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        m = json.loads((d / f"manifest{sfx}.json").read_text())
        assert m["stages"]["dialogues"]["written"] == 0            # everything was already done
        shard_dirs.append(d)
    merged = tmp_path / "merged"
    r = CliRunner().invoke(app, ["merge", str(merged), *map(str, shard_dirs), str(src / "dialogues.jsonl")])
    assert r.exit_code == 0, r.output
    report = json.loads((merged / "merge_report.json").read_text())
    assert report["repeated_ids"] == len(all_dialogues) and report["conflicting_repeats"] == 0
    assert (merged / "ultrachat.jsonl").read_bytes() == (src / "ultrachat.jsonl").read_bytes()
