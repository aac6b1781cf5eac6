"""`core`, the ground floor, may be imported by every room, so it must import none of them."""
from __future__ import annotations

import ast
from pathlib import Path

import core

ROOMS = ("annotation", "engines", "builders", "retrieval", "benchmarks", "bench")


def test_floor_imports_only_itself_and_the_standard_library() -> None:
    folder = Path(core.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                top = name.split(".")[0]
                assert top not in ROOMS or name.startswith("core"), f"{path.name} imports {name}"
