"""Issue 23, items 4, 5, 6, 8 (the QASnowball seed file) and 13: inputs that used to give an output or a number
with exit 0 and no word. Each silent case must now end with exit 2 and one `error:` line naming the file (or the
flag and the accepted keys), leave nothing behind, and a valid look-alike must still work with the same figures.

- 4: a builder that keeps no record (muser, webcpm, webcpm-tasks, ultrachat) refuses and leaves no output;
- 5: converters and readers of traces and dialogues run the validator first (webcpm-tasks, replay, stats);
- 6: the UltraChat config is checked before the first server call (the server counts the requests);
- 8: a QASnowball seed file with no usable record names the file and why;
- 13: a KEY=VALUE key nobody reads (-p, --llm-option, --data-dir) is refused naming the accepted ones.

Everything runs in-process (`run_in_process`: the real `bench` main()) on real data from shared/data, except
the chat model of the UltraChat builds: no model runs in the suite's time, so a script answers behind a real
OpenAI-compatible HTTP server on 127.0.0.1 (`scripted_llm`), and the builder's real client, filters and job
machinery do the rest.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.engines.llm.fixed_reply_server import FixedReplyServer
from tests.bad_inputs.test_bad_inputs import Outcome, ok, one_error, run_in_process

REPO = Path(__file__).resolve().parents[2]
MUSER_CASES = REPO / "tests" / "fixtures" / "muser" / "cases_pool.json"
NO_SERVER = ["--base-url", "http://127.0.0.1:9", "--max-retries", "0", "--api-key-env", "BENCH_NO_KEY"]






@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def real_traces(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The 4 real WebCPM traces read back from the released prompts (they pass the validator)."""
    from builders.webcpm.recover import recover_traces

    return recover_traces(shared_data / "webcpm" / "inference" / "output" / "test_output.json")


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def broken(traces: list[dict[str, Any]], how: str) -> list[dict[str, Any]]:
    """A copy of the traces whose second one has an unknown action, or a quote that is not in its window."""
    out = json.loads(json.dumps(traces))
    actions = out[1]["actions"]
    if how == "unknown_action":
        actions[3]["action"] = "TELEPORT"
    else:
        quote = next(a for a in actions if a["action"] == "ADD_DIGEST")
        quote["details"]["text"] = "此句不在任何页面中出现过"
    return out


def scripted_llm(reply: Callable[[str], str]) -> FixedReplyServer:
    """A real OpenAI-compatible server on 127.0.0.1 whose model is a script, `reply(last user message) -> text`
    (stand-in: no chat model runs in the suite's budget). It counts the requests it answered."""
    return FixedReplyServer(lambda body: reply(body["messages"][-1]["content"]))


def small_ultrachat_config(path: Path, **extra: Any) -> Path:
    """Sector 2 only, one material type, one instruction, one round: three calls to the server per build."""
    cfg = {"sectors": [2], "sector2": {"material_types": ["Emails"], "instructions_per_type": 1,
                                       "rewrite_fraction": 0, "rounds": [1, 1]},
           "filters": {"use_ultra_eval": False}, **extra}
    path.write_text(json.dumps(cfg), encoding="utf-8")
    return path


def build_ultrachat(out: Path, server: FixedReplyServer, config: Path) -> Outcome:
    return run_in_process(["build", "ultrachat", str(out), "-m", "scripted", "--base-url", server.base_url,
                           "--max-retries", "0", "--api-key-env", "BENCH_NO_KEY", "--config", str(config), "-q"])


# ---------------------------------------------------------------- item 4: builders that keep no record
@pytest.mark.parametrize("pool", ["empty", "one_case"])
def test_muser_build_with_no_pair_is_refused_and_leaves_no_folder(tmp_path, pool):
    cases = json.loads(MUSER_CASES.read_text(encoding="utf-8"))
    src = tmp_path / "cases_pool.json"
    src.write_text(json.dumps({} if pool == "empty" else dict(list(cases.items())[:1]), ensure_ascii=False))
    o = run_in_process(["build", "muser", "--cases", str(src), "--out", str(tmp_path / "out"), "--quiet"])
    one_error(o, "cases_pool.json", "0 case records" if pool == "empty" else "1 case record", "nothing to build")
    assert not (tmp_path / "out").exists()
    o = run_in_process(["build", "muser", "--cases", str(MUSER_CASES), "--out", str(tmp_path / "d" / "out"),
                        "--depth", "0", "--quiet"])
    one_error(o, "--depth 0")
    assert not (tmp_path / "d").exists()


