"""The one atomic writer: mode, fsync'd content, and nothing left behind on error."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from core import atomic_folder, atomic_output, atomic_write_json, atomic_write_jsonl, atomic_write_text
from core.jsonl import read_jsonl


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_written_file_has_the_umask_mode_not_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        import importlib

        import core.atomic as atomic

        importlib.reload(atomic)          # FILE_MODE is read from the umask at import
        p = atomic.atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert _mode(p) == 0o644


def test_error_inside_the_block_keeps_the_old_file_and_removes_the_temp(tmp_path: Path) -> None:
    p = atomic_write_text(tmp_path / "out.jsonl", "old\n")
    with pytest.raises(RuntimeError):
        with atomic_output(p) as f:
            f.write("half a new fi")
            raise RuntimeError("killed mid-write")
    assert p.read_text() == "old\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out.jsonl"]


def test_jsonl_writer_streams_a_generator_and_round_trips(tmp_path: Path) -> None:
    recs = ({"id": str(i), "text": "文本 ✓"} for i in range(1000))
    p = atomic_write_jsonl(tmp_path / "r.jsonl", recs)
    back = read_jsonl(p)
    assert len(back) == 1000 and back[7] == {"id": "7", "text": "文本 ✓"}


def test_json_writer_refuses_unserialisable_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        atomic_write_json(tmp_path / "x.json", {"a": object()})
    assert list(tmp_path.iterdir()) == []


def test_atomic_folder_swaps_in_whole_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "hf"
    with atomic_folder(out) as tmp:
        (tmp / "a").write_text("1")
    with pytest.raises(ValueError):
        with atomic_folder(out) as tmp:
            (tmp / "b").write_text("2")
            raise ValueError("bad record")
    assert sorted(p.name for p in out.iterdir()) == ["a"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hf"]
    umask = os.umask(0)
    os.umask(umask)
    assert _mode(out) == 0o777 & ~umask          # not mkdtemp's 0700
