"""examples/ultrachat-small.json (the README's small end-to-end build) loads through the builder's own
loader, stays small, and its Sector 3 materials file passes the same check a build runs up front."""
from __future__ import annotations

from pathlib import Path

from core import read_jsonl
from builders.ultrachat.pipeline import _check_materials
from builders.ultrachat.run import load_cfg

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "ultrachat-small.json"


def test_example_config_loads_and_is_small(monkeypatch):
    cfg = load_cfg(EXAMPLE)
    assert cfg.sectors == [1, 2, 3]
    for sc in (cfg.sector1, cfg.sector2, cfg.sector3):
        assert 2 <= sc.rounds[0] <= sc.rounds[1] <= 3
    s1 = cfg.sector1
    assert len(s1.meta_concepts) * s1.subtopics_per_concept[1] * s1.questions_per_subtopic * (1 + s1.expanded_per_question) <= 6
    assert len(cfg.sector2.material_types) * cfg.sector2.instructions_per_type <= 4
    assert cfg.filters.placeholder and cfg.filters.role_confusion
    # the materials path is relative to the repository root, where the README runs the build
    monkeypatch.chdir(REPO)
    _check_materials(cfg)
    materials = read_jsonl(cfg.sector3.materials)
    assert 1 <= len(materials) * cfg.sector3.instructions_per_material <= 4
    assert all(m["source_url"].startswith("https://") and m["license"] for m in materials)
