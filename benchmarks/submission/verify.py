"""`bench verify submission.zip`: re-check a received package before anything in it is trusted.

Order matters: the archive is inspected without extracting (names, types, sizes, compression
ratio), then every member is read with a size cap and hashed against the manifest, and only then
are results parsed and re-scored from their run files (benchmarks.submission.checks).
Members are written by us into a fresh temp folder under checked names, never with extractall.
"""
from __future__ import annotations

import hashlib
import re
import stat
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from benchmarks.results import Result, ResultError, result_from_dict
from core import parse_json, require_file
from benchmarks.submission import SubmissionError, format_problems
from benchmarks.submission.checks import Rescorer, check_data_dirs, check_result
from benchmarks.submission.package import FORMAT, FORMAT_VERSION, MANIFEST, MAX_MEMBER_BYTES

_ALLOWED = re.compile(r"^(results|runs)/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$")


@dataclass(frozen=True)
class Limits:
    """Caps against zip bombs and oversized uploads (MTEB's results repo caps files at 10 MB)."""

    max_archive_bytes: int = 256 << 20
    max_member_bytes: int = MAX_MEMBER_BYTES
    max_total_bytes: int = 512 << 20
    max_members: int = 2000
    max_ratio: float = 200.0          # uncompressed / compressed, above 1 MiB


@dataclass
class Accepted:
    result: Result
    entry: dict[str, Any]


@dataclass
class Report:
    path: Path
    accepted: list[Accepted] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def unsafe_name_reason(name: str) -> str | None:
    """Why an archive member name is unsafe (absolute, `..`, backslash, drive), or None."""
    if not name:
        return "empty name"
    if "\\" in name:
        return "backslash in path"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "absolute path"
    if any(part in ("..", ".", "") for part in name.rstrip("/").split("/")):
        return "path traversal ('..' or empty component)"
    if any(ord(c) < 32 for c in name):
        return "control character in name"
    return None


def inspect_members(zf: zipfile.ZipFile, limits: Limits, label: str) -> list[str]:
    """Structural problems found from the central directory alone, before reading any data."""
    problems: list[str] = []
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        return [f"{label}: {len(infos)} members (limit {limits.max_members})"]
    names: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        reason = unsafe_name_reason(name)
        if reason:
            problems.append(f"{label}: member {name!r}: {reason}")
            continue
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            problems.append(f"{label}: member {name}: symbolic link")
            continue
        if info.is_dir():
            continue
        if name in names:
            problems.append(f"{label}: member {name}: duplicate name")
        names.add(name)
        if name != MANIFEST and not _ALLOWED.match(name):
            problems.append(f"{label}: member {name}: unexpected path (only {MANIFEST}, results/<task>/<file>, "
                            f"runs/<task>/<file>)")
        if info.file_size > limits.max_member_bytes:
            problems.append(f"{label}: member {name}: {info.file_size} bytes, over the "
                            f"{limits.max_member_bytes}-byte limit per file")
        if info.file_size > (1 << 20) and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            problems.append(f"{label}: member {name}: compression ratio "
                            f"{info.file_size / max(info.compress_size, 1):.0f}:1 (zip bomb?)")
        total += info.file_size
    if total > limits.max_total_bytes:
        problems.append(f"{label}: {total} bytes uncompressed, over the {limits.max_total_bytes}-byte limit")
    if MANIFEST not in names:
        problems.append(f"{label}: no {MANIFEST}")
    return problems


def _read_capped(zf: zipfile.ZipFile, name: str, cap: int) -> bytes:
    with zf.open(name) as f:
        data = f.read(cap + 1)
    if len(data) > cap:
        raise SubmissionError(f"member {name}: more than {cap} bytes")
    return data


def _check_manifest(manifest: Any, members: dict[str, bytes], label: str) -> list[str]:
    if not isinstance(manifest, dict):
        return [f"{label}: {MANIFEST}: expected a JSON object"]
    problems: list[str] = []
    if manifest.get("format") != FORMAT:
        problems.append(f"{label}: {MANIFEST}: field format: expected {FORMAT!r}, got {manifest.get('format')!r}")
    if manifest.get("format_version") != FORMAT_VERSION:
        problems.append(f"{label}: {MANIFEST}: field format_version: expected {FORMAT_VERSION}, "
                        f"got {manifest.get('format_version')!r}")
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        return problems + [f"{label}: {MANIFEST}: field files: expected an object"]
    for name in sorted(set(members) - set(listed)):
        problems.append(f"{label}: member {name}: not listed in {MANIFEST}")
    for name in sorted(set(listed) - set(members)):
        problems.append(f"{label}: {MANIFEST}: field files.{name}: listed but not in the archive")
    for name in sorted(set(listed) & set(members)):
        meta = listed[name] if isinstance(listed[name], dict) else {}
        digest = hashlib.sha256(members[name]).hexdigest()
        if meta.get("sha256") != digest:
            problems.append(f"{label}: member {name}: sha256 {digest[:12]}... does not match {MANIFEST} "
                            f"({str(meta.get('sha256'))[:12]}...): file changed after packing")
        if meta.get("bytes") != len(members[name]):
            problems.append(f"{label}: member {name}: {len(members[name])} bytes but {MANIFEST} says "
                            f"{meta.get('bytes')!r}")
    entries = manifest.get("entries")
    if not isinstance(entries, list) or not entries:
        problems.append(f"{label}: {MANIFEST}: field entries: expected a non-empty list")
    return problems


