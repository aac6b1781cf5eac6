"""Bad input through the real `bench` entry point: exit code 2, one line naming file/line, no traceback."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def bench(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd or REPO, timeout=300)


def assert_user_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    message = " ".join(lines)
    assert message.startswith("error:"), proc.stderr
    for needle in needles:
        assert needle in message, message


@pytest.fixture()
def cran_copy(shared_data, tmp_path) -> Path:
    folder = tmp_path / "cranfield"
    shutil.copytree(shared_data / "cranfield", folder)
    return folder


def test_unknown_task():
    assert_user_error(bench("run", "nope", "-q"), "unknown task 'nope'", "cranfield")


def test_unknown_dataset():
    assert_user_error(bench("data", "fetch", "nope"), "unknown dataset 'nope'")


def test_corrupt_qrels_line(cran_copy, tmp_path):
    lines = (cran_copy / "cranqrel.trec.txt").read_text().splitlines(keepends=True)
    lines[4] = "1 0 oops\n"
    (cran_copy / "cranqrel.trec.txt").write_text("".join(lines))
    proc = bench("run", "cranfield", "--data-dir", str(cran_copy), "-o", str(tmp_path / "o"), "-q")
    assert_user_error(proc, "cranqrel.trec.txt:5:", "4 columns")
    assert not (tmp_path / "o").exists()  # nothing half-written


def test_empty_corpus(cran_copy, tmp_path):
    (cran_copy / "cran.all.1400.xml").write_text("")
    proc = bench("run", "cranfield", "--data-dir", str(cran_copy), "-o", str(tmp_path / "o"), "-q")
    assert_user_error(proc, "cran.all.1400.xml", "empty corpus")


def test_wrong_checksum_in_mirror(shared_data, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(shared_data / "cranfield", mirror / "cranfield")
    with open(mirror / "cranfield" / "cranqrel.trec.txt", "r+b") as f:
        f.write(b"9")
    proc = bench("run", "cranfield", "-o", str(tmp_path / "o"), "-q", env={"BENCH_DATA_MIRROR": str(mirror)})
    assert_user_error(proc, "cranqrel.trec.txt", "wrong checksum")
    proc = bench("data", "verify", "cranfield", "--mirror", str(mirror))
    assert_user_error(proc, "cranqrel.trec.txt", "wrong checksum")


def test_missing_file_in_mirror(shared_data, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(shared_data / "cranfield", mirror / "cranfield")
    (mirror / "cranfield" / "cran.qry.xml").unlink()
    proc = bench("run", "cranfield", "-q", "-o", str(tmp_path / "o"), env={"BENCH_DATA_MIRROR": str(mirror)})
    assert_user_error(proc, "cran.qry.xml", "missing file")


def test_no_mirror_and_no_internet_says_set_the_mirror(tmp_path):
    env = {"BENCH_DATA_MIRROR": "", "BENCH_DATA_ORIGIN": "http://127.0.0.1:9", "BENCH_CACHE": str(tmp_path / "c")}
    proc = bench("run", "cranfield", "-q", "-o", str(tmp_path / "o"), env=env)
    assert_user_error(proc, "BENCH_DATA_MIRROR")
    assert len([line for line in proc.stderr.splitlines() if line.strip()]) == 1


def test_bad_run_file_line(shared_data, tmp_path):
    (tmp_path / "r.run").write_text("1 Q0 184 1 0.5 t\n2 Q0 12 1 high t\n")
    proc = bench("run", "cranfield", "--run", str(tmp_path / "r.run"), "-q", "-o", str(tmp_path / "o"),
                 env={"BENCH_DATA_MIRROR": str(shared_data)})
    assert_user_error(proc, "r.run:2:", "SCORE")


def test_bad_retriever_parameter(shared_data, tmp_path):
    proc = bench("run", "cranfield", "-p", "k1=abc", "-q", "-o", str(tmp_path / "o"),
                 env={"BENCH_DATA_MIRROR": str(shared_data)})
    assert_user_error(proc, "k1='abc'")
