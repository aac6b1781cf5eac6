"""`bench build qasnowball` (the bootstrapping loop) and `bench stats qasnowball`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from bench.cli.app import build_app, console, stats_app


@build_app.command("qasnowball")
def build_qasnowball(
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (rounds, logs, JSONL, SQuAD JSON, HF folder)."),
    preset: Optional[str] = typer.Option(None, "--preset", help="cmrc | xquad-en | xquad-zh | xquad-en-3way | xquad-zh-3way."),
    seed_file: Optional[Path] = typer.Option(None, "--seed-file", help="Seed set S0: SQuAD JSON or flat JSONL."),
    docs: Optional[Path] = typer.Option(None, "--docs", help="Documents: JSONL {doc_id,title,context} or a SQuAD file."),
    lang: Optional[str] = typer.Option(None, "--lang", help="en | zh (presets set it)."),
    backend: str = typer.Option("rule", "--backend", help="rule | hf | llm"),
    rounds: int = typer.Option(2, "--rounds"),
    docs_per_round: Optional[int] = typer.Option(None, "--docs-per-round"),
    answers_per_doc: int = typer.Option(5, "--answers-per-doc"),
    questions_per_answer: int = typer.Option(2, "--questions-per-answer"),
    reseed_size: int = typer.Option(500, "--reseed-size", help="m: best generated pairs added to S0 each round."),
    seed: int = typer.Option(0, "--seed"),
    roundtrip: str = typer.Option("em", "--roundtrip", help="em | f1 | off"),
    f1_threshold: float = typer.Option(0.8, "--f1-threshold"),
    min_confidence: float = typer.Option(0.1, "--min-confidence", help="Reader confidence threshold (0 = off)."),
    no_rule: list[str] = typer.Option([], "--no-rule", help="Switch a cheap rule off: length, answer_length, "
                                      "answer_in_question, interrogative, duplicate (repeatable)."),
    ae_model: Optional[str] = typer.Option(None, "--ae-model", help="hf: token-classification checkpoint."),
    qg_model: Optional[str] = typer.Option(None, "--qg-model", help="hf: seq2seq checkpoint."),
    reader_model: Optional[str] = typer.Option(None, "--reader-model", help="hf/llm: extractive QA checkpoint."),
    epochs: int = typer.Option(2, "--epochs", help="hf: epochs per module per round."),
    chat: Optional[str] = typer.Option(None, "--chat", help="llm: chat backend kind from engines.llm "
                                       "(openai | transformers | vllm)."),
    chat_model: Optional[str] = typer.Option(None, "--chat-model", help="llm: model name for the chat backend."),
    chat_url: Optional[str] = typer.Option(None, "--chat-url", help="llm: base URL of an OpenAI-compatible server "
                                           "(the API key comes from the environment, see engines.llm)."),
    data_root: Optional[Path] = typer.Option(None, "--data-root", help="Folder holding cmrc2018/ and xquad/ "
                                             "(default: the data registry)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted build in OUT (same config)."),
    executor: str = typer.Option("local", "--executor", help="Where documents run: local | ray (output is identical)."),
    address: Optional[str] = typer.Option(None, "--address", help="Ray cluster address (e.g. auto, or HOST:6379); default: a local Ray."),
    num_workers: Optional[int] = typer.Option(None, "--num-workers", help="Ray worker processes (default: the cluster's CPUs)."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
    chat_concurrency: Optional[int] = typer.Option(None, "--chat-concurrency", help="llm: requests in flight at "
                                                   "most (openai backend; AIMD below it); documents run as many at once."),
    llm_cache: Optional[Path] = typer.Option(None, "--llm-cache", help="llm: request cache folder, shared by every "
                                             "LLM client (default: $BENCH_LLM_CACHE or ~/.cache/databench/llm)."),
    no_llm_cache: bool = typer.Option(False, "--no-llm-cache", help="llm: send every request (no request cache)."),
    llm_max_tokens: Optional[int] = typer.Option(None, "--llm-max-tokens", help="llm: completion tokens per "
                                                 "question-generation request (default 256)."),
) -> None:
    """Bootstrap QA data from a seed set: S := S0; per round fit, extract, generate, filter, re-seed."""
    from engines.executors import ExecutorSpec
    from engines.llm.spec import BackendSpec
    from builders.qasnowball.run import QASnowballOptions, build_from_options

    chat_spec = None
    if backend == "llm" and chat and chat_model:
        chat_spec = BackendSpec.from_cli(chat, chat_model, shared={"base_url": chat_url, "concurrency": chat_concurrency},
                                         what="--chat-model")
    options = {k: v for k, v in dict(ae_model=ae_model, qg_model=qg_model, reader_model=reader_model,
                                     epochs=epochs if backend == "hf" else None,
                                     llm_max_tokens=llm_max_tokens if backend == "llm" else None).items() if v is not None}
    res = build_from_options(QASnowballOptions(
        out=out, preset=preset, data_root=(data_root or _registry_root(preset)) if preset else None,
        seed_file=seed_file, docs=docs, lang=lang, backend=backend, rounds=rounds, docs_per_round=docs_per_round,
        answers_per_doc=answers_per_doc, questions_per_answer=questions_per_answer, reseed_size=reseed_size,
        seed=seed, roundtrip=roundtrip, f1_threshold=f1_threshold, min_confidence=min_confidence, no_rule=no_rule,
        backend_options=options, chat=chat_spec, resume=resume, progress=not quiet,
        executor=ExecutorSpec(executor, address, num_workers), llm_cache=llm_cache,
        use_cache=False if no_llm_cache else None), log=console.print)
    from rich.table import Table

    table = Table(title=f"qasnowball {res.lang} · {res.backend}", title_justify="left")
    for col in ("round", "|S|", "S0 in S", "docs", "candidates", "questions", "kept", "time s"):
        table.add_column(col, justify="right")
    for r in res.rounds:
        table.add_row(str(r["round"]), str(r["seed_size"]), f"{r['s0_in_seed']}/{r['s0_size']}", str(r["docs"]),
                      str(r["candidates"]), str(r["questions"]), str(r["kept"]), f"{r['time_s']['total']:.0f}")
    console.print(table)
    if res.llm:
        r = res.llm
        console.print(f"llm: {r['requests']} server requests ({r['requests_per_s']:.2f}/s), "
                      f"{r['completion_tokens']} completion tokens ({r['completion_tokens_per_s']:.1f}/s), "
                      f"{r['cache_hits']} cache hits"
                      + (f"; in flight limit {c['limit']}/{c['max']} (lowest {c['lowest']}, +{c['increases']} "
                         f"-{sum(c['decreases'].values())})" if (c := r.get("concurrency")) else ""), highlight=False)
    console.print(f"{res.records} records; next seed set would be {res.final_seed_size}; files: "
                  + ", ".join(f"{k}={v}" for k, v in res.files.items()) + f"; manifest: {res.manifest}",
                  highlight=False)


def _registry_root(preset: str) -> Path:
    """The folder holding cmrc2018/ and xquad/, through the data registry (builders never import it)."""
    from benchmarks.data import registry

    from builders.qasnowball.inputs import PRESETS

    if preset not in PRESETS:
        from annotation.squad import QADataError

        raise QADataError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
    folder = registry.dataset_dir("cmrc2018" if preset == "cmrc" else "xquad")
    return folder.parent if folder.name in ("cmrc2018", "xquad") else _split_root(preset, folder)


def _split_root(preset: str, folder: Path) -> Path:
    """The cache layout may not be <root>/<name>/: link the one folder under a temp root."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="qasnowball-data-"))
    (root / ("cmrc2018" if preset == "cmrc" else "xquad")).symlink_to(folder)
    return root




@stats_app.command("qasnowball")
def stats_qasnowball(folder: Path = typer.Argument(..., help="A `bench build qasnowball` output folder."),
                     as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables.")) -> None:
    """Per round: |S|, S0 kept, stage counts, filter rejections by rule, answer types, lengths."""
    from bench.stats_report import qasnowball_stats

    st, tables = qasnowball_stats(folder)
    if as_json:
        console.print_json(json.dumps(st, ensure_ascii=False))
        return
    for table in tables:
        console.print(table)
