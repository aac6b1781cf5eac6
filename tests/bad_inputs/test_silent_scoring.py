"""Wrong inputs that used to become a number with exit 0 (issue 23, items 1, 2, 3, 8 and 10).

Each class has its silent case, which must now end with exit 2 and one `error:` line naming the file (no
traceback), and a valid look-alike, which must still work and give the figure it gave before. Everything
runs through the real `bench` main() in-process (tests/bad_inputs/test_bad_inputs.run_in_process) on real
data: Cranfield, Vaswani (Terrier's TREC copy), MUSER, XQuAD and the released WebCPM outputs.

1. TREC documents without `<TEXT>` (Terrier's layout) were read as empty documents: nDCG@10 0.0000.
2. A run or predictions file of another task (or with unknown ids) was scored: 0.0000 everywhere.
3. A repeated key in a JSON run or predictions file was silently last-wins; a MUSER run's null or
   repeated case ids were scored.
8. `bench compare A B` of results with no shared query named neither file.
10. `bench run ... -p stem=true -o d` replaced the default run's result in d.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from benchmarks.artifacts import variant
from benchmarks.io.trec import read_run, write_run
from tests.bad_inputs.test_bad_inputs import Outcome, ok, one_error, run_in_process






def main_value(result: Path) -> float:
    return json.loads(result.read_text(encoding="utf-8"))["main_score"]["value"]


@pytest.fixture(autouse=True)
def _mirror(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))


@pytest.fixture(scope="module")
def bm25(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`bench run cranfield -r bm25 -o DIR`: its folder (cranfield__bm25.json + .run), made once."""
    out = tmp_path_factory.mktemp("bm25")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BENCH_DATA_MIRROR", str(shared_data))
        mp.setenv("BENCH_CACHE", str(tmp_path_factory.getbasetemp() / "bench_cache"))
        ok(run_in_process(["run", "cranfield", "-r", "bm25", "-o", str(out), "-q"]))
    assert round(main_value(out / "cranfield__bm25.json"), 4) == 0.3615          # README's figure
    return out


# --------------------------------------------------------------------------- 1. TREC documents
def _vaswani_slice(shared_data: Path, root: Path, topics: int = 8, extra_docs: int = 300) -> tuple[Path, Path]:
    """The same slice of Vaswani twice: Terrier's own TREC bytes (text bare after <DOCNO>) and BEIR."""
    src = shared_data / "vaswani_npl"
    qrels = [ln.split() for ln in (src / "qrels").read_text(encoding="utf-8").splitlines() if ln.strip()]
    qrels = [q for q in qrels if int(q[0]) <= topics]
    keep = {q[2] for q in qrels} | {str(i) for i in range(1, extra_docs + 1)}
    blocks = re.findall(r"<DOC>\n<DOCNO>(\d+)</DOCNO>\n(.*?)</DOC>\n",
                        (src / "corpus" / "doc-text.trec").read_text(encoding="utf-8"), re.S)
    docs = [(d, body) for d, body in blocks if d in keep]
    tops = re.findall(r"<top>\n<num>(\d+)</num><title>\n(.*?)\n</title>\n</top>\n",
                      (src / "query-text.trec").read_text(encoding="utf-8"), re.S)[:topics]
    trec, beir = root / "terrier", root / "beir"
    trec.mkdir()
    (trec / "doc-text.trec").write_text("".join(f"<DOC>\n<DOCNO>{d}</DOCNO>\n{body}</DOC>\n" for d, body in docs),
                                        encoding="utf-8")
    (trec / "query-text.trec").write_text("".join(f"<top>\n<num>{q}</num><title>\n{t}\n</title>\n</top>\n"
                                                  for q, t in tops), encoding="utf-8")
    (trec / "qrels").write_text("".join(" ".join(q) + "\n" for q in qrels), encoding="utf-8")
    (beir / "qrels").mkdir(parents=True)
    (beir / "corpus.jsonl").write_text("".join(json.dumps({"_id": d, "title": "", "text": " ".join(body.split())}) + "\n"
                                               for d, body in docs), encoding="utf-8")
    (beir / "queries.jsonl").write_text("".join(json.dumps({"_id": q, "text": " ".join(t.split())}) + "\n"
                                                for q, t in tops), encoding="utf-8")
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(
        f"{q[0]}\t{q[2]}\t{q[3]}\n" for q in qrels), encoding="utf-8")
    return trec, beir


