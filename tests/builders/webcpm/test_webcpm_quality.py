"""Issue 17 (WebCPM): oracle/heuristic traces reformulate queries, scroll both ways, take seeded human-like
time per step and quote only relevant paragraphs; extractive synthesis targets are marked, with the copy
baseline; `bench stats webcpm` reports all of it. On the real DuReader demo data, 20 questions per policy."""
from __future__ import annotations

import json
import random
import statistics
from pathlib import Path

import pytest

from annotation.webcpm import actions as A
from annotation.webcpm.validate import validate_path
from builders.webcpm.build import build_traces
from builders.webcpm.convert import TASKS, convert
from builders.webcpm.policies import PolicyOptions, create_policy
from builders.webcpm.policies.oracle import OraclePolicy
from builders.webcpm.policies.queries import coverage, follow_up, keyword_query, keywords, sub_questions, terms
from builders.webcpm.recorder import Recorder, ThinkTimes
from builders.webcpm.stats import HUMAN, behaviour_stats, copy_baseline, trace_stats

N = 20


def _build(dureader, web, out: Path, name: str = "oracle", seed: int = 0, **extra) -> list[dict]:
    setup = create_policy(name, PolicyOptions(seed=seed, **extra))
    build_traces(dureader[1][:N], web, setup.policy, out, seed=seed, show_progress=False, answer=setup.answer,
                 answer_kind=setup.answer_kind, config={"policy_config": setup.config})
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def built(dureader, web, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("webcpm_quality")
    for name in ("oracle", "heuristic"):
        _build(dureader, web, root / f"{name}.jsonl", name)
    return {"oracle": root / "oracle.jsonl", "heuristic": root / "heuristic.jsonl", "root": root}


def test_keywords_sub_questions_and_follow_up_queries():
    assert keywords("海信电视怎么样") == ["海信", "电视"]
    assert keyword_query("儿童口腔溃疡的治疗方法") == "儿童 口腔溃疡 治疗 方法"
    assert sub_questions("截至和截止区别") == ["截至 区别", "截止区别"]
    assert sub_questions("海信电视怎么样") == []
    # facts that cover one side of a comparison: the follow-up searches a sub-question, never a repeat
    q = "美邦钙宝跟迪巧哪个好"
    first = keyword_query(q)
    nxt = follow_up(q, ["美邦钙宝含钙量高"], [first])
    assert nxt and nxt != first and nxt != q
    assert follow_up(q, [], [first, *[keyword_query(s) for s in sub_questions(q)], nxt]) not in (first, nxt)
    assert coverage("海信电视怎么样", ["海信的电视不错"]) == 1.0 and coverage("海信电视怎么样", ["不错"]) == 0.0


def test_think_times_are_seeded_lognormal_and_can_be_fixed():
    def clock(seed: int, rid: str = "q1", timing: ThinkTimes | None = None) -> list[int]:
        rec = Recorder(rid, seed=seed, timing=timing)
        return [rec.tick(name, {"keyword": "海信 电视", "text": "x" * 80}) for name in
                (A.START, A.SEARCH, A.LOAD, A.DOWN, A.QUOTE, A.UP, A.BACK, A.CLOSE) * 5]

    a, b = clock(0), clock(0)
    assert a == b and clock(1) != a and clock(0, "q2") != a            # deterministic per (seed, record)
    steps = [y - x for x, y in zip(a, a[1:])]
    assert len(set(steps)) > 30 and statistics.pstdev(steps) > 500    # not a fixed tick
    assert all(ThinkTimes().min_ms <= s <= ThinkTimes().max_ms for s in steps)
    fixed = clock(0, timing=ThinkTimes(fixed_ms=1000))
    assert {y - x for x, y in zip(fixed, fixed[1:])} == {1000}
    # a long query takes longer to type than a short one, in the median
    rng = random.Random(0)
    short = statistics.median(ThinkTimes().draw(rng, A.SEARCH, {"keyword": "ab"}) for _ in range(400))
    long = statistics.median(ThinkTimes().draw(rng, A.SEARCH, {"keyword": "a" * 20}) for _ in range(400))
    assert long > short + 4000


@pytest.mark.parametrize("name", ["oracle", "heuristic"])
def test_traces_reformulate_scroll_both_ways_and_stay_valid(built, name):
    path = built[name]
    assert validate_path(path) == []
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    st = behaviour_stats(records)
    print(name, {k: round(v, 3) for k, v in st.items() if v is not None})
    assert st["searches_per_trace"] > 1.2                  # follow-up searches when facts are missing
    assert st["query_is_question_rate"] < 0.5              # mostly keyword queries, not the question verbatim
    assert st["distinct_query_rate"] == 1.0                # never the same query twice in a trace
    assert st["scroll_up_per_trace"] > 0.2 and st["scroll_down_per_trace"] > 2
    assert 2000 < st["mean_step_ms"] < 15000 and st["step_ms_stdev"] > 1000
    assert sum(bool(r["digests"]) for r in records) >= N - 2
    assert all(r["meta"]["answer"] == "extractive" for r in records)


def test_every_quote_passes_the_relevance_check(built):
    policy = OraclePolicy()
    checked = 0
    for line in built["oracle"].read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        qkeys = set(keywords(rec["question"]))
        for a in rec["actions"]:
            if a["action"] == A.QUOTE:
                visible = a["pageContentInViewport"].replace(A.LINE_MARK, "\n")
                paras = [p for p in visible.split("\n") if a["details"]["text"] in p]
                assert qkeys and any(len(terms(p) & qkeys) / len(qkeys) >= policy.min_relevance for p in paras), \
                    (rec["_id"], a["details"]["text"][:60])
                checked += 1
    assert checked >= N


def test_same_seed_byte_identical_other_seed_differs(built, dureader, web):
    root = built["root"]
    _build(dureader, web, root / "again.jsonl")
    assert (root / "again.jsonl").read_bytes() == built["oracle"].read_bytes()
    other = _build(dureader, web, root / "seed7.jsonl", seed=7)
    base = [json.loads(line) for line in built["oracle"].read_text(encoding="utf-8").splitlines()]
    assert [a["triggerAt"] for a in other[0]["actions"]] != [a["triggerAt"] for a in base[0]["actions"]]
    assert validate_path(root / "seed7.jsonl") == []


def test_extractive_targets_are_marked_with_the_copy_baseline(built, tmp_path):
    records = [json.loads(line) for line in built["oracle"].read_text(encoding="utf-8").splitlines()]
    summary = convert(records, tmp_path / "tasks", ratios=(2, 1, 1))
    assert set(summary["instances"]) == set(TASKS) and sum(summary["instances"]["synthesis"].values()) >= N - 2
    meta = json.loads((tmp_path / "tasks" / "synthesis_meta.json").read_text(encoding="utf-8"))
    assert meta["targets"] == "extractive" and meta["answer_kinds"] == {"extractive": N}
    assert 0.5 < meta["copy_baseline_char_rouge_l"] == round(copy_baseline(records), 4) < 1
    card = (tmp_path / "tasks" / "hf" / "README.md").read_text(encoding="utf-8")
    assert "synthesis_targets: extractive" in card and "Synthesis targets are extractive" in card
    for r in records:                                        # model-written answers: no warning
        r["meta"]["answer"] = "llm:some-model"
    convert(records, tmp_path / "abstractive", ratios=(2, 1, 1))
    card = (tmp_path / "abstractive" / "hf" / "README.md").read_text(encoding="utf-8")
    assert "synthesis_targets: abstractive" in card and "Synthesis targets are" not in card


class _Scripted:
    """Stand-in chat model for the answer step (no model runs in the test budget); it sees the real prompt."""

    model = "scripted"

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def chat(self, messages, sampling=None):
        from engines.llm.base import ChatResponse

        self.prompts.append(messages[-1]["content"])
        return ChatResponse(text="综合来看，这是一个概括性的回答。", finish_reason="stop", model=self.model)


class _Spec:
    def __init__(self, backend: _Scripted) -> None:
        self.backend = backend

    def create(self) -> _Scripted:
        return self.backend

    def describe(self, for_hash: bool = False) -> dict:
        return {"backend": "scripted"}


def test_an_llm_backend_writes_the_oracle_answers(dureader, web, tmp_path):
    backend = _Scripted()
    setup = create_policy("oracle", PolicyOptions(llm=_Spec(backend)))
    assert setup.answer_kind == "llm:scripted" and setup.config["answer_backend"] == {"backend": "scripted"}
    out = tmp_path / "llm.jsonl"
    build_traces(dureader[1][:2], web, setup.policy, out, show_progress=False, answer=setup.answer,
                 answer_kind=setup.answer_kind, config={"policy_config": setup.config})
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(r["answer"].startswith("综合来看") and r["meta"]["answer"] == "llm:scripted" for r in records)
    assert backend.prompts and backend.prompts[0].startswith("摘要：") and backend.prompts[0].endswith("；答案：")
    assert validate_path(out) == []


def test_human_reference_figures_match_the_recovered_traces(test_output):
    from builders.webcpm.recover import recover_traces

    traces = recover_traces(test_output)
    st = behaviour_stats(traces)
    n = len(traces)
    facts = sum(len(t["digests"]) for t in traces) / n
    got = {"traces": n, "actions_per_trace": sum(len(t["actions"]) for t in traces) / n, "facts_per_trace": facts,
           **{k: st[k] for k in HUMAN if k in st}}
    assert got == pytest.approx(HUMAN)


def test_bench_stats_webcpm_reports_the_new_figures(built):
    from rich.console import Console

    from bench.stats_report import webcpm_stats

    console = Console(width=160, record=True)
    for item in webcpm_stats(built["oracle"]):
        console.print(item)
    text = console.export_text()
    for label in ("searches_per_trace", "distinct_query_rate", "scroll_up_per_trace", "scroll_down_per_trace",
                  "mean_step_ms", "copy ROUGE-L (standard)", "copy ROUGE-L (paper)", "EXTRACTIVE"):
        assert label in text, label
    st = trace_stats(built["oracle"])
    assert st["searches_per_trace"] > 1.2 and st["answers"] == {"extractive": N}
