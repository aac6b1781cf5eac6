"""`nothing_kept_leaves_nothing`: a build that keeps no record leaves nothing it created behind; what was
there before (a --resume, an empty folder the user made) is left as it was."""
from __future__ import annotations

from pathlib import Path

import pytest

from builders.common.jobs import NothingKept, nothing_kept_leaves_nothing
from core import UserError


def test_created_outputs_and_the_folders_on_the_way_are_removed(tmp_path: Path):
    out, trace = tmp_path / "a" / "b" / "out", tmp_path / "t.jsonl"
    with pytest.raises(NothingKept):
        with nothing_kept_leaves_nothing(out, trace, Path(f"{trace}.manifest.json")):
            out.mkdir(parents=True)
            (out / "manifest.json").write_text("{}")
            trace.write_text("")
            Path(f"{trace}.manifest.json").write_text("{}")
            raise NothingKept("kept 0 of 3")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert issubclass(NothingKept, UserError)              # the CLI prints it as one line, exit 2


def test_an_existing_empty_folder_is_emptied_and_a_used_one_kept(tmp_path: Path):
    empty, used = tmp_path / "empty", tmp_path / "used"
    empty.mkdir()
    used.mkdir()
    (used / "manifest.json").write_text("{}")
    with pytest.raises(NothingKept):
        with nothing_kept_leaves_nothing(empty, used):
            (empty / "job").mkdir()
            (empty / "job" / "x.jsonl").write_text("")
            (used / "more.jsonl").write_text("")
            raise NothingKept("nothing")
    assert empty.is_dir() and not any(empty.iterdir())
    assert sorted(p.name for p in used.iterdir()) == ["manifest.json", "more.jsonl"]


def test_other_errors_leave_the_output_for_resume(tmp_path: Path):
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        with nothing_kept_leaves_nothing(out):
            out.mkdir()
            (out / "dialogues.jsonl").write_text("{}\n")
            raise KeyboardInterrupt
    assert (out / "dialogues.jsonl").is_file()