def test_muser_valid_pool_builds_as_before(tmp_path):
    out = ok(run_in_process(["build", "muser", "--cases", str(MUSER_CASES), "--out", str(tmp_path / "out"),
                             "--quiet", "--no-hf"])).out
    build = json.loads((tmp_path / "out" / "build.json").read_text(encoding="utf-8"))
    # measured with the builder before this change (0473df3): 12 cases, 1 query, a pool of 11, 2 golden
    assert build["counts"]["pairs"] == 11 and build["counts"]["golden"] == 2 and "dataset:" in out


def test_webcpm_corpus_without_page_text_names_the_corpus(tmp_path):
    corpus = write_jsonl(tmp_path / "search.jsonl", [{"question_id": 1, "question": "什么是太阳", "documents": [
        {"title": "空", "paragraphs": ["  "]}]}])
    o = run_in_process(["build", "webcpm", str(tmp_path / "out.jsonl"), "--corpus", str(corpus), "-q"])
    one_error(o, "search.jsonl", "no page text")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["search.jsonl"]


def test_webcpm_replay_of_traces_of_other_questions_is_refused(tmp_path, real_traces):
    """The real traces are of 4 other questions: every record would have been START/CLOSE only, exit 0. (The
    look-alike, a replay of the build's own traces, is tests/builders/webcpm/test_webcpm_cli.py's first test.)"""
    replay = write_jsonl(tmp_path / "replay.jsonl", real_traces)
    o = run_in_process(["build", "webcpm", str(tmp_path / "out.jsonl"), "--policy", "replay", "--replay", str(replay),
                        "--limit", "2", "-q"])
    one_error(o, "replay.jsonl", "none of the 2 questions", "nothing to replay")
    assert not (tmp_path / "out.jsonl").exists() and not (tmp_path / "out.jsonl.manifest.json").exists()


def test_webcpm_tasks_with_every_trace_invalid_keeps_nothing(tmp_path, real_traces):
    bad = [broken([t, t], "unknown_action")[1] for t in real_traces]
    src = write_jsonl(tmp_path / "traces.jsonl", bad)
    o = run_in_process(["build", "webcpm-tasks", str(src), str(tmp_path / "out"), "--skip-invalid"])
    one_error(o, "traces.jsonl", "all 4 traces fail the WebCPM validator", "nothing to convert")
    assert not (tmp_path / "out").exists()


def test_ultrachat_build_whose_openings_are_all_filtered_leaves_no_folder(tmp_path):
    """The model writes only templates with unfilled slots: the placeholder rule removes every opening line."""
    with scripted_llm(lambda prompt: "Write an email to [your name] about [topic] for me.") as server:
        o = build_ultrachat(tmp_path / "out", server, small_ultrachat_config(tmp_path / "c.json"))
    one_error(o, "no opening line to generate from", "placeholder 1")
    assert not (tmp_path / "out").exists()


def test_ultrachat_build_whose_dialogues_are_all_removed_leaves_no_folder(tmp_path):
    """Every assistant reply is a refusal; the same build with a real answer keeps its dialogue (exit 0)."""
    def refusing(prompt: str) -> str:
        if prompt.startswith("Write 1 different requests"):
            return "Write a short email inviting my neighbours to a garden party on Sunday."
        return "As an AI language model, I cannot help with that request."

    with scripted_llm(refusing) as server:
        o = build_ultrachat(tmp_path / "out", server, small_ultrachat_config(tmp_path / "c.json"))
    one_error(o, "no dialogue kept", "refusal 1", "nothing written")
    assert not (tmp_path / "out").exists() and server.requests == 2

    def answering(prompt: str) -> str:
        return refusing(prompt).replace("As an AI language model, I cannot help with that request.",
                                        "Dear neighbours, please join us for a garden party on Sunday at three.")

    with scripted_llm(answering) as server:
        ok(build_ultrachat(tmp_path / "out", server, small_ultrachat_config(tmp_path / "c.json")))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete" and manifest["counts"]["final"] == 1


