"""Dataset name -> validator, one entry per dataset; `bench validate NAME PATH` dispatches through here.

A new dataset's validator is one module with a function `(path, **options) -> list[Issue]` plus one
entry below. An entry may declare extra options (they become `bench validate NAME --flag VALUE`) and a
`notes` function run once the data has no error (e.g. MUSER's inter-annotator agreement).
Nothing here imports a validator until it is used, nor anything outside annotation/.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from core import DataError, UserError
from annotation.issues import Issue, Validation
from core.registry import resolve


class UnknownValidator(UserError):
    """`bench validate NAME` with a NAME no entry has."""


@dataclass(frozen=True)
class Option:
    """An extra keyword a validator takes, shown as `--flag` by `bench validate`."""

    flag: str                              # "--schema"
    keyword: str                           # keyword argument of the validator function: "schema_dir"
    type: type = str                       # str | int | float | Path
    help: str = ""
    dataset_default: str | None = None     # "muser/legal_items": that folder of a registered dataset when the
    #                                        option is not given (the caller locates datasets; see validate())


@dataclass(frozen=True)
class Validator:
    target: str                            # "module:function", called as function(path, **options)
    help: str                              # what PATH may be
    options: tuple[Option, ...] = ()
    notes: str | None = None               # "module:function", (path) -> list[str], run when there is no error


VALIDATORS: dict[str, Validator] = {
    "muser": Validator("annotation.muser.validate:validate_path",
                       "a MUSER dataset folder, a legal_items/ folder, or one MUSER file",
                       (Option("--schema", "schema_dir", Path, "legal_items/ folder for a lone case file (default: the "
                               "registered MUSER dataset's)", dataset_default="muser/legal_items"),),
                       notes="annotation.muser.judgments:agreement_notes"),
    "webcpm": Validator("annotation.webcpm.validate:validate_path", "a WebCPM trace file (JSONL, JSON list or "
                        "{'data': [...]})"),
    "qa": Validator("annotation.squad:validate_path", "SQuAD-style QA: flat JSONL or nested SQuAD JSON"),
    "ultrachat": Validator("annotation.ultrachat:validate_path", "UltraChat dialogues: JSONL/parquet file or folder"),
}


def available() -> list[str]:
    return sorted(VALIDATORS)


def _import(target: str) -> Callable[..., Any]:
    return resolve(target)


def get_entry(name: str) -> Validator:
    try:
        return VALIDATORS[name]
    except KeyError:
        raise UnknownValidator(f"no validator for {name!r}; known: {', '.join(available())}") from None


def get_validator(name: str) -> Callable[..., list[Issue]]:
    """The validator function of dataset `name`."""
    return _import(get_entry(name).target)


def validate(name: str, path: str | Path, options: dict[str, Any] | None = None, *,
             locate: Callable[[str], Path] | None = None) -> Validation:
    """Run dataset `name`'s validator on `path` with its declared options (keyed by keyword; None = default).

    `locate(dataset) -> folder` resolves an option's `dataset_default` (benchmarks passes its data registry).
    """
    entry = get_entry(name)
    declared = {o.keyword: o for o in entry.options}
    given = {k: v for k, v in (options or {}).items() if v is not None}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        flags = {o.keyword: o.flag for e in VALIDATORS.values() for o in e.options}
        raise UnknownValidator(f"validate {name}: no option {flags.get(unknown[0], unknown[0])}; "
                               f"accepted: {', '.join(o.flag for o in entry.options) or 'none'}")
    for key, opt in declared.items():
        if key not in given and opt.dataset_default and locate is not None:
            dataset, _, sub = opt.dataset_default.partition("/")
            given[key] = Path(locate(dataset)) / sub
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    result = Validation(str(path), list(_import(entry.target)(path, **given)))
    if entry.notes and not result.errors:
        result.notes = list(_import(entry.notes)(path))
    return result
