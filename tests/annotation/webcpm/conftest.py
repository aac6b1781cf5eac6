"""WebCPM test fixtures on the real data (tests/conftest.py finds the mirror: `shared_data`)."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def test_output(shared_data: Path) -> Path:
    """The released action-prediction output (159 prompts from real human traces)."""
    return shared_data / "webcpm" / "inference" / "output" / "test_output.json"
