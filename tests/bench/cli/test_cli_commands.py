"""The happy paths of `bench run`, `bench list` and `bench data` via the real entry point."""
import json

from benchmarks.artifacts import variant
from tests.bench.cli.test_cli_errors import bench


def test_bench_list_shows_tasks_retrievers_datasets():
    proc = bench("list")
    assert proc.returncode == 0, proc.stderr
    for word in ("cranfield", "lecard", "vaswani", "bm25-rank", "pool-order", "cmrc2018"):
        assert word in proc.stdout


def test_bench_run_cranfield_prints_table_and_writes_files(shared_data, tmp_path):
    proc = bench("run", "cranfield", "--retriever", "bm25", "--k", "50", "--output", str(tmp_path),
                 env={"BENCH_DATA_MIRROR": str(shared_data), "COLUMNS": "120"})
    assert proc.returncode == 0, proc.stderr
    assert "nDCG@10" in proc.stdout and "MAP" in proc.stdout
    stem = f"cranfield__bm25.{variant({'k': 50})}"          # --k 50 is not the default depth: named apart
    result = json.loads((tmp_path / f"{stem}.json").read_text())
    shown = f"{result['metrics']['standard']['MAP']:.4f}"
    assert shown in proc.stdout
    assert (tmp_path / f"{stem}.run").is_file()


def test_bench_data_where_and_verify(shared_data):
    env = {"BENCH_DATA_MIRROR": str(shared_data)}
    proc = bench("data", "where", "vaswani", env=env)
    assert proc.returncode == 0 and proc.stdout.strip() == str(shared_data / "vaswani_npl")
    proc = bench("data", "verify", "vaswani", env=env)
    assert proc.returncode == 0 and "5 files OK" in proc.stdout
