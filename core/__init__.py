"""core: the ground floor every room stands on (annotation, engines, retrieval, builders, benchmarks, bench).

Reading and writing user files safely, and failing in one line. It imports nothing of ours, so any
room can use it without an import circle:

- `errors`: `UserError`, the one base of every error the CLI prints as one line (exit 2);
- `atomic`: the one atomic writer (temp file in the same folder, fsync, mode 0644-by-umask, rename;
  the temp file is removed on any error) and `atomic_folder` for whole folders;
- `lines`: streaming UTF-8 lines (BOM dropped, bad bytes named by line), under `jsonl` and TREC;
- `jsonl`: the one JSONL reader (line-exact errors, BOM/CRLF tolerant, strict JSON: no NaN);
- `hashing`: sha256 of bytes, text, files and canonical JSON;
- `optional`: `require(module, pip_spec, why)`, the one import of an optional package (one-line error);
- `checkpointed` (import it by name): `CheckpointedJsonl`, an append-only JSONL file that is its own
  checkpoint (the builders' jobs and the judge's cache).
"""
from core.atomic import (atomic_folder, atomic_output, atomic_write_bytes, atomic_write_json,
                         atomic_write_jsonl, atomic_write_text)
from core.errors import DataError, UserError, require_file
from core.hashing import canonical_json, sha256_bytes, sha256_file, sha256_json, sha256_text, sha256_tree
from core.lines import iter_lines
from core.jsonl import iter_jsonl, parse_json, read_json, read_jsonl, read_text, scan_jsonl
from core.optional import MissingDependency, missing, require

__all__ = [
    "UserError", "DataError", "require_file",
    "atomic_write_text", "atomic_write_bytes", "atomic_write_json", "atomic_write_jsonl", "atomic_output",
    "atomic_folder",
    "iter_lines", "read_jsonl", "iter_jsonl", "scan_jsonl", "read_json", "parse_json", "read_text",
    "sha256_bytes", "sha256_text", "sha256_file", "sha256_json", "sha256_tree", "canonical_json",
    "MissingDependency", "require", "missing",
]