def test_a_terrier_trec_folder_scores_exactly_as_the_same_data_in_beir(shared_data: Path, tmp_path: Path) -> None:
    trec, beir = _vaswani_slice(shared_data, tmp_path)
    results = {}
    for folder in (trec, beir):
        ok(run_in_process(["run", "--dataset", str(folder), "-r", "bm25", "-o", str(tmp_path / "out"), "-q"]))
        results[folder.name] = json.loads((tmp_path / "out" / f"local_{folder.name}__bm25.json").read_text())
    a, b = results["terrier"], results["beir"]
    assert a["metrics"] == b["metrics"] and a["per_query"] == b["per_query"]
    assert a["metrics"]["standard"]["nDCG@10"] > 0.2                   # before: 0.0000 (every document empty)
    assert read_run(tmp_path / "out" / "local_terrier__bm25.run") == read_run(tmp_path / "out" / "local_beir__bm25.run")


def test_trec_documents_all_empty_or_retrieving_nothing_are_one_error(shared_data: Path, tmp_path: Path) -> None:
    trec, _ = _vaswani_slice(shared_data, tmp_path, topics=2, extra_docs=20)
    docs = trec / "doc-text.trec"
    ids = re.findall(r"<DOCNO>(\d+)</DOCNO>", docs.read_text(encoding="utf-8"))
    docs.write_text("".join(f"<DOC>\n<DOCNO>{d}</DOCNO>\n</DOC>\n" for d in ids), encoding="utf-8")
    out = tmp_path / "out"
    one_error(run_in_process(["run", "--dataset", str(trec), "-r", "bm25", "-o", str(out), "-q"]),
            "doc-text.trec", "documents are empty")
    docs.write_text("".join(f"<DOC>\n<DOCNO>{d}</DOCNO>\nzzyzx qwxv\n</DOC>\n" for d in ids), encoding="utf-8")
    one_error(run_in_process(["run", "--dataset", str(trec), "-r", "bm25", "-o", str(out), "-q"]),
            str(trec), "retrieved no document for any of the 2 queries")
    assert not out.exists()


# --------------------------------------------------------------------------- 2. coverage of a scored file
def test_a_run_for_another_task_is_refused_unless_partial_is_allowed(bm25: Path, shared_data: Path,
                                                                    tmp_path: Path) -> None:
    out = tmp_path / "out"
    sim = shared_data / "muser" / "labels" / "sim_scores.json"         # a MUSER score file, not a run
    one_error(run_in_process(["run", "cranfield", "--run", str(sim), "-o", str(out), "-q"]),
            str(sim), "97 of its 100 query ids are unknown to task cranfield", "--allow-partial")
    cran_run = bm25 / "cranfield__bm25.run"
    one_error(run_in_process(["run", "muser", "--run", str(cran_run), "-o", str(out), "-q"]),
            str(cran_run), "222 of its 225 query ids are unknown to task muser")
    assert not out.exists()
    o = ok(run_in_process(["run", "muser", "--run", str(cran_run), "-o", str(out), "-q", "--allow-partial"]))
    assert "coverage: cranfield__bm25.run has 1/20 task queries" in o.out and "(--allow-partial)" in o.out
    result = json.loads(next(out.glob("muser__*.json")).read_text())
    assert result["extra"]["coverage"]["allow_partial"] is True and result["extra"]["coverage"]["unknown_ids"] == 222


def test_valid_runs_score_as_before_and_say_what_they_cover(bm25: Path, shared_data: Path, tmp_path: Path) -> None:
    o = ok(run_in_process(["run", "cranfield", "--run", str(bm25 / "cranfield__bm25.run"), "-o", str(tmp_path), "-q"]))
    assert "coverage: cranfield__bm25.run has 225/225 task queries" in o.out
    scored = next(tmp_path.glob("cranfield__external-run.*.json"))
    assert main_value(scored) == main_value(bm25 / "cranfield__bm25.json")      # the run's own figure
    o = ok(run_in_process(["run", "muser", "--run", str(shared_data / "muser/predictions/bm25_top100.json"),
                           "-o", str(tmp_path), "-q"]))
    assert "coverage: bm25_top100.json has 20/20 task queries (20 retrieved a known document)" in o.out
    assert round(main_value(tmp_path / "muser__external-run_bm25_top100.json"), 4) == 0.1748   # README's figure


