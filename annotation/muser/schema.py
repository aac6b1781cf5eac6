"""MUSER's legal-element label schema and record types.

The schema is three files, `legal_items/{aqbq,zyjd,ft}.json`, each `{levelN: {label: id}}`:
legal fact (aqbq, 案情标签, annotated on 本院查明 sentences), dispute focus (zyjd, 争议焦点, on 本院认为
sentences) and law statute (ft, 法条: level1 = law, level2 = `<law>-第N条`).

Quirks handled on purpose (not by accident):
- a label string does not tell its level: names are shared across levels (aqbq: 1 name L1/L2 and
  26 names L2/L3; zyjd: 3 names L2/L3), so every lookup is per (view, level);
  `LabelSchema.shared_names` lists them;
- aqbq level 3 holds `"以股抵债 "` with a trailing space. The exact key is canonical; the stripped
  form is accepted as an alias (`canonical()`), and validators report it as a warning;
- only ft carries parent links (the part of an article key before the last `-` is its law).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from core import UserError, read_json

VIEWS: dict[str, dict[str, str]] = {
    "aqbq": {"name": "legal fact", "zh": "案情标签", "section": "本院查明"},
    "zyjd": {"name": "dispute focus", "zh": "争议焦点", "section": "本院认为"},
    "ft": {"name": "law statute", "zh": "法条", "section": "法条"},
}
"""view key -> its English name, the Chinese key used in case records, and the text section it labels."""

LABEL_KEY_TO_VIEW = {"案情标签": "aqbq", "争议焦点": "zyjd"}

VIEW_WEIGHTS = {"aqbq": 0.5, "zyjd": 0.4, "ft": 0.1}
"""Paper §4.2: weights of the three views in the legal-element similarity."""

VIEW_SCORES = {"aqbq": (0, 1, 2, 3), "zyjd": (0, 1, 3), "ft": (0, 2)}
"""Paper Table 1: allowed per-view similarity grades; the pair score is their sum (0-8)."""

STATUTE_RE = re.compile(r"^(?P<law>.+)-(?P<article>第[零〇一二三四五六七八九十百千0-9]+条(?:之[一二三四五六七八九十]+)?)$")


class SchemaError(UserError, ValueError):
    """The schema folder itself cannot be read (missing file, not JSON, wrong shape)."""


def statute_key(law: str, article: str) -> str:
    return f"{law}-{article}"


@dataclass
class LabelSchema:
    """The three label files, with per-level lookups (a name alone does not give its level)."""

    levels: dict[str, dict[str, dict[str, int]]]     # view -> level -> {label: id}
    source: str = ""
    aliases: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (view, level, stripped) -> key

    def __post_init__(self) -> None:
        for view, lv in self.levels.items():
            for level, labels in lv.items():
                for key in labels:
                    if key != key.strip():
                        self.aliases[(view, level, key.strip())] = key

    @classmethod
    def load(cls, folder: str | Path) -> "LabelSchema":
        folder = Path(folder)
        levels: dict[str, dict[str, dict[str, int]]] = {}
        for view in VIEWS:
            path = folder / f"{view}.json"
            if not path.exists():
                raise SchemaError(f"{path}: label schema file missing")
            data = read_json(path, what="label schema file", error=SchemaError)
            if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
                raise SchemaError(f"{path}: expected {{levelN: {{label: id}}}}")
            levels[view] = {lvl: {str(k): v for k, v in labels.items()} for lvl, labels in data.items()}
        return cls(levels, source=str(folder))

    def level_names(self, view: str) -> list[str]:
        return list(self.levels[view])

    def labels(self, view: str, level: str) -> dict[str, int]:
        return self.levels[view][level]

    def canonical(self, view: str, level: str, label: str) -> str | None:
        """The schema key for `label` at (view, level): exact match, else the whitespace alias."""
        table = self.levels.get(view, {}).get(level, {})
        if label in table:
            return label
        return self.aliases.get((view, level, label.strip()))

    def levels_of(self, view: str, label: str) -> list[str]:
        """Every level of `view` that has this name (names are not unique across levels)."""
        return [lvl for lvl in self.levels.get(view, {}) if self.canonical(view, lvl, label) is not None]

    def shared_names(self, view: str) -> dict[str, list[str]]:
        """Names that occur at more than one level of a view (a known quirk of the real schema)."""
        seen: dict[str, list[str]] = {}
        for lvl, labels in self.levels[view].items():
            for key in labels:
                seen.setdefault(key, []).append(lvl)
        return {k: v for k, v in seen.items() if len(v) > 1}

    def statute_parent(self, key: str) -> str | None:
        """The law of an article key (`<law>-第N条`), or None if the key is not of that form."""
        m = STATUTE_RE.match(key)
        return m.group("law") if m else None

    def level_weights(self, view: str) -> dict[str, float]:
        """Labels in the level / labels in the view (the MUSER legal-element model's weights)."""
        sizes = {lvl: len(labels) for lvl, labels in self.levels[view].items()}
        total = sum(sizes.values())
        return {lvl: n / total for lvl, n in sizes.items()}

    def to_dict(self) -> dict[str, Any]:
        return self.levels


@dataclass
class SentenceAnnotation:
    """One labelled sentence: `sentence` indexes the view's section; `labels` is a path level1[, 2[, 3]]."""

    sentence: int
    labels: list[str]


@dataclass
class Statute:
    law: str       # 法律
    article: str   # 序号, e.g. 第二十六条

    @property
    def key(self) -> str:
        return statute_key(self.law, self.article)


@dataclass
class CaseRecord:
    """One case of `cases_pool.json` (documented keys: uid, caseID, content, labels, split_labels)."""

    uid: str
    case_id: str
    facts: list[str]                     # content.本院查明
    opinion: list[str]                   # content.本院认为
    statutes: list[Statute]              # content.法条
    sentence_labels: dict[str, list[SentenceAnnotation]]   # view (aqbq/zyjd) -> annotations
    split_labels: dict[str, dict[str, list[str]]]          # view -> levelN -> labels

    @property
    def text(self) -> str:
        """What the MUSER baselines index: findings of fact followed by the court's opinion."""
        return "".join(self.facts) + "".join(self.opinion)

    def element_sets(self) -> dict[str, dict[str, set[str]]]:
        """view -> level -> set of labels, statutes included (ft level1 = laws, level2 = articles)."""
        out: dict[str, dict[str, set[str]]] = {v: {lvl: set(x) for lvl, x in lv.items()}
                                                for v, lv in self.split_labels.items()}
        out["ft"] = {"level1": {s.law for s in self.statutes}, "level2": {s.key for s in self.statutes}}
        return out

    @classmethod
    def from_dict(cls, key: str, raw: dict[str, Any]) -> "CaseRecord":
        """Parse a record already checked by `annotation.muser.validate` (no checks here)."""
        content = raw.get("content", {})
        sent: dict[str, list[SentenceAnnotation]] = {}
        for zh, view in LABEL_KEY_TO_VIEW.items():
            sent[view] = [SentenceAnnotation(int(a["sentence"]), list(a["labels"]))
                          for a in (raw.get("labels") or {}).get(zh, [])]
        return cls(
            uid=str(raw.get("uid", key)), case_id=str(raw.get("caseID", "")),
            facts=list(content.get("本院查明", [])), opinion=list(content.get("本院认为", [])),
            statutes=[Statute(str(s["法律"]), str(s["序号"])) for s in content.get("法条", [])],
            sentence_labels=sent,
            split_labels={v: {lvl: list(x) for lvl, x in lv.items()}
                          for v, lv in (raw.get("split_labels") or {}).items()},
        )

    def to_dict(self) -> dict[str, Any]:
        zh = {v: k for k, v in LABEL_KEY_TO_VIEW.items()}
        return {
            "uid": self.uid, "caseID": self.case_id,
            "content": {"本院查明": self.facts, "本院认为": self.opinion,
                        "法条": [{"法律": s.law, "序号": s.article} for s in self.statutes]},
            "labels": {zh[v]: [{"sentence": a.sentence, "labels": a.labels} for a in anns]
                       for v, anns in self.sentence_labels.items()},
            "split_labels": self.split_labels,
        }