def verify(path: str | Path, *, rescore: bool = True, rescorer: Rescorer | None = None,
           check_dataset_sha: bool = True, limits: Limits = Limits(),
           data_dirs: Mapping[str, Path] | None = None) -> Report:
    """Every reason to reject the package at `path`; `rescore=False` stops after hashes + schema.

    `data_dirs` ({dataset: folder}): where results scored with `bench run --data-dir` are re-scored."""
    path = Path(path)
    report = Report(path)
    label = path.name
    require_file(path, "submission zip", error=SubmissionError)
    if path.stat().st_size > limits.max_archive_bytes:
        report.problems.append(f"{label}: {path.stat().st_size} bytes, over the {limits.max_archive_bytes}-byte "
                               f"limit for a submission")
        return report
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        report.problems.append(f"{label}: not a zip archive ({exc})")
        return report
    with zf:
        report.problems.extend(inspect_members(zf, limits, label))
        if report.problems:
            return report
        members: dict[str, bytes] = {}
        try:
            for info in zf.infolist():
                if not info.is_dir():
                    members[info.filename] = _read_capped(zf, info.filename, limits.max_member_bytes)
        except (SubmissionError, zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
            # CRC errors, encrypted members and unsupported compression methods land here
            report.problems.append(f"{label}: {exc}")
            return report
    try:
        manifest = parse_json(members.pop(MANIFEST), source=f"{label}: {MANIFEST}", error=SubmissionError)
    except SubmissionError as exc:
        report.problems.append(str(exc))
        return report
    report.problems.extend(_check_manifest(manifest, members, label))
    if report.problems:
        return report

    if data_dirs:                     # a --data-dir no result of the archive uses is a typo, refused up front
        check_data_dirs(data_dirs, [_dataset_of(members.get(e.get("result"))) for e in manifest["entries"]
                                    if isinstance(e, dict) and isinstance(e.get("result"), str)])
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as tmp:
        root = Path(tmp)
        for name, blob in members.items():       # names already checked: relative, no '..'
            target = root / PurePosixPath(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob)
        for i, entry in enumerate(manifest["entries"]):
            where = f"{label}: {MANIFEST}: field entries[{i}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("result"), str):
                report.problems.append(f"{where}: expected an object with 'result' and 'run'")
                continue
            result_name = entry["result"]
            if result_name not in members:
                report.problems.append(f"{where}.result: {result_name} not in the archive")
                continue
            member_label = f"{label}:{result_name}"
            try:
                result = result_from_dict(parse_json(members[result_name], source=member_label, error=ResultError),
                                          source=member_label)
            except ResultError as exc:
                report.problems.append(str(exc))
                continue
            if result.run_file != entry.get("run") or result.run_file not in members:
                report.problems.append(f"{member_label}: field run_file: {result.run_file!r} is not the "
                                       f"entry's run {entry.get('run')!r} in the archive")
                continue
            if rescore:
                problems = check_result(result, root / PurePosixPath(result.run_file), label=member_label,
                                        rescorer=rescorer, check_dataset_sha=check_dataset_sha,
                                        data_dirs=data_dirs)
            else:
                digest = hashlib.sha256(members[result.run_file]).hexdigest()
                problems = [] if digest == result.run_sha256 else [
                    f"{member_label}: field run_sha256: does not match {result.run_file}"]
            report.problems.extend(problems)
            if not problems:
                report.accepted.append(Accepted(result, entry))
    return report


def _dataset_of(blob: bytes | None) -> str | None:
    """The `dataset` field of a result member, or None when it cannot be read (the full check says why)."""
    try:
        data = parse_json(blob or b"", source="result", error=ResultError)
    except ResultError:
        return None
    return data.get("dataset") if isinstance(data, dict) else None


def verify_or_raise(path: str | Path, **kwargs: Any) -> Report:
    report = verify(path, **kwargs)
    if not report.ok:
        raise SubmissionError(format_problems(f"{Path(path).name} rejected ({len(report.problems)} problem(s))",
                                              report.problems), report.problems)
    return report
