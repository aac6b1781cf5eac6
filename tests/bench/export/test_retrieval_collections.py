"""Exported retrieval collections load with `datasets` (MTEB layout), offline, with real counts."""
import pytest

from bench.export.registry import get_exporter


@pytest.fixture(autouse=True)
def _mirror(shared_data, monkeypatch):
    monkeypatch.setenv("BENCH_DATA_MIRROR", str(shared_data))


def test_cranfield_export_loads_with_datasets(tmp_path):
    import datasets

    out = get_exporter("cranfield")(tmp_path / "cranfield")
    corpus = datasets.load_dataset(str(out), "corpus", split="corpus", cache_dir=str(tmp_path / "hf"))
    queries = datasets.load_dataset(str(out), "queries", split="queries", cache_dir=str(tmp_path / "hf"))
    qrels = datasets.load_dataset(str(out), "default", split="test", cache_dir=str(tmp_path / "hf"))
    assert (len(corpus), len(queries), len(qrels)) == (1400, 225, 1837)
    assert set(qrels.column_names) == {"query-id", "corpus-id", "score"}
    assert "renumbered" in (out / "README.md").read_text()


def test_lecard_export_has_pools(shared_data, tmp_path):
    import datasets

    out = get_exporter("lecard")(tmp_path / "lecard")
    pools = datasets.load_dataset(str(out), "candidates", split="test", cache_dir=str(tmp_path / "hf"))
    assert len(pools) == 2503
    assert len(datasets.load_dataset(str(out), "queries", split="queries", cache_dir=str(tmp_path / "hf"))) == 25
