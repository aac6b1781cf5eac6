"""Optional packages: one import helper so a missing one is a one-line error naming the pip command.

The runtime install (README command 1) holds every package the default paths need; what stays
optional is heavy or needs a server/GPU (llama-cpp-python's server, vllm, faiss, ranx). Every import
of such a package, and of the offline-model wheels (in case someone installed only the project),
goes through `require`, so the CLI prints `error: ... needs `pip install X`` instead of a traceback.
"""
from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from core.errors import UserError


class MissingDependency(UserError):
    """An optional package is not installed; the message names the pip command that installs it."""


def missing(module: str, pip_spec: str, why: str) -> str | None:
    """None when `module` can be imported, else the one-line message `require` would raise."""
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package is missing, or a broken half-import
        found = False
    return None if found else _message(module, pip_spec, why)


def require(module: str, pip_spec: str, why: str, *,
            error: type[UserError] = MissingDependency) -> ModuleType:
    """Import `module` (e.g. "tantivy"), or raise `error` with the pip command (`pip_spec`, e.g.
    "tantivy==0.27.0") and what it is for (`why`, e.g. "the tantivy retriever").

    Only a failure to import `module` itself (or one of the packages it needs) becomes the one-line
    error; anything else the package raises while importing keeps its traceback.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        detail = "" if _is_absent(exc, module) else f" (import failed: {exc})"
        raise error(_message(module, pip_spec, why) + detail) from None


def _is_absent(exc: ImportError, module: str) -> bool:
    name = getattr(exc, "name", None) or ""
    return isinstance(exc, ModuleNotFoundError) and module.split(".")[0] == name.split(".")[0]


def _message(module: str, pip_spec: str, why: str) -> str:
    return f"{why} needs the Python package {module!r}, which is not installed: pip install '{pip_spec}'"
