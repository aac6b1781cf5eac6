"""The UltraChat config is checked when it is read: every field's type and range, the Sector 3 templates,
and Sector 3's materials, each error naming the field (issue 23 item 6: before, a wrong type failed only
after the first calls to the LLM server, with a message about connection failures)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders.ultrachat.config import UltraChatConfig, config_from_dict, load_config
from builders.ultrachat.pipeline import _check_materials
from core.checkpointed import JobError

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("data,needle", [
    ({"seed": "x"}, 'config.seed: expected an integer, got "x"'),
    ({"sector1": {"questions_per_subtopic": "10"}}, 'config.sector1.questions_per_subtopic: expected an integer, got "10"'),
    ({"sector1": {"questions_per_subtopic": True}}, "config.sector1.questions_per_subtopic: expected an integer, got true"),
    ({"sector1": {"max_openings": -1}}, "config.sector1.max_openings: expected a value >= 0, got -1"),
    ({"sector1": {"meta_concepts": ["Food", 3]}}, "config.sector1.meta_concepts[1]: expected a string, got 3"),
    ({"sector2": {"rewrite_fraction": 1.5}}, "config.sector2.rewrite_fraction: expected a value between 0 and 1"),
    ({"seeds_sampling": {"temperature": "hot"}}, 'config.seeds_sampling.temperature: expected a number, got "hot"'),
    ({"user_sampling": {"max_tokens": 0}}, "config.user_sampling.max_tokens: expected a value >= 1, got 0"),
    ({"filters": {"use_ultra_eval": "yes"}}, 'config.filters.use_ultra_eval: expected true or false, got "yes"'),
    ({"system_prompt": 5}, "config.system_prompt: expected a string or null, got 5"),
    ({"sectors": [1, "2"]}, 'config.sectors[1]: expected an integer, got "2"'),
    ({"sector3": {"templates": ["{text} {foo}"]}}, "config.sector3.templates[0]: not a template with {text} and "
                                                    "{instruction} (KeyError: 'foo')"),
    ({"sector3": {"templates": ["{text} only"]}}, "config.sector3.templates[0]: needs both {text} and {instruction}"),
])
def test_wrong_type_or_range_names_the_field(data, needle):
    with pytest.raises(ValueError) as exc:
        config_from_dict(data)
    assert needle in str(exc.value)


def test_valid_values_load_unchanged():
    assert config_from_dict({}) == UltraChatConfig()
    cfg = config_from_dict({"seeds_sampling": {"temperature": 1}, "sector1": {"max_openings": None},
                            "system_prompt": None, "sector2": {"rewrite_fraction": 0}})
    assert cfg.seeds_sampling.temperature == 1 and cfg.sector1.max_openings is None
    assert cfg.to_dict()["seeds_sampling"]["temperature"] == 1     # an int stays an int: same config hash
    assert load_config(REPO / "examples" / "ultrachat-small.json").sectors == [1, 2, 3]


def test_file_errors_name_the_file(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"sector2": {"instructions_per_type": "5"}}))
    with pytest.raises(ValueError, match=r"c.json: config.sector2.instructions_per_type: expected an integer"):
        load_config(path)


def test_sector3_without_materials_is_refused_before_any_seed_level():
    """Before, sectors 1 and 2 called the server first and only then did sector 3 find no materials."""
    with pytest.raises(JobError, match="sector 3 needs materials"):
        _check_materials(config_from_dict({"sectors": [1, 3]}))
    _check_materials(config_from_dict({"sectors": [1, 2]}))
