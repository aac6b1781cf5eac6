"""`bench build qasnowball` (the bootstrapping loop) and `bench validate qa` (SQuAD-style records)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from benchmarks.cli.app import build_app, console, stats_app, validate_app


@build_app.command("qasnowball")
def build_qasnowball(
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (rounds, logs, JSONL, SQuAD JSON, HF folder)."),
    preset: Optional[str] = typer.Option(None, "--preset", help="cmrc | xquad-en | xquad-zh (seed + documents)."),
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
    chat: Optional[str] = typer.Option(None, "--chat", help="llm: chat backend kind from builders.llm "
                                       "(openai | transformers | vllm)."),
    chat_model: Optional[str] = typer.Option(None, "--chat-model", help="llm: model name for the chat backend."),
    chat_url: Optional[str] = typer.Option(None, "--chat-url", help="llm: base URL of an OpenAI-compatible server "
                                           "(the API key comes from the environment, see builders.llm)."),
    data_root: Optional[Path] = typer.Option(None, "--data-root", help="Folder holding cmrc2018/ and xquad/ "
                                             "(default: the data registry)."),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
) -> None:
    """Bootstrap QA data from a seed set: S := S0; per round fit, extract, generate, filter, re-seed."""
    from annotation.squad import QADataError
    from builders.common.squad_io import load_qa_file
    from builders.qasnowball.filter import RULES, FilterConfig
    from builders.qasnowball.inputs import load_docs
    from builders.qasnowball.inputs import preset as make_preset
    from builders.qasnowball.loop import SnowballConfig
    from builders.qasnowball.run import build

    if preset:
        root = data_root or _registry_root(preset)
        lang_p, seed_recs, documents, inputs = make_preset(preset, root, seed=seed)
        lang = lang or lang_p
    else:
        if not (seed_file and docs and lang):
            raise QADataError("give --preset, or all of --seed-file, --docs and --lang")
        report = load_qa_file(seed_file)
        if not report.records:
            raise QADataError(f"{seed_file}: no usable seed records ({report.summary()})")
        seed_recs, documents = report.records, load_docs(docs)
        inputs = {"seed": str(seed_file), "docs": str(docs), "seed_load": report.summary()}
    bad = [r for r in no_rule if r not in RULES]
    if bad:
        raise QADataError(f"--no-rule {bad[0]}: unknown rule; known: {', '.join(RULES)}")
    flt = FilterConfig(roundtrip=roundtrip != "off", roundtrip_mode=roundtrip if roundtrip != "off" else "em",
                       f1_threshold=f1_threshold, confidence=min_confidence > 0, min_confidence=min_confidence,
                       **{r: False for r in no_rule})
    options = {k: v for k, v in dict(ae_model=ae_model, qg_model=qg_model, reader_model=reader_model,
                                     epochs=epochs if backend == "hf" else None).items() if v is not None}
    cfg = SnowballConfig(lang=lang, backend=backend, rounds=rounds, docs_per_round=docs_per_round,
                         answers_per_doc=answers_per_doc, questions_per_answer=questions_per_answer,
                         reseed_size=reseed_size, seed=seed, filter=flt, backend_options=options)
    chat_backend = _chat(chat, chat_model, chat_url) if backend == "llm" else None
    res = build(cfg, seed_recs, documents, out, chat=chat_backend, progress=not quiet, log=console.print,
                inputs=inputs)
    from rich.table import Table

    table = Table(title=f"qasnowball {lang} · {backend}", title_justify="left")
    for col in ("round", "|S|", "S0 in S", "docs", "candidates", "questions", "kept", "time s"):
        table.add_column(col, justify="right")
    for r in res["rounds"]:
        table.add_row(str(r["round"]), str(r["seed_size"]), f"{r['s0_in_seed']}/{r['s0_size']}", str(r["docs"]),
                      str(r["candidates"]), str(r["questions"]), str(r["kept"]), f"{r['time_s']['total']:.0f}")
    console.print(table)
    console.print(f"{res['records']} records; next seed set would be {res['final_seed_size']}; files: "
                  + ", ".join(f"{k}={v}" for k, v in res["files"].items()), highlight=False)


def _registry_root(preset: str) -> Path:
    from benchmarks.data import registry

    folder = registry.dataset_dir("cmrc2018" if preset == "cmrc" else "xquad")
    return folder.parent if folder.name in ("cmrc2018", "xquad") else _split_root(preset, folder)


def _split_root(preset: str, folder: Path) -> Path:
    """The cache layout may not be <root>/<name>/: link the one folder under a temp root."""
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="qasnowball-data-"))
    (root / ("cmrc2018" if preset == "cmrc" else "xquad")).symlink_to(folder)
    return root


def _chat(name: str | None, model: str | None, base_url: str | None = None):
    """A chat backend from builders.llm (`create_backend(kind, model, **opts)`, built by the UltraChat work)."""
    from annotation.squad import QADataError
    import builders.llm as llm

    create = getattr(llm, "create_backend", None)
    if create is None:
        raise QADataError("backend llm: no chat backends are installed in builders.llm yet")
    if not name or not model:
        raise QADataError(f"backend llm needs --chat KIND and --chat-model NAME; kinds: {', '.join(llm.available())}")
    return create(name, model, **({"base_url": base_url} if base_url else {}))


@validate_app.command("qa")
def validate_qa(path: Path = typer.Argument(..., help="Flat JSONL or nested SQuAD JSON."),
                max_shown: int = typer.Option(20, "--max", help="Issues to print.")) -> None:
    """Check SQuAD-style QA records: required fields, context[s:s+len(a)] == a, unique ids."""
    from annotation.floor import require_file
    from annotation.squad import QADataError, validate_path

    issues = validate_path(require_file(path, "QA file", error=QADataError))   # nothing to validate: exit 2
    for issue in issues[:max_shown]:
        console.print(str(issue), highlight=False, soft_wrap=True)
    if len(issues) > max_shown:
        console.print(f"... and {len(issues) - max_shown} more", highlight=False)
    if issues:
        console.print(f"[red]{len(issues)} issue(s)[/] in {path}", highlight=False)
        raise typer.Exit(1)
    console.print(f"[green]ok[/]: {path}", highlight=False)


@stats_app.command("qasnowball")
def stats_qasnowball(folder: Path = typer.Argument(..., help="A `bench build qasnowball` output folder."),
                     as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables.")) -> None:
    """Per round: |S|, S0 kept, stage counts, filter rejections by rule, answer types, lengths."""
    from rich.table import Table

    from builders.qasnowball.stats import build_stats

    st = build_stats(folder)
    if as_json:
        console.print_json(json.dumps(st, ensure_ascii=False))
        return
    table = Table(title=f"qasnowball · {folder}", title_justify="left")
    for col in ("round", "|S|", "S0 in S", "questions", "kept", "rejected by rule", "answer types", "q / a len"):
        table.add_column(col)
    for r in st["rounds"]:
        rej = ", ".join(f"{k} {v}" for k, v in r["rejected"].items() if v)
        types = ", ".join(f"{k} {v}" for k, v in list(r["answer_types"].items())[:4])
        table.add_row(str(r["round"]), str(r["seed_size"]), f"{r['s0_in_seed']}/{r['s0_size']}", str(r["questions"]),
                      str(r["kept"]), rej, types,
                      f"{r['mean_question_len']:.1f} / {r['mean_answer_len']:.1f} {r['len_unit']}")
    console.print(table)
