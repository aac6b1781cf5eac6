"""Issue 23, items 7, 9, 11, 12, 14, 15: judging, annotation and submission flows that gave a figure or a
file with exit 0 and no word. Each silent case now ends in one `error:` line naming the file (exit 2) or
in a documented warning, and a valid look-alike still works and gives the number it gave before.

The judge here is either the real SmolLM2 behind llama.cpp (`llama_server`, marked `llm`) or, where a
deterministic judge is needed (always unreadable, always "[[A]]"), a small real HTTP server on 127.0.0.1
whose replies the test fixes (tests/engines/llm/fixed_reply_server.py): a stand-in for a judge, since no
real model promises one constant reply. Every `bench` call runs the real main() in-process.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.bad_inputs.test_bad_inputs import Outcome, ok, one_error, run_in_process
from tests.engines.llm.fixed_reply_server import FixedReplyServer, is_judge_request

N = 6                                          # questions per judged run (ultra_eval.json's first six)


# ----------------------------------------------------------------------------------------- helpers




def warnings_of(o: Outcome) -> list[str]:
    return [ln for ln in o.out.splitlines() if ln.startswith("warning:")]


def _h(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _user_text(body: dict) -> str:
    return "\n".join(m["content"] for m in body["messages"] if m["role"] == "user")


def answerer(body: dict) -> str:
    """The answering model: a short answer naming the question's hash (so answers differ)."""
    return f"MODEL ANSWER {_h(_user_text(body)) % 1000}: here is what I would say about it."


def varied_judge(body: dict) -> str:
    """A judge that reads: ratings 2-9 by question, pairwise the model wins half the questions (in both
    orders) and ties the rest, so nothing is constant and every verdict parses."""
    text = _user_text(body)
    if "[The Start of Assistant A's Answer]" in text or "Assistant A" in text:
        qkey = text.split("[The Start of Assistant A", 1)[0]
        model_first = text.find("MODEL ANSWER") < text.find("base answer")
        if _h(qkey) % 2:
            return "[[A]]" if model_first else "[[B]]"
        return "[[C]]"
    return f"The answer is fair. Rating: [[{2 + _h(text) % 8}]]"


def serve(judge) -> FixedReplyServer:
    return FixedReplyServer(lambda body: judge(body) if is_judge_request(body) else answerer(body))


def judged(url: str, out: Path, *extra: str, judge_url: str | None = "same") -> list[str]:
    args = ["run", "ultrachat-eval", "--model-backend", "openai", "--model", "m", "--base-url", url,
            "--judge-model", "j", "-p", f"limit={N}", "-p", "n_boot=50", "-p", "max_retries=0", "-p",
            "judge_max_retries=0", "-o", str(out), "-q"]
    if judge_url is not None:
        args += ["--judge-base-url", url if judge_url == "same" else judge_url]
    return args + list(extra)


def baseline_file(tmp: Path) -> Path:
    path = tmp / "base_answers.jsonl"
    path.write_text("".join(json.dumps({"question_id": i, "answers": [f"base answer {i}"]}) + "\n" for i in range(N)),
                    encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_default_endpoint(monkeypatch: pytest.MonkeyPatch, shared_data: Path) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))


# ----------------------------------------------------------------------------------------- item 9
def test_unreadable_judge_is_refused_and_a_readable_one_scores(tmp_path: Path) -> None:
    with serve(lambda body: "I think this answer is quite good overall.") as srv:
        o = run_in_process(judged(srv.base_url, tmp_path / "bad"))
    line = one_error(o, "ultrachat-eval__m.judgments.jsonl", f"{N} of {N} single judgments",
                     "'I think this answer is quite good overall.'")
    assert "score" not in o.out
    assert not (tmp_path / "bad" / "ultrachat-eval__m.json").exists(), line   # no result: no number

    # the look-alike: a judge whose replies parse scores the mean of its ratings, as before
    with serve(varied_judge) as srv:
        ok(o := run_in_process(judged(srv.base_url, tmp_path / "good")))
    assert not warnings_of(o)
    result = json.loads((tmp_path / "good" / "ultrachat-eval__m.json").read_text())
    bundle = [json.loads(x) for x in (tmp_path / "good" / "ultrachat-eval__m.judgments.jsonl").read_text().splitlines()]
    ratings = [float(re.search(r"\[\[(\d+)\]\]", r["judgment"]).group(1)) for r in bundle if r["type"] == "single"]
    single = result["metrics"]["single"]
    assert len(ratings) == N and len(set(ratings)) > 1
    assert single["score"] == pytest.approx(sum(ratings) / N) and single["n_invalid"] == 0
    assert single["degenerate"] == 0.0 and single["score_ci_low"] < single["score_ci_high"]


