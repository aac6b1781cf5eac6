"""Which tests share a pytest-xdist worker, and which start first (a plugin: tests/conftest.py loads it).

The suite runs in worker processes (pyproject.toml addopts: `-n auto --dist loadgroup`; `-n 0`, or `-s`,
runs it in one process). A worker is a process of its own, so a session or module fixture is built once per
worker that uses it: tests that share something expensive go to one worker, as one unit.
- Ray: every test that starts a cluster, so two clusters never run at once (on 2 cores: slow, fragile).
  The one test that needs Ray and the llama.cpp server (tests/builders/ultrachat/test_ultrachat_ray.py)
  is here and starts a second server on its worker: seconds, and two 1-thread servers answer in parallel.
- the llama.cpp server: the LLM tests, so it starts once for all of them;
- `bench_results` (real `bench run`s, ~30 s): the submission and leaderboard tests;
- `oracle_traces` (100 DuReader questions browsed, ~35 s): the WebCPM build and policy tests;
- a module whose tests share a module-scoped fixture (a build, a server): the module, as `--dist loadscope`.
The first group that matches wins (the order of SHARED_FIXTURE_GROUPS). A test that names its own
`xdist_group` keeps it; every other test is a unit of its own. The shared groups are handed out first, then
module groups and tests marked `slow`, then the rest: no worker starts a long unit while the others are
about to run out of work.

Why the controller reads the groups from a file: xdist's loadgroup passes a test's group by appending
`@group` to its node id, which pytest >= 9.2 no longer lets a plugin change (pytest-dev/pytest-xdist#1386),
and the groups were silently ignored. Each worker writes the groups it computed to a file named by the
run's id; the controller's scheduler, xdist's own LoadGroupScheduling, looks them up there.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

SHARED_FIXTURE_GROUPS = {"ray_cluster": "ray", "ray_head": "ray", "llama_server": "llm",
                         "bench_results": "bench-results", "oracle_traces": "webcpm-traces"}


def xdist_group_of(item: pytest.Item) -> str | None:
    """The worker group of a test (see the module docstring), or None for a test that may run anywhere."""
    names = getattr(item, "fixturenames", ())
    for fixture, group in SHARED_FIXTURE_GROUPS.items():
        if fixture in names:
            return group
    # FuncFixtureInfo: pytest's record of the fixtures a test uses, with their definitions and scopes
    defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    if any(d.scope in ("module", "class", "package") for name in names for d in defs.get(name, ())):
        return item.nodeid.split("::")[0]
    return None


def _group(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("xdist_group")
    return None if mark is None else str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))


def _rank(item: pytest.Item) -> int:
    """Hand-out order: the shared groups, then tests marked `slow` and module groups, then the rest."""
    group = _group(item)
    if group in SHARED_FIXTURE_GROUPS.values():
        return 0
    return 1 if group is not None or item.get_closest_marker("slow") is not None else 2


def groups_file(testrunuid: str) -> Path:
    """Where the workers of one run leave their groups for the controller (the same on every machine path)."""
    return Path(tempfile.gettempdir()) / f"databench-xdist-groups-{testrunuid}.json"


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]):
    for item in items:
        if _group(item) is None and (group := xdist_group_of(item)):
            item.add_marker(pytest.mark.xdist_group(group))
    result = yield                                 # the other hooks: deselection (-k, -m, jvm), xdist's own
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and getattr(config.option, "loadgroup", False):   # an xdist worker of a loadgroup run
        items.sort(key=_rank)                      # stable; every worker sorts alike, so their collections agree
        path = groups_file(workerinput["testrunuid"])
        tmp = path.with_name(f"{path.name}.{workerinput['workerid']}.tmp")
        tmp.write_text(json.dumps({item.nodeid: g for item in items if (g := _group(item))}), encoding="utf-8")
        os.replace(tmp, path)                      # whole or absent: the controller never reads half a file
    return result


@pytest.hookimpl(optionalhook=True)                # a hook of pytest-xdist, absent without it
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FileGroupScheduling(LoadGroupScheduling):
        """loadgroup, with each test's group read from the workers' file rather than from its node id."""

        def __init__(self, config: pytest.Config, log=None) -> None:
            super().__init__(config, log)
            self.groups: dict[str, str] = {}

        def add_node_collection(self, node, collection) -> None:
            path = groups_file(node.workerinput["testrunuid"])
            try:                                   # all workers write the same groups: one read is enough
                self.groups.update(json.loads(path.read_text(encoding="utf-8")))
                path.unlink(missing_ok=True)
            except FileNotFoundError:
                pass
            super().add_node_collection(node, collection)

        def _split_scope(self, nodeid: str) -> str:
            return self.groups.get(nodeid) or super()._split_scope(nodeid)

    return FileGroupScheduling(config, log)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """With `-s`, one process: a worker's prints never reach the terminal, and `-s` is asked for to see them
    (xdist does the same for --pdb). An explicit `-n N` is kept."""
    return 0 if config.getoption("capture") == "no" else None
