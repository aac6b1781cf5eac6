"""The layers of ARCHITECTURE.md, enforced: an import that crosses them the wrong way fails here.

Read from the source with `ast` (imports inside functions count; `if TYPE_CHECKING:` blocks do not,
they never run), so a lazy import cannot hide a wrong arrow.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# room -> the rooms it may import (besides itself). Mirrors the table in ARCHITECTURE.md.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "annotation": {"core"},
    "engines": {"core"},
    "retrieval": {"core", "engines"},
    "builders": {"core", "annotation", "engines", "retrieval"},
    "benchmarks": {"core", "annotation", "engines", "retrieval"},
    "bench": {"core", "annotation", "engines", "retrieval", "builders", "benchmarks"},
}
ROOMS = tuple(ALLOWED)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path, text: str | None = None) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, imported names) of every import that can run."""
    module = _module_name(path)
    is_pkg = path.name == "__init__.py"
    text = path.read_text(encoding="utf-8") if text is None else text
    out: list[tuple[int, str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit_stmt(sub)
                continue
            visit_stmt(child)

    def visit_stmt(child: ast.AST) -> None:
        if isinstance(child, ast.Import):
            out.extend((child.lineno, a.name, []) for a in child.names)
        elif isinstance(child, ast.ImportFrom):
            target = child.module or ""
            if child.level:
                base = module.split(".") if is_pkg else module.split(".")[:-1]
                base = base[:len(base) - (child.level - 1)]
                target = ".".join(base + ([child.module] if child.module else []))
            out.append((child.lineno, target, [a.name for a in child.names]))
        else:
            visit(child)

    visit(ast.parse(text, filename=str(path)))
    return out


def _sources() -> dict[str, Path]:
    return {_module_name(p): p for room in ROOMS for p in sorted((REPO / room).rglob("*.py"))}


@pytest.fixture(scope="module")
def graph() -> dict[str, list[tuple[int, str]]]:
    """module -> [(line, our module it imports)]."""
    sources = _sources()
    edges: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for module, path in sources.items():
        for line, target, names in _imports(path):
            if target.split(".")[0] not in ROOMS:
                continue
            hits = [f"{target}.{n}" for n in names if f"{target}.{n}" in sources] or [target]
            for hit in hits:
                while hit not in sources and "." in hit:
                    hit = hit.rsplit(".", 1)[0]
                if hit != module:
                    edges[module].append((line, hit))
    return edges


def test_every_room_is_a_package() -> None:
    for room in ROOMS:
        assert (REPO / room / "__init__.py").is_file(), room


def test_no_import_crosses_the_layers_the_wrong_way(graph) -> None:
    sources = _sources()
    wrong = []
    for module, targets in graph.items():
        room = module.split(".")[0]
        for line, target in targets:
            other = target.split(".")[0]
            if other != room and other not in ALLOWED[room]:
                wrong.append(f"{sources[module].relative_to(REPO)}:{line}: {room} imports {target}")
    assert not wrong, "imports against ARCHITECTURE.md:\n" + "\n".join(wrong)


def test_scoring_code_never_imports_builders(graph) -> None:
    """The sibling rule said on its own, since it is the one most tempting to break."""
    hits = [(m, t) for m, ts in graph.items() if m.startswith("benchmarks") for _, t in ts
            if t.startswith("builders")]
    assert hits == []


def test_no_import_cycles(graph) -> None:
    """No two modules import each other, directly or round a loop (a lazy import inside a function counts:
    it hides the loop from Python, not from a reader)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def strongconnect(v: str) -> None:          # Tarjan; the graph is small enough for recursion
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for _, w in graph.get(v, []):
            if w not in index:
                strongconnect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in list(_sources()):
        if v not in index:
            strongconnect(v)
    assert not cycles, f"import cycles: {cycles}"


def test_core_imports_nothing_of_ours_but_itself(graph) -> None:
    assert [t for m, ts in graph.items() if m.startswith("core") for _, t in ts if not t.startswith("core")] == []


def test_the_reader_sees_lazy_and_relative_imports_but_not_type_checking_ones() -> None:
    """The checker itself can fail: imports inside functions and relative ones are seen, TYPE_CHECKING
    ones are not."""
    text = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from builders.llm import X\n"
            "def f():\n    from builders.common.jobs import run_items\n"
            "from .metrics import squad\n")
    found = [(line, target) for line, target, _ in _imports(REPO / "benchmarks" / "example.py", text)]
    assert found == [(1, "typing"), (5, "builders.common.jobs"), (6, "benchmarks.metrics")]
