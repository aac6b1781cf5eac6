"""Shared real-run fixtures of the datasets issue (see tests/benchmarks/datasets_fixtures.py)."""
from tests.benchmarks.datasets_fixtures import bench_results, shared_data, submission_zip  # noqa: F401 - fixtures of this folder's tests
