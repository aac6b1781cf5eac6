"""Printing conventions, readable params, and paths that never leave the submitter's machine (fast, no browser)."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from core import sha256_file
from benchmarks.leaderboard.labels import differences, model_label, summary
from benchmarks.leaderboard.scales import COUNT, header, scale_for
from benchmarks.provenance import local_name, scrub_paths
from benchmarks.submission import SubmissionError
from benchmarks.submission.publish import Submitter


def test_each_metric_family_prints_as_its_papers() -> None:
    assert scale_for("cranfield", "nDCG@10", "retrieval").fmt(0.3614942) == "0.3615"
    assert scale_for("muser", "NDCG@30", "retrieval").fmt(0.1748395) == "17.48"       # stored 0-1, shown x100
    assert scale_for("xquad", "F1", "qa").fmt(19.232031) == "19.2"                    # stored x100 already
    assert scale_for("cmrc2018", "EM", "qa").fmt(55.12345) == "55.123"
    assert scale_for("webcpm", "micro_f1", "classification").fmt(0.6159) == "61.6"
    assert scale_for("webcpm", "scored", "classification") is COUNT and COUNT.fmt(1590.0) == "1,590"
    assert header("nDCG@10", scale_for("cranfield", "nDCG@10")) == "nDCG@10 (0-1)"
    assert header("F1", scale_for("xquad", "F1")) == "F1 (\u00d7100)"
    assert scale_for("new-set", "F1", "qa").label == "\u00d7100"                       # a default per kind


def test_params_read_as_settings_not_dicts() -> None:
    from retrieval.registry import create

    bm25 = create("bm25", lang="en").params()
    assert summary(bm25) == "k1=1.2 b=0.75, lang=en, stopwords=lucene"
    fused = create("bm25+bm25-rank", lang="en").params()
    text = summary(fused)
    assert text == "rrf k=60: bm25 + bm25-rank; k1=1.2 b=0.75, lang=en, stopwords=lucene"     # shared settings once
    other = create("bm25+bm25-rank", lang="en").params()
    other["parts"][1]["params"]["k1"] = 0.9
    assert summary(other) == "rrf k=60: bm25 (k1=1.2) + bm25-rank (k1=0.9); b=0.75, lang=en, stopwords=lucene"
    assert "{" not in text and "'" not in text and "pattern" not in text
    assert summary({"run": {"file": "bm25_top100.json", "sha256": "0" * 64}}) == "run=bm25_top100.json"
    assert summary({"stem": True, "model": "org/name"}) == "model=name, stem=yes"
    assert model_label("external-run:bm25_top100") == "external run bm25_top100"


def test_same_name_rows_say_what_differs() -> None:
    rows = [{"model_id": "rule-reader", "params": {"seed": 0, "train": "x"}, "org": "a", "date": "d", "submission": "1"},
            {"model_id": "rule-reader", "params": {"seed": 1, "train": "x"}, "org": "b", "date": "d", "submission": "2"}]
    assert differences(rows) == ["seed=0 \u00b7 by a", "seed=1 \u00b7 by b"]
    same = [dict(rows[0], org="a"), dict(rows[0], org="a", date="e")]
    assert differences(same) == ["d", "e"]                                  # only the date tells them apart
    assert differences(rows[:1]) == [""]


def test_paths_become_basename_and_sha(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = tmp_path / "sub" / "my.run"
    run.parent.mkdir()
    run.write_text("1 Q0 d 1 1.0 x\n")
    monkeypatch.chdir(tmp_path / "sub")
    got = scrub_paths({"run": str(run), "rel": "../sub/my.run", "data": str(tmp_path), "url": "https://x.org/a/b",
                       "note": "relevant = grade >= 1 / judged", "judge": f"transformers:{run.parent}"}, prefixed=True)
    ref = {"file": "my.run", "sha256": sha256_file(run)}
    assert got["run"] == ref and got["rel"] == ref and got["data"]["folder"] == tmp_path.name
    assert len(got["data"]["listing_sha256"]) == 64
    assert got["url"] == "https://x.org/a/b" and got["note"] == "relevant = grade >= 1 / judged"
    assert got["judge"] == "transformers:sub"
    assert local_name(str(run.parent)) == "sub" and local_name("BAAI/bge-small-en") == "BAAI/bge-small-en"


@pytest.mark.parametrize("kwargs, match", [({"model_url": "javascript:alert(1)"}, "http"),
                                           ({"org": "../etc"}, "not a path"), ({"model_name": " "}, "printable")])
def test_submitter_names_are_checked(kwargs: dict, match: str) -> None:
    with pytest.raises(SubmissionError, match=match):
        Submitter(**kwargs)


def test_run_and_submit_keep_no_local_path_and_still_verify(shared_data: Path, tmp_path: Path) -> None:
    """`bench run muser --run ABSOLUTE` records basename + sha; the named package has no path and verifies."""
    from benchmarks.runner import run_task
    from benchmarks.submission.package import pack
    from benchmarks.submission.verify import verify
    from benchmarks.tasks.base import RunOptions

    source = shared_data / "muser" / "predictions" / "bm25_top100.json"
    result, _ = run_task("muser", RunOptions(run_file=source.resolve(), output=tmp_path / "res", show_progress=False))
    assert result.model.params["run"] == {"file": source.name, "sha256": sha256_file(source)}
    zpath, _ = pack(tmp_path / "res", tmp_path / "named.zip",
                    submitter=Submitter("BM25 top-100", "https://github.com/THUlawtech/MUSER", "team-m"))
    with zipfile.ZipFile(zpath) as zf:
        texts = {n: zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".json") and "runs/" not in n}
    for name, text in texts.items():
        for local in (str(shared_data), str(shared_data.resolve()), str(tmp_path), "/work/", "../shared"):
            assert local not in text, f"{name} holds {local}"
    packed = json.loads(next(t for n, t in texts.items() if n.startswith("results/")))
    assert packed["extra"]["submitter"] == {"model_name": "BM25 top-100", "org": "team-m",
                                            "model_url": "https://github.com/THUlawtech/MUSER"}
    report = verify(zpath)
    assert report.ok, report.problems