# ---------------------------------------------------------------- item 5: converters and readers validate
@pytest.mark.parametrize("how,needle", [("unknown_action", "field actions[3].action: step 3: unknown action 'TELEPORT'"),
                                        ("quote", "is not in the visible window")])
def test_webcpm_tasks_refuses_traces_the_validator_rejects(tmp_path, real_traces, how, needle):
    src = write_jsonl(tmp_path / "traces.jsonl", broken(real_traces, how))
    o = run_in_process(["build", "webcpm-tasks", str(src), str(tmp_path / "out"), "--ratios", "2,1,1"])
    one_error(o, "traces.jsonl:2 record recovered_001", needle, "1 of 4 traces", "--skip-invalid")
    assert not (tmp_path / "out").exists()
    # --skip-invalid converts the others, says how many it left out, and writes exactly what the valid
    # traces alone give
    out = ok(run_in_process(["build", "webcpm-tasks", str(src), str(tmp_path / "skip"), "--ratios", "2,1,1",
                             "--skip-invalid"])).out
    assert "skipped 1 invalid trace(s) of 4" in out and "recovered_001" in out
    valid = write_jsonl(tmp_path / "valid.jsonl", [t for i, t in enumerate(real_traces) if i != 1])
    ok(run_in_process(["build", "webcpm-tasks", str(valid), str(tmp_path / "alone"), "--ratios", "2,1,1"]))
    for task in ("action", "query", "fact", "synthesis"):
        for split in ("train", "dev", "test"):
            rel = Path(task) / f"{split}.jsonl"
            assert (tmp_path / "skip" / rel).read_bytes() == (tmp_path / "alone" / rel).read_bytes()


def test_webcpm_tasks_of_valid_traces_as_before(tmp_path, real_traces):
    src = write_jsonl(tmp_path / "traces.jsonl", real_traces)
    ok(run_in_process(["build", "webcpm-tasks", str(src), str(tmp_path / "out"), "--ratios", "2,1,1"]))
    counts = {t: [sum(1 for _ in open(tmp_path / "out" / t / f"{s}.jsonl", encoding="utf-8"))
                  for s in ("train", "dev", "test")] for t in ("action", "query", "fact")}
    # measured with the converter before this change (0473df3) on the same 4 traces and ratios
    assert counts == {"action": [93, 33, 33], "query": [2, 1, 1], "fact": [15, 3, 11]}


def test_webcpm_replay_and_stats_refuse_a_trace_with_an_unknown_action(tmp_path, real_traces):
    src = write_jsonl(tmp_path / "traces.jsonl", broken(real_traces, "unknown_action"))
    o = run_in_process(["build", "webcpm", str(tmp_path / "out.jsonl"), "--policy", "replay", "--replay", str(src),
                        "--limit", "1", "-q"])
    one_error(o, "traces.jsonl:2 record recovered_001", "unknown action 'TELEPORT'", "bench validate webcpm")
    assert not (tmp_path / "out.jsonl").exists()
    one_error(run_in_process(["stats", "webcpm", str(src)]), "traces.jsonl:2", "unknown action 'TELEPORT'")
    valid = write_jsonl(tmp_path / "valid.jsonl", real_traces)
    row = next(ln for ln in ok(run_in_process(["stats", "webcpm", str(valid)])).out.splitlines() if "actions_per_trace" in ln)
    assert row.split("│")[2].strip() == "40.75"          # this file's column; README: 40.75 actions per trace


TWO_USER_TURNS = {"id": "d1", "messages": [{"role": "user", "content": "Hello there, how are you today?"},
                                           {"role": "user", "content": "Anyone there to answer me?"}]}
GOOD_DIALOGUES = [{"id": f"g{i}", "data": [f"What is a good name for a cat number {i}?",
                                           f"A good name for cat number {i} is Whiskers, short and friendly."]}
                  for i in range(3)]


