"""`databench.yaml`: the small declarative description that turns a data folder into a task.

    databench: 1                 # description version
    name: my-collection          # dataset name in results (default: the folder's name)
    kind: retrieval              # retrieval | qa | task (muser / webcpm folders: that task's modes)
    format: beir                 # beir | hf | trec | squad (detected when absent)
    lang: en                     # ISO 639-1; picks tokenizer (retrieval) and EM/F1 definition (qa: zh -> CMRC)
    split: test                  # qrels split (retrieval) or QA split/file
    ranking: full                # full (index the corpus) | rerank (each query's own candidate pool)
    metrics: [nDCG@10, MAP, P@10, Recall@100, MRR]
    main_score: nDCG@10
    relevance: 1                 # binary measures (MAP, P, Recall, MRR) count grade >= relevance; nDCG uses grades
    files: {}                    # format-specific file choices (trec: docs/topics/qrels; squad: file)
    path: /data/my-collection    # only in a description written outside its folder

`bench run --dataset` reads the folder's `databench.yaml` when there is one; otherwise it detects the
format, fills in defaults and writes the description next to the results, so the run can be repeated
with `bench run --dataset THAT.yaml`. The same fields become the task's one declared Mode.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from core import read_text
from benchmarks.datasets_local.base import LocalDataError

VERSION = 1
KINDS = ("retrieval", "qa", "task")         # task: a registered task's layout, scored by that task
RANKINGS = ("full", "rerank")
RETRIEVAL_METRICS = ("nDCG@10", "MAP", "P@10", "Recall@100", "MRR")
QA_METRICS = {"squad": ("EM", "F1"), "cmrc": ("EM", "F1", "AVERAGE")}


@dataclass
class Description:
    kind: str = ""               # "" = what the format holds
    format: str = ""             # "" = detect
    name: str = ""               # "" = the folder's name
    lang: str = ""               # "" = the folder's own (card, lang column), else en
    split: str = ""              # "" = test, or the folder's only split
    ranking: str = ""            # "" = the format's (rerank when the folder ships pools)
    metrics: list[str] = field(default_factory=list)
    main_score: str = ""
    relevance: int = 1
    files: dict[str, str] = field(default_factory=dict)
    path: str = ""
    databench: int = VERSION

    @property
    def qa_metric(self) -> str:
        """Which official QA evaluator: CMRC 2018 (character-level) for Chinese, SQuAD v1.1 otherwise."""
        return "cmrc" if self.lang == "zh" else "squad"

    def to_dict(self) -> dict[str, Any]:
        """Fields in a fixed order, empty optional ones left out."""
        out = {"databench": self.databench, "name": self.name, "kind": self.kind, "format": self.format,
               "lang": self.lang, "split": self.split}
        if self.kind == "retrieval":
            out["ranking"] = self.ranking
        if self.kind != "task":
            out.update({"metrics": list(self.metrics), "main_score": self.main_score})
        if self.kind == "retrieval" and self.relevance != 1:
            out["relevance"] = self.relevance
        if self.files:
            out["files"] = dict(self.files)
        if self.path:
            out["path"] = self.path
        return out


def _where(source: str, key: str) -> str:
    return f"{source}: field {key}"


def from_dict(data: Any, source: str) -> Description:
    """Validate a parsed description's fields (`complete` fills defaults); problems name the file and field."""
    if not isinstance(data, dict):
        raise LocalDataError(f"{source}: expected a mapping of fields (kind, format, lang, ...)")
    known = {f.name for f in fields(Description)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise LocalDataError(f"{_where(source, unknown[0])}: unknown field (known: {', '.join(sorted(known))})")
    if data.get("databench", VERSION) != VERSION:
        raise LocalDataError(f"{_where(source, 'databench')}: version {data['databench']!r}, this databench reads {VERSION}")
    for key in ("kind", "format", "name", "lang", "split", "ranking", "main_score", "path"):
        if key in data and not isinstance(data[key], str):
            raise LocalDataError(f"{_where(source, key)}: expected a string, got {type(data[key]).__name__}")
    if "kind" in data and data["kind"] not in KINDS:
        raise LocalDataError(f"{_where(source, 'kind')}: {data.get('kind')!r}, expected one of {', '.join(KINDS)}")
    if "ranking" in data and data["ranking"] not in RANKINGS:
        raise LocalDataError(f"{_where(source, 'ranking')}: {data['ranking']!r}, expected one of {', '.join(RANKINGS)}")
    if "lang" in data and not re.fullmatch(r"[a-z]{2,3}", data["lang"]):
        raise LocalDataError(f"{_where(source, 'lang')}: {data['lang']!r} is not an ISO 639-1 code like en or zh")
    if "relevance" in data and (isinstance(data["relevance"], bool) or not isinstance(data["relevance"], int)
                                or data["relevance"] < 1):
        raise LocalDataError(f"{_where(source, 'relevance')}: expected an integer grade >= 1, got {data['relevance']!r}")
    metrics = data.get("metrics", [])
    if not isinstance(metrics, list) or not all(isinstance(m, str) for m in metrics):
        raise LocalDataError(f"{_where(source, 'metrics')}: expected a list of metric names")
    files = data.get("files", {})
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise LocalDataError(f"{_where(source, 'files')}: expected a mapping of role -> file name")
    return Description(**{k: v for k, v in data.items() if k in known})


def complete(desc: Description, source: str) -> Description:
    """Fill default metrics / main score for the kind; check they are ones we can compute."""
    from benchmarks.metrics import parse_measure

    desc.lang = desc.lang or "en"
    if desc.kind not in KINDS:
        raise LocalDataError(f"{_where(source, 'kind')}: {desc.kind!r}, expected one of {', '.join(KINDS)}")
    if desc.kind == "task":                   # modes, metrics and main score are the registered task's
        if desc.metrics or desc.main_score:
            raise LocalDataError(f"{_where(source, 'metrics')}: a {desc.format} folder is scored with the "
                                 f"registered task's declared modes (pick one with --mode)")
        return desc
    if desc.kind == "qa":
        allowed = QA_METRICS[desc.qa_metric]
        desc.metrics = desc.metrics or list(allowed)
        bad = [m for m in desc.metrics if m not in allowed]
        if bad:
            raise LocalDataError(f"{_where(source, 'metrics')}: {bad[0]!r} is not computed for lang {desc.lang} "
                                 f"(available: {', '.join(allowed)})")
        desc.main_score = desc.main_score or "F1"
    else:
        desc.metrics = desc.metrics or list(RETRIEVAL_METRICS)
        for m in desc.metrics:
            try:
                parse_measure(m)
            except Exception as exc:  # noqa: BLE001 - the parser's reason, as one line
                raise LocalDataError(f"{_where(source, 'metrics')}: {m!r}: {exc}") from None
        desc.main_score = desc.main_score or desc.metrics[0]
    if desc.main_score not in desc.metrics:
        raise LocalDataError(f"{_where(source, 'main_score')}: {desc.main_score!r} is not among metrics "
                             f"({', '.join(desc.metrics)})")
    return desc


def read_description(path: Path) -> Description:
    """Parse and validate a databench.yaml (YAML or JSON)."""
    import yaml

    text = read_text(path, what="databench.yaml", error=LocalDataError)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise LocalDataError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    return from_dict(data, str(path))


def write_description(desc: Description, path: Path) -> Path:
    """Write `desc` as YAML, atomically (what `bench run --dataset` leaves next to its results)."""
    import yaml

    from core import atomic_write_text

    header = "# databench dataset description: `bench run --dataset THIS_FILE` repeats the run\n"
    return atomic_write_text(path, header + yaml.safe_dump(desc.to_dict(), sort_keys=False, allow_unicode=True))
