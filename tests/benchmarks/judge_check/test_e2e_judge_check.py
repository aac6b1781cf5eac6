"""judge-check end to end with real parts: SmolLM2 (llama.cpp) answers 3 real UltraChat eval questions as
three "models" (a baseline with 8-token answers, then 24 and 64 tokens) and judges them pairwise; the answer
pairs go to a real local Label Studio, two annotators label them through the API, the labels come back
through `bench annotate import ultrachat-pairwise`, and `bench judge-check score` sets the judge against
them, first from its text verdicts, then from the verdict token's log-probabilities (item 4). The first
model's dialogues are also rated 1-10 (ultrachat-ratings) against the judge's single ratings.

The two test annotators follow written rules on the real answers (one prefers the longer answer, one the longer
unless it repeats itself clearly more), so what they say is known and checked after the round trip.
The figures are printed (`-s`) for the docs; the judge is too small for them to mean much.
"""
from __future__ import annotations

import json
import os
import time

import pytest
from typer.testing import CliRunner

from annotation.labelstudio.client import LabelStudio
from benchmarks.judging.prompts import parse_rating
from tests.annotation.labelstudio.ls_server import LS_BIN, Server
from tests.annotation.labelstudio.support import choice, rating

pytestmark = [pytest.mark.llm, pytest.mark.labelstudio, pytest.mark.slow]
ADMIN, SECOND = ("admin@judge.test", "Adm1n-pass-jc"), ("second@judge.test", "Sec0nd-pass-jc")
N = 3


def invoke(*args: str, env: dict[str, str] | None = None) -> str:
    from bench.cli import app

    r = CliRunner().invoke(app, list(args), env=env)
    assert r.exit_code == 0, f"bench {' '.join(args)}: {r.output} {r.exception!r}"
    return r.output


def longer(a: str, b: str, margin: float = 0.1) -> str:
    """'A', 'B' or 'tie': the longer answer, a tie within `margin` of the longer one's length."""
    if abs(len(a) - len(b)) <= margin * max(len(a), len(b), 1):
        return "tie"
    return "A" if len(a) > len(b) else "B"


def distinct(text: str) -> float:
    words = text.lower().split()
    return len(set(words)) / max(len(words), 1)


def less_repetitive(a: str, b: str) -> str:
    """The longer answer, unless it repeats itself clearly more (share of distinct words lower by > 0.1)."""
    pick = longer(a, b, 0.3)
    if pick != "tie":
        other = "B" if pick == "A" else "A"
        long_, short = (a, b) if pick == "A" else (b, a)
        if distinct(short) - distinct(long_) > 0.1:
            return other
    return pick


LABEL = {"A": "A is better", "B": "B is better", "tie": "Tie"}
RULES = {ADMIN[0]: longer, SECOND[0]: less_repetitive}


