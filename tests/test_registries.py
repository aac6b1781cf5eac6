"""Every registry entry resolves: a typo in a `"module:attr"` string fails here, not in a user's run.

Registries hold strings so that `bench --help` imports no model library (core.registry); the price is that
a wrong string is only found when that entry is used. This test uses each one.
"""
from __future__ import annotations

import pytest

from core.registry import resolve


def _entries() -> list[tuple[str, str]]:
    from annotation.labelstudio.registry import KINDS
    from annotation.registry import VALIDATORS
    from bench.export.registry import EXPORTERS
    from benchmarks.card_stats import STATS
    from benchmarks.datasets_local.registry import FORMATS
    from benchmarks.tasks.registry import TASKS
    from builders.webcpm.policies import POLICIES
    from engines.llm import BACKENDS
    from retrieval.registry import RETRIEVERS

    out = [(f"validator {k}", v.target) for k, v in VALIDATORS.items()]
    out += [(f"validator notes {k}", v.notes) for k, v in VALIDATORS.items() if v.notes]
    for registry, entries in (("annotation kind", KINDS), ("exporter", EXPORTERS), ("card stats", STATS),
                              ("local format", FORMATS), ("task", TASKS), ("webcpm policy", POLICIES),
                              ("chat backend", BACKENDS), ("retriever", RETRIEVERS)):
        out += [(f"{registry} {k}", v) for k, v in entries.items()]
    return out


ENTRIES = _entries()


@pytest.mark.parametrize(("entry", "target"), ENTRIES, ids=[e for e, _ in ENTRIES])
def test_registry_entry_resolves(entry: str, target: str) -> None:
    obj = resolve(target)
    assert obj is not None
    if entry.startswith("task "):                     # a retrieval task's data loader is a registry string too
        loader = getattr(obj, "loader", "")
        if loader:
            assert callable(resolve(loader)), f"{entry}: loader {loader}"


def test_every_registry_is_covered() -> None:
    kinds = {e.rsplit(" ", 1)[0] for e, _ in ENTRIES}
    assert {"validator", "annotation kind", "exporter", "card stats", "local format", "task", "webcpm policy",
            "chat backend", "retriever"} <= kinds


def test_resolve_names_the_missing_part() -> None:
    with pytest.raises(ModuleNotFoundError):
        resolve("benchmarks.no_such_module:X")
    with pytest.raises(AttributeError):
        resolve("benchmarks.runner:no_such_function")
    import benchmarks.runner

    assert resolve("benchmarks.runner") is benchmarks.runner
