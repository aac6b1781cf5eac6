"""`bench submit RESULTS_DIR --out submission.zip`: check every result, then pack it with its run.

Layout of the zip (flat, predictable, nothing outside these two folders but the manifest):
    manifest.json                         format, versions, entries, sha256 + size of every file
    results/<task>/<model>.json           the result, its `run_file` rewritten to the archive path
    runs/<task>/<model>.<ext>             the run (TREC) or predictions file, byte for byte
Nothing is written unless every result passes: the zip is built in a temp file and renamed in.
"""
from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from benchmarks.results import Result, ResultError, load_result, package_version
from core import atomic_output, read_json, sha256_bytes, sha256_file
from benchmarks.submission import SubmissionError, format_problems
from benchmarks.submission.checks import Rescorer, check_data_dirs, check_result, mode_used
from benchmarks.submission.publish import Submitter, publishable, publishable_run

MANIFEST = "manifest.json"
FORMAT = "databench-submission"
FORMAT_VERSION = 1
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)   # reproducible archives: same inputs, same bytes
MAX_MEMBER_BYTES = 64 << 20           # = verify.Limits.max_member_bytes: never pack what verify refuses


@dataclass
class Candidate:
    path: Path                 # the result JSON on disk
    result: Result
    run_path: Path | None      # the run file it points at, resolved


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-") or "model"


def _looks_like_result(data: Any) -> bool:
    """A result, or what is left of one: `schema_version` with any of the fields every result has (a
    predictions file is {id: answer} and never holds `schema_version`)."""
    return isinstance(data, dict) and "schema_version" in data and bool({"task", "main_score", "metrics"} & set(data))


def resolve_run(result_path: Path, run_file: str | None) -> Path | None:
    """A result's run file: absolute, next to the result, relative to the cwd, or by name beside it."""
    if not run_file:
        return None
    raw = Path(run_file)
    for candidate in (raw, result_path.parent / raw, Path.cwd() / raw, result_path.parent / raw.name):
        if candidate.is_file():
            return candidate
    return None


def _referenced_runs(results_dir: Path, paths: list[Path]) -> set[Path]:
    """Run files the readable results point at (a predictions JSON is such a file, not a result)."""
    runs: set[Path] = set()
    for path in paths:
        try:
            data = read_json(path, what="JSON file", error=ResultError)
        except ResultError:
            continue
        if _looks_like_result(data) and isinstance(data.get("run_file"), str):
            run = resolve_run(path, data["run_file"])
            if run is not None:
                runs.add(run.resolve())
    return runs


def find_results(results_dir: Path) -> tuple[list[Candidate], list[str]]:
    """Result files under `results_dir` and, one per file, the reason a file cannot be read as one.

    Every `*.json` is either a result, a run file a result points at (predictions), or other JSON that
    parses; a JSON file that does not parse (cut off, not UTF-8, NaN) could be any of them, most often a
    result whose write was interrupted, so it is a problem naming it, never a silent skip."""
    if not results_dir.exists():
        raise SubmissionError(f"{results_dir}: results folder not found")
    if not results_dir.is_dir():
        raise SubmissionError(f"{results_dir}: not a folder (give the folder `bench run -o` wrote into)")
    found: list[Candidate] = []
    problems: list[str] = []
    paths = sorted(results_dir.rglob("*.json"))
    runs: set[Path] | None = None
    for path in paths:
        try:
            data = read_json(path, what="JSON file", error=ResultError)
        except ResultError as exc:
            if runs is None:
                runs = _referenced_runs(results_dir, paths)
            if path.resolve() not in runs:       # a broken run file is refused by its result's re-score
                problems.append(f"{exc} (not readable as a result)")
            continue
        if not _looks_like_result(data):
            continue
        try:
            result = load_result(path)
        except ResultError as exc:
            problems.append(str(exc))
            continue
        found.append(Candidate(path, result, resolve_run(path, result.run_file)))
    return found, problems


def _entry_names(result: Result, run_path: Path, taken: set[str]) -> tuple[str, str]:
    base = f"{_slug(result.task)}/{_slug(result.model.name)}"
    stem, n = base, 1
    while f"results/{stem}.json" in taken:
        n += 1
        stem = f"{base}-{n}"
    ext = run_path.suffix if run_path.suffix else (".json" if result.run_format == "predictions" else ".trec")
    return f"results/{stem}.json", f"runs/{stem}{ext}"