def test_judge_against_two_annotators_on_label_studio(llama_server, shared_data, tmp_path, monkeypatch):
    if not LS_BIN.exists():
        msg = f"{LS_BIN} missing: run tests/setup.sh (installs label-studio in its own venv)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    t0 = time.time()
    (tmp_path / "ls").mkdir()
    server = Server(tmp_path / "ls", *ADMIN)          # Label Studio starts while SmolLM2 answers and judges
    try:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-unused-local")
        url, cache = llama_server.base_url, tmp_path / "cache"
        common = ["--model-backend", "openai", "--base-url", url, "--judge-model", "smollm2", "--judge-base-url", url,
                  "-p", f"limit={N}", "-p", "judge_max_tokens=12", "-p", "judge_grammar=true", "-p", "concurrency=1",
                  "-p", "judge_concurrency=1", "-p", "n_boot=100", "-p", f"cache_dir={cache}", "-q"]
        invoke("run", "ultrachat-eval", "--model", "smol-8", "-p", "max_tokens=8", "-o", str(tmp_path / "base"), *common)
        base = tmp_path / "base" / "ultrachat-eval__smol-8.json"
        bundles = []
        for tokens in (24, 64):
            out = tmp_path / f"m{tokens}"
            invoke("run", "ultrachat-eval", "--mode", "pairwise", "--model", f"smol-{tokens}", "-p",
                   f"max_tokens={tokens}", "--baseline", str(base), "-o", str(out), *common)
            bundles.append(out / f"ultrachat-eval__smol-{tokens}.pairwise.judgments.jsonl")
        t_llm = time.time() - t0

        # what people annotate: answer pairs of both models, one Label Studio project
        pairs = []
        for i, b in enumerate(bundles):
            invoke("judge-check", "pairs", str(b), str(tmp_path / f"pairs{i}"))
            pairs += (tmp_path / f"pairs{i}" / "pairs.jsonl").read_text().splitlines()
        (tmp_path / "pairs.jsonl").write_text("\n".join(pairs) + "\n", encoding="utf-8")
        pair_of = {(p["id"], p["model"]): p for p in map(json.loads, pairs)}
        invoke("annotate", "export", "ultrachat-pairwise", str(tmp_path / "pairs.jsonl"), str(tmp_path / "tasks"))
        tasks = json.loads((tmp_path / "tasks" / "tasks.json").read_text())
        assert len(tasks) == 2 * N and {t["data"]["a_is"] for t in tasks} == {"model", "baseline"}   # both orders shown

        server.wait()
        admin = server.session(*ADMIN)
        admin_token = server.personal_token(admin)
        second = server.session(*SECOND, signup_token=admin.get("/api/invite").json()["token"])
        env = {"LS_JC_TOKEN": admin_token}
        invoke("annotate", "push", str(tmp_path / "tasks"), "--url", server.url, "--token-env", "LS_JC_TOKEN", env=env)
        project = json.loads((tmp_path / "tasks" / "project.json").read_text())["project"]
        clients = {ADMIN[0]: LabelStudio(server.url, admin_token),
                   SECOND[0]: LabelStudio(server.url, server.personal_token(second))}
        expected: dict[tuple[str, str, str], str] = {}          # (question, model, annotator) -> winner
        for tid in clients[ADMIN[0]].task_ids(project):
            data = clients[ADMIN[0]].task(tid)["data"]
            for who, ls in clients.items():
                picked = RULES[who](data["answer_a"], data["answer_b"])
                ls.annotate(tid, [choice("preference", "answer_a", LABEL[picked])])
                # the same rule on the pair as written (model/baseline, no A/B): what the import must give back
                p = pair_of[(data["id"], data["model"])]
                raw = RULES[who](p["answer_model"], p["answer_baseline"])
                expected[(data["id"], data["model"], who)] = {"A": "model", "B": "baseline", "tie": "tie"}[raw]
        invoke("annotate", "pull", str(tmp_path / "export.json"), "--url", server.url, "--token-env", "LS_JC_TOKEN",
               "--from", str(tmp_path / "tasks"), env=env)
        invoke("annotate", "import", "ultrachat-pairwise", str(tmp_path / "export.json"), str(tmp_path / "human"))
        records = [json.loads(x) for x in (tmp_path / "human" / "records.jsonl").read_text().splitlines()]
        assert {(r["id"], r["model"], r["annotator"]): r["winner"] for r in records} == expected
        ag = json.loads((tmp_path / "human" / "agreement.json").read_text())["preference"]
        items = sorted({(q, m) for q, m, _ in expected})
        same = sum(expected[(*i, ADMIN[0])] == expected[(*i, SECOND[0])] for i in items) / len(items)
        assert ag["items_with_several"] == 2 * N and f"{ADMIN[0]}|{SECOND[0]}" in ag["cohen_kappa"]

        # the first model's dialogues rated 1-10 (ultrachat-ratings), for the judge's single ratings
        invoke("annotate", "export", "ultrachat-ratings", str(tmp_path / "pairs0" / "dialogues.jsonl"),
               str(tmp_path / "rtasks"), "-p", "max_turns=1")
        invoke("annotate", "push", str(tmp_path / "rtasks"), "--url", server.url, "--token-env", "LS_JC_TOKEN", env=env)
        rproject = json.loads((tmp_path / "rtasks" / "project.json").read_text())["project"]
        coherence = {}
        for tid in clients[ADMIN[0]].task_ids(rproject):
            answer = clients[ADMIN[0]].task(tid)["data"]["assistant_1"]
            for n, (who, ls) in enumerate(clients.items()):
                value = max(1, min(10, round(10 * distinct(answer)) - n))     # less repetition, higher
                coherence[(clients[ADMIN[0]].task(tid)["data"]["id"], who)] = value
                ls.annotate(tid, [rating("quality_1", "assistant_1", 3), choice("refusal_1", "assistant_1", "no refusal"),
                                  rating("coherence", "assistant_1", value)])
        invoke("annotate", "pull", str(tmp_path / "rexport.json"), "--url", server.url, "--token-env", "LS_JC_TOKEN",
               "--from", str(tmp_path / "rtasks"), env=env)
        invoke("annotate", "import", "ultrachat-ratings", str(tmp_path / "rexport.json"), str(tmp_path / "rhuman"))
        rated = [json.loads(x) for x in (tmp_path / "rhuman" / "records.jsonl").read_text().splitlines()]
        assert {(r["id"], r["annotator"]): r["coherence"] for r in rated} == coherence
        t_ls = time.time() - t0 - t_llm
    finally:
        server.stop()

    # the judge against the two people: text verdicts, then log-probability verdicts on the same items
    figures = {}
    for rule in ("text", "logprobs"):
        out = tmp_path / f"check-{rule}"
        extra = ["--judge-base-url", llama_server.base_url, "--judge-model", "smollm2",
                 "--cache-dir", str(cache)] if rule == "logprobs" else []
        invoke("judge-check", "score", "-j", str(bundles[0]), "-j", str(bundles[1]), "--human",
               str(tmp_path / "human" / "records.jsonl"), "--human-ratings", str(tmp_path / "rhuman" / "records.jsonl"),
               "--reference", "smol-64,smol-24,smol-8", "--verdicts", rule,
               "--n-boot", "200", "-o", str(out), *extra)
        name = "smollm2" if rule == "text" else "smollm2+logprobs"
        result = json.loads((out / f"judge-check__{name}.json").read_text())
        pw, bt = result["metrics"]["pairwise"], result["metrics"]["bradley_terry"]
        assert pw["judge_human_n"] == 4 * N and pw["human_human_n"] == 2 * N and pw["n_items"] == 2 * N
        assert pw["human_human_agreement_with_ties"] == pytest.approx(same)
        assert bt["n_players"] == 3 and "separability" in bt
        for p in ("smol-8", "smol-24", "smol-64"):
            assert bt[f"{p}/ci_low"] <= bt[f"{p}/score"] <= bt[f"{p}/ci_high"]
        # re-scored from the check file alone (what `bench verify` runs): the same numbers, no judge called
        again = tmp_path / f"again-{rule}"
        invoke("run", "judge-check", "--predictions", str(out / f"judge-check{'' if rule == 'text' else '.logprobs'}"
                                                              f".check.jsonl"), "-o", str(again), "-q")
        assert json.loads((again / f"judge-check__{name}.json").read_text())["metrics"] == result["metrics"]
        # the judge's 1-10 ratings of smol-24 against the mean coherence: a constant side is refused, never 0
        rt = result["metrics"]["ratings"]
        judged = [parse_rating(json.loads(x)["judgment"]) for x in bundles[0].read_text().splitlines()
                  if json.loads(x)["type"] == "single"]
        assert rt["n"] == N and ("spearman" in rt) == (len(set(judged)) > 1)
        figures[rule] = {k: round(v, 3) for k, v in {**pw, **bt, **{f"ratings_{k}": v for k, v in rt.items()}}.items()}
    print(f"\nLLM runs {t_llm:.0f} s, Label Studio round trip {t_ls:.0f} s, total {time.time() - t0:.0f} s")
    print(json.dumps(figures, indent=1))
