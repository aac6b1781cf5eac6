"""`build`: the one function behind `bench build qasnowball` (and the experiment script), and
`build_from_options`, which turns the CLI's parsed options into inputs, a config and a chat backend.

The run manifest (`OUT/manifest.json`, builders.common.jobs) hashes the config and the inputs: an
existing output is refused without `resume`, and a resume with another config or other inputs is
refused naming what changed. At the end the manifest also gets the summary (rounds, files, counts).
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from core import sha256_json
from annotation.squad import QADataError
from engines.executors import ExecutorSpec
from builders.common.jobs import (BuildReport, NothingKept, check_output, nothing_kept_leaves_nothing, start_manifest,
                                  update_manifest)
from engines.llm.cached import release, with_cache
from builders.qasnowball.backends import make_modules
from builders.qasnowball.loop import Snowball, SnowballConfig
from builders.qasnowball.output import write_outputs

__all__ = ["build", "build_from_options", "QASnowballOptions", "QASnowballReport"]


@dataclass
class QASnowballReport(BuildReport):
    rounds: list[dict[str, Any]]
    records: int
    final_seed_size: int
    files: dict[str, str]
    lang: str = ""
    backend: str = ""
    llm: dict[str, Any] = field(default_factory=dict)     # backend llm: server requests, tokens/s, cache hits


def build(config: SnowballConfig, seed: Sequence[dict[str, Any]], docs: Sequence[dict[str, Any]], out_dir: str | Path,
          *, chat: Any = None, progress: bool = True, log: Callable[[str], None] | None = None,
          inputs: dict[str, Any] | None = None, resume: bool = False,
          executor: ExecutorSpec | None = None, llm_cache: str | Path | None = None,
          use_cache: bool | None = None) -> QASnowballReport:
    """Run all rounds (under `resume`, continuing a killed run of the same config) and write the outputs.

    `chat`: a engines.llm chat backend, or a BackendSpec (built here), for backend llm; its requests go
    through the shared request cache (`llm_cache` folder, default engines.llm.cache.default_cache_dir();
    `use_cache=False`: none), and with local threads as many documents run at once as the backend
    has requests in flight (`concurrency`), so a document waiting on a long reply holds no free slot."""
    t0 = time.monotonic()
    out = Path(out_dir)
    mpath = out / "manifest.json"
    check_output(mpath, [out], resume=resume)
    spec = chat.describe(for_hash=True) if hasattr(chat, "describe") else \
        ({"kind": getattr(chat, "name", ""), "model": getattr(chat, "model", "")} if chat is not None else None)
    hashed = {"snowball": config.to_dict(), "chat": spec,
              "seed_sha256": sha256_json(list(seed)), "docs_sha256": sha256_json(list(docs))}
    if hasattr(chat, "create"):
        chat = chat.create()
    if chat is not None:
        chat = with_cache(chat, llm_cache, enabled=use_cache)
    try:
        return _build(config, seed, docs, out, mpath, hashed, spec, chat, progress=progress, log=log, inputs=inputs,
                      resume=resume, executor=executor, t0=t0)
    finally:
        release(chat)


def _build(config: SnowballConfig, seed: Sequence[dict[str, Any]], docs: Sequence[dict[str, Any]], out: Path,
           mpath: Path, hashed: dict[str, Any], spec: Any, chat: Any, *, progress: bool,
           log: Callable[[str], None] | None, inputs: dict[str, Any] | None, resume: bool,
           executor: ExecutorSpec | None, t0: float) -> QASnowballReport:
    modules = make_modules(config.backend, config.lang, seed=config.seed, chat=chat, **config.backend_options)
    meter = getattr(chat, "meter", None)
    snowball = Snowball(config, modules, out, progress=progress, log=log, resume=resume, executor=executor,
                        workers=max(1, int(getattr(chat, "concurrency", 1))) if chat is not None else 1,
                        meters=[meter] if meter is not None else [])
    snowball._check_inputs(seed, docs)            # bad inputs are refused before anything is written
    with nothing_kept_leaves_nothing(out):          # a fresh build that keeps no pair leaves no folder
        manifest = start_manifest(mpath, job="qasnowball", config=hashed, backends={"chat": spec} if spec else {},
                                  seed=config.seed, resume=resume)
        result = snowball.run(seed, docs)
        if not result["generated"]:
            raise NothingKept(_nothing_kept(result["rounds"], out))
        files = write_outputs(result["generated"], out)
        rounds = [{k: v for k, v in r.items() if k != "models"} for r in result["rounds"]]
        llm = _llm_summary(snowball.llm_stats, meter)
        update_manifest(mpath, manifest, status="complete", config_summary=config.to_dict(), inputs=inputs or {},
                        seed_size=len(seed), docs=len(docs), rounds=rounds, records=len(result["generated"]),
                        files=files, **({"llm": llm} if llm else {}))
    return QASnowballReport(out=out, manifest=mpath, rounds=result["rounds"], records=len(result["generated"]),
                            final_seed_size=result["final_seed_size"], files=files,
                            seconds=round(time.monotonic() - t0, 2), lang=config.lang, backend=config.backend, llm=llm)


def _llm_summary(per_round: list[dict[str, Any]], meter: Any) -> dict[str, Any]:
    """This process's LLM figures over the rounds it ran: server requests and tokens, their rates over
    the rounds' wall time, cache hits, and the backend's AIMD counts (not in the round logs, which must
    be the same whether a run was resumed or served from the cache)."""
    if meter is None or not per_round:
        return {}
    keys = ("requests", "prompt_tokens", "completion_tokens", "cache_hits")
    out: dict[str, Any] = {k: sum(r[k] for r in per_round) for k in keys}
    seconds = sum(r["seconds"] for r in per_round)
    out.update(seconds=round(seconds, 2), requests_per_s=round(out["requests"] / max(seconds, 1e-9), 3),
               completion_tokens_per_s=round(out["completion_tokens"] / max(seconds, 1e-9), 2))
    snap = meter.snapshot()
    for k in ("retries", "failures", "concurrency"):
        if k in snap:
            out[k] = snap[k]
    return out


@dataclass
class QASnowballOptions:
    """What `bench build qasnowball` parses; paths the CLI resolved (data_root from the data registry)."""
    out: Path
    preset: str | None = None
    data_root: Path | None = None          # folder holding cmrc2018/ and xquad/ (for presets)
    seed_file: Path | None = None
    docs: Path | None = None
    lang: str | None = None
    backend: str = "rule"
    rounds: int = 2
    docs_per_round: int | None = None
    answers_per_doc: int = 5
    questions_per_answer: int = 2
    reseed_size: int = 500
    seed: int = 0
    roundtrip: str = "em"                  # em | f1 | off
    f1_threshold: float = 0.8
    min_confidence: float = 0.1
    no_rule: list[str] = field(default_factory=list)
    backend_options: dict[str, Any] = field(default_factory=dict)   # ae_model, qg_model, reader_model, epochs
    chat: Any = None                       # a engines.llm.spec.BackendSpec for backend llm
    resume: bool = False
    progress: bool = True
    executor: ExecutorSpec | None = None   # --executor/--address/--num-workers (output is the same)
    llm_cache: Path | None = None          # request cache folder (None: the shared default)
    use_cache: bool | None = None          # False: --no-llm-cache


def build_from_options(opts: QASnowballOptions, log: Callable[[str], None] | None = None) -> QASnowballReport:
    """Inputs (a preset, or seed file + documents), filter and loop config, chat backend -> `build`."""
    from annotation.squad_io import load_qa_file
    from builders.qasnowball.filter import RULES, FilterConfig
    from builders.qasnowball.inputs import load_docs, preset

    lang = opts.lang
    if opts.preset:
        if opts.data_root is None:
            raise QADataError(f"--preset {opts.preset}: no data root given")
        lang_p, seed_recs, documents, inputs = preset(opts.preset, opts.data_root, seed=opts.seed)
        lang = lang or lang_p
    else:
        if not (opts.seed_file and opts.docs and lang):
            raise QADataError("give --preset, or all of --seed-file, --docs and --lang")
        report = load_qa_file(opts.seed_file)
        if not report.records:
            raise QADataError(_no_seed(opts.seed_file, report.dropped_questions))
        seed_recs, documents = report.records, load_docs(opts.docs)
        inputs = {"seed": str(opts.seed_file), "docs": str(opts.docs), "seed_load": report.summary()}
    bad = [r for r in opts.no_rule if r not in RULES]
    if bad:
        raise QADataError(f"--no-rule {bad[0]}: unknown rule; known: {', '.join(RULES)}")
    if opts.roundtrip not in ("em", "f1", "off"):
        raise QADataError(f"--roundtrip {opts.roundtrip!r}: em | f1 | off")
    flt = FilterConfig(roundtrip=opts.roundtrip != "off", roundtrip_mode="em" if opts.roundtrip == "off" else opts.roundtrip,
                       f1_threshold=opts.f1_threshold, confidence=opts.min_confidence > 0,
                       min_confidence=opts.min_confidence, **{r: False for r in opts.no_rule})
    if opts.backend == "llm" and opts.chat is None:
        from engines.llm import available

        raise QADataError(f"backend llm needs --chat KIND and --chat-model NAME; kinds: {', '.join(available())}")
    cfg = SnowballConfig(lang=lang, backend=opts.backend, rounds=opts.rounds, docs_per_round=opts.docs_per_round,
                         answers_per_doc=opts.answers_per_doc, questions_per_answer=opts.questions_per_answer,
                         reseed_size=opts.reseed_size, seed=opts.seed, filter=flt,
                         backend_options=dict(opts.backend_options))
    return build(cfg, seed_recs, documents, opts.out, chat=opts.chat if opts.backend == "llm" else None,
                 progress=opts.progress, log=log, inputs=inputs, resume=opts.resume, executor=opts.executor,
                 llm_cache=opts.llm_cache, use_cache=opts.use_cache)


def _no_seed(path: Path, dropped: Sequence[str]) -> str:
    """Why a seed file gives no seed pair: no record at all, or every question dropped, counted by reason."""
    if not dropped:
        return f"{path}: no seed records (the file holds no question; expected SQuAD JSON or JSONL records)"
    reasons = Counter(d.split(": ", 1)[1] if ": " in d else d for d in dropped)
    listed = ", ".join(f"{why} {n}" for why, n in reasons.most_common(5))
    return (f"{path}: no usable seed record: all {len(dropped)} question{'s' if len(dropped) != 1 else ''} "
            f"dropped ({listed}; first: {dropped[0]}); the loop needs answerable questions with an answer "
            "span in their context")


def _nothing_kept(rounds: Sequence[dict[str, Any]], out: Path) -> str:
    """Why an empty build is empty: the filter rules that rejected most, so the user knows what to change."""
    rejected = sum((Counter(r["filter"]["rejected"]) for r in rounds), Counter())
    top = ", ".join(f"{k} {v}" for k, v in rejected.most_common(5) if v)
    asked = sum(r["questions"] for r in rounds)
    return (f"{out}: the filter kept 0 of {asked} generated questions in {len(rounds)} "
            f"round{'s' if len(rounds) != 1 else ''} "
            f"(rejected by {top or 'nothing'}); give more seed records or "
            "documents, or switch a rule off with --no-rule NAME")
