"""One judged evaluation end to end: questions -> answers -> judgments -> bundle -> metrics.

`JudgeConfig.from_params` reads `bench run` parameters (CLI flags fold into them; see the task file
benchmarks/tasks/ultrachat_eval.py). API keys are read by the backends from environment variables
(`api_key_env`, `judge_api_key_env`); only the variables' names are ever recorded.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from core import DataError, sha256_file
from engines.llm import ALIASES, BackendError, Sampling, create_backend
from benchmarks.judging.answers import generate_answers, model_id
from benchmarks.judging.bundle import Bundle, is_bundle, read_bundle
from engines.llm.cache import cache_off_by_default, default_cache_dir, open_cache
from benchmarks.judging.judge import judge_pairs, judge_single, pair_prompt, single_prompt
from benchmarks.judging.questions import (Question, load_mtbench, read_answer_file, registry_questions,
                                          sniff_json_object)


def _clean_url(url: str | None) -> str | None:
    """A base URL without user:password@ (never recorded)."""
    if not url:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else "")))


@dataclass
class Side:
    """An answering model or the judge: backend kind, model name, options, sampling."""

    kind: str
    model: str
    opts: dict[str, Any]
    sampling: Sampling

    def create(self) -> Any:
        try:
            return create_backend(self.kind, self.model, **self.opts)
        except TypeError as exc:              # an option the backend does not take (-p opts / judge_opts)
            raise DataError(f"{self.model} ({self.kind}): {exc}") from None

    def endpoint_missing(self) -> bool:
        """An HTTP side with no endpoint would silently go to the public OpenAI API: that is never a default."""
        return ALIASES.get(self.kind, self.kind) == "openai" and not self.opts.get("base_url") \
            and not os.environ.get(str(self.opts.get("base_url_env") or "OPENAI_BASE_URL"))

    def describe(self) -> dict[str, Any]:
        public = {k: v for k, v in self.opts.items() if k == "api_key_env" or not (
            k == "base_url" or any(w in k.lower() for w in ("key", "secret", "token", "password")))}
        if "base_url" in self.opts:
            public["base_url"] = _clean_url(self.opts["base_url"])
        return {"backend": self.kind, "model": self.model, "sampling": self.sampling.to_dict(), "options": public}


def _side(params: dict[str, Any], prefix: str, kind: str, model: str, *, temperature: float,
          max_tokens: int) -> Side:
    def p(k: str, d: Any = None) -> Any:
        return params.get(prefix + k, d)

    opts: dict[str, Any] = dict(p("opts") or {})
    if ALIASES.get(kind, kind) == "openai":
        for key in ("base_url", "api_key_env", "concurrency", "max_retries", "timeout"):
            if p(key) is not None:
                opts[key] = p(key)
    sampling = Sampling(temperature=float(p("temperature", temperature)), top_p=float(p("top_p", 1.0)),
                        max_tokens=int(p("max_tokens", max_tokens)), seed=p("seed", 0))
    return Side(kind, model, opts, sampling)


@dataclass
class JudgeConfig:
    model: Side | None
    judge: Side | None
    dataset: Path | None = None                  # MT-Bench-style JSONL; None = the registry's ultra_eval.json
    baseline: Path | None = None
    limit: int | None = None
    system: str | None = None
    grammar: bool = False
    seed: int = 0
    n_boot: int = 1000
    cache_dir: Path | None = None
    batch_size: int = 64
    min_valid: float = 0.5                       # share of readable judge replies below which a run is refused
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: dict[str, Any], model: str | None, device: str | None = None,
                    batch_size: int | None = None) -> "JudgeConfig":
        kind = str(params.get("model_backend", "openai"))
        side = None
        if model:
            side = _side(params, "", kind, model, temperature=0.0, max_tokens=1024)
            if kind == "transformers" and device:
                side.opts.setdefault("device", device)
        judge = None
        if params.get("judge_model"):
            jkind = str(params.get("judge_backend", kind))
            judge = _side(params, "judge_", jkind, str(params["judge_model"]), temperature=0.0, max_tokens=512)
            if jkind == "transformers" and device:
                judge.opts.setdefault("device", device)
        known = {"model_backend", "judge_backend", "judge_model", "dataset", "baseline", "limit", "system",
                 "judge_grammar", "bootstrap_seed", "n_boot", "cache_dir", "judge_min_valid"}
        prefixed = {"opts", "base_url", "api_key_env", "concurrency", "max_retries", "timeout", "temperature",
                    "top_p", "max_tokens", "seed"}
        unknown = [k for k in params if k not in known and k.removeprefix("judge_") not in prefixed]
        if unknown:
            raise DataError(f"-p {unknown[0]}: unknown parameter for judged tasks (known: "
                            f"{', '.join(sorted(known | prefixed))}, and judge_* variants)")
        try:
            min_valid = float(params.get("judge_min_valid", 0.5))
        except (TypeError, ValueError):
            min_valid = -1.0
        if not 0.0 <= min_valid <= 1.0:
            raise DataError(f"-p judge_min_valid={params.get('judge_min_valid')}: expected a share between 0 and 1")
        return cls(model=side, judge=judge, dataset=Path(params["dataset"]) if params.get("dataset") else None,
                   baseline=Path(params["baseline"]) if params.get("baseline") else None,
                   limit=int(params["limit"]) if params.get("limit") is not None else None,
                   system=params.get("system"), grammar=bool(params.get("judge_grammar", False)),
                   seed=int(params.get("bootstrap_seed", 0)), n_boot=int(params.get("n_boot", 1000)),
                   cache_dir=Path(params["cache_dir"]) if params.get("cache_dir") else None,
                   batch_size=int(batch_size or 64), min_valid=min_valid)

    def check_endpoints(self, *, answering: bool) -> None:
        """Before the first request: every HTTP side names its endpoint (`answering`: the model is asked)."""
        if answering and self.model is not None and self.model.endpoint_missing():
            raise DataError(f"--model {self.model.model} (backend {self.model.kind}) has no endpoint: give "
                            f"--base-url URL (a local server, or https://api.openai.com/v1 for OpenAI's API)")
        if self.judge is not None and self.judge.endpoint_missing():
            raise DataError(f"--judge-model {self.judge.model} (backend {self.judge.kind}) has no endpoint: give "
                            f"--judge-base-url URL (a local server, or https://api.openai.com/v1 for OpenAI's "
                            f"API); the answering model's --base-url is not reused for the judge")


def load_questions(cfg: JudgeConfig) -> tuple[list[Question], dict[str, Any]]:
    """The questions (first `limit`) and where they came from: dataset name, sha256, source path."""
    if cfg.dataset is not None:
        questions = load_mtbench(cfg.dataset)
        source = {"dataset": f"custom:{cfg.dataset.name}", "dataset_sha": sha256_file(cfg.dataset),
                  "source": str(cfg.dataset)}
    else:
        from benchmarks.data.registry import dataset_sha

        questions, path = registry_questions()
        source = {"dataset": "ultrachat", "dataset_sha": dataset_sha("ultrachat"), "source": str(path)}
    if cfg.limit is not None:
        if cfg.limit < 1:
            raise DataError(f"-p limit={cfg.limit}: expected a positive number of questions")
        questions = questions[:cfg.limit]
    source["n_questions"] = len(questions)
    return questions, source


def _resolve_run_file(result_path: Path, run_file: str | None) -> Path | None:
    if not run_file:
        return None
    raw = Path(run_file)
    for cand in (raw, result_path.parent / raw, result_path.parent / raw.name):
        if cand.is_file():
            return cand
    return None


def load_baseline(path: Path, questions: list[Question], option: str = "--baseline") -> tuple[str, dict[str, list[str]]]:
    """(name, question id -> answers) from a Result JSON of a judged task, a bundle, or an answers JSONL.

    `option` names the flag the file came from in error messages (--baseline or --predictions)."""
    if not path.is_file():
        raise DataError(f"{option} {path}: file not found")
    result = sniff_json_object(path)
    if result is not None:
        run = _resolve_run_file(path, result.get("run_file"))
        if run is None or not is_bundle(run):
            raise DataError(f"{option} {path}: field run_file: {result.get('run_file')!r} is not a judgments "
                            f"bundle next to the result")
        path = run
    if is_bundle(path):
        b = read_bundle(path)
        texts = {q.id: q.turns for q in b.questions}
        for q in questions:
            if q.id in texts and tuple(texts[q.id]) != q.turns:
                raise DataError(f"{option} {path}: question {q.id}: its text differs from this question set")
        name, answers = str((b.meta.get("model") or {}).get("model", path.stem)), b.answers.get("model", {})
    else:
        name, answers = path.name.split(".")[0], read_answer_file(path)
    missing = [q.id for q in questions if q.id not in answers]
    if missing:
        raise DataError(f"{option} {path}: no answers for {len(missing)} question(s), e.g. {', '.join(missing[:5])}")
    bad = [q.id for q in questions if len(answers[q.id]) < len(q.turns)]
    if bad:
        raise DataError(f"{option} {path}: question {bad[0]}: fewer answers than turns")
    return name, {q.id: list(answers[q.id][:len(q.turns)]) for q in questions}


def _delta(after: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """Usage since `before` (a backend shared by answerer and judge keeps one meter)."""
    return {k: (v - before.get(k, 0) if isinstance(v, (int, float)) else v) for k, v in after.items()}


def run(cfg: JudgeConfig, out_dir: Path, stem: str, *, answers_file: Path | None = None) -> tuple[Bundle, Path, dict[str, Any]]:
    """Answer (or read `answers_file`), judge, and write the bundle `<out_dir>/<stem>.judgments.jsonl`.

    Everything that can be checked is checked before the first request: the judge, the questions, the
    baseline, the answers file, every HTTP endpoint and the judge's backend options."""
    if cfg.judge is None:
        raise DataError("a judged task needs a judge: --judge-model M (and --judge-backend, --judge-base-url)")
    questions, source = load_questions(cfg)
    baseline_name, base = (load_baseline(cfg.baseline, questions) if cfg.baseline else (None, None))  # fail early
    if answers_file is not None:
        model_name, texts = load_baseline(answers_file, questions, option="--predictions")
    elif cfg.model is None:
        raise DataError("give --model M (with --model-backend) or --predictions ANSWERS_OR_BUNDLE")
    cfg.check_endpoints(answering=answers_file is None)
    same = cfg.model is not None and answers_file is None and (cfg.judge.kind, cfg.judge.model, cfg.judge.opts) \
        == (cfg.model.kind, cfg.model.model, cfg.model.opts)
    # an HTTP judge costs nothing to create, and creating it checks its options before any answer is asked
    try:
        early_judge = cfg.judge.create() if not same and ALIASES.get(cfg.judge.kind, cfg.judge.kind) == "openai" \
            else None
    except BackendError as exc:
        raise DataError(f"judge {cfg.judge.model} ({cfg.judge.kind}): {exc}") from None
    # the request cache every LLM client shares (engines.llm.cache); BENCH_LLM_CACHE=off: one per output
    cache_dir = cfg.cache_dir or (out_dir / "judge-cache" if cache_off_by_default() else default_cache_dir() / "judging")
    usage: dict[str, Any] = {}
    with open_cache(cache_dir / "answers.jsonl") as acache, open_cache(cache_dir / "judgments.jsonl") as jcache:
        if answers_file is not None:
            model_meta: dict[str, Any] = {"backend": "external", "model": model_name, "source": str(answers_file)}
        else:
            assert cfg.model is not None
            backend = cfg.model.create()
            try:
                texts = generate_answers(backend, questions, cfg.model.sampling, acache, system=cfg.system,
                                         batch_size=cfg.batch_size).texts
            except BackendError as exc:
                raise DataError(f"answering model {cfg.model.model} ({cfg.model.kind}): {exc}") from None
            model_meta = {**cfg.model.describe(), "id": model_id(backend), "system": cfg.system}
            usage["model"] = backend.meter.snapshot() if hasattr(backend, "meter") else {}
        judge = backend if same else (early_judge or cfg.judge.create())   # one vLLM / transformers instance, not two
        try:
            single = judge_single(judge, questions, texts, cfg.judge.sampling, jcache, grammar=cfg.grammar,
                                  batch_size=cfg.batch_size)
            pairs = (judge_pairs(judge, questions, texts, base, cfg.judge.sampling, jcache, grammar=cfg.grammar,
                                 batch_size=cfg.batch_size) if base is not None else [])
        except BackendError as exc:
            raise DataError(f"judge {cfg.judge.model} ({cfg.judge.kind}): {exc}") from None
        usage["judge"] = _delta(judge.meter.snapshot(), usage.get("model", {}) if same else {}) \
            if hasattr(judge, "meter") else {}
        usage["cache"] = {"answers": {"hits": acache.hits, "misses": acache.misses},
                          "judgments": {"hits": jcache.hits, "misses": jcache.misses}}
    prompts = {p.name: p.sha256 for q in questions
               for p in ([single_prompt(q)] + ([pair_prompt(q)] if base is not None else []))}
    meta = {**source, "model": model_meta, "judge": {**cfg.judge.describe(), "id": model_id(judge)},
            "baseline": {"model": baseline_name, "source": str(cfg.baseline)} if cfg.baseline else None,
            "prompts": dict(sorted(prompts.items())), "judge_grammar": cfg.grammar, "seed": cfg.seed,
            "n_boot": cfg.n_boot, "modes": ["single"] + (["pairwise"] if base is not None else [])}
    answers = {"model": texts, **({"baseline": base} if base is not None else {})}
    b = Bundle(meta, questions, answers)
    b.single = {r["question_id"]: r for r in single}
    for r in pairs:
        b.pairs.setdefault(r["question_id"], {})[r["order"]] = r
    path = b.save(out_dir / f"{stem}.judgments.jsonl")
    return b, path, usage


