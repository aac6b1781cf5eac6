"""Shared fixtures of the MUSER tests (imported by each test module, so no conftest clash)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "muser"


def mirror() -> Path:
    """BENCH_DATA_MIRROR, else <repo>/../shared/data (CI), else <repo>/../../shared/data (a worktree)."""
    if os.environ.get("BENCH_DATA_MIRROR"):
        return Path(os.environ["BENCH_DATA_MIRROR"])
    for cand in (REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data"):
        if cand.is_dir():
            return cand
    return REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    root = mirror()
    if not (root / "muser").is_dir():
        pytest.skip(f"shared data not found at {root} (set BENCH_DATA_MIRROR)")
    return root


@pytest.fixture(scope="session")
def muser_dir(shared_data: Path) -> Path:
    return shared_data / "muser"


@pytest.fixture(scope="session")
def built_dataset(tmp_path_factory: pytest.TempPathFactory, muser_dir: Path) -> Path:
    """The fixture cases built into a dataset once per session (judgments for some pairs)."""
    from builders.muser.build import BuildConfig, build_dataset

    out = tmp_path_factory.mktemp("muser_build") / "ds"
    build_dataset(BuildConfig(cases=FIXTURES / "cases_pool.json", out_dir=out, schema_dir=muser_dir / "legal_items",
                              queries=["101", "104", "107", "110", "112"], depth=8, pool_size=10,
                              judgments=FIXTURES / "judgments.jsonl", test_fraction=0.4))
    return out