def test_a_result_kept_with_judge_min_valid_is_refused_by_submit(tmp_path: Path) -> None:
    with serve(lambda body: "no verdict here") as srv:
        o = ok(run_in_process(judged(srv.base_url, tmp_path / "res", "-p", "judge_min_valid=0")))
    assert any(w.startswith(f"warning: unreadable judge: {N} of {N}") for w in warnings_of(o)), o.out
    o = run_in_process(["submit", str(tmp_path / "res"), "--out", str(tmp_path / "s.zip")])
    one_error(o, "ultrachat-eval__m.json", "cannot be read", f"{N} of {N} single judgments")
    assert not (tmp_path / "s.zip").exists()


def test_constant_judge_is_reported_degenerate(tmp_path: Path) -> None:
    base = baseline_file(tmp_path)

    def always(body: dict) -> str:
        return "[[A]]" if "Assistant A" in _user_text(body) else "Rating: [[5]]"

    with serve(always) as srv:
        o = ok(run_in_process(judged(srv.base_url, tmp_path / "out", "--baseline", str(base), "--mode", "pairwise")))
    warned = warnings_of(o)
    assert any("rated all 6 readable answers 5" in w for w in warned), o.out
    assert any('picked "A" (the first position) in all 12 readable pairwise verdicts' in w for w in warned), o.out
    result = json.loads((tmp_path / "out" / "ultrachat-eval__m.pairwise.json").read_text())
    assert result["metrics"]["single"]["degenerate"] == 1.0 and result["metrics"]["pairwise"]["degenerate"] == 1.0
    assert len(result["extra"]["warnings"]) == 2
    # the flag is recomputed from the stored judgments, so a submitted result cannot drop it
    o = ok(run_in_process(["run", "ultrachat-eval", "--predictions", str(tmp_path / "out" / "ultrachat-eval__m.pairwise.judgments.jsonl"),
                           "--mode", "pairwise", "-o", str(tmp_path / "again"), "-q"]))
    assert len(warnings_of(o)) == 2


@pytest.mark.llm
def test_real_smollm2_judge_unreadable_then_degenerate(llama_server, tmp_path: Path) -> None:
    """SmolLM2-135M as a judge: without the grammar its replies hold no rating (refused); with it, it
    rates every answer 5 (degenerate, flagged). Three questions, external answers: 6 judge requests."""
    answers = tmp_path / "answers.jsonl"
    answers.write_text("".join(json.dumps({"question_id": i, "answers": [f"Here is a short answer number {i}."]})
                               + "\n" for i in range(3)), encoding="utf-8")

    def run(out: str, *extra: str) -> Outcome:
        return run_in_process(["run", "ultrachat-eval", "--predictions", str(answers), "--judge-backend", "openai",
                               "--judge-model", "smollm2", "--judge-base-url", llama_server.base_url, "-p", "limit=3",
                               "-p", "judge_max_tokens=12", "-p", "n_boot=50", "-o", str(tmp_path / out), "-q", *extra])

    one_error(run("free"), "ultrachat-eval__answers.judgments.jsonl", "3 of 3 single judgments hold no [[rating]]")
    o = ok(run("grammar", "-p", "judge_grammar=true"))
    result = json.loads((tmp_path / "grammar" / "ultrachat-eval__answers.json").read_text())
    single = result["metrics"]["single"]
    assert single["n_invalid"] == 0
    # measured: SmolLM2 rates every answer 5 (greedy, --n_batch 1: the same on every run), a CI of [5, 5]
    assert single["score_ci_low"] == single["score_ci_high"] == single["score"]
    assert single["degenerate"] == 1.0
    (warning,) = warnings_of(o)
    assert f"rated all 3 readable answers {single['score']:g}" in warning


