"""bench submit / bench verify on real `bench run` results (Cranfield; MUSER when its task exists).

Tampering is done the way an attacker would: edit the zip, and (for the stronger cases) also
rewrite the manifest hashes and the result's run sha so only the re-score can catch it.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from tests.benchmarks.datasets_fixtures import bench, expected_tasks, result_files, task_available

from benchmarks.submission import SubmissionError
from benchmarks.submission.package import MANIFEST, pack, write_zip
from benchmarks.submission.verify import Limits, unsafe_name_reason, verify


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def repack(files: dict[str, bytes], out: Path, *, fix_manifest: bool) -> Path:
    """Write `files` as a zip; with fix_manifest, recompute every hash in the manifest first."""
    files = dict(files)
    if fix_manifest:
        manifest = json.loads(files[MANIFEST])
        manifest["files"] = {n: {"sha256": hashlib.sha256(b).hexdigest(), "bytes": len(b)}
                             for n, b in files.items() if n != MANIFEST}
        files[MANIFEST] = json.dumps(manifest).encode()
    return write_zip(files, out)


def cranfield_names(files: dict[str, bytes]) -> tuple[str, str]:
    manifest = json.loads(files[MANIFEST])
    entry = next(e for e in manifest["entries"] if e["task"] == "cranfield" and e["model"] == "bm25")
    return entry["result"], entry["run"]


def test_real_submission_passes_verify(submission_zip: Path) -> None:
    report = verify(submission_zip)
    assert report.ok, report.problems
    tasks = sorted({a.result.task for a in report.accepted})
    assert tasks == expected_tasks()
    assert len(report.accepted) == len(json.loads(read_zip(submission_zip)[MANIFEST])["entries"])
    # the CLI says the same, exit 0
    proc = bench("verify", str(submission_zip))
    assert "accepted" in proc.stdout


def test_package_layout_and_manifest_hashes(submission_zip: Path, bench_results: Path) -> None:
    files = read_zip(submission_zip)
    manifest = json.loads(files[MANIFEST])
    assert set(manifest["files"]) == set(files) - {MANIFEST}
    for name, meta in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == meta["sha256"]
    for entry in manifest["entries"]:
        result = json.loads(files[entry["result"]])
        assert result["run_file"] == entry["run"]          # rewritten to the archive path
        assert hashlib.sha256(files[entry["run"]]).hexdigest() == result["run_sha256"]
    assert len(manifest["entries"]) == len(result_files(bench_results))


def test_changed_number_is_rejected(submission_zip: Path, tmp_path: Path) -> None:
    files = read_zip(submission_zip)
    result_name, _ = cranfield_names(files)
    result = json.loads(files[result_name])
    true_value = result["metrics"]["standard"]["nDCG@10"]
    result["metrics"]["standard"]["nDCG@10"] = true_value + 0.01
    result["main_score"]["value"] = true_value + 0.01
    files[result_name] = json.dumps(result).encode()

    naive = verify(repack(files, tmp_path / "naive.zip", fix_manifest=False), rescore=False)
    assert any(f"member {result_name}: sha256" in p and "does not match manifest.json" in p for p in naive.problems)

    forged = verify(repack(files, tmp_path / "forged.zip", fix_manifest=True))
    assert not forged.ok
    assert any("field metrics.standard.nDCG@10: reported" in p and repr(true_value) in p for p in forged.problems), \
        forged.problems
    proc = bench("verify", str(tmp_path / "forged.zip"), check=False)
    assert proc.returncode == 2
    assert "forged.zip rejected" in proc.stderr and "Traceback" not in proc.stderr


def test_changed_run_line_is_rejected(submission_zip: Path, tmp_path: Path) -> None:
    files = read_zip(submission_zip)
    result_name, run_name = cranfield_names(files)
    lines = files[run_name].decode().splitlines(keepends=True)
    qid, q0, doc, rank, score, tag = lines[0].split()
    lines[0] = f"{qid} {q0} 99999 {rank} {score} {tag}\n"      # the top document of query 1 replaced
    files[run_name] = "".join(lines).encode()

    naive = verify(repack(files, tmp_path / "naive.zip", fix_manifest=False))
    assert any(f"member {run_name}: sha256" in p for p in naive.problems), naive.problems

    # the manifest fixed: the result's run_sha256 no longer matches its run
    report = verify(repack(files, tmp_path / "manifest-fixed.zip", fix_manifest=True))
    assert any("field run_sha256" in p and "run file changed after scoring" in p for p in report.problems)

    # run sha forged as well: only the re-score can tell, and it does
    result = json.loads(files[result_name])
    result["run_sha256"] = hashlib.sha256(files[run_name]).hexdigest()
    files[result_name] = json.dumps(result).encode()
    report = verify(repack(files, tmp_path / "all-forged.zip", fix_manifest=True))
    assert any("reported" in p and "but the run file gives" in p and "per_query.standard.1." in p
               for p in report.problems), report.problems


@pytest.mark.parametrize("bad_name, reason", [
    ("../evil.txt", "path traversal"),
    ("results/../../evil.json", "path traversal"),
    ("/etc/passwd", "absolute path"),
    ("C:/temp/x.json", "absolute path"),
    ("results\\cranfield\\x.json", "backslash"),
])
def test_unsafe_paths_are_rejected(submission_zip: Path, tmp_path: Path, bad_name: str, reason: str) -> None:
    assert reason in (unsafe_name_reason(bad_name) or "")
    out = tmp_path / "evil.zip"
    shutil.copy(submission_zip, out)
    with zipfile.ZipFile(out, "a") as zf:
        zf.writestr(bad_name, b"pwned")
    report = verify(out)
    assert not report.ok
    assert any(repr(bad_name) in p and reason in p for p in report.problems), report.problems
    assert not (tmp_path.parent / "evil.txt").exists()


def test_oversized_and_bomb_members_are_rejected(submission_zip: Path, tmp_path: Path) -> None:
    files = read_zip(submission_zip)
    _, run_name = cranfield_names(files)
    report = verify(submission_zip, limits=Limits(max_member_bytes=len(files[run_name]) - 1))
    assert any(f"member {run_name}:" in p and "limit per file" in p for p in report.problems)

    bomb = dict(files)
    bomb["runs/cranfield/zeros.run"] = b"0" * (8 << 20)     # 8 MiB of zeros, ~1000:1 compressed
    report = verify(repack(bomb, tmp_path / "bomb.zip", fix_manifest=True))
    assert any("zeros.run" in p and "compression ratio" in p for p in report.problems), report.problems


def test_unlisted_member_is_rejected(submission_zip: Path, tmp_path: Path) -> None:
    files = read_zip(submission_zip)
    files["results/cranfield/extra.json"] = b"{}"
    report = verify(repack(files, tmp_path / "extra.zip", fix_manifest=False))
    assert any("results/cranfield/extra.json: not listed in manifest.json" in p for p in report.problems)


def test_submit_refuses_a_changed_number_and_writes_nothing(bench_results: Path, tmp_path: Path) -> None:
    work = tmp_path / "results"
    shutil.copytree(bench_results, work)
    path = next(p for p in result_files(work) if p.name == "cranfield__bm25.json")
    data = json.loads(path.read_text())
    data["per_query"]["standard"]["5"]["MAP"] += 0.5
    path.write_text(json.dumps(data))
    out = tmp_path / "submission.zip"
    with pytest.raises(SubmissionError) as err:
        pack(work, out)
    assert f"{path}: field per_query.standard.5.MAP: reported" in str(err.value)
    assert not out.exists() and not list(tmp_path.glob(".submission.zip.*"))
    proc = bench("submit", str(work), "--out", str(out), check=False)
    assert proc.returncode == 2 and "field per_query.standard.5.MAP" in proc.stderr and not out.exists()


def test_submit_refuses_missing_queries(bench_results: Path, tmp_path: Path) -> None:
    """A run that skips a query scores it 0, consistently; submission still requires every query."""
    work = tmp_path / "results"
    work.mkdir()
    run = (bench_results / "cranfield__bm25.run").read_text().splitlines(keepends=True)
    trimmed = work / "trimmed.run"
    trimmed.write_text("".join(line for line in run if line.split()[0] != "7"))
    bench("run", "cranfield", "--run", str(trimmed), "-o", str(work), "-q")
    with pytest.raises(SubmissionError) as err:
        pack(work, tmp_path / "s.zip")
    assert "no line for queries 7 (every query of the task must be answered)" in str(err.value)

    # and a result whose per-query block lost a query is refused too
    path = result_files(work)[0]
    data = json.loads(path.read_text())
    del data["per_query"]["standard"]["12"]
    path.write_text(json.dumps(data))
    with pytest.raises(SubmissionError) as err:
        pack(work, tmp_path / "s.zip")
    assert "field per_query.standard: missing queries 12" in str(err.value)


def test_submit_refuses_a_result_of_the_wrong_task_version_and_dataset(bench_results: Path, tmp_path: Path) -> None:
    work = tmp_path / "results"
    shutil.copytree(bench_results, work)
    path = work / "cranfield__bm25.json"
    data = json.loads(path.read_text())
    data["task_version"] = "0"
    data["dataset_sha"] = "0" * 64
    data["main_score"] = {"metric": "MAP", "set": "standard", "value": data["metrics"]["standard"]["MAP"]}
    path.write_text(json.dumps(data))
    with pytest.raises(SubmissionError) as err:
        pack(work, tmp_path / "s.zip")
    problems = err.value.problems
    assert any("field task_version: '0'" in p for p in problems)
    assert any("field dataset_sha" in p and "does not match dataset cranfield" in p for p in problems)
    assert any("field main_score.metric: 'MAP'" in p and "'nDCG@10'" in p for p in problems)


@pytest.mark.skipif(not task_available("webcpm-action"), reason="webcpm-action task not merged")
def test_changed_prediction_is_rejected(submission_zip: Path, tmp_path: Path) -> None:
    """Predictions-scored tasks are re-scored with --predictions: one flipped prediction is caught."""
    files = read_zip(submission_zip)
    entry = next(e for e in json.loads(files[MANIFEST])["entries"] if e["task"] == "webcpm-action")
    lines = files[entry["run"]].decode("utf-8").splitlines(keepends=True)
    i, rec = next((i, json.loads(line)) for i, line in enumerate(lines) if json.loads(line)["answer"] == "下翻"
                  and json.loads(line)["decode_tokens"] == "下翻")
    rec["decode_tokens"] = rec["instance"][0]["<ans>"] = "上翻"       # a correct prediction made wrong
    lines[i] = json.dumps(rec, ensure_ascii=False) + "\n"
    files[entry["run"]] = "".join(lines).encode("utf-8")
    result = json.loads(files[entry["result"]])
    result["run_sha256"] = hashlib.sha256(files[entry["run"]]).hexdigest()
    files[entry["result"]] = json.dumps(result).encode()
    report = verify(repack(files, tmp_path / "pred.zip", fix_manifest=True))
    assert any(f"{entry['result']}: field metrics." in p and "micro_f1: reported" in p for p in report.problems), \
        report.problems


@pytest.mark.skipif(not task_available("muser"), reason="muser task not merged")
def test_result_in_a_non_default_mode_is_checked_and_rescored_in_that_mode(shared_data: Path, tmp_path: Path) -> None:
    """The issue-11 bug: a `--mode standard` MUSER result was refused for not ranking by NDCG@30."""
    from benchmarks.results import load_result
    from benchmarks.runner import run_task
    from benchmarks.tasks.base import RunOptions

    work = tmp_path / "results"
    run_task("muser", RunOptions(run_file=shared_data / "muser/predictions/bm25_top100.json", mode="standard",
                                 output=work, show_progress=False))
    [path] = result_files(work)
    assert load_result(path).main_score["metric"] == "nDCG@10"
    _, entries = pack(work, tmp_path / "ok.zip")
    assert entries[0]["mode"] == "standard"
    report = verify(tmp_path / "ok.zip")
    assert report.ok, report.problems
    assert report.accepted[0].result.main_score["set"] == "standard"

    data = json.loads(path.read_text())                    # claims mode paper, keeps the standard main score
    data["mode"] = "paper"
    path.write_text(json.dumps(data))
    with pytest.raises(SubmissionError) as err:
        pack(work, tmp_path / "bad.zip")
    assert any("field main_score.metric: 'nDCG@10' (set 'standard') but task muser's mode 'paper' declares "
               "'NDCG@30' (set 'paper')" in p for p in err.value.problems)

    data["mode"] = "strict"                                # not a mode of muser
    path.write_text(json.dumps(data))
    with pytest.raises(SubmissionError, match=r"field mode: 'strict' is not a mode of task muser "
                                              r"\(valid: paper, paper-head, standard\)"):
        pack(work, tmp_path / "bad.zip")

    data.pop("mode")                                       # a v2 file: the mode is inferred from the main score
    data["schema_version"] = 2
    path.write_text(json.dumps(data))
    _, entries = pack(work, tmp_path / "v2.zip")
    assert entries[0]["main_score"]["metric"] == "nDCG@10"


def test_undeclared_scoring_param_is_refused(bench_results: Path, tmp_path: Path) -> None:
    """Only the params a task declares as scoring params may steer the re-score."""
    work = tmp_path / "results"
    shutil.copytree(bench_results, work)
    path = work / "cranfield__bm25.json"
    data = json.loads(path.read_text())
    data["scoring_params"] = {"k1": 9.0}
    path.write_text(json.dumps(data))
    with pytest.raises(SubmissionError, match=r"field scoring_params.k1: not a scoring param of task cranfield "
                                              r"\(declared: none\)"):
        pack(work, tmp_path / "s.zip")
