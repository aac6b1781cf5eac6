"""End to end on a real Label Studio (127.0.0.1, temp data dir): push MUSER pair tasks, annotate them through
the REST API as two users, pull, import, build a MUSER dataset from the judgments, validate it, score it
with `bench run muser`, and screenshot the labeling page of one task.

Label Studio lives in `.venv-labelstudio` (tests/setup.sh). Missing there: skipped locally, a failure
under CI=true. The screenshot goes to $BENCH_ARTIFACTS/labelstudio-task.png (default: test-artifacts/).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from annotation.labelstudio.client import LabelStudio
from benchmarks.artifacts import variant
from tests.annotation.labelstudio.ls_server import CHROMIUM, LS_BIN, REPO, Server, cookie_proxy, screenshot
from tests.annotation.labelstudio.support import choice
from tests.muser_support import FIXTURES

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]
FIX = REPO / "tests" / "fixtures" / "labelstudio"
ADMIN, ANNOTATOR = ("admin@databench.test", "Adm1n-pass-e2e"), ("second@databench.test", "Ann0t-pass-e2e")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not LS_BIN.exists():
        msg = f"{LS_BIN} missing: run tests/setup.sh (installs label-studio in its own venv)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    srv = Server(tmp_path_factory.mktemp("labelstudio"), *ADMIN)
    try:
        srv.started_in = srv.wait()
        yield srv
    finally:
        srv.stop()


def invoke(*args: str, env: dict[str, str] | None = None) -> str:
    from bench.cli import app

    r = CliRunner().invoke(app, list(args), env=env)
    assert r.exit_code == 0, f"bench {' '.join(args)}: {r.output} {r.exception!r}"
    return r.output


def test_round_trip_two_annotators_build_and_score(server, tmp_path, muser_dir, monkeypatch):
    from sklearn.metrics import cohen_kappa_score

    from annotation.muser.validate import validate_path
    from builders.muser.build import BuildConfig, build_dataset

    t0 = time.time()
    admin = server.session(*ADMIN)
    admin_token = server.personal_token(admin)
    invite = admin.get("/api/invite").json()["token"]
    second = server.session(*ANNOTATOR, signup_token=invite)       # joins the organization by invite link
    second_token = server.personal_token(second)
    env = {"LS_E2E_TOKEN": admin_token}

    # model-only build -> tasks with the legal-element model's grades as pre-annotations -> push
    model = tmp_path / "model"
    build_dataset(BuildConfig(cases=FIXTURES / "cases_pool.json", out_dir=model, schema_dir=muser_dir / "legal_items",
                              queries=["101", "104", "107"], depth=4, pool_size=4, hf=False, show_progress=False))
    tasks_dir = tmp_path / "tasks"
    invoke("annotate", "export", "muser-pairs", str(model), str(tasks_dir), "-p", "per_query=4")
    out = invoke("annotate", "push", str(tasks_dir), "--url", server.url, "--token-env", "LS_E2E_TOKEN", env=env)
    project = json.loads((tasks_dir / "project.json").read_text())["project"]
    assert "12 tasks, 12 predictions" in out

    # two people annotate through the API: the admin takes the model's guess, the second user differs sometimes
    ls_admin, ls_second = LabelStudio(server.url, admin_token), LabelStudio(server.url, second_token)
    ids = ls_admin.task_ids(project)
    assert len(ids) == 12
    first, other = {}, {}
    for n, tid in enumerate(ids):
        pred = {r["from_name"]: int(r["value"]["choices"][0]) for r in ls_admin.task(tid)["predictions"][0]["result"]}
        first[tid] = pred
        other[tid] = {**pred, "aqbq": (pred["aqbq"] + 1) % 4 if n % 3 == 0 else pred["aqbq"],
                      "ft": 2 - pred["ft"] if n % 5 == 0 else pred["ft"]}
        ls_admin.annotate(tid, [choice(v, "candidate_text", pred[v]) for v in ("aqbq", "zyjd", "ft")], lead_time=3.0)
        ls_second.annotate(tid, [choice(v, "candidate_text", other[tid][v]) for v in ("aqbq", "zyjd", "ft")])
    assert ls_second.whoami()["email"] == ANNOTATOR[0]

    # pull -> import -> judgments.jsonl + agreement
    pulled = tmp_path / "export.json"
    invoke("annotate", "pull", str(pulled), "--url", server.url, "--token-env", "LS_E2E_TOKEN", "--from", str(tasks_dir),
           env=env)
    imported = tmp_path / "imported"
    invoke("annotate", "import", "muser-pairs", str(pulled), str(imported))
    judgments = [json.loads(x) for x in (imported / "judgments.jsonl").read_text().splitlines()]
    assert len(judgments) == 24 and {j["annotator"] for j in judgments} == {ADMIN[0], ANNOTATOR[0]}
    agreement = json.loads((imported / "agreement.json").read_text())
    pair = f"{ADMIN[0]}|{ANNOTATOR[0]}"
    for view in ("aqbq", "ft"):
        want = cohen_kappa_score([first[t][view] for t in ids], [other[t][view] for t in ids])
        assert agreement[view]["cohen_kappa"][pair]["kappa"] == pytest.approx(want, abs=1e-12)
    assert agreement["zyjd"]["cohen_kappa"][pair]["kappa"] == 1.0
    adjudication = [json.loads(x) for x in (imported / "adjudication.jsonl").read_text().splitlines()]
    assert len(adjudication) == sum(first[t]["aqbq"] != other[t]["aqbq"] for t in ids) + \
        sum(first[t]["ft"] != other[t]["ft"] for t in ids)
    for row in adjudication:     # the model's grade (the pre-annotation) travels with each disagreement
        tid = int(row["task_id"])
        assert row["prediction"] == first[tid][row["field"]] and row["values"][ADMIN[0]] == first[tid][row["field"]]
    for f in [pulled, *imported.iterdir(), *tasks_dir.iterdir()]:
        assert admin_token not in f.read_text(encoding="utf-8")      # the token is never written

    # build from the human judgments, validate, score with `bench run muser`
    built = tmp_path / "built"
    m = build_dataset(BuildConfig(cases=FIXTURES / "cases_pool.json", out_dir=built, schema_dir=muser_dir / "legal_items",
                                  queries=["101", "104", "107"], depth=4, pool_size=4, hf=False, show_progress=False,
                                  judgments=imported / "judgments.jsonl", test_fraction=0.34))
    assert m.counts["pairs_from_judgments"] == 12
    assert [i for i in validate_path(built) if i.severity == "error"] == []
    invoke("run", "muser", "--data-dir", str(built), "--retriever", "elements", "--split", "all",
           "-o", str(tmp_path / "runs"), "-q")
    result = json.loads((tmp_path / "runs" / f"muser__elements.{variant({'split': 'all'})}.json").read_text())
    assert result["extra"]["queries"] == 3 and 0 < result["main_score"]["value"] <= 1
    print(f"label-studio up in {server.started_in:.0f} s; round trip {time.time() - t0:.1f} s")

    # every other kind's label config and tasks are accepted by the real server
    for kind, src, params in [("muser-elements", FIXTURES / "cases_pool.json", ["-p", "view=aqbq", "-p", "limit=5"]),
                              ("qasnowball-qa", FIX / "qa.jsonl", []),
                              ("ultrachat-ratings", FIX / "dialogues.jsonl", ["-p", "max_turns=2"])]:
        folder = tmp_path / kind
        invoke("annotate", "export", kind, str(src), str(folder), *params,
               env={"BENCH_DATA_MIRROR": str(muser_dir.parent)})
        invoke("annotate", "push", str(folder), "--url", server.url, "--token-env", "LS_E2E_TOKEN", env=env)

    # the labeling page of one task, rendered by headless Chromium with the admin's session cookie
    if not CHROMIUM:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium missing (tests/setup.sh installs it)")
        pytest.skip("chromium missing")
    cookie = "; ".join(f"{k}={v}" for k, v in admin.cookies.items())
    proxy, base = cookie_proxy(server.url, cookie)
    try:
        page = f"{base}/projects/{project}/data?tab=0&task={ids[0]}"
        artifacts = Path(os.environ.get("BENCH_ARTIFACTS") or REPO / "test-artifacts")
        artifacts.mkdir(parents=True, exist_ok=True)
        shot = artifacts / "labelstudio-task.png"
        screenshot(page, shot, tmp_path / "chromium-profile")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 30_000
        for attempt in range(3):         # a loaded machine may need more than one try for the scripts to finish
            dom = screenshot_dom(page, tmp_path / f"chromium-profile-{attempt + 2}", budget_ms=20_000 * (attempt + 1))
            if "legal fact" in dom:
                break
        assert "legal fact" in dom and "Query case" in dom and "本院查明" in dom
    finally:
        proxy.shutdown()


def screenshot_dom(url: str, profile: Path, budget_ms: int = 20_000) -> str:
    """The labeling page's DOM after its scripts ran (proves the page rendered the task, not a login form)."""
    import subprocess

    from tests.annotation.labelstudio.ls_server import CHROMIUM_FLAGS

    proc = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}",
                           "--dump-dom", url], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_refused_token_is_one_line_without_the_token(server, monkeypatch):
    from annotation.labelstudio.base import LabelStudioError

    with pytest.raises(LabelStudioError) as err:
        LabelStudio(server.url, "not-a-valid-token-value").create_project("x", "<View/>")
    assert "HTTP 401" in str(err.value) and "not-a-valid-token-value" not in str(err.value)
    assert httpx.get(f"{server.url}/health").json()["status"] == "UP"
