import pytest

from core import DataError
from benchmarks.io.trec import read_qrels, read_run, read_run_any, write_qrels, write_run


def test_run_round_trip_in_trec_eval_order(tmp_path):
    run = {"q1": {"d1": 0.5, "d3": 2.0, "d2": 0.5}, "q2": {"x": 1.25}}
    path = write_run(run, tmp_path / "out" / "r.run", tag="my tag")
    lines = path.read_text().splitlines()
    assert lines[0] == "q1 Q0 d3 1 2.0 mytag"
    assert [line.split()[2] for line in lines[:3]] == ["d3", "d2", "d1"]  # tie 0.5: doc id desc
    assert read_run(path) == run
    assert not list((tmp_path / "out").glob(".*tmp"))


def test_qrels_round_trip(tmp_path):
    qrels = {"1": {"184": 1, "29": 0}, "2": {"12": 3}}
    assert read_qrels(write_qrels(qrels, tmp_path / "q.txt")) == qrels


@pytest.mark.parametrize("content,message", [
    ("1 0 184 1\n1 0 29\n", r"q\.txt:2: qrels line needs 4 columns"),
    ("1 0 184 1\n\n1 0 29 x\n", r"q\.txt:3: field REL: 'x' is not an integer"),
    ("1 0 184 1\n1 0 184 0\n", r"q\.txt:2: duplicate judgement for query 1 document 184"),
    ("", r"q\.txt: no qrels lines"),
])
def test_corrupt_qrels_name_file_and_line(tmp_path, content, message):
    (tmp_path / "q.txt").write_text(content)
    with pytest.raises(DataError, match=message):
        read_qrels(tmp_path / "q.txt")


@pytest.mark.parametrize("content,message", [
    ("1 Q0 d1 1 0.5 t\n1 Q0 d2 2 abc t\n", r"r\.run:2: field SCORE: 'abc'"),
    ("1 Q0 d1 1 0.5\n", r"r\.run:1: run line needs 6 columns"),
    ("1 Q0 d1 1 0.5 t\n1 Q0 d1 2 0.4 t\n", r"r\.run:2: document d1 appears twice"),
    ("1 Q0 d1 one 0.5 t\n", r"r\.run:1: field RANK"),
    ("1 Q0 d1 1 nan t\n", r"r\.run:1: field SCORE: 'nan' is not finite"),
])
def test_corrupt_run_names_file_and_line(tmp_path, content, message):
    (tmp_path / "r.run").write_text(content)
    with pytest.raises(DataError, match=message):
        read_run(tmp_path / "r.run")


def test_missing_file_and_json_runs(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_qrels(tmp_path / "nope")
    (tmp_path / "r.json").write_text('{"q": {"d": 1, "e": 2.5}}')
    assert read_run_any(tmp_path / "r.json") == {"q": {"d": 1.0, "e": 2.5}}
    (tmp_path / "bad.json").write_text('{"q": [1, 2]}')
    with pytest.raises(DataError, match="query q"):
        read_run_any(tmp_path / "bad.json")
