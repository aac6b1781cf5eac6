"""Collection loaders on the real files, and their errors on damaged copies."""
import json
import shutil
from pathlib import Path

import pytest

from benchmarks.data.loaders.lecard import load_lecard
from benchmarks.data.loaders.trec_xml import load_cranfield, load_vaswani
from core import DataError


def test_cranfield_topics_renumbered_by_position(shared_data):
    c = load_cranfield(shared_data / "cranfield")
    assert (len(c.corpus), len(c.queries), sum(map(len, c.qrels.values()))) == (1400, 225, 1837)
    # qrels topic 3 is the 3rd <top> (<num> 4): heat conduction in composite slabs, relevant docs 5, 6, 90
    assert "heat conduction in composite slabs" in c.queries["3"]
    assert {"5", "6", "90"} <= {d for d, g in c.qrels["3"].items() if g > 0}
    assert "slipstream" in c.corpus["1"].title
    assert c.qrels["40"]["85"] == 1  # the lone grade 3 is binarised
    assert set(g for docs in c.qrels.values() for g in docs.values()) == {0, 1}


def test_vaswani_counts(shared_data):
    c = load_vaswani(shared_data / "vaswani_npl")
    assert (len(c.corpus), len(c.queries), sum(map(len, c.qrels.values()))) == (11429, 93, 2083)
    assert c.corpus["1"].text.startswith("compact memories have flexible capacities")


def test_lecard_pools_and_graded_labels(shared_data):
    c = load_lecard(shared_data / "lecard")
    assert len(c.queries) == 25 and len(c.pools) == 25
    assert sum(map(len, c.pools.values())) == 2503
    assert len(c.pools["5187"]) == 103
    assert {g for docs in c.qrels.values() for g in docs.values()} == {0, 1, 2, 3}
    assert all(set(c.qrels[q]) <= set(c.pools[q]) for q in ("5156", "5187", "2331", "5193", "6816", "17"))
    test = load_lecard(shared_data / "lecard", split="test")
    bert_keys = set()
    for line in (shared_data / "lecard/data/prediction/bert.json").read_text().splitlines():
        bert_keys |= set(json.loads(line))
    assert set(test.queries) == bert_keys and len(bert_keys) == 20


def _copy_cranfield(shared_data: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "cran"
    shutil.copytree(shared_data / "cranfield", folder)
    return folder


def test_cranfield_xml_error_names_file_and_line(shared_data, tmp_path):
    folder = _copy_cranfield(shared_data, tmp_path)
    text = (folder / "cran.all.1400.xml").read_text().splitlines(keepends=True)
    text[6] = text[6].replace("<", "<<", 1)
    (folder / "cran.all.1400.xml").write_text("".join(text))
    with pytest.raises(DataError, match=r"cran\.all\.1400\.xml:7: XML error"):
        load_cranfield(folder)


def test_qrels_topic_without_query_is_reported(shared_data, tmp_path):
    folder = _copy_cranfield(shared_data, tmp_path)
    with open(folder / "cranqrel.trec.txt", "a") as f:
        f.write("999 0 1 1\n")
    with pytest.raises(DataError, match="qrels topic 999 has no query"):
        load_cranfield(folder)


def test_lecard_bad_grade_is_reported(shared_data, tmp_path):
    root = tmp_path / "lecard" / "data"
    (root / "label").mkdir(parents=True)
    (root / "query").mkdir()
    (root / "candidates").mkdir()
    (root / "query" / "query.json").write_text('{"ridx": 1, "q": "x"}\n')
    (root / "label" / "label_top30_dict.json").write_text('{"1": {"5": 7}}')
    with pytest.raises(DataError, match=r"query 1 candidate 5: field grade must be an integer 0-3, got 7"):
        load_lecard(tmp_path / "lecard")
