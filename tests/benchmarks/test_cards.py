"""Data cards: committed statistics equal the data, `bench card` rewrites only its block."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from benchmarks.cards import (BEGIN, CARDS_DIR, CardError, available, card_path, merge_card, regenerate,
                              split_front_matter)
from builders.common.hf_folder import write_hf_folder

REPO = Path(__file__).resolve().parents[2]
SECTIONS = ("## Source", "## Licence", "## How it was built", "## Statistics", "## Known upstream quirks",
            "## Intended use and limits")


@pytest.fixture(scope="module", autouse=True)
def mirror() -> Path:
    path = Path(os.environ.get("BENCH_DATA_MIRROR", REPO.parent / "shared" / "data"))
    if not (path / "muser").is_dir():
        pytest.skip(f"shared data not found at {path}")
    os.environ["BENCH_DATA_MIRROR"] = str(path)
    return path


def test_the_nine_cards_exist() -> None:
    assert available() == sorted(["muser", "lecard", "cranfield", "vaswani", "cmrc2018", "xquad", "webcpm",
                                  "ultrachat", "qasnowball"])


@pytest.mark.parametrize("name", available())
def test_card_is_complete_and_its_statistics_match_the_data(name: str) -> None:
    text = card_path(name).read_text(encoding="utf-8")
    meta = yaml.safe_load(split_front_matter(text)[0])
    assert {"license", "language", "task_categories", "pretty_name"} <= set(meta)
    for section in SECTIONS:
        assert section in text, f"{name}: missing section {section}"
    assert "@ `" in text, "source commit missing"
    _, changed = regenerate(name, write=False)
    assert not changed, f"data_cards/{name}: statistics are stale; run `bench card {name}`"


@pytest.mark.parametrize("name", ["cmrc2018", "xquad", "qasnowball"])
def test_share_alike_licences_are_kept(name: str) -> None:
    meta = yaml.safe_load(split_front_matter(card_path(name).read_text(encoding="utf-8"))[0])
    assert meta["license"] == "cc-by-sa-4.0"
    assert "share-alike" in card_path(name).read_text(encoding="utf-8")


def test_regenerate_rewrites_only_the_stats_block(tmp_path: Path) -> None:
    shutil.copytree(CARDS_DIR / "cranfield", tmp_path / "cranfield")
    path = tmp_path / "cranfield" / "README.md"
    text = path.read_text(encoding="utf-8")
    tampered = text.replace("| documents | 1,400 |", "| documents | 1,399 |").replace(
        "The classic Cranfield II", "The famous Cranfield II")
    assert tampered != text
    path.write_text(tampered, encoding="utf-8")
    _, changed = regenerate("cranfield", cards_dir=tmp_path)
    new = path.read_text(encoding="utf-8")
    assert changed and "| documents | 1,400 |" in new and "The famous Cranfield II" in new

    path.write_text(new.replace(BEGIN.format(name="cranfield"), ""), encoding="utf-8")
    with pytest.raises(CardError, match=f"{path}: no stats block"):
        regenerate("cranfield", cards_dir=tmp_path)
    with pytest.raises(CardError, match="no card for 'nope'"):
        card_path("nope")


def test_builder_output_stats_come_from_the_built_folder(tmp_path: Path) -> None:
    built = tmp_path / "built"
    write_hf_folder(built, {"default": {"train": [{"id": "1", "question": "谁？", "context": "我们"},
                                                   {"id": "2", "question": "何时？", "context": "今天"}]}})
    (built / "run_manifest.json").write_text(json.dumps({"builder_version": "0.3", "seed": 13,
                                                         "models": {"qg": "tiny-t5"}}))
    shutil.copytree(CARDS_DIR / "qasnowball", tmp_path / "cards" / "qasnowball")
    regenerate("qasnowball", source=built, cards_dir=tmp_path / "cards")
    text = (tmp_path / "cards" / "qasnowball" / "README.md").read_text(encoding="utf-8")
    assert "| default/train.parquet | 2 rows; columns: id, question, context |" in text
    assert "| seed | 13 |" in text and "| builder_version | 0.3 |" in text and "tiny-t5" in text


def test_merge_keeps_the_export_configs() -> None:
    export_readme = "---\nlicense: other\nconfigs:\n- config_name: corpus\n  data_files:\n  - split: corpus\n" \
                    "    path: corpus/corpus.parquet\n---\n\nexport body\n"
    merged = merge_card(export_readme, card_path("lecard").read_text(encoding="utf-8"))
    meta = yaml.safe_load(split_front_matter(merged)[0])
    assert meta["license"] == "mit"                      # the card wins on metadata
    assert meta["configs"][0]["config_name"] == "corpus"  # the export's configs are kept
    assert "# LeCaRD" in merged and "## Export notes\n\nexport body" in merged
    with pytest.raises(CardError, match="no `configs:`"):
        merge_card("---\nlicense: mit\n---\n", card_path("lecard").read_text(encoding="utf-8"))


def test_bench_card_check_cli(mirror: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "bench", "card", "muser", "--check"], cwd=REPO, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "up to date" in proc.stdout
