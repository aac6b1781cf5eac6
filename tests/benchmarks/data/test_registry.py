"""The data registry against the real mirror and a real HTTP server on 127.0.0.1."""
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.data import registry
from core import DataError


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture()
def http_mirror(tmp_path, shared_data):
    """A temp copy of the cranfield mirror folder, served over HTTP on 127.0.0.1."""
    root = tmp_path / "served"
    shutil.copytree(shared_data / "cranfield", root / "cranfield")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_mirror_is_used_in_place_and_verified(shared_data):
    folder = registry.dataset_dir("cranfield", mirror=shared_data)
    assert folder == shared_data / "cranfield"
    assert registry.dataset_dir("vaswani", mirror=shared_data) == shared_data / "vaswani_npl"
    assert registry.verify("cranfield", mirror=shared_data) == folder


def test_every_registered_dataset_matches_the_mirror_file_list(shared_data):
    for name in registry.available():
        source = registry.get_source(name)
        listed = {e.path for e in registry.files(name)}
        on_disk = {p.relative_to(shared_data / source.folder).as_posix()
                   for p in (shared_data / source.folder).rglob("*") if p.is_file()} - {"README.md", "SHA256SUMS"}
        assert listed == on_disk, name
        assert len(registry.dataset_sha(name)) == 64


def test_origin_urls_are_pinned_raw_github_files():
    lecard = registry.get_source("lecard")
    assert lecard.origin_url("data/candidates/17/1.json") == (
        "https://raw.githubusercontent.com/Wenorm/BERT-PLI/9d1e5c0b8cd3afc50cce599ea417009e710815fc/"
        "LeCaRD/data/candidates/17/1.json")
    assert lecard.origin_url("data/others/criminal charges.txt").endswith("/data/others/criminal%20charges.txt")
    assert registry.get_source("vaswani").origin_url("qrels").endswith(
        "terrier-core/3ceec7d89cb943a56e4bf298b00897d4221d0002/share/vaswani_npl/qrels")


def test_unknown_dataset():
    with pytest.raises(DataError, match="unknown dataset 'nope'; known: .*cranfield"):
        registry.dataset_dir("nope")


def test_fetch_over_http_verifies_then_rejects_a_corrupted_byte(http_mirror, tmp_path, monkeypatch):
    served, url = http_mirror
    monkeypatch.delenv(registry.MIRROR_ENV, raising=False)
    folder = registry.fetch("cranfield", origin=url)
    assert folder == registry.cache_root() / "cranfield"
    assert (folder / "cranqrel.trec.txt").read_bytes() == (served / "cranfield" / "cranqrel.trec.txt").read_bytes()
    registry.verify("cranfield")  # cache copy re-hashes clean
    # corrupt one served byte; the next fetch must refuse it and leave nothing half-written
    target = served / "cranfield" / "cranqrel.trec.txt"
    data = bytearray(target.read_bytes())
    data[10] ^= 0x01
    target.write_bytes(bytes(data))
    (folder / "cranqrel.trec.txt").unlink()
    with pytest.raises(DataError, match=r"cranqrel\.trec\.txt: wrong checksum .*nothing was saved"):
        registry.fetch("cranfield", origin=url)
    assert not (folder / "cranqrel.trec.txt").exists()
    assert not list(folder.glob(".*.part"))


def test_dataset_dir_downloads_via_env_origin(http_mirror, monkeypatch):
    _, url = http_mirror
    monkeypatch.delenv(registry.MIRROR_ENV, raising=False)
    monkeypatch.setenv(registry.ORIGIN_ENV, url)
    folder = registry.dataset_dir("cranfield")
    assert (folder / "cran.qry.xml").is_file()


def test_unreachable_origin_tells_the_user_about_the_mirror(monkeypatch):
    monkeypatch.delenv(registry.MIRROR_ENV, raising=False)
    with pytest.raises(DataError, match="BENCH_DATA_MIRROR"):
        registry.fetch("ultrachat", origin="http://127.0.0.1:9")  # discard port: connection refused


def test_mirror_missing_file_and_wrong_checksum(tmp_path, shared_data):
    mirror = tmp_path / "mirror"
    shutil.copytree(shared_data / "cranfield", mirror / "cranfield")
    (mirror / "cranfield" / "cran.qry.xml").unlink()
    with pytest.raises(DataError, match=r"cran\.qry\.xml: missing file of dataset cranfield"):
        registry.dataset_dir("cranfield", mirror=mirror)
    shutil.copy(shared_data / "cranfield" / "cran.qry.xml", mirror / "cranfield" / "cran.qry.xml")
    with open(mirror / "cranfield" / "cran.qry.xml", "r+b") as f:
        f.seek(100)
        f.write(b"#")
    with pytest.raises(DataError, match=r"cran\.qry\.xml: wrong checksum"):
        registry.dataset_dir("cranfield", mirror=mirror)


def test_fetch_from_mirror_copies_into_cache(shared_data, monkeypatch):
    monkeypatch.delenv(registry.MIRROR_ENV, raising=False)  # CI exports it; here the cache must be used
    folder = registry.fetch("squad_v2_sample", mirror=shared_data)
    assert folder == registry.cache_root() / "squad_v2_sample"
    assert registry.dataset_dir("squad_v2_sample", download=False) == folder
    assert registry.where("squad_v2_sample") == folder