def test_stats_ultrachat_refuses_dialogues_the_validator_rejects(tmp_path):
    src = write_jsonl(tmp_path / "dialogues.jsonl", [GOOD_DIALOGUES[0], TWO_USER_TURNS, *GOOD_DIALOGUES[1:]])
    o = run_in_process(["stats", "ultrachat", str(src), "--embedder", "none", "--json", str(tmp_path / "s.json")])
    one_error(o, "dialogues.jsonl:2 record d1 field messages[1].role", "breaks user/assistant alternation",
              "1 of 4 dialogues", "--skip-invalid")
    assert not (tmp_path / "s.json").exists()
    # --skip-invalid describes the valid ones and says so; the figures are those of the valid ones alone
    out = ok(run_in_process(["stats", "ultrachat", str(src), "--embedder", "none", "--skip-invalid",
                             "--json", str(tmp_path / "skip.json")])).out
    assert "skipped 1 invalid dialogue(s) of 4" in out
    valid = write_jsonl(tmp_path / "valid.jsonl", GOOD_DIALOGUES)
    ok(run_in_process(["stats", "ultrachat", str(valid), "--embedder", "none", "--json", str(tmp_path / "v.json")]))
    skip = json.loads((tmp_path / "skip.json").read_text())
    alone = json.loads((tmp_path / "v.json").read_text())
    assert skip.pop("skipped_invalid") == 1 and skip == alone and alone["dialogues"] == 3


def test_merge_refuses_an_invalid_dialogue(tmp_path):
    src = write_jsonl(tmp_path / "shard.jsonl", [TWO_USER_TURNS, GOOD_DIALOGUES[0]])
    one_error(run_in_process(["merge", str(tmp_path / "out"), str(src), "--no-filter"]),
              "shard.jsonl:1 record d1 field messages[1].role")
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- item 6: configs checked up front
@pytest.mark.parametrize("extra,field", [({"seed": "seven"}, "config.seed: expected an integer"),
                                         ({"seeds_sampling": {"temperature": "hot"}},
                                          "config.seeds_sampling.temperature: expected a number"),
                                         ({"sector2": {"material_types": ["Emails"], "instructions_per_type": "1"}},
                                          "config.sector2.instructions_per_type: expected an integer")])
def test_ultrachat_config_of_wrong_type_fails_before_any_server_call(tmp_path, extra, field):
    config = small_ultrachat_config(tmp_path / "config.json", **extra)
    with scripted_llm(lambda prompt: "Write a short email to my team about the new schedule.") as server:
        o = build_ultrachat(tmp_path / "out", server, config)
    one_error(o, "config.json", field)
    assert server.requests == 0 and not (tmp_path / "out").exists()
    o = run_in_process(["merge", str(tmp_path / "merged"), str(write_jsonl(tmp_path / "s.jsonl", GOOD_DIALOGUES)),
                        "--config", str(config)])
    one_error(o, "config.json", field)


def test_ultrachat_sectors_option_is_checked_before_any_server_call(tmp_path):
    """--sectors 1,4 used to call the server for sector 1 and then stop on sector 4 with a traceback."""
    with scripted_llm(lambda prompt: "Write a short email to my team about the new schedule.") as server:
        o = run_in_process(["build", "ultrachat", str(tmp_path / "out"), "-m", "scripted", "--base-url",
                            server.base_url, "--sectors", "1,4", "-q"])
    one_error(o, "--sectors '1,4'")
    assert server.requests == 0 and not (tmp_path / "out").exists()


