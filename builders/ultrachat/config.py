"""Every count, list and sampling setting of an UltraChat run, with the paper's values as defaults.

Sources: Ding et al. 2023 (arXiv 2305.14233) §3 and Tables 2-3, the thunlp/UltraChat README (see
shared/docs/ultrachat.md). A run's config is hashed into its manifest, so `--resume` refuses a
changed config.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

from core import read_json
from builders.ultrachat.turn_rules import PLACEHOLDER_CUES, PLACEHOLDER_META_WORDS, ROLE_CONFUSION_PATTERNS

# Paper Table 2 (also thunlp/UltraChat:figures/meta_topic.png): the 30 meta-concepts of Sector 1.
META_CONCEPTS = [
    "Technology", "Health and wellness", "Travel and adventure", "Food and drink", "Art and culture",
    "Science and innovation", "Fashion and style", "Relationships and dating", "Sports and fitness",
    "Nature and the environment", "Music and entertainment", "Politics and current events",
    "Education and learning", "Money and finance", "Work and career", "Philosophy and ethics",
    "History and nostalgia", "Social media and communication", "Creativity and inspiration",
    "Personal growth and development", "Spirituality and faith", "Pop culture and trends",
    "Beauty and self-care", "Family and parenting", "Entrepreneurship and business", "Literature and writing",
    "Gaming and technology", "Mindfulness and meditation", "Diversity and inclusion",
    "Travel and culture exchange",
]

# Paper Table 3 + README figure: the 20 text-material types of Sector 2.
MATERIAL_TYPES = [
    "Articles and Blog Posts", "Job Application Material", "Stories", "Legal Documents and Contracts", "Poems",
    "Educational Content", "Screenplays", "Scripts for Language Learning", "Technical Documents and Reports",
    "Marketing Materials", "Social Media Posts", "Personal Essays", "Emails", "Scientific Papers and Summaries",
    "Speeches and Presentations", "Recipes and Cooking Instructions", "News Articles", "Song Lyrics",
    "Product Descriptions and Reviews", "Programs/Code",
]

# Paper Fig. 4: the 7 templates joining a Sector 3 material and an instruction.
TEMPLATES = [
    "{text}\n{instruction}",
    "{text} {instruction}",
    "{instruction} Answer according to: {text}",
    "{text} Based on the passage above, {instruction}",
    "{instruction}: {text}",
    "Given the text: {text}\n{instruction}",
    "{instruction}\nGenerate according to: {text}",
]


@dataclass
class SamplingConfig:
    temperature: float = 0.7
    top_p: float = 1.0
    max_tokens: int = 1024


@dataclass
class Sector1Config:
    meta_concepts: list[str] = field(default_factory=lambda: list(META_CONCEPTS))
    subtopics_per_concept: tuple[int, int] = (30, 50)   # sampled uniformly per concept
    questions_per_subtopic: int = 10
    expanded_per_question: int = 10
    entities: list[str] = field(default_factory=list)    # user-given (paper: top-10k Wikidata entities)
    meta_questions_per_entity: int = 5
    specific_per_meta_question: int = 10
    extended_per_meta_question: int = 20
    rounds: tuple[int, int] = (3, 7)
    max_openings: int | None = None                      # seeded sample after filtering; None = all


@dataclass
class Sector2Config:
    material_types: list[str] = field(default_factory=lambda: list(MATERIAL_TYPES))
    instructions_per_type: int = 200
    rewrite_fraction: float = 0.8
    rounds: tuple[int, int] = (2, 4)
    max_openings: int | None = None


@dataclass
class Sector3Config:
    materials: str | None = None          # JSONL: {"text", "id"?, "source_url"?, "material_type"?, "license"?}
    instructions_per_material: int = 5
    templates: list[str] = field(default_factory=lambda: list(TEMPLATES))
    max_material_chars: int = 4000
    rounds: tuple[int, int] = (2, 4)
    max_openings: int | None = None


@dataclass
class FilterConfig:
    near_dup_threshold: float = 0.85      # MinHash Jaccard estimate on opening-line word 3-gram shingles
    num_perm: int = 128
    decontam_ngram: int = 5               # #18: the maintainers' 5-gram check, here on normalised tokens
    eval_sets: list[str] = field(default_factory=list)   # extra user sets (JSON/JSONL/TXT) besides ultra_eval
    use_ultra_eval: bool = True
    check_assistant_turns: bool = False   # decontaminate user turns only unless asked
    # user-turn rules (builders/ultrachat/turn_rules.py): unfilled template slots in any user turn (Sector 3:
    # its instruction, not the material) and assistant-only phrases in simulated user turns
    placeholder: bool = True
    placeholder_cues: list[str] = field(default_factory=lambda: list(PLACEHOLDER_CUES))
    placeholder_meta_words: list[str] = field(default_factory=lambda: list(PLACEHOLDER_META_WORDS))
    role_confusion: bool = True
    role_confusion_patterns: list[str] = field(default_factory=lambda: list(ROLE_CONFUSION_PATTERNS))


@dataclass
class UltraChatConfig:
    sectors: list[int] = field(default_factory=lambda: [1, 2, 3])
    seed: int = 0
    sector1: Sector1Config = field(default_factory=Sector1Config)
    sector2: Sector2Config = field(default_factory=Sector2Config)
    sector3: Sector3Config = field(default_factory=Sector3Config)
    seeds_sampling: SamplingConfig = field(default_factory=lambda: SamplingConfig(0.9, 1.0, 1024))
    assistant_sampling: SamplingConfig = field(default_factory=lambda: SamplingConfig(0.7, 1.0, 1024))
    user_sampling: SamplingConfig = field(default_factory=lambda: SamplingConfig(0.9, 1.0, 256))
    list_retries: int = 2                 # extra calls when a list comes back short
    user_retries: int = 2                 # extra user-simulator calls when a turn is rejected
    system_prompt: str | None = None      # assistant side; the paper published none
    license: str = "generated; subject to the generator models' terms"
    filters: FilterConfig = field(default_factory=FilterConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# bounds of the numeric settings (inclusive; None = open): a count below 0 or a fraction above 1 is refused
# when the file is read, not after the first server call
_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "temperature": (0, None), "top_p": (0, 1), "max_tokens": (1, None), "rewrite_fraction": (0, 1),
    "near_dup_threshold": (0, 1), "num_perm": (1, None), "decontam_ngram": (1, None), "max_material_chars": (1, None),
    "list_retries": (0, None), "user_retries": (0, None), "max_openings": (0, None), "seed": (None, None),
}


def _type_name(hint: Any) -> str:
    args = [a for a in get_args(hint) if a is not type(None)]
    if get_origin(hint) in (Union, UnionType):
        return " or ".join(_type_name(a) for a in args) + " or null"
    if get_origin(hint) is list:
        plural = {int: "integers", float: "numbers", str: "strings", bool: "booleans"}
        return f"a list of {plural.get(args[0], str(args[0]))}" if args else "a list"
    return {int: "an integer", float: "a number", str: "a string", bool: "true or false"}.get(hint, str(hint))


def _is_type(value: Any, hint: Any) -> bool:
    """JSON value against a field's type: an int is a valid float, a bool is no number."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, UnionType):
        return any(_is_type(value, a) for a in args)
    if origin is list:
        return isinstance(value, list) and (not args or all(_is_type(v, args[0]) for v in value))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint) if isinstance(hint, type) else True