def test_a_partial_run_is_scored_with_missing_queries_as_zero(bm25: Path, tmp_path: Path) -> None:
    full = read_run(bm25 / "cranfield__bm25.run")
    part = write_run({q: full[q] for q in list(full)[:100]}, tmp_path / "first100.run")
    o = ok(run_in_process(["run", "cranfield", "--run", str(part), "-o", str(tmp_path / "out"), "-q"]))
    assert "has 100/225 task queries" in o.out and "0/100 run query ids unknown" in o.out
    per_query = json.loads((bm25 / "cranfield__bm25.json").read_text())["per_query"]["standard"]
    expected = sum(per_query[q]["nDCG@10"] for q in list(full)[:100]) / 225    # trec_eval -c: missing = 0
    assert main_value(next((tmp_path / "out").glob("*.json"))) == pytest.approx(expected, abs=1e-12)
    mostly = write_run({**{q: full[q] for q in list(full)[:10]}, **{f"x{i}": full["1"] for i in range(11)}},
                       tmp_path / "mostly_unknown.run")
    one_error(run_in_process(["run", "cranfield", "--run", str(mostly), "-o", str(tmp_path / "o2"), "-q"]),
            "mostly_unknown.run", "11 of its 21 query ids are unknown", "x0")
    ok(run_in_process(["run", "cranfield", "--run", str(mostly), "-o", str(tmp_path / "o2"), "-q", "--allow-partial"]))


def test_predictions_with_unknown_or_repeated_ids_are_one_error(shared_data: Path, tmp_path: Path) -> None:
    from annotation.squad_io import gold_answers

    gold = gold_answers(shared_data / "xquad" / "xquad.en.json")
    good = tmp_path / "preds.json"
    good.write_text(json.dumps({q: a[0] for q, a in gold.items()}), encoding="utf-8")
    o = ok(run_in_process(["run", "xquad-en", "--predictions", str(good), "-o", str(tmp_path / "out"), "-q"]))
    assert "coverage: preds.json has 1,190/1,190 task questions · 0/1,190 ids unknown" in o.out
    assert main_value(next((tmp_path / "out").glob("*.json"))) == pytest.approx(100.0)
    first = next(iter(gold))
    bad = tmp_path / "unknown.json"
    bad.write_text(json.dumps({first: "x", "999": "y", "998": "z"}), encoding="utf-8")
    one_error(run_in_process(["run", "xquad-en", "--predictions", str(bad), "-o", str(tmp_path / "o2"), "-q"]),
            "unknown.json", "2 of its 3 ids are not questions of task xquad-en: 999, 998")
    dup = tmp_path / "dup.json"
    dup.write_text(f'{{"{first}": "a",\n "{first}": "b"}}', encoding="utf-8")
    one_error(run_in_process(["run", "xquad-en", "--predictions", str(dup), "-o", str(tmp_path / "o2"), "-q"]),
            "dup.json:2:", f"duplicate key {first!r}")
    assert not (tmp_path / "o2").exists()