# ---------------------------------------------------------------- item 8: the QASnowball seed file
def test_qasnowball_seed_file_with_no_usable_record_says_which_and_why(tmp_path):
    seed = write_jsonl(tmp_path / "seed.jsonl", [
        {"id": f"q{i}", "title": "t", "context": "Paris is the capital of France.", "question": "What is in Spain?",
         "answers": {"text": [], "answer_start": []}, "is_impossible": True} for i in range(2)])
    docs = write_jsonl(tmp_path / "docs.jsonl", [{"doc_id": "d1", "context": "London is a big city in England."}])
    argv = ["build", "qasnowball", "--docs", str(docs), "--lang", "en", "-o", str(tmp_path / "out"), "-q"]
    one_error(run_in_process([*argv, "--seed-file", str(seed)]), "seed.jsonl", "no usable seed record",
              "all 2 questions dropped", "unanswerable 2")
    (tmp_path / "empty.jsonl").write_text("")
    one_error(run_in_process([*argv, "--seed-file", str(tmp_path / "empty.jsonl")]), "empty.jsonl", "no seed records")
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------- item 13: unknown KEY=VALUE keys
def test_annotate_export_and_import_refuse_unknown_params(tmp_path):
    ok(run_in_process(["build", "muser", "--cases", str(MUSER_CASES), "--out", str(tmp_path / "built"), "--quiet",
                       "--no-hf"]))
    o = run_in_process(["annotate", "export", "muser-pairs", str(tmp_path / "built"), str(tmp_path / "ls"),
                        "-p", "per_qeury=4"])
    one_error(o, "--param per_qeury", "did you mean per_query?", "accepted: limit, per_query, queries")
    assert not (tmp_path / "ls").exists()
    out = ok(run_in_process(["annotate", "export", "muser-pairs", str(tmp_path / "built"), str(tmp_path / "ls"),
                             "-p", "per_query=4"])).out
    assert "4 tasks" in out
    ok(run_in_process(["annotate", "export", "muser-pairs", str(tmp_path / "built"), str(tmp_path / "all")]))
    assert len(json.loads((tmp_path / "all" / "tasks.json").read_text())) == 11     # the build's 11 pairs
    one_error(run_in_process(["annotate", "export", "muser-pairs", str(tmp_path / "built"), str(tmp_path / "x"),
                              "-p", "per_query=four"]), "--param per_query=four: expected an integer")
    one_error(run_in_process(["annotate", "import", "muser-pairs", str(tmp_path / "ls" / "tasks.json"),
                              str(tmp_path / "imp"), "-p", "limit=2"]), "--param limit", "accepted: none")


GOOD_TREC = "1 Q0 184 1 2.0 tag\n1 Q0 29 2 1.5 tag\n2 Q0 12 1 1.0 tag\n"


def test_bench_run_refuses_params_no_part_of_the_run_reads(tmp_path):
    run = tmp_path / "good.run"
    run.write_text(GOOD_TREC)
    one_error(run_in_process(["run", "cranfield", "--run", str(run), "-p", "k1=0.9", "-o", str(tmp_path / "o"), "-q"]),
              "--param k1", "task cranfield (scoring a file)", "accepted: none")
    one_error(run_in_process(["run", "muser", "--run", str(run), "-p", "rel_treshold=7", "-o", str(tmp_path / "o"),
                              "-q"]), "--param rel_treshold", "did you mean rel_threshold?")
    preds = tmp_path / "preds.json"
    preds.write_text(json.dumps({"DEV_0_QUERY_0": "x"}))
    one_error(run_in_process(["run", "cmrc2018-dev", "--predictions", str(preds), "-p", "seed=1", "-o",
                              str(tmp_path / "o"), "-q"]), "--param seed", "task cmrc2018-dev")
    assert not (tmp_path / "o").exists()
    ok(run_in_process(["run", "cranfield", "--run", str(run), "-o", str(tmp_path / "o"), "-q"]))
    (path,) = (tmp_path / "o").glob("cranfield__external-run*.json")   # tagged by the scored file's name
    result = json.loads(path.read_text())
    assert result["main_score"]["metric"] == "nDCG@10" and 0 < result["main_score"]["value"] < 1


def test_submit_data_dir_and_llm_option_keys_are_checked(tmp_path):
    run = tmp_path / "good.run"
    run.write_text(GOOD_TREC)
    ok(run_in_process(["run", "cranfield", "--run", str(run), "-o", str(tmp_path / "res"), "-q"]))
    one_error(run_in_process(["submit", str(tmp_path / "res"), "--data-dir", f"cranfeld={tmp_path}", "-o",
                              str(tmp_path / "s.zip")]), "--data-dir cranfeld", "did you mean cranfield?")
    assert not (tmp_path / "s.zip").exists()
    o = run_in_process(["build", "webcpm", str(tmp_path / "t.jsonl"), "--policy", "llm", "--llm-backend", "openai",
                        "--llm-model", "m", "--llm-option", "colour=red", "-q"])
    one_error(o, "--llm-option colour", "backend openai", "base_url")
    assert not (tmp_path / "t.jsonl").exists()

