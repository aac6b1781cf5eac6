"""Fixtures of the MUSER tests, imported by the test modules that use them."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "muser"


@pytest.fixture(scope="session")
def muser_dir(shared_data: Path) -> Path:
    """The real MUSER files; `shared_data` is tests/conftest.py's mirror fixture."""
    if not (shared_data / "muser").is_dir():
        pytest.skip(f"{shared_data / 'muser'} not found (set BENCH_DATA_MIRROR)")
    return shared_data / "muser"


@pytest.fixture(scope="session")
def built_dataset(tmp_path_factory: pytest.TempPathFactory, muser_dir: Path) -> Path:
    """The fixture cases built into a dataset once per session (judgments for some pairs)."""
    from builders.muser.build import BuildConfig, build_dataset

    out = tmp_path_factory.mktemp("muser_build") / "ds"
    build_dataset(BuildConfig(cases=FIXTURES / "cases_pool.json", out_dir=out, schema_dir=muser_dir / "legal_items",
                              queries=["101", "104", "107", "110", "112"], depth=8, pool_size=10,
                              judgments=FIXTURES / "judgments.jsonl", test_fraction=0.4, show_progress=False))
    return out
