"""Registry entries are `"module:attr"` (or `"module"`) strings, resolved on first use.

Why strings: `bench --help` and `bench list` must not import torch, spaCy or a JVM to show what exists;
a registry holds names, and only the entry asked for is imported.
"""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["resolve"]


def resolve(target: str) -> Any:
    """The object `"package.module:attr"` names, or the module itself for `"package.module"`."""
    module, sep, attr = target.partition(":")
    obj = importlib.import_module(module)
    return getattr(obj, attr) if sep else obj