def check_registry_questions(b: Bundle) -> list[str]:
    """For a bundle on the registry set: every question's text matches ultra_eval.json under its id."""
    if b.meta.get("dataset") != "ultrachat":
        return []
    reference = {q.id: q for q in registry_questions()[0]}
    problems = []
    for q in b.questions:
        ref = reference.get(q.id)
        if ref is None or ref.turns != q.turns or ref.category != q.category:
            problems.append(f"question {q.id}: text or category differs from ultra_eval.json")
    return problems


def model_params(meta: dict[str, Any]) -> dict[str, Any]:
    """Flat, display-ready settings of a judged run (the leaderboard's params cell); full detail stays in meta."""
    model, judge = meta.get("model") or {}, meta.get("judge") or {}
    out: dict[str, Any] = {"backend": model.get("backend")}
    out.update({k: v for k, v in (model.get("sampling") or {}).items()})
    if model.get("system"):
        out["system"] = model["system"]
    out["judge"] = judge.get("id") or f"{judge.get('backend')}:{judge.get('model')}"
    out.update({f"judge_{k}": v for k, v in (judge.get("sampling") or {}).items()})
    out["judge_grammar"] = bool(meta.get("judge_grammar"))
    if meta.get("baseline"):
        out["baseline"] = meta["baseline"].get("model")
    out["prompts"] = ",".join(f"{n}@{str(s)[:8]}" for n, s in sorted((meta.get("prompts") or {}).items()))
    return out
