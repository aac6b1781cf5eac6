"""`require`: an optional package that is missing is a one-line UserError naming its pip command."""
from __future__ import annotations

import sys

import pytest

from core import UserError
from core.optional import MissingDependency, missing, require


def test_present_module_is_returned() -> None:
    assert require("json", "json", "parsing") is sys.modules["json"]
    assert missing("json", "json", "parsing") is None


def test_missing_module_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tantivy", None)      # import of tantivy halted, as if not installed
    with pytest.raises(MissingDependency) as info:
        require("tantivy", "tantivy==0.27.0", "--retriever tantivy")
    msg = str(info.value)
    assert isinstance(info.value, UserError) and "\n" not in msg
    assert msg == ("--retriever tantivy needs the Python package 'tantivy', which is not installed: "
                   "pip install 'tantivy==0.27.0'")
    assert missing("tantivy", "tantivy==0.27.0", "--retriever tantivy") == msg
    assert missing("no_such_pkg_xyz.sub", "x", "y") is not None   # a missing parent package, not a crash


def test_room_error_class_is_kept() -> None:
    class RoomError(UserError):
        pass

    with pytest.raises(RoomError, match=r"pip install 'no-such-pkg==1\.0'$"):
        require("no_such_pkg_xyz", "no-such-pkg==1.0", "a test", error=RoomError)


def test_a_broken_install_says_why(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A package that is there but fails to import (a dependency of its own is missing) says so."""
    (tmp_path / "halfpkg_xyz.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MissingDependency, match=r"pip install 'halfpkg' \(import failed: No module named "
                                                r"'no_such_dependency_xyz'\)"):
        require("halfpkg_xyz", "halfpkg", "a test")
