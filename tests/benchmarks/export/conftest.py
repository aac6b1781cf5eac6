"""Shared real-run fixtures of the datasets issue (see tests/benchmarks/datasets_fixtures.py)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from datasets_fixtures import bench_results, shared_data, submission_zip  # noqa: E402,F401
