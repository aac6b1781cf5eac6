"""Build trace records for many questions: policy + browser + answer step, on the shared job runner.

The trace file is its own checkpoint (builders.common.jobs.CheckpointedJsonl: one fsynced line per
question), next to it `<out>.manifest.json` holds the config hash. So a kill -9 loses at most the
question in flight, `--resume` continues byte-identically, and a resume with another policy, corpus,
retriever or seed is refused instead of mixing traces of two configs in one file.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from core import require_file, sha256_file, sha256_json
from engines.executors import ExecutorSpec
from builders.common.jobs import BuildReport, check_output, run_items, start_manifest, update_manifest
from core.checkpointed import CheckpointedJsonl
from builders.webcpm.answer import extractive_answer
from builders.webcpm.browser import Browser
from builders.webcpm.errors import WebCPMError
from builders.webcpm.policies import PolicyOptions, create_policy
from builders.webcpm.recorder import ThinkTimes
from builders.webcpm.web import LocalWeb

AnswerFn = Callable[[str, list[str]], str]


def manifest_path(out: str | Path) -> Path:
    """`traces.jsonl` -> `traces.jsonl.manifest.json` (the run manifest of a one-file output)."""
    out = Path(out)
    return out.with_name(out.name + ".manifest.json")


@dataclass
class WebCPMBuildConfig:
    out: Path
    corpus: Path                        # DuReader-format JSONL (the CLI resolves the registry default)
    policy: str = "oracle"
    policy_options: PolicyOptions = field(default_factory=PolicyOptions)
    retriever: str = "bm25"
    seed: int = 0
    limit: int | None = None
    resume: bool = False
    show_progress: bool = True
    executor: ExecutorSpec | None = None      # where the questions run (not hashed: output is the same)


@dataclass
class WebCPMBuildReport(BuildReport):
    policy: str
    questions: int
    written: int
    resumed: int
    note: str | None = None             # what the policy had to say about the questions (replay: unmatched ones)
    llm: dict[str, Any] = field(default_factory=dict)   # llm policy: server requests/s, tokens/s, cache hits

    def summary(self) -> str:
        return (f"traces: {self.out} ({self.written} written, {self.resumed} resumed of {self.questions}; "
                f"policy {self.policy}; {self.seconds:.1f} s); manifest: {self.manifest}"
                + (f"\nllm: {self.llm['requests']} server requests ({self.llm['requests_per_s']:.2f}/s), "
                   f"{self.llm['completion_tokens_per_s']:.1f} completion tokens/s, {self.llm['cache_hits']} cache hits"
                   if self.llm else "")
                + (f"\nwarning: {self.note}" if self.note else ""))


def build_traces(questions: Iterable[dict[str, Any]], web: LocalWeb, policy: Any, out: str | Path, *,
                 seed: int = 0, resume: bool = False, answer: AnswerFn | None = None,
                 meta: dict[str, Any] | None = None, show_progress: bool = True,
                 config: dict[str, Any] | None = None, backends: dict[str, Any] | None = None,
                 timing: ThinkTimes | None = None, answer_kind: str = "extractive",
                 executor: ExecutorSpec | None = None, meters: Sequence[Any] = ()) -> dict[str, Any]:
    """Run `policy` on every question; one WebCPM record per line of `out` (JSONL), in question order.

    `config` is what else changes the traces (policy settings, corpus sha...); with the policy name, the
    web fingerprint, the retriever, the seed, `meta`, the think-time model and the question ids it forms
    the hashed config. `answer_kind` ("extractive" | "llm:MODEL") goes into every record's `meta.answer`,
    so the converter can mark extractive synthesis targets.
    """
    out = Path(out)
    mpath = manifest_path(out)
    questions = list(questions)
    answer = answer or extractive_answer
    timing = timing or ThinkTimes()
    base_meta = {"web": web.fingerprint(), "retriever": {"name": getattr(web.retriever, "name", ""),
                                                         **web.retriever.params()}, "seed": seed,
                 "answer": answer_kind, **(meta or {})}
    hashed = {"policy": getattr(policy, "name", type(policy).__name__), "meta": base_meta,
              "clock": timing.describe(),
              "questions_sha256": sha256_json([str(q.get("id")) for q in questions]), **(config or {})}
    check_output(mpath, [out], resume=resume)
    manifest = start_manifest(mpath, job="webcpm", config=hashed, backends=backends or {}, seed=seed, resume=resume)

    def work(q: dict[str, Any]) -> dict[str, Any]:
        browser = Browser(web, q["question"], record_id=str(q.get("id")), seed=seed, timing=timing)
        notes = policy.run(browser, q)
        return browser.record(answer(q["question"], browser.facts()), meta={**base_meta, **notes})

    # one local worker: the policy and the browser's web cache are not shared across threads (each Ray
    # worker process holds its own copy of them, unpickled from `work`)
    with CheckpointedJsonl(out, key="_id").open(resume=resume) as writer:
        stats = run_items(questions, key=lambda q: str(q.get("id")), work=work, writer=writer, workers=1, ordered=True,
                          description=f"webcpm traces ({hashed['policy']})", show_progress=show_progress,
                          executor=executor, meters=meters)
    update_manifest(mpath, manifest, status="complete", counts=stats.to_dict())
    return {"written": stats.written, "skipped": stats.skipped_done, "out": str(out), "manifest": str(mpath),
            "seconds": stats.seconds, "llm": stats.llm}


def build_webcpm(cfg: WebCPMBuildConfig) -> WebCPMBuildReport:
    """The one function behind `bench build webcpm`: corpus -> local web -> policy -> traces."""
    from builders.webcpm.web import dureader_pages
    from retrieval.registry import create

    t0 = time.monotonic()
    corpus = require_file(cfg.corpus, "DuReader corpus", error=WebCPMError)
    if cfg.limit is not None and cfg.limit < 1:
        raise WebCPMError(f"--limit {cfg.limit}: must be >= 1")
    check_output(manifest_path(cfg.out), [cfg.out], resume=cfg.resume)   # before the slow part
    opts = cfg.policy_options
    opts.seed = cfg.seed
    setup = create_policy(cfg.policy, opts)
    pages, questions = dureader_pages(corpus)
    questions = questions[:cfg.limit] if cfg.limit else questions
    if not pages:
        raise WebCPMError(f"{corpus}: no page text (every document's paragraphs are empty): nothing to search")
    note = setup.check(questions) if setup.check else None       # before anything is written
    web = LocalWeb(pages, create(cfg.retriever, lang="zh"), show_progress=cfg.show_progress)
    res = build_traces(questions, web, setup.policy, cfg.out, seed=cfg.seed, resume=cfg.resume,
                       answer=setup.answer, meta={"corpus": str(corpus)}, show_progress=cfg.show_progress,
                       config={"policy_config": setup.config, "corpus_sha256": sha256_file(corpus)},
                       backends=setup.backends, answer_kind=setup.answer_kind, executor=cfg.executor,
                       meters=setup.meters)
    return WebCPMBuildReport(out=Path(cfg.out), manifest=Path(res["manifest"]), policy=cfg.policy,
                             questions=len(questions), written=res["written"], resumed=res["skipped"],
                             seconds=round(time.monotonic() - t0, 2), note=note, llm=res["llm"])
