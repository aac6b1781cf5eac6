"""Shared plumbing of the WebCPM tasks: gold instances, prediction files, HF generation.

Gold comes either from the released `inference/output/test_output.json` (action task) or
from a folder written by `bench build webcpm-tasks` (`<task>/<split>.jsonl`, via --data-dir).
Predictions are JSONL `{"id", "prediction"}`, or the released format
(`{"instance": [{"source"}], "answer", "decode_tokens"}`), or generated with --model.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import atomic_write_jsonl, sha256_file
from core import iter_jsonl as floor_iter_jsonl
from core import read_jsonl as floor_read_jsonl
from benchmarks.tasks.base import RunOptions, TaskError
from engines.devices import pick_device

RELEASED = Path("inference/output/test_output.json")


@dataclass
class Gold:
    id: str
    source: str
    target: str


def webcpm_dir(options: RunOptions) -> Path:
    if options.data_dir is not None:
        return Path(options.data_dir)
    from benchmarks.data.registry import dataset_dir

    return Path(dataset_dir("webcpm"))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return floor_read_jsonl(path, error=TaskError)


def released_rows(path: Path) -> list[Gold]:
    """`test_output.json` rows -> gold (id = 1-based line number)."""
    out = []
    for n, row in enumerate(read_jsonl(path), 1):
        try:
            out.append(Gold(id=str(n), source=row["instance"][0]["source"], target=row["answer"]))
        except (KeyError, IndexError, TypeError):
            raise TaskError(f"{path}:{n}: field instance[0].source / answer missing") from None
    return out


def load_gold(task: str, options: RunOptions, split: str) -> tuple[list[Gold], Path]:
    """Gold of `task` from a converted folder, else (action only) the released prompts."""
    base = webcpm_dir(options)
    converted = base / task / f"{split}.jsonl"
    if converted.exists():
        gold = []
        for n, row in enumerate(read_jsonl(converted), 1):
            for key in ("id", "source", "target"):
                if not isinstance(row.get(key), str):
                    raise TaskError(f"{converted}:{n}: field {key!r} missing or not a string")
            gold.append(Gold(row["id"], row["source"], row["target"]))
        return gold, converted
    if task == "action" and (base / RELEASED).exists():
        return released_rows(base / RELEASED), base / RELEASED
    raise TaskError(f"no gold for webcpm-{task}: {converted} not found (build one with `bench build webcpm-tasks`)")


def read_predictions(path: Path, gold: list[Gold], task: str = "webcpm",
                     allow_partial: bool = False) -> tuple[dict[str, str], dict[str, Any]]:
    """(id -> prediction, `extra.coverage`). Released-format files are matched to gold by line, and must
    agree on gold; `{"id", "prediction"}` lines must name each gold id at most once (benchmarks.coverage)."""
    from benchmarks import coverage

    numbered = list(floor_iter_jsonl(path, error=TaskError, unique_keys=True))
    rows = [row for _, row in numbered]
    if rows and "decode_tokens" in rows[0]:
        if len(rows) != len(gold):
            raise TaskError(f"{path}: {len(rows)} lines but the gold has {len(gold)}")
        preds = {}
        for n, (row, g) in enumerate(zip(rows, gold), 1):
            if row.get("answer") != g.target:
                raise TaskError(f"{path}:{n}: field answer {row.get('answer')!r} differs from gold {g.target!r}")
            preds[g.id] = str(row.get("decode_tokens", ""))
        found = coverage.predictions_coverage(path, preds, task=task, scored={g.id for g in gold})
        return preds, coverage.check(found, allow_partial=allow_partial)
    for n, row in numbered:
        if not isinstance(row.get("id"), str) or not isinstance(row.get("prediction"), str):
            raise TaskError(f"{path}:{n}: expected fields id (str) and prediction (str)")
    found = coverage.predictions_coverage(path, [row["id"] for row in rows], task=task,
                                          scored={g.id for g in gold}, lines=[n for n, _ in numbered])
    return {row["id"]: row["prediction"] for row in rows}, coverage.check(found, allow_partial=allow_partial)


def generate(model_name: str, sources: list[str], *, device: str | None = None, batch_size: int | None = None,
             max_new_tokens: int = 32, show_progress: bool = True) -> list[str]:
    """Greedy outputs of any HF seq2seq or causal LM (no remote code), one per source."""
    import torch
    from transformers import (AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM,
                              AutoTokenizer)

    device = pick_device(device)
    try:
        config = AutoConfig.from_pretrained(model_name, trust_remote_code=False)
        tok = AutoTokenizer.from_pretrained(model_name, trust_remote_code=False)
    except (OSError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]      # one line: transformers adds a help text
        raise TaskError(f"--model {model_name}: cannot load ({first})") from None
    seq2seq = bool(getattr(config, "is_encoder_decoder", False))
    cls = AutoModelForSeq2SeqLM if seq2seq else AutoModelForCausalLM
    model = cls.from_pretrained(model_name, trust_remote_code=False).to(device).eval()
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token or tok.unk_token
    tok.padding_side = "right" if seq2seq else "left"
    tok.truncation_side = "left"            # a long prompt loses its oldest part, never the final cue
    limit = getattr(tok, "model_max_length", 2048)
    limit = 2048 if not limit or limit > 100_000 else limit
    batch_size = batch_size or 8
    outputs: list[str] = []
    from rich.progress import Progress

    with Progress(disable=not show_progress, transient=True) as bar:
        task = bar.add_task(f"generating ({Path(model_name).name})", total=len(sources))
        for i in range(0, len(sources), batch_size):
            batch = sources[i:i + batch_size]
            enc = tok(batch, return_tensors="pt", padding=True, truncation=True,
                      max_length=limit if seq2seq else max(1, limit - max_new_tokens)).to(device)
            with torch.no_grad():
                out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                                     pad_token_id=tok.pad_token_id)
            if not seq2seq:
                out = out[:, enc["input_ids"].shape[1]:]
            outputs += [t.strip() for t in tok.batch_decode(out, skip_special_tokens=True)]
            bar.advance(task, len(batch))
    return outputs


def param_keys(options: RunOptions) -> tuple[str, ...]:
    """`--param` keys of the WebCPM tasks: none to score a predictions file, `max_new_tokens` to generate."""
    return () if options.predictions is not None else ("max_new_tokens",)


def obtain_predictions(task: str, options: RunOptions, gold: list[Gold]
                       ) -> tuple[dict[str, str], Path | None, str, dict[str, Any] | None]:
    """(predictions, file they are in, model name, `extra.coverage` of a given file) from --predictions
    or --model."""
    if options.predictions is not None:
        if not Path(options.predictions).exists():
            raise TaskError(f"--predictions {options.predictions}: file not found")
        preds, coverage = read_predictions(Path(options.predictions), gold, f"webcpm-{task}", options.allow_partial)
        return preds, Path(options.predictions), "external-predictions", coverage
    if options.model:
        max_new = int(options.params.get("max_new_tokens", 32 if task == "action" else 256))
        texts = generate(options.model, [g.source for g in gold], device=options.device,
                         batch_size=options.batch_size, max_new_tokens=max_new, show_progress=options.show_progress)
        preds = {g.id: t for g, t in zip(gold, texts)}
        path = None
        if options.output is not None:
            path = Path(options.output) / f"webcpm-{task}.{Path(options.model).name}.predictions.jsonl"
            atomic_write_jsonl(path, ({"id": g.id, "prediction": preds[g.id]} for g in gold))
        return preds, path, options.model, None
    raise TaskError(f"webcpm-{task}: give --predictions FILE or --model PATH_OR_NAME")


def dataset_sha(gold_path: Path) -> str:
    """The registry's sha of the webcpm files for the released gold; the file's own sha256 for user data."""
    if gold_path.name == RELEASED.name:
        from benchmarks.data.registry import dataset_sha as registry_sha

        return registry_sha("webcpm")
    return sha256_file(gold_path)