# ----------------------------------------------------------------------------------------- item 14
def test_checks_come_before_the_first_request(tmp_path: Path) -> None:
    base = baseline_file(tmp_path)
    with serve(varied_judge) as srv:
        one_error(run_in_process(judged(srv.base_url, tmp_path / "a", "--mode", "pairwise")), "--mode pairwise",
                  "--baseline")
        one_error(run_in_process(judged(srv.base_url, tmp_path / "b", judge_url=None)), "--judge-model j",
                  "--judge-base-url", "not reused")
        one_error(run_in_process(judged(srv.base_url, tmp_path / "c", "-p", "judge_concurrency=0")), "judge j (openai)",
                  "concurrency")
        one_error(run_in_process(["run", "ultrachat-eval", "--model-backend", "openai", "--model", "m", "--judge-model",
                                  "j", "--judge-base-url", srv.base_url, "-o", str(tmp_path / "d"), "-q"]),
                  "--model m", "--base-url")
        assert srv.requests == 0, "a check came after a request"
        assert not any((tmp_path / x).exists() for x in "abcd")
        # the look-alike with everything given: N answers, N grades, 2N pairwise judgments
        ok(run_in_process(judged(srv.base_url, tmp_path / "e", "--baseline", str(base), "--mode", "pairwise")))
        assert srv.requests == 4 * N


def test_a_judge_that_fails_is_named(tmp_path: Path) -> None:
    with serve(answerer) as srv:          # answers fine; the judge's endpoint refuses connections
        o = run_in_process(judged(srv.base_url, tmp_path / "o", judge_url="http://127.0.0.1:9/v1"))
    one_error(o, "judge j (openai)", "127.0.0.1:9", "gave up")


# ----------------------------------------------------------------------------------------- items 11 and 15
def _local_strings(tmp_path: Path, url: str, shared_data: Path) -> list[str]:
    return [str(tmp_path), str(tmp_path.resolve()), str(shared_data), "127.0.0.1", "localhost", url.split("//")[1]]


def test_judged_submission_publishes_no_local_path_and_plots_its_main_score(tmp_path: Path, shared_data: Path) -> None:
    answers = tmp_path / "my answers"                   # a path with a space, gone by submit time
    answers.mkdir()
    base = baseline_file(answers)
    with serve(varied_judge) as srv:
        ok(run_in_process(judged(srv.base_url, tmp_path / "res", "--baseline", str(base), "--mode", "pairwise")))
        url = srv.base_url
    base.unlink()
    result = json.loads((tmp_path / "res" / "ultrachat-eval__m.pairwise.json").read_text())
    local = json.dumps(result["extra"])
    assert str(base) in local and url in local and str(shared_data) in local   # the local record keeps them

    zpath = tmp_path / "subs" / "judged.zip"
    zpath.parent.mkdir()
    ok(run_in_process(["submit", str(tmp_path / "res"), "--out", str(zpath)]))
    needles = _local_strings(tmp_path, url, shared_data)
    with zipfile.ZipFile(zpath) as zf:
        members = {n: zf.read(n).decode("utf-8") for n in zf.namelist()}
    for name, text in members.items():
        for needle in needles:
            assert needle not in text, f"{needle!r} published in {name}"
    meta = json.loads(next(t for n, t in members.items() if n.startswith("runs/")).splitlines()[0])
    assert meta["judge"]["options"]["base_url"] == "(local endpoint)" == meta["model"]["options"]["base_url"]
    assert meta["source"]["file"] == "ultra_eval.json" and len(meta["source"]["sha256"]) == 64
    assert meta["baseline"]["source"] == {"file": "base_answers.jsonl"}
    ok(run_in_process(["verify", str(zpath)]))                   # the scrubbed package re-scores as before

    site = tmp_path / "site"
    ok(run_in_process(["leaderboard", "build", str(zpath.parent), "--out", str(site)]))
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".jsonl", ".txt", ".trec", ".run", ""):
            text = path.read_text(encoding="utf-8", errors="replace")
            for needle in needles:
                assert needle not in text, f"{needle!r} published in {path.relative_to(site)}"

    # item 15: the per-query plot draws the table's main score (win + tie/2 per question), not `win`
    from benchmarks.leaderboard.collect import collect

    board = collect(zpath.parent)
    (row,) = board.rows["ultrachat-eval (pairwise)"]
    assert row.main_metric == "score" and row.per_query_metric == "score"
    values = row.per_query()
    assert len(values) == N and sum(values.values()) / N == pytest.approx(row.main_value)
    assert 0 < row.main_value < 1 and set(values.values()) <= {0.0, 0.5, 1.0}
    page = (site / "index.html").read_text(encoding="utf-8")
    assert 'aria-label="per-query score (raw) per model"' in page and "per-query win" not in page


