"""Judge prompts as versioned files (`prompts/<name>.txt`), rendered into chat messages, and verdict parsers.

Why files: a judge's numbers depend on its exact wording, so each result records the sha256 of every
prompt file it used and `bench verify` refuses a judgment whose prompt no longer hashes the same.
File format: `#` comment lines, then `### system`, `### user` and an optional `### grammar` section (a GBNF
grammar sent only with `-p judge_grammar=true`, for llama.cpp servers whose small judges ignore formats).
Placeholders are `{{name}}`, replaced literally (no other braces are special, so answers can hold any text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core import DataError, sha256_bytes

PROMPT_DIR = Path(__file__).resolve().parent / "prompts"
DEFAULT_PROMPTS = {"single": "single-v1", "single-multi": "single-multi-v1",
                   "pair": "pair-v1", "pair-multi": "pair-multi-v1"}
_SECTIONS = ("system", "user", "grammar")


@dataclass(frozen=True)
class JudgePrompt:
    name: str
    sha256: str
    system: str
    user: str
    grammar: str | None

    def render(self, **values: str) -> list[dict[str, str]]:
        """Chat messages with every `{{key}}` replaced; a placeholder left unfilled is a bug, so it raises."""
        def fill(text: str) -> str:
            out = re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)] if m.group(1) in values else m.group(0), text)
            missing = set(re.findall(r"\{\{(\w+)\}\}", text)) - set(values)
            if missing:
                raise DataError(f"judge prompt {self.name}: no value for {{{{{sorted(missing)[0]}}}}}")
            return out
        messages = [{"role": "system", "content": fill(self.system)}] if self.system else []
        return messages + [{"role": "user", "content": fill(self.user)}]


@lru_cache(maxsize=None)
def load_prompt(name: str, directory: str | None = None) -> JudgePrompt:
    """Read `prompts/<name>.txt` (or `directory/<name>.txt`); errors name the file and line."""
    path = Path(directory or PROMPT_DIR) / f"{name}.txt"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in Path(directory or PROMPT_DIR).glob("*.txt")))
        raise DataError(f"judge prompt {name!r}: {path} not found (known: {known})")
    raw = path.read_bytes()
    parts: dict[str, list[str]] = {}
    current: str | None = None
    for lineno, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        head = re.fullmatch(r"### (\w+)\s*", line)
        if head:
            if head.group(1) not in _SECTIONS:
                raise DataError(f"{path}:{lineno}: unknown section {head.group(1)!r} (known: {', '.join(_SECTIONS)})")
            current = head.group(1)
            parts[current] = []
        elif current is not None:
            parts[current].append(line)
        elif line.strip() and not line.startswith("#"):
            raise DataError(f"{path}:{lineno}: text before the first '### section' header")
    if "user" not in parts:
        raise DataError(f"{path}: no '### user' section")
    text = {k: "\n".join(v).strip("\n") for k, v in parts.items()}
    return JudgePrompt(name=name, sha256=sha256_bytes(raw), system=text.get("system", ""), user=text["user"],
                       grammar=text.get("grammar") or None)


_RATING = (re.compile(r"\[\[(\d+(?:\.\d+)?)\]\]"), re.compile(r"\[(\d+(?:\.\d+)?)\]"))
_VERDICT = re.compile(r"\[\[([ABC])\]\]")


def parse_rating(text: str) -> float | None:
    """The 1-10 rating in `[[N]]` (MT-Bench), else in `[N]` (its fallback); None when absent or out of range."""
    for pattern in _RATING:
        found = pattern.findall(text)
        if found:
            value = float(found[-1])
            return value if 1 <= value <= 10 else None
    return None


def parse_verdict(text: str) -> str:
    """"A", "B", "tie" ([[C]]) or "invalid" (no verdict, or conflicting verdicts in one reply)."""
    found = set(_VERDICT.findall(text))
    if len(found) != 1:
        return "invalid"
    return {"A": "A", "B": "B", "C": "tie"}[found.pop()]


def conversation_text(turns: list[str], answers: list[str]) -> str:
    """MT-Bench's multi-turn layout: `### User:` / `### Assistant:` blocks, in order."""
    blocks = []
    for question, answer in zip(turns, answers):
        blocks.append(f"### User:\n{question}\n\n### Assistant:\n{answer}")
    return "\n\n".join(blocks)
