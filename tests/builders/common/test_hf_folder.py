"""The shared HF-folder writer: MTEB layout loads offline, empty splits are left out, writes are atomic."""
from __future__ import annotations

import datasets
import pytest

from builders.common.hf_folder import write_hf_folder


def _load(folder, config, split, cache):
    return datasets.load_dataset(str(folder), config, split=split, cache_dir=str(cache))


def test_mteb_layout_loads_with_datasets(tmp_path):
    out = write_hf_folder(tmp_path / "ds", {
        "corpus": {"corpus": [{"_id": "d1", "title": "", "text": "案情"}, {"_id": "d2", "title": "t", "text": "x"}]},
        "queries": {"queries": [{"_id": "q1", "text": "合同纠纷"}]},
        "default": {"test": [{"query-id": "q1", "corpus-id": "d1", "score": 2}]},
    }, card_yaml="license: mit", card_body="# Card")
    assert _load(out, "corpus", "corpus", tmp_path / "c").num_rows == 2
    qrels = _load(out, "default", "test", tmp_path / "c")
    assert qrels[0] == {"query-id": "q1", "corpus-id": "d1", "score": 2}
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("---\nlicense: mit\nconfigs:") and readme.rstrip().endswith("# Card")


def test_empty_split_is_left_out_and_all_empty_is_an_error(tmp_path):
    out = write_hf_folder(tmp_path / "ds", {"default": {"train": [{"a": 1}], "test": []}})
    assert "split: test" not in (out / "README.md").read_text()
    assert _load(out, "default", "train", tmp_path / "c").num_rows == 1
    with pytest.raises(ValueError, match="nothing to export"):
        write_hf_folder(tmp_path / "empty", {"default": {"train": []}})
    assert not (tmp_path / "empty").exists()


def test_failed_write_keeps_the_previous_folder(tmp_path):
    out = write_hf_folder(tmp_path / "ds", {"default": {"train": [{"a": 1}]}})
    with pytest.raises(Exception):
        write_hf_folder(tmp_path / "ds", {"default": {"train": [{"a": 1}, {"a": "not an int"}]}})
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]  # no temp folder left behind
    assert _load(out, "default", "train", tmp_path / "c2").num_rows == 1