def _check_value(value: Any, hint: Any, where: str) -> None:
    """`value` must be of the declared type and within the field's bounds; the error names the field (and
    the item of a list)."""
    if not _is_type(value, hint):
        if get_origin(hint) is list and isinstance(value, list):
            i = next(i for i, v in enumerate(value) if not _is_type(v, get_args(hint)[0]))
            raise ValueError(f"{where}[{i}]: expected {_type_name(get_args(hint)[0])}, got {json.dumps(value[i])[:60]}")
        raise ValueError(f"{where}: expected {_type_name(hint)}, got {json.dumps(value)[:60]}")
    name = where.rsplit(".", 1)[-1]
    low, high = _BOUNDS.get(name, (0, None) if int in (hint, *get_args(hint)) else (None, None))
    if isinstance(value, (int, float)) and not isinstance(value, bool) and (
            low is not None and value < low or high is not None and value > high):
        span = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{where}: expected a value {span}, got {value!r}")


def _build(cls: Any, data: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(cls)}
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ValueError(f"{where}: unknown config key {key!r} (known: {', '.join(sorted(known))})")
        default = getattr(cls(), key)
        if is_dataclass(default):
            if not isinstance(value, dict):
                raise ValueError(f"{where}.{key}: expected an object")
            value = _build(type(default), {**asdict(default), **value}, f"{where}.{key}")
        elif isinstance(default, tuple):
            if not (isinstance(value, (list, tuple)) and len(value) == 2
                    and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
                raise ValueError(f"{where}.{key}: expected [min, max] integers, got {value!r}")
            if value[0] > value[1] or value[0] < 1:
                raise ValueError(f"{where}.{key}: need 1 <= min <= max, got {value!r}")
            value = tuple(value)
        else:
            _check_value(value, hints[key], f"{where}.{key}")
        kwargs[key] = value
    return cls(**kwargs)


def config_from_dict(data: dict[str, Any]) -> UltraChatConfig:
    """Defaults overridden by `data` (nested objects merge); unknown keys are errors, not ignored."""
    cfg = _build(UltraChatConfig, data, "config")
    for key in ("placeholder_cues", "placeholder_meta_words", "role_confusion_patterns"):
        val = getattr(cfg.filters, key)
        if not (isinstance(val, list) and all(isinstance(v, str) for v in val)):
            raise ValueError(f"config.filters.{key}: expected a list of strings, got {val!r}")
    for i, pat in enumerate(cfg.filters.role_confusion_patterns):
        try:
            re.compile(pat)
        except (re.error, TypeError) as exc:
            raise ValueError(f"config.filters.role_confusion_patterns[{i}]: not a regex ({exc}): {pat!r}") from None
    bad = [s for s in cfg.sectors if s not in (1, 2, 3)]
    if bad or not cfg.sectors:
        raise ValueError(f"config.sectors: expected a non-empty subset of [1, 2, 3], got {cfg.sectors!r}")
    for i, template in enumerate(cfg.sector3.templates):     # a template is filled only after the server answered
        try:
            filled = template.format(text="\0t", instruction="\0i")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"config.sector3.templates[{i}]: not a template with {{text}} and {{instruction}} "
                             f"({type(exc).__name__}: {exc}): {template!r}") from None
        if "\0t" not in filled or "\0i" not in filled:
            raise ValueError(f"config.sector3.templates[{i}]: needs both {{text}} and {{instruction}}: {template!r}")
    if 3 in cfg.sectors and not cfg.sector3.templates:
        raise ValueError("config.sector3.templates: sector 3 needs at least one template")
    return cfg


def load_config(path: str | Path | None) -> UltraChatConfig:
    if path is None:
        return UltraChatConfig()
    path = Path(path)
    data = read_json(path, what="config file")
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object of settings, got {type(data).__name__}")
    try:
        return config_from_dict(data)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