def pack(results_dir: str | Path, out: str | Path, *, rescorer: Rescorer | None = None,
         check_dataset_sha: bool = True, data_dirs: Mapping[str, Path] | None = None,
         on_result: Callable[[Candidate], None] | None = None,
         submitter: Submitter | None = None, skip_bad: bool = False,
         on_skip: Callable[[str], None] | None = None) -> tuple[Path, list[dict[str, Any]]]:
    """Check every result under `results_dir` and write `out` (zip); raise SubmissionError otherwise.

    `data_dirs` ({dataset: folder}): where results scored with `bench run --data-dir` are re-scored.
    `submitter` names the model (`--model-name/--model-url/--org`); local paths are scrubbed (publish.py).
    A file that cannot be read as a result is a problem; with `skip_bad` it is left out instead and
    `on_skip(reason)` is called for each (the CLI lists them), but never silently."""
    results_dir, out = Path(results_dir), Path(out)
    candidates, problems = find_results(results_dir)
    check_data_dirs(data_dirs, {c.result.dataset for c in candidates})
    if skip_bad and problems:
        for reason in problems:
            if on_skip:
                on_skip(reason)
        if not candidates:
            raise SubmissionError(format_problems(f"{results_dir}: nothing to pack, every result was skipped "
                                                  f"({len(problems)})", problems), problems)
        problems = []
    if not candidates and not problems:
        raise SubmissionError(f"{results_dir}: no result JSON files found (run `bench run TASK` first)")
    for cand in candidates:
        label = str(cand.path)
        if cand.result.run_file and cand.run_path is None:
            problems.append(f"{label}: field run_file: {cand.result.run_file} not found")
            continue
        if cand.run_path is not None and cand.run_path.stat().st_size > MAX_MEMBER_BYTES:
            problems.append(f"{label}: field run_file: {cand.run_path} is {cand.run_path.stat().st_size} bytes, "
                            f"over the {MAX_MEMBER_BYTES}-byte limit `bench verify` enforces per file")
            continue
        problems.extend(check_result(cand.result, cand.run_path, label=label, rescorer=rescorer,
                                     check_dataset_sha=check_dataset_sha, data_dirs=data_dirs))
        if on_result:
            on_result(cand)
    if problems:
        raise SubmissionError(format_problems(f"refusing to pack {results_dir} ({len(problems)} problem(s))",
                                              problems), problems)

    modes = {id(cand): mode_used(cand.result, data_dirs) for cand in candidates}
    files: dict[str, bytes] = {}
    entries: list[dict[str, Any]] = []
    for cand in candidates:
        assert cand.run_path is not None
        result_name, run_name = _entry_names(cand.result, cand.run_path, set(files))
        # the one place a result and its run are made publishable: local paths and endpoints scrubbed
        data = publishable(cand.result.to_dict(), cand.path.parent, submitter)
        data["run_file"] = run_name
        files[run_name] = publishable_run(cand.run_path, cand.path.parent)
        data["run_sha256"] = _sha_bytes(files[run_name])           # = the result's own unless the meta was scrubbed
        data["mode"] = modes[id(cand)]                              # a pre-v3 result: the mode it was checked in
        files[result_name] = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        entries.append({"task": cand.result.task, "model": cand.result.model.name, "mode": data["mode"],
                        "main_score": cand.result.main_score, "result": result_name, "run": run_name,
                        "run_sha256": data["run_sha256"]})
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "databench_version": package_version(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "entries": entries,
        "files": {name: {"sha256": _sha_bytes(blob), "bytes": len(blob)} for name, blob in sorted(files.items())},
    }
    files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    write_zip(files, out)
    return out, entries


def _sha_bytes(blob: bytes) -> str:
    return sha256_bytes(blob)


def write_zip(files: dict[str, bytes], out: Path) -> Path:
    """Write `files` ({archive name: bytes}) to `out` atomically, manifest first, fixed timestamps."""
    with atomic_output(out, binary=True) as f, zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files, key=lambda n: (n != MANIFEST, n)):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return out


__all__ = ["pack", "find_results", "resolve_run", "write_zip", "MANIFEST", "FORMAT", "FORMAT_VERSION",
           "sha256_file"]
