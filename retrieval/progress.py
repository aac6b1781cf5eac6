"""Rich progress bars for long retrieval work (tokenizing a corpus, searching many queries).

Drawn on stderr so stdout stays clean for piping; a no-op when disabled or when nothing is long.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

T = TypeVar("T")
_console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn(), console=_console, transient=True)


def track(items: Iterable[T], *, total: int | None, description: str, enabled: bool = True) -> Iterator[T]:
    """Yield `items`, advancing a progress bar when `enabled`."""
    if not enabled:
        yield from items
        return
    with _progress() as progress:
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)


@contextmanager
def bar(description: str, total: int, enabled: bool = True):
    """A progress bar advanced by the caller: `with bar(...) as advance: advance(n)`."""
    if not enabled:
        yield lambda n=1: None
        return
    with _progress() as progress:
        task = progress.add_task(description, total=total)
        yield lambda n=1: progress.advance(task, n)
