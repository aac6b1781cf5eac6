"""The QASnowball loop: S := S0; each round fit AE, QG and reader on S, generate on the next slice of
documents, filter, keep the survivors, and re-seed S := S0 + the best m generated pairs by filter score.

Resumable per document, on the shared job runner (builders.common.jobs): each round streams one fsynced
line per document to `round_N/docs.jsonl` (the pairs it kept and its filter counts), so a kill -9 loses
at most the document in flight; a round is done when its `log.json` exists (written last, atomically).
A resumed round refits its modules on the same S (fits are deterministic), replays the finished
documents' kept pairs into the duplicate filter and their counts into the log, and goes on with the rest:
the output is byte-identical to an uninterrupted run. Deterministic for a seed: documents are shuffled
with that seed, modules are seeded, ties are broken by id.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from annotation.squad import QADataError, validate_record
from engines.executors import ExecutorSpec
from builders.common.jobs import run_items
from core.checkpointed import CheckpointedJsonl
from annotation.squad_io import read_jsonl, write_json, write_jsonl
from builders.qasnowball.filter import FilterConfig, Pair, QAFilter
from builders.qasnowball.modules import AnswerExtractor, QuestionGenerator
from engines.readers.base import Reader
from engines.readers.text import normalize_question

__all__ = ["SnowballConfig", "Snowball", "Modules"]

Record = dict[str, Any]
Doc = dict[str, Any]      # {"doc_id", "title", "context"}


@dataclass
class SnowballConfig:
    lang: str
    backend: str = "rule"
    rounds: int = 2
    docs_per_round: int | None = None      # None: split the documents evenly over the rounds
    answers_per_doc: int = 5
    questions_per_answer: int = 2
    reseed_size: int = 500                 # m_t: generated pairs added to S0 for the next round
    seed: int = 0
    name: str = "qasnowball"
    filter: FilterConfig = field(default_factory=FilterConfig)
    backend_options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class Modules:
    extractor: AnswerExtractor
    generator: QuestionGenerator
    reader: Reader


class Snowball:
    def __init__(self, config: SnowballConfig, modules: Modules, out_dir: str | Path,
                 *, progress: bool = True, log: Callable[[str], None] | None = None, resume: bool = False,
                 executor: ExecutorSpec | None = None, workers: int = 1, meters: Sequence[Any] = ()):
        self.config, self.modules, self.out = config, modules, Path(out_dir)
        self.progress, self.resume = progress, resume
        self.executor = executor            # where documents run (not in the config: output is the same)
        self.workers = workers              # documents at once on local threads (llm: the backend's concurrency)
        self.meters = list(meters)          # chat backend meters: live requests/s, tokens/s, cache hits
        self.llm_stats: list[dict[str, Any]] = []   # per round this process ran: run_items' LLM figures
        self.log = log or (lambda msg: None)

    # ---- inputs -------------------------------------------------------------------------------
    def _slices(self, docs: Sequence[Doc]) -> list[list[Doc]]:
        order = np.random.default_rng(self.config.seed).permutation(len(docs))
        shuffled = [docs[i] for i in order]
        per = self.config.docs_per_round or -(-len(shuffled) // self.config.rounds)
        return [shuffled[t * per:(t + 1) * per] for t in range(self.config.rounds)]

    def _check_inputs(self, seed: Sequence[Record], docs: Sequence[Doc]) -> None:
        if not seed:
            raise QADataError("seed set S0 is empty: no seed record given (give answerable QA records)")
        for rec in seed:
            issues = validate_record(rec, file="seed")
            if issues:
                raise QADataError(str(issues[0]))
        ids = set()
        for i, d in enumerate(docs):
            for key in ("doc_id", "context"):
                if not isinstance(d.get(key), str) or not d[key].strip():
                    raise QADataError(f"documents record #{i} ({d.get('doc_id')}) field {key}: must be a non-empty string")
            if d["doc_id"] in ids:
                raise QADataError(f"documents record {d['doc_id']} field doc_id: duplicate")
            ids.add(d["doc_id"])

    # ---- the loop -----------------------------------------------------------------------------
    def reseed(self, seed: Sequence[Record], generated: Sequence[Record]) -> list[Record]:
        """S0 (always, whole) + the best m generated pairs by filter score (ties by id)."""
        best = sorted(generated, key=lambda r: (-r["meta"]["scores"]["filter"], r["id"]))[:self.config.reseed_size]
        return list(seed) + best

    def run(self, seed: Sequence[Record], docs: Sequence[Doc]) -> dict[str, Any]:
        self._check_inputs(seed, docs)
        self.out.mkdir(parents=True, exist_ok=True)
        slices = self._slices(docs)
        s0_ids = {r["id"] for r in seed}
        generated: list[Record] = []
        seen: set[tuple[str, str]] = set()
        logs: list[dict[str, Any]] = []
        for t in range(1, self.config.rounds + 1):
            rdir = self.out / f"round_{t}"
            S = self.reseed(seed, generated)
            if (rdir / "log.json").exists():
                round_recs = read_jsonl(rdir / "generated.jsonl")
                log = json.loads((rdir / "log.json").read_text(encoding="utf-8"))
                log["resumed"] = True
                self.log(f"round {t}: already done, {len(round_recs)} pairs read back")
            else:
                round_recs, log = self._round(t, S, s0_ids, slices[t - 1], seen, generated)
                write_jsonl(round_recs, rdir / "generated.jsonl")
                write_json(log, rdir / "log.json")      # written last: marks the round as done
            for r in round_recs:
                seen.add((r["meta"]["doc_id"], normalize_question(r["question"], self.config.lang)))
            generated.extend(round_recs)
            logs.append(log)
        return {"rounds": logs, "generated": generated, "final_seed_size": len(self.reseed(seed, generated))}

    def _round(self, t: int, S: list[Record], s0_ids: set[str], docs: list[Doc], seen: set[tuple[str, str]],
               previous: list[Record]) -> tuple[list[Record], dict[str, Any]]:
        cfg, m = self.config, self.modules
        times: dict[str, float] = {}
        start = time.perf_counter()
        for key, module in (("fit_extractor", m.extractor), ("fit_generator", m.generator), ("fit_reader", m.reader)):
            t0 = time.perf_counter()
            module.fit(S)
            times[key] = round(time.perf_counter() - t0, 3)
        flt = QAFilter(m.reader, cfg.lang, cfg.filter)
        models = {"extractor": m.extractor.params(), "generator": m.generator.params(), "reader": m.reader.params()}
        model_names = {k: v.get(k, v.get("model")) for k, v in
                       (("extractor", models["extractor"]), ("generator", models["generator"]), ("reader", models["reader"]))}
        t_stage = {"extract": 0.0, "generate": 0.0, "filter": 0.0}

        extractor, generator, lang = m.extractor, m.generator, cfg.lang
        answers_per_doc, questions_per_answer = cfg.answers_per_doc, cfg.questions_per_answer
        scorer = QAFilter(m.reader, lang, cfg.filter)    # stateless part of the filter (no kept-pair state)

        def work(doc: Doc) -> dict[str, Any]:
            """One document: extract, generate, score each pair; independent of the other documents, so
            it runs on any executor (a Ray worker holds its own copy of the fitted modules)."""
            t0 = time.perf_counter()
            cands = extractor.extract(doc["context"], answers_per_doc)
            t1 = time.perf_counter()
            questions = generator.generate(doc["context"], cands, questions_per_answer) if cands else []
            t2 = time.perf_counter()
            pairs = [Pair(doc["doc_id"], doc["context"], c, q, s) for c, qs in zip(cands, questions) for q, s in qs]
            scored = scorer.score(pairs)
            return {"doc": doc, "candidates": len(cands), "pairs": pairs, "scored": scored,
                    "t": (t1 - t0, t2 - t1, time.perf_counter() - t2)}

        def finalize(res: dict[str, Any]) -> Record:
            """Here, in document order: the filter rules that depend on what was kept before; its line
            carries what the round log needs."""
            t0 = time.perf_counter()
            doc, pairs = res["doc"], res["pairs"]
            verdicts = flt.decide(pairs, res["scored"], seen)
            t_stage["extract"] += res["t"][0]
            t_stage["generate"] += res["t"][1]
            t_stage["filter"] += res["t"][2] + time.perf_counter() - t0
            rejected: dict[str, int] = {}
            signals: dict[str, int] = {}
            for v in verdicts:
                if not v.keep and not v.deferred:
                    rejected[v.reason or "?"] = rejected.get(v.reason or "?", 0) + 1
                if v.signal:
                    signals[v.signal] = signals.get(v.signal, 0) + 1
            return {"id": doc["doc_id"], "candidates": res["candidates"], "questions": len(pairs), "rejected": rejected,
                    "signals": signals,
                    "kept": [self._record(t, doc, p, v.scores, model_names) for p, v in zip(pairs, verdicts) if v.keep],
                    "deferred": [self._record(t, doc, p, v.scores, model_names)
                                 for p, v in zip(pairs, verdicts) if v.deferred]}

        rdir = self.out / f"round_{t}"
        with CheckpointedJsonl(rdir / "docs.jsonl", keep_records=True).open(resume=self.resume) as writer:
            if writer.done:            # resumed mid-round: the finished documents' filter state, replayed
                for line in writer.records.values():
                    flt.checked += line["questions"]
                    flt.rejected.update(line["rejected"])
                    flt.signals.update(line.get("signals", {}))     # absent in checkpoints before it
                    for r in line["kept"]:
                        seen.add((r["meta"]["doc_id"], normalize_question(r["question"], cfg.lang)))
                        flt.remember_record(r)
                    flt.type_deferred += len(line.get("deferred", []))    # absent in checkpoints before it
                self.log(f"round {t}: {len(writer.done)} of {len(docs)} documents already done")
            # documents run on the executor; the kept-pair filter runs here in document order (finalize)
            job = run_items(docs, key=lambda d: d["doc_id"], work=work, writer=writer, workers=self.workers,
                            ordered=True, description=f"round {t}/{cfg.rounds}", show_progress=self.progress,
                            executor=self.executor, finalize=finalize, meters=self.meters)
            if job.llm:
                self.llm_stats.append(job.llm)
        by_doc = writer.records
        lines = [by_doc[d["doc_id"]] for d in docs]
        n_cands = sum(line["candidates"] for line in lines)
        n_questions = sum(line["questions"] for line in lines)
        kept: list[Record] = [r for line in lines for r in line["kept"]]
        # the type cap bounds the round's kept set: pairs over it were deferred, and are admitted now while
        # the bound holds (filter.QAFilter.admit_deferred); a function of the lines, so a resume agrees
        deferred = [r for line in lines for r in line.get("deferred", [])]
        ends = flt.admit_deferred([flt.record_key(r) for r in deferred], seen)
        kept += [r for r, reason in zip(deferred, ends) if reason is None]
        t_extract, t_generate, t_filter = t_stage["extract"], t_stage["generate"], t_stage["filter"]
        models = {"extractor": m.extractor.params(), "generator": m.generator.params(), "reader": m.reader.params()}
        s0_in = sum(r["id"] in s0_ids for r in S)
        scores = [r["meta"]["scores"]["filter"] for r in kept]
        log = {
            "round": t, "seed_size": len(S), "s0_size": len(s0_ids), "s0_in_seed": s0_in,
            "generated_in_seed": len(S) - s0_in, "generated_before": len(previous),
            "docs": len(docs), "candidates": n_cands, "questions": n_questions,
            "filter": flt.counts(), "kept": len(kept),
            "filter_score": {"mean": float(np.mean(scores)) if scores else 0.0,
                             "min": float(min(scores)) if scores else 0.0},
            "time_s": {**times, "extract": round(t_extract, 3), "generate": round(t_generate, 3),
                       "filter": round(t_filter, 3), "total": round(time.perf_counter() - start, 3)},
            "models": models, "config_fingerprint": cfg.fingerprint(),
        }
        self.log(f"round {t}: S={len(S)} (S0 {s0_in}/{len(s0_ids)}), docs {len(docs)}, candidates {n_cands}, "
                 f"questions {n_questions}, kept {len(kept)} (type cap: {len(deferred)} deferred, "
                 f"{flt.type_admitted} admitted at the end)")
        return kept, log

    def _record(self, t: int, doc: Doc, p: Pair, scores: dict[str, float], models: dict[str, Any]) -> Record:
        n = hashlib.sha1(f"{doc['doc_id']}|{p.answer.start}|{p.question}".encode()).hexdigest()[:12]
        return {
            "id": f"{self.config.name}-{self.config.lang}-r{t}-{n}",
            "title": doc.get("title") or "",
            "context": doc["context"],
            "question": p.question,
            "answers": {"text": [p.answer.text], "answer_start": [p.answer.start]},
            "meta": {"lang": self.config.lang, "iteration": t, "doc_id": doc["doc_id"],
                     "answer_type": p.answer.type, "scores": {k: round(float(v), 6) for k, v in scores.items()},
                     "models": models, "backend": self.config.backend, "seed": self.config.seed},
        }
