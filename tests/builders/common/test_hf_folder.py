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


def _plain_load(folder):
    """What a user types: no cache_dir, no download_mode (the cache is HF_DATASETS_CACHE)."""
    return datasets.load_dataset(str(folder))


@pytest.fixture()
def hf_cache(tmp_path, monkeypatch):
    """A private datasets cache through the environment, as a user's default cache would be."""
    cache = tmp_path / "hf_datasets_cache"
    monkeypatch.setenv("HF_DATASETS_CACHE", str(cache))
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache)  # read at import time
    return cache


def test_same_name_folders_never_load_each_others_rows(tmp_path, hf_cache):
    """Issue 17: datasets keyed a local folder's cache by its name + YAML only, so a second folder
    named `hf` (rebuilt in place, or elsewhere) loaded the first one's rows."""
    def build(folder, texts, test_rows=1):
        write_hf_folder(folder, {"default": {"train": [{"text": t} for t in texts],
                                             "test": [{"text": f"t{i}"} for i in range(test_rows)]}})
        return folder

    first = build(tmp_path / "a" / "hf", ["one", "two", "three"])
    loaded = _plain_load(first)
    assert loaded["train"]["text"] == ["one", "two", "three"] and loaded["test"].num_rows == 1

    # the same path, deleted and rebuilt: other rows, then the same row count with other content
    import shutil
    shutil.rmtree(first)
    build(first, ["four"], test_rows=3)
    loaded = _plain_load(first)
    assert loaded["train"]["text"] == ["four"] and loaded["test"].num_rows == 3
    build(first, ["five"], test_rows=3)
    assert _plain_load(first)["train"]["text"] == ["five"]

    # another parent, same folder name and layout
    other = build(tmp_path / "b" / "hf", ["x", "y"], test_rows=2)
    loaded = _plain_load(other)
    assert loaded["train"]["text"] == ["x", "y"] and loaded["test"].num_rows == 2
    assert _plain_load(first)["train"]["text"] == ["five"]   # and the first is still itself
    assert (hf_cache / "hf").is_dir()                       # the env cache was the one used


def test_same_content_gets_the_same_fingerprint(tmp_path):
    """The fingerprint follows the content, not the path, so an identical rebuild reuses its cache."""
    def card(folder):
        write_hf_folder(folder, {"default": {"train": [{"a": 1}, {"a": 2}]}})
        return (folder / "README.md").read_text(encoding="utf-8")

    assert card(tmp_path / "p" / "hf") == card(tmp_path / "q" / "hf")
    assert "description: databench content sha256 " in card(tmp_path / "p" / "hf")