@pytest.fixture(scope="module")
def webcpm_tasks(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A `bench build webcpm-tasks` folder from the real (recovered) traces of the released outputs."""
    from builders.webcpm.answer import extractive_answer
    from builders.webcpm.convert import convert
    from builders.webcpm.recover import recover_traces

    traces = recover_traces(shared_data / "webcpm" / "inference" / "output" / "test_output.json")
    for t in traces:
        t["answer"] = extractive_answer(t["question"], ["".join(d["desc"] for d in g["datas"]) for g in t["digests"]])
    out = tmp_path_factory.mktemp("webcpm") / "tasks"
    convert(traces, out, ratios=(2, 1, 1), seed=0)
    return out


def test_webcpm_predictions_with_unknown_or_repeated_ids_are_one_error(webcpm_tasks: Path, tmp_path: Path) -> None:
    gold = [json.loads(x) for x in (webcpm_tasks / "synthesis" / "train.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = [{"id": g["id"], "prediction": g["target"]} for g in gold]

    def score(name: str, lines: list[dict]) -> Outcome:
        path = tmp_path / name
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
        return run_in_process(["run", "webcpm-synthesis", "--data-dir", str(webcpm_tasks), "--split", "train",
                               "--predictions", str(path), "-o", str(tmp_path / "out"), "-q"])

    o = ok(score("good.jsonl", rows))
    assert f"has {len(gold)}/{len(gold)} task questions" in o.out
    assert main_value(next((tmp_path / "out").glob("*.json"))) == pytest.approx(1.0)   # gold scores ROUGE-L 1
    one_error(score("unknown.jsonl", [*rows, {"id": "nope", "prediction": "x"}]), "unknown.jsonl", "nope")
    one_error(score("twice.jsonl", [*rows, {"id": gold[0]["id"], "prediction": "x"}]), "twice.jsonl",
            f"{gold[0]['id']} (lines 1 and {len(rows) + 1})")


def test_released_action_predictions_as_id_lines_score_as_the_released_file(shared_data: Path, tmp_path: Path) -> None:
    released = shared_data / "webcpm" / "inference" / "output" / "test_output.json"
    ok(run_in_process(["run", "webcpm-action", "--predictions", str(released), "-o", str(tmp_path / "a"), "-q"]))
    rows = [json.loads(x) for x in released.read_text(encoding="utf-8").splitlines() if x.strip()]
    lines = tmp_path / "lines.jsonl"
    lines.write_text("".join(json.dumps({"id": str(n), "prediction": r["decode_tokens"]}, ensure_ascii=False) + "\n"
                             for n, r in enumerate(rows, 1)), encoding="utf-8")
    o = ok(run_in_process(["run", "webcpm-action", "--predictions", str(lines), "-o", str(tmp_path / "b"), "-q"]))
    assert "has 159/159 task questions" in o.out
    a, b = (json.loads(next((tmp_path / d).glob("*.json")).read_text()) for d in ("a", "b"))
    assert a["metrics"] == b["metrics"]


# --------------------------------------------------------------------------- 3. repeated keys and ids
def test_a_repeated_key_in_a_json_run_is_an_error_naming_it(tmp_path: Path) -> None:
    run = tmp_path / "run.json"
    run.write_text('{"1": {"184": 2.0, "29": 1.5},\n "2": {"12": 1.0, "184": 0.5, "12": 0.25}}', encoding="utf-8")
    one_error(run_in_process(["run", "cranfield", "--run", str(run), "-o", str(tmp_path / "out"), "-q"]),
            "run.json:2:", "duplicate key '12'")
    run.write_text('{"1": {"184": 2.0, "29": 1.5},\n "2": {"12": 1.0, "184": 0.5}}', encoding="utf-8")
    o = ok(run_in_process(["run", "cranfield", "--run", str(run), "-o", str(tmp_path / "out"), "-q", "--allow-partial"]))
    assert "coverage: run.json has 2/225 task queries" in o.out


@pytest.mark.parametrize("ranked, needle", [
    ('["1000", "471", null]', "query '4399': field [2]: null is not a case id"),
    ('["1000", "471", "1000"]', "case '1000' is ranked twice (positions 1 and 3)"),
])
def test_a_muser_run_with_null_or_repeated_case_ids_is_one_error(shared_data: Path, tmp_path: Path, ranked: str,
                                                               needle: str) -> None:
    run = tmp_path / "muser_run.json"
    run.write_text(f'{{"4399": {ranked}}}', encoding="utf-8")
    one_error(run_in_process(["run", "muser", "--run", str(run), "--split", "all", "-o", str(tmp_path / "out"), "-q"]),
            "muser_run.json", needle)
    run.write_text('{"4399": ["1000", "471"],\n "4399": ["471"]}', encoding="utf-8")
    one_error(run_in_process(["run", "muser", "--run", str(run), "--split", "all", "-o", str(tmp_path / "out"), "-q"]),
            "muser_run.json:2:", "duplicate key '4399'")


# --------------------------------------------------------------------------- 8. compare without shared queries
def test_compare_without_shared_queries_names_both_files(bm25: Path, tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    shutil.copy(bm25 / "cranfield__bm25.json", a)
    data = json.loads(a.read_text())
    data["per_query"] = {s: {f"x{q}": v for q, v in rows.items()} for s, rows in data["per_query"].items()}
    b = tmp_path / "b.json"
    b.write_text(json.dumps(data), encoding="utf-8")
    one_error(run_in_process(["compare", str(a), str(b), "--resamples", "10"]), str(a), str(b), "share no query ids")


# --------------------------------------------------------------------------- 10. other parameters, same folder
def test_other_parameters_write_beside_a_result_and_the_same_command_rewrites_its_own(bm25: Path,
                                                                                      tmp_path: Path) -> None:
    d = tmp_path / "d"
    shutil.copytree(bm25, d)                                # = `bench run cranfield -r bm25 -o d`
    before = (d / "cranfield__bm25.json").read_bytes()
    o = ok(run_in_process(["run", "cranfield", "-r", "bm25", "-p", "stem=true", "-o", str(d), "-q"]))
    stem = f"cranfield__bm25.{variant({'params': {'stem': True}})}"
    assert f"results: {d / stem}.json" in o.out.replace("\n", "")
    assert (d / "cranfield__bm25.json").read_bytes() == before                      # the first result is kept
    assert round(main_value(d / f"{stem}.json"), 4) == 0.3809 and (d / f"{stem}.run").is_file()
    ok(run_in_process(["run", "cranfield", "-r", "bm25", "-p", "stem=true", "-o", str(d), "-q"]))   # idempotent
    assert sorted(p.name for p in d.iterdir()) == sorted(["cranfield__bm25.json", "cranfield__bm25.run",
                                                          f"{stem}.json", f"{stem}.run"])
    o = ok(run_in_process(["submit", str(d), "--out", str(tmp_path / "sub.zip")]))   # both found, with their runs
    assert "packed 2 result(s)" in o.out
