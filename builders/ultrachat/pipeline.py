"""One UltraChat run end to end: seed trees -> opening-line filters -> shard -> dialogues (a resumable
job) -> dialogue filters -> exports; and `merge` for the shards of one run.

Output folder (one shard suffix `-IIIII-of-NNNNN` per file when sharded):
  manifest.json        config hash, backends/models, seed, shard, per-stage counts, usage, status
  seeds/*.jsonl        one line per expanded seed-tree parent (checkpoints of the tree)
  openings.jsonl       opening lines after filtering (every node with its lineage)
  dialogues.jsonl      every finished dialogue, in completion order (the job's checkpoint)
  rejected.jsonl       dialogues that ended with no complete round (kept so --resume skips them)
  ultrachat.jsonl      filtered dialogues, id order: the dataset
  removed.jsonl, filter_report.json   what each filter removed and why
  export/raw.jsonl, export/ultrachat_200k/   the two public formats (unsharded runs and merges)
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from core import atomic_write_json, atomic_write_jsonl, read_jsonl, sha256_file
from engines.executors import ExecutorSpec
from builders.common.jobs import (BuildReport, NothingKept, check_shard, nothing_kept_leaves_nothing, run_items,
                                  select_shard, shard_suffix, start_manifest, update_manifest)
from core.checkpointed import CheckpointedJsonl, JobError
from engines.llm.base import BackendError, ChatBackend, backend_info
from builders.ultrachat.config import UltraChatConfig
from builders.ultrachat.dialogue import DialogueGenerator
from builders.ultrachat.filters import build_decontaminator, filter_records
from builders.ultrachat.formats import export_h4_folder, export_raw, load_dialogues
from builders.ultrachat.seeds import MATERIALS_NEEDED, Node, SeedTreeBuilder, read_materials, rng_for


def _sample_openings(nodes: list[Node], cfg: UltraChatConfig) -> list[Node]:
    """Seeded sample of `max_openings` per sector (after filtering), like the paper's "filter and sample"."""
    out: list[Node] = []
    for s, sc in ((1, cfg.sector1), (2, cfg.sector2), (3, cfg.sector3)):
        group = [n for n in nodes if n.sector == s]
        if sc.max_openings is not None and len(group) > sc.max_openings:
            group = sorted(rng_for(cfg.seed, s, "sample").sample(group, sc.max_openings), key=lambda n: n.id)
        out += group
    return out


def _meters(*backends: ChatBackend) -> list[Any]:
    seen, out = set(), []
    for b in backends:
        m = getattr(b, "meter", None)
        if m is not None and id(m) not in seen:
            seen.add(id(m))
            out.append(m)
    return out


def _usage(backends: dict[str, ChatBackend]) -> dict[str, Any]:
    seen: dict[int, str] = {}
    out: dict[str, Any] = {}
    for role, b in backends.items():
        m = getattr(b, "meter", None)
        if m is None:
            continue
        if id(m) in seen:
            out[role] = f"same backend as {seen[id(m)]}"
            continue
        seen[id(m)] = role
        out[role] = m.snapshot()
    return out


@dataclass
class UltraChatBuildReport(BuildReport):
    status: str                                    # complete | incomplete (failures left for --resume) | seeds_done
    counts: dict[str, int] = field(default_factory=dict)
    filter_summary: dict[str, dict[str, int]] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)          # this process, per role
    dialogue_usage_all_runs: dict[str, Any] = field(default_factory=dict)
    llm: dict[str, Any] = field(default_factory=dict)   # dialogue stage: server requests/s, tokens/s, cache hits

    @classmethod
    def from_manifest(cls, out: Path, path: Path, manifest: dict[str, Any], seconds: float) -> "UltraChatBuildReport":
        return cls(out=out, manifest=path, status=manifest["status"], counts=manifest.get("counts") or {},
                   filter_summary=manifest.get("filter_summary") or {}, usage=manifest.get("usage") or {},
                   dialogue_usage_all_runs=manifest.get("dialogue_usage_all_runs") or {},
                   llm=(manifest.get("stages", {}).get("dialogues") or {}).get("llm") or {}, seconds=round(seconds, 2))


def _check_materials(cfg: UltraChatConfig) -> None:
    """Sector 3's materials file is read up front: a bad or missing one fails before the output folder is
    touched and before sectors 1 and 2 have called the server."""
    if 3 in cfg.sectors:
        if not cfg.sector3.materials:
            raise JobError(MATERIALS_NEEDED)
        read_materials(cfg.sector3.materials)


