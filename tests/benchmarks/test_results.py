"""The versioned results schema: v1 files stay readable, bad files fail naming the field."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import UserError
from benchmarks.results import (SCHEMA_VERSION, ModelInfo, Result, ResultError, load_result, result_from_dict,
                                validate_dict)

GOLDEN_V1 = Path(__file__).parent / "fixtures" / "result_v1.json"


def make_result(**overrides) -> Result:
    fields = dict(task="cranfield", task_version="1", dataset="cranfield", dataset_sha="ab" * 32, split="test",
                  model=ModelInfo("bm25", params={"k1": 1.2}),
                  metrics={"standard": {"nDCG@10": 0.5, "MAP": 0.25}},
                  main_score={"metric": "nDCG@10", "set": "standard", "value": 0.5},
                  per_query={"standard": {"1": {"nDCG@10": 1.0, "MAP": 0.5}, "2": {"nDCG@10": 0.0, "MAP": 0.0}}},
                  run_file="runs/x.run", run_sha256="0" * 64, machine={"device": "cuda:0"})
    fields.update(overrides)
    return Result(**fields)


def test_golden_v1_file_loads_as_current_version() -> None:
    raw = json.loads(GOLDEN_V1.read_text())
    assert raw["schema_version"] == 1 and "device" not in raw
    result = load_result(GOLDEN_V1)
    assert result.schema_version == SCHEMA_VERSION == 3
    assert result.device == raw["machine"]["device"] == "cpu"
    assert result.run_format is None                 # v1 did not say: the task kind decides
    assert result.mode is None                       # before v3: inferred from the main score when checked
    assert result.metrics == raw["metrics"] and result.main_value == raw["main_score"]["value"]
    assert isinstance(result.model, ModelInfo) and result.model.params["k1"] == 1.2


def test_v2_file_loads_with_mode_unrecorded(tmp_path: Path) -> None:
    data = make_result(run_format="trec").to_dict()
    data.pop("mode")
    data.pop("scoring_params")
    data["schema_version"] = 2
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(data))
    result = load_result(path)
    assert (result.schema_version, result.mode, result.run_format, result.scoring_params) == (3, None, "trec", {})
    data["mode"] = "standard"
    data["schema_version"] = 3
    assert result_from_dict(data).mode == "standard"


def test_save_load_round_trip(tmp_path: Path) -> None:
    result = make_result()
    assert result.device == "cuda:0"                  # filled from machine info
    path = result.save(tmp_path / "r.json")
    assert load_result(path) == result
    assert not list(tmp_path.glob(".r.json.*"))       # no temp file left behind


@pytest.mark.parametrize("mutate, field", [
    (lambda d: d.pop("task"), "field task: missing"),
    (lambda d: d["metrics"]["standard"].update({"MAP": float("nan")}), "field metrics.standard.MAP"),
    (lambda d: d["metrics"]["standard"].update({"MAP": "0.3"}), "field metrics.standard.MAP"),
    (lambda d: d["main_score"].update({"value": 0.7}), "field main_score.value: 0.7 differs"),
    (lambda d: d["main_score"].update({"metric": "P@5"}), "field main_score: standard/P@5 is not in metrics"),
    (lambda d: d["per_query"]["standard"]["1"].update({"MAP": None}), "field per_query.standard.1.MAP"),
    (lambda d: d.update({"run_sha256": "XYZ"}), "field run_sha256"),
    (lambda d: d.update({"date": "yesterday"}), "field date"),
    (lambda d: d.update({"colour": "red"}), "field colour: unknown field"),
    (lambda d: d["model"].pop("name"), "field model.name"),
    (lambda d: d.update({"run_format": "csv"}), "field run_format"),
    (lambda d: d.update({"mode": 3}), "field mode: expected str/NoneType"),
])
def test_invalid_results_name_the_field(tmp_path: Path, mutate, field: str) -> None:
    data = make_result().to_dict()
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ResultError) as err:
        load_result(path)
    assert str(err.value).startswith(f"{path}: ")
    assert field in str(err.value)
    assert field in " ".join(validate_dict(data))


def test_versions_outside_the_known_range(tmp_path: Path) -> None:
    data = make_result().to_dict()
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(ResultError, match="written by a newer databench"):
        result_from_dict(data, source="new.json")
    data["schema_version"] = "1"
    with pytest.raises(ResultError, match="field schema_version: expected an integer"):
        result_from_dict(data)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "task": "cranfield",\n  oops\n}')
    with pytest.raises(ResultError, match=r"broken.json:3:[0-9]+: not valid JSON"):
        load_result(path)


def test_result_error_is_a_user_error() -> None:
    assert issubclass(ResultError, UserError)
