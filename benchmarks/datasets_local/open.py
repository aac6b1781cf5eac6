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
    source = "--dataset"
    if path.is_file() and path.suffix in (".yaml", ".yml"):
        desc, source = read_description(path), str(path)
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
            desc, source = read_description(folder / DESCRIPTION_FILE), str(folder / DESCRIPTION_FILE)
    described = desc is not None
    desc = desc or Description(files=files)
    evidence = "described"
    if fmt:
        desc.format = fmt                  # --dataset-format wins over the description and detection
    if not desc.format:
        desc.format, evidence = detect(folder)
    form = get_format(desc.format)         # unknown name: one line
    desc.name = desc.name or (Path(files["file"]).stem if files else form.default_name(folder))
    desc.kind = desc.kind or form.kind(folder)
    desc.ranking = desc.ranking or form.ranking(folder)
    desc.lang = lang or desc.lang or form.language(folder) or "en"
    desc.split = split or desc.split or _default_split(desc.format, folder, source)
    desc.path = str(folder)
    desc = complete(desc, source)
    only = [folder / desc.files["file"]] if desc.files.get("file") else None
    return LocalDataset(folder, desc, folder_sha(folder, only=only), described, evidence)