def build(out_dir: str | Path, cfg: UltraChatConfig, assistant: ChatBackend, user: ChatBackend | None = None,
          *, resume: bool = False, num_shards: int = 1, shard_index: int = 0, workers: int = 1,
          executor: ExecutorSpec | None = None,
          stage: str = "all", show_progress: bool = True, ultra_eval: str | Path | None = None) -> UltraChatBuildReport:
    """Run (or resume) one shard of an UltraChat build into `out_dir`.

    `ultra_eval`: path of UltraChat's ultra_eval.json for decontamination (needed when
    cfg.filters.use_ultra_eval); the caller resolves it (bench: through the data registry)."""
    t0 = time.monotonic()
    if stage not in ("all", "seeds"):
        raise JobError(f"unknown stage {stage!r} (all | seeds)")
    check_shard(num_shards, shard_index)              # before the seed trees are paid for, not after
    out = Path(out_dir)
    user = user or assistant
    sfx = shard_suffix(num_shards, shard_index)
    mpath = out / f"manifest{sfx}.json"
    if mpath.exists() and not resume:
        raise JobError(f"{mpath} exists: pass --resume to continue that run, or choose a new output folder")
    decon, sources = build_decontaminator(cfg.filters, ultra_eval)   # read every user file before writing anything
    _check_materials(cfg)
    hashed = {"config": cfg.to_dict(), "assistant_model": assistant.model, "user_model": user.model,
              "assistant_backend": assistant.name, "user_backend": user.name,
              "ultra_eval_sha256": sha256_file(ultra_eval) if ultra_eval and cfg.filters.use_ultra_eval else None}
    backends = {"assistant": backend_info(assistant), "user": backend_info(user)}
    with nothing_kept_leaves_nothing(out):         # a fresh build that keeps no dialogue leaves no folder
        manifest = start_manifest(mpath, job="ultrachat", config=hashed, backends=backends, seed=cfg.seed,
                                  num_shards=num_shards, shard_index=shard_index, resume=resume)
        roles = {"assistant": assistant, "user": user}
        try:
            # 1. seed trees (the assistant model writes them, as ChatGPT did in the paper)
            tree = SeedTreeBuilder(cfg, assistant, out, resume=resume, workers=workers, show_progress=show_progress)
            nodes = tree.build()
            kept, removed, open_report = filter_records([n.to_dict() for n in nodes], cfg.filters, stage="openings",
                                                        decontaminator=decon, sources=sources)
            openings = _sample_openings([Node.from_dict(r) for r in kept], cfg)
            if not openings:
                raise NothingKept(f"{out}: no opening line to generate from: the seed trees gave {len(nodes)} "
                                  f"candidate(s), {_removed(open_report.removed)} (sectors {cfg.sectors}); "
                                  "nothing kept")
            atomic_write_jsonl(out / "openings.jsonl", (n.to_dict() for n in openings))
            mine = select_shard(openings, lambda n: n.id, num_shards, shard_index)
            manifest["stages"]["seeds"] = {"levels": tree.level_stats, "opening_candidates": len(nodes),
                                           "openings_after_filter": len(kept), "openings_sampled": len(openings),
                                           "openings_in_shard": len(mine)}
            update_manifest(mpath, manifest, usage=_usage(roles))
            if stage == "seeds":
                done = update_manifest(mpath, manifest, status="seeds_done")
                return UltraChatBuildReport.from_manifest(out, mpath, done, time.monotonic() - t0)

            # 2. dialogues: a resumable job, one line per finished dialogue
            gen = DialogueGenerator(cfg, assistant, user)
            with CheckpointedJsonl(out / f"dialogues{sfx}.jsonl").open(resume=resume) as writer, \
                    CheckpointedJsonl(out / f"rejected{sfx}.jsonl").open(resume=resume) as rejects:
                # on Ray, written in opening order: the file is then byte-identical to a one-worker local run
                job = run_items(mine, key=lambda n: f"uc.{n.id}", work=gen.generate, writer=writer,
                                reject_writer=rejects, workers=workers, description="dialogues",
                                show_progress=show_progress, meters=_meters(assistant, user),
                                retry_errors=(BackendError,), executor=executor,
                                ordered=executor is not None and executor.name == "ray")
                dpath, rpath = writer.path, rejects.path
            dialogues = list(read_jsonl(dpath))
            rejected = list(read_jsonl(rpath))
            n_rejected = len(rejected)
            # the backend meters count this process only; the records carry every call of every run
            totals = {"prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0, "calls": 0}
            for rec in dialogues + rejected:
                for k, v in (rec.get("gen", {}).get("usage") or {}).items():
                    if k in totals:
                        totals[k] += v
            totals["cost_usd"] = round(totals["cost_usd"], 8)
            manifest["dialogue_usage_all_runs"] = totals
            manifest["stages"]["dialogues"] = {**job.to_dict(), "dialogues": len(dialogues), "rejected": n_rejected}

            # 3. filters + dataset + exports
            final, removed_d, dlg_report = filter_records(dialogues, cfg.filters, stage="dialogues",
                                                          decontaminator=decon, sources=sources)
            if not final and mine:
                why = (f"{len(mine)} opening line(s) in this shard: {len(dialogues)} dialogue(s) generated, "
                       f"{n_rejected} ended with no complete round, {job.failed} failed, "
                       f"{_removed(dlg_report.removed)}")
                if job.failed:          # the failures are worth a --resume: the folder keeps what was paid for
                    raise JobError(f"{out}: no dialogue kept yet ({why}; first failure: {job.errors[0]}); "
                                   "rerun with --resume to retry the failed ones")
                raise NothingKept(f"{out}: no dialogue kept ({why}); nothing written")
            atomic_write_jsonl(out / f"ultrachat{sfx}.jsonl", final)
            atomic_write_jsonl(out / f"removed{sfx}.jsonl", removed + removed_d)
            reports = {"openings": open_report.to_dict(), "dialogues": dlg_report.to_dict()}
            atomic_write_json(out / f"filter_report{sfx}.json", reports)
            if num_shards == 1:
                export_raw(final, out / "export" / "raw.jsonl")
                export_h4_folder(final, out / "export" / "ultrachat_200k")
            status = "complete" if job.failed == 0 else "incomplete"
            done = update_manifest(mpath, manifest, status=status, usage=_usage(roles),
                                   counts={"openings": len(mine), "dialogues": len(dialogues), "rejected": n_rejected,
                                           "failed": job.failed, "final": len(final)},
                                   filter_summary={k: v["removed"] for k, v in reports.items()})
            return UltraChatBuildReport.from_manifest(out, mpath, done, time.monotonic() - t0)
        except BaseException:
            try:
                update_manifest(mpath, manifest, status="interrupted", usage=_usage(roles))
            except OSError:
                pass
            raise


def _removed(by_rule: dict[str, int]) -> str:
    """`removed by the filters: near_dup 3, placeholder 1` (or `none removed by the filters`)."""
    listed = ", ".join(f"{rule} {n}" for rule, n in sorted(by_rule.items(), key=lambda kv: -kv[1]) if n)
    return f"removed by the filters: {listed}" if listed else "none removed by the filters"


def merge(inputs: Sequence[str | Path], out_dir: str | Path, cfg: UltraChatConfig | None = None,
          *, filter_: bool = True, ultra_eval: str | Path | None = None) -> dict[str, Any]:
    """Join shard outputs (folders or files), drop repeated ids, re-run the filter chain across shards
    (so dedup and near-dup see everything), write ultrachat.jsonl + report + both exports."""
    cfg = cfg or UltraChatConfig()
    out = Path(out_dir)
    records: dict[str, dict[str, Any]] = {}
    repeated = conflicting = 0
    sources = []
    for src in inputs:
        src = Path(src)
        files = sorted(src.glob("dialogues*.jsonl")) if src.is_dir() else [src]
        if src.is_dir() and not files:
            raise JobError(f"{src}: no dialogues*.jsonl shard files")
        for f in files:
            sources.append(str(f))
            for rec in load_dialogues(f):
                rid = str(rec["id"])
                if rid in records:
                    repeated += 1
                    conflicting += int(records[rid]["messages"] != rec["messages"])
                    continue
                records[rid] = rec
    dialogues = [records[k] for k in sorted(records)]
    report: dict[str, Any] = {"inputs": sources, "read": len(dialogues) + repeated, "repeated_ids": repeated,
                              "conflicting_repeats": conflicting}
    removed: list[dict[str, Any]] | None = None
    if filter_:
        decon, esrc = build_decontaminator(cfg.filters, ultra_eval)
        final, removed, rep = filter_records(dialogues, cfg.filters, decontaminator=decon, sources=esrc)
        report["dialogues"] = rep.to_dict()
    else:
        final = dialogues
    if not final:          # checked before the first write: a failed merge leaves OUT as it was
        raise JobError(f"{', '.join(sources)}: no dialogue left to merge "
                       f"({report['read']} read, all removed by the filters)")
    if removed is not None:
        atomic_write_jsonl(out / "removed.jsonl", removed)
    report["final"] = len(final)
    atomic_write_jsonl(out / "ultrachat.jsonl", final)
    atomic_write_json(out / "merge_report.json", report)
    export_raw(final, out / "export" / "raw.jsonl")
    export_h4_folder(final, out / "export" / "ultrachat_200k")
    return report
