"""`--dataset PATH` -> (folder, Description, sha): read databench.yaml or detect, apply CLI overrides.

PATH may be a folder, one QA file inside a folder, or a databench.yaml written by an earlier run
(its `path` field names the folder). A folder's own databench.yaml is read when present.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.datasets_local.base import DESCRIPTION_FILE, LocalDataError, folder_sha
from benchmarks.datasets_local.description import Description, complete, read_description
from benchmarks.datasets_local.registry import detect, get_format


@dataclass
class LocalDataset:
    folder: Path
    desc: Description
    sha: str
    described: bool          # the description came from a file (so nothing needs writing)
    evidence: str = ""


def _default_split(fmt_name: str, folder: Path, source: str) -> str:
    splits = get_format(fmt_name).splits(folder)
    if not splits or "test" in splits:
        return "test"
    if len(splits) == 1:
        return splits[0]
    raise LocalDataError(f"{source}: several splits ({', '.join(splits)}); pass --split")


def open_dataset(path: str | Path, *, fmt: str | None = None, lang: str | None = None,
                 split: str | None = None) -> LocalDataset:
    """Resolve `bench run --dataset PATH [--dataset-format F] [--lang L] [--split S]`."""
    path = Path(path)
    if not path.exists():
        raise LocalDataError(f"{path}: --dataset: no such file or folder")
    desc: Description | None = None
    files: dict[str, str] = {}
    if path.is_file() and path.suffix in (".yaml", ".yml"):
        desc = read_description(path)
        if not desc.path:
            raise LocalDataError(f"{path}: field path: missing (which folder does this description describe?)")
        folder = (path.parent / desc.path).resolve()
        if not folder.is_dir():
            raise LocalDataError(f"{path}: field path: {desc.path} is not a folder")
    elif path.is_file():
        folder, files = path.parent.resolve(), {"file": path.name}
        fmt = fmt or "squad"
    else:
        folder = path.resolve()
        if (folder / DESCRIPTION_FILE).is_file():
            desc = read_description(folder / DESCRIPTION_FILE)
    described = desc is not None
    evidence = "described"
    if desc is None:
        name = fmt
        if name is None:
            name, evidence = detect(folder)
        form = get_format(name)
        desc = Description(kind=form.kind(folder), format=name, name=form.default_name(folder) if not files else Path(files["file"]).stem,
                           lang=form.language(folder) or "en", files=files, ranking=form.ranking(folder))
        desc.split = _default_split(name, folder, str(folder)) if not split else split
    elif fmt and fmt != desc.format:
        desc.format = fmt
    if not desc.format:
        desc.format, evidence = detect(folder)
    desc.name = desc.name or folder.name
    desc.kind = desc.kind or get_format(desc.format).kind(folder)
    get_format(desc.format)            # unknown name: one line
    if lang:
        desc.lang = lang
    if split:
        desc.split = split
    desc.path = str(folder)
    desc = complete(desc, str(folder / DESCRIPTION_FILE) if described else "--dataset")
    only = [folder / desc.files["file"]] if desc.files.get("file") else None
    return LocalDataset(folder, desc, folder_sha(folder, only=only), described, evidence)
