"""MUSER commands: `bench build muser`, `bench tagger train`.

(`bench run muser` and `bench validate muser` are the generic verbs with name `muser`.)
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from bench.cli.app import app, build_app, console

tagger_app = typer.Typer(help="Legal-element tagger (MUSER): train and evaluate.", no_args_is_help=True)
app.add_typer(tagger_app, name="tagger")


def _mirror_muser() -> Path:
    from benchmarks.tasks.muser import default_data_dir

    return default_data_dir()


@build_app.command("muser")
def build_muser(
    cases: Path = typer.Option(..., "--cases", help="cases_pool.json (uid, caseID, content, labels, split_labels)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output dataset folder (replaced atomically)."),
    schema: Optional[Path] = typer.Option(None, "--schema", help="legal_items/ folder (default: real MUSER schema)."),
    queries: list[str] = typer.Option([], "--queries", "-q", help="Query case ids (comma-separated, repeatable)."),
    n_queries: Optional[int] = typer.Option(None, "--n-queries", help="Sample this many query cases (seeded)."),
    source: list[str] = typer.Option(["elements"], "--source", "-s",
                                     help="Pooling source: 'elements' (legal-element model) or a retriever name."),
    depth: int = typer.Option(50, "--depth", help="Top-N of each source that enters the pool."),
    pool_size: int = typer.Option(100, "--pool-size", help="Maximum pool size per query."),
    judgments: Optional[Path] = typer.Option(None, "--judgments", help="judgments.jsonl with per-view grades."),
    test_fraction: float = typer.Option(0.2, "--test-fraction"),
    seed: int = typer.Option(13, "--seed"),
    hf: bool = typer.Option(True, "--hf/--no-hf", help="Also write the HF (MTEB layout) folder under OUT/hf."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted build in OUT (same config)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bars."),
) -> None:
    """Build a MUSER-style dataset: pools, 0-8 multi-view scores, golden labels, split, both layouts."""
    from builders.muser.build import BuildConfig, build_dataset, parse_ids

    cfg = BuildConfig(cases=cases, out_dir=out, schema_dir=schema or _mirror_muser() / "legal_items",
                      queries=parse_ids(queries), n_queries=n_queries, sources=tuple(source), depth=depth,
                      pool_size=pool_size, judgments=judgments, test_fraction=test_fraction, seed=seed, hf=hf,
                      show_progress=not quiet, resume=resume)
    report = build_dataset(cfg)
    table = Table("count", "value")
    for k, v in report.counts.items():
        table.add_row(k, str(v))
    for view, entry in report.build["agreement"].items():
        if isinstance(entry, dict):
            table.add_row(f"kappa {view}", ", ".join(f"{k}={v:.3f}" for k, v in entry.items()))
    console.print(table)
    if report.settled_note:       # disagreements decided by a rule are said, with the file to decide them in
        console.print(("[yellow]warning:[/] " if report.settled_by_rule else "note: ") + escape(report.settled_note),
                      highlight=False, soft_wrap=True)
    console.print(f"dataset: {out}" + (f"  (HF folder: {out / 'hf'})" if hf else "")
                  + f"; manifest: {report.manifest}; {report.queries_resumed} queries resumed; {report.seconds:.1f} s")


@tagger_app.command("train")
def tagger_train(
    data: Optional[Path] = typer.Option(None, "--data", help="Sentence file [{sentence, labels}] "
                                        "(default: MUSER label_pred/all_test_sent_data_zy.json)."),
    model: str = typer.Option("linear", "--model", "-m", help="'linear' (jieba TF-IDF + linear SVM, CPU) or an "
                              "HF checkpoint name/path to fine-tune."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Save the model and report.json here."),
    seed: int = typer.Option(13, "--seed"),
    test_fraction: float = typer.Option(0.2, "--test-fraction"),
    limit: Optional[int] = typer.Option(None, "--limit", help="Use only N distinct sentences (quick runs)."),
    epochs: int = typer.Option(3, "--epochs"),
    batch_size: int = typer.Option(32, "--batch-size"),
    lr: float = typer.Option(3e-5, "--lr"),
    max_length: int = typer.Option(128, "--max-length"),
    device: Optional[str] = typer.Option(None, "--device", help="cuda / mps / cpu (default: auto)."),
    threads: Optional[int] = typer.Option(None, "--threads", help="CPU threads for torch (fine-tuning on CPU)."),
    quiet: bool = typer.Option(False, "--quiet"),
) -> None:
    """Dedupe sentences, split by seed, train, and print micro/macro P/R/F1 on the held-out split."""
    from builders.muser.tagger.run import train_and_evaluate

    path = data or _mirror_muser() / "label_pred" / "all_test_sent_data_zy.json"
    report = train_and_evaluate(path, model=model, out_dir=out, seed=seed, test_fraction=test_fraction, limit=limit,
                                epochs=epochs, batch_size=batch_size, lr=lr, max_length=max_length, device=device,
                                threads=threads, show_progress=not quiet)
    table = Table("", "value")
    for k, v in report["split"].items():
        table.add_row(k, str(v))
    for k, v in report["metrics"].items():
        table.add_row(k, f"{100 * v:.2f}" if isinstance(v, float) else str(v))
    table.add_row("wall_time_s", str(report["wall_time_s"]))
    console.print(table)
    if out:
        console.print(f"model and report: {out}")