def test_all_zero_distribution_gets_a_readable_axis() -> None:
    from benchmarks.leaderboard.plot import _axis_top
    from benchmarks.leaderboard.scales import RAW

    assert _axis_top(RAW, [0.0, 0.0]) == 1.0 and _axis_top(RAW, [0.5, 1.0]) == pytest.approx(1.05)


# ----------------------------------------------------------------------------------------- item 7
@pytest.fixture(scope="module")
def cranfield_results(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    out = tmp_path_factory.mktemp("cran") / "res"
    o = run_in_process(["run", "cranfield", "-r", "bm25", "-o", str(out), "-q"])
    assert o.rc == 0, o.text[-2000:]
    return out


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_submit_refuses_a_truncated_result_or_skips_it_loudly(cranfield_results: Path, tmp_path: Path) -> None:
    good = json.loads((cranfield_results / "cranfield__bm25.json").read_text())
    res = _copy(cranfield_results, tmp_path / "res")
    text = (res / "cranfield__bm25.json").read_bytes()
    (res / "cranfield__bm25-p2.json").write_bytes(text[: len(text) // 2])        # a second result, cut off
    o = run_in_process(["submit", str(res), "--out", str(tmp_path / "a.zip")])
    one_error(o, "cranfield__bm25-p2.json", "refusing to pack")
    assert not (tmp_path / "a.zip").exists()

    o = ok(run_in_process(["submit", str(res), "--out", str(tmp_path / "b.zip"), "--skip-bad"]))
    assert re.search(r"skipped \(--skip-bad\): .*cranfield__bm25-p2\.json", o.out), o.out
    assert "packed 1 result(s), skipped 1" in o.out
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        (entry,) = json.loads(zf.read("manifest.json"))["entries"]
    assert entry["main_score"]["value"] == good["main_score"]["value"]            # the same number as before

    # a JSON that parses but is no result (predictions, notes) is still left alone without a word
    (res / "cranfield__bm25-p2.json").write_text('{"1": "an answer"}', encoding="utf-8")
    ok(run_in_process(["submit", str(res), "--out", str(tmp_path / "c.zip")]))


def test_submit_table_prints_the_mode_used_for_an_older_result(cranfield_results: Path, tmp_path: Path) -> None:
    res = _copy(cranfield_results, tmp_path / "res")
    data = json.loads((res / "cranfield__bm25.json").read_text())
    data["schema_version"] = 2                       # a result written before modes were recorded
    del data["mode"], data["scoring_params"]
    (res / "cranfield__bm25.json").write_text(json.dumps(data), encoding="utf-8")
    o = ok(run_in_process(["submit", str(res), "--out", str(tmp_path / "s.zip")]))
    row = next(ln for ln in o.out.splitlines() if "cranfield" in ln and "nDCG@10" in ln)
    assert "standard" in row and "None" not in row, row
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        assert json.loads(zf.read("results/cranfield/bm25.json"))["mode"] == "standard"
    ok(run_in_process(["verify", str(tmp_path / "s.zip")]))


# ----------------------------------------------------------------------------------------- item 12
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "muser"
BUILD = ["--queries", "101,104,107,110,112", "--depth", "8", "--pool-size", "10", "--quiet"]


def _build(judgments: Path, out: Path) -> Outcome:
    return run_in_process(["build", "muser", "--cases", str(FIXTURES / "cases_pool.json"), "--judgments",
                           str(judgments), "-o", str(out), *BUILD])


def _adjudication(judgments: Path) -> list[dict]:
    """What `bench annotate import muser-pairs` writes: one row per disagreement, `resolved: null`."""
    from annotation.labelstudio.agree import disagreements

    table: dict = {}
    for line in judgments.read_text().splitlines():
        r = json.loads(line)
        for view in ("aqbq", "zyjd", "ft"):
            table.setdefault(view, {}).setdefault(f"{r['query']}/{r['candidate']}", {})[r["annotator"]] = r[view]
    return disagreements(table)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_muser_build_says_how_disagreements_were_settled(tmp_path: Path, muser_dir: Path) -> None:
    imported = tmp_path / "imported"
    imported.mkdir()
    judgments = imported / "judgments.jsonl"
    shutil.copy(FIXTURES / "judgments.jsonl", judgments)

    o = ok(_build(judgments, tmp_path / "plain"))          # no adjudication file: the rule is still said
    (w,) = warnings_of(o)
    assert "5 of 5 disagreement(s)" in w and "5 by lower grade (tie)" in w and "judgments.jsonl" in w
    plain = json.loads((tmp_path / "plain" / "labels" / "view_scores.json").read_text())

    rows = _adjudication(judgments)
    assert len(rows) == 5 and all(r["resolved"] is None for r in rows)
    _write_jsonl(imported / "adjudication.jsonl", rows)
    o = ok(_build(judgments, tmp_path / "open"))
    (w,) = warnings_of(o)
    assert "adjudication.jsonl" in w and "fill in `resolved`" in w and "5 by lower grade (tie)" in w
    assert json.loads((tmp_path / "open" / "labels" / "view_scores.json").read_text()) == plain   # same grades
    assert json.loads((tmp_path / "open" / "build.json").read_text())["settled"]["lower grade (tie)"] == 5

    for r in rows:                                         # a person decides: the higher grade everywhere
        r["resolved"] = max(r["values"].values())
    _write_jsonl(imported / "adjudication.jsonl", rows)
    o = ok(_build(judgments, tmp_path / "decided"))
    assert not warnings_of(o) and "note: 5 disagreement(s) between annotators settled: 5 by adjudicated" in o.out
    decided = json.loads((tmp_path / "decided" / "labels" / "view_scores.json").read_text())
    assert plain["101"]["103"]["aqbq"] == 2 and decided["101"]["103"]["aqbq"] == 3

    rows[0]["resolved"] = 7                                # not a grade of that view
    _write_jsonl(imported / "adjudication.jsonl", rows)
    one_error(_build(judgments, tmp_path / "bad"), "adjudication.jsonl:1", "field resolved", "7")
    assert not (tmp_path / "bad").exists()


def test_scoring_the_model_that_filled_the_grades_warns(built_dataset: Path, tmp_path: Path) -> None:
    args = ["run", "muser", "--retriever", "elements", "--split", "all", "-q"]
    o = ok(run_in_process([*args, "--data-dir", str(built_dataset), "-o", str(tmp_path / "a")]))
    views = json.loads((built_dataset / "labels" / "view_scores.json").read_text())
    by_model = sum(g["source"] == "model" for q in views.values() for g in q.values())
    total = sum(len(q) for q in views.values())
    (w,) = warnings_of(o)
    assert f"{by_model} of {total} grades" in w and "view_scores.json" in w and by_model > 0
    # the look-alike: the same grades with no record of where they came from score the same, without a word
    copy = _copy(built_dataset, tmp_path / "ds")
    (copy / "labels" / "view_scores.json").unlink()
    o2 = ok(run_in_process([*args, "--data-dir", str(copy), "-o", str(tmp_path / "b")]))
    assert not warnings_of(o2)
    a, b = (json.loads(next((tmp_path / x).glob("muser__elements*.json")).read_text()) for x in "ab")
    assert a["main_score"] == b["main_score"]
