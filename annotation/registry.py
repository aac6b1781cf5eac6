"""Dataset name -> validator function `(path) -> list[Issue]`; one line per dataset."""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from annotation.issues import Issue

VALIDATORS: dict[str, str] = {
    "muser": "annotation.muser.validate:validate_path",
    "webcpm": "annotation.webcpm.validate:validate_path",
    "qa": "annotation.squad:validate_path",
    "ultrachat": "annotation.ultrachat:validate_path",
}


def available() -> list[str]:
    return sorted(VALIDATORS)


def get_validator(name: str) -> Callable[[Path], list[Issue]]:
    if name not in VALIDATORS:
        raise KeyError(f"no validator for {name!r}; known: {', '.join(available())}")
    module, attr = VALIDATORS[name].split(":")
    return getattr(importlib.import_module(module), attr)
