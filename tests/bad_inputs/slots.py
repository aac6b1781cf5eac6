"""Every CLI verb that reads a user file, as *slots*: which argument takes the bad input, and which cases.

A slot says how to build the command line around one bad input (`argv(ctx)`), which corpus cases it
gets, what it must do (`expect`: "error" = exit 2 with one line naming the file; "issues" = a validator,
which may instead list issues and exit 1), and what it would write (`out`: must not exist afterwards).
Verbs come from `bench --help` and each sub-app's --help; tests/bad_inputs/test_corpus_covers_cli.py
fails when a verb is added without a slot here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tests.bad_inputs.corpus import COMMON, FOLDER, JSON, JSONL, TREC_QRELS, TREC_RUN, ZIP


@dataclass
class Ctx:
    tmp: Path
    bad: Path
    out: Path
    data: Path
    repo: Path


@dataclass
class Slot:
    verb: str                                   # pytest id prefix, e.g. "run.--run"
    name: str                                   # file name of the bad input
    cases: tuple[str, ...]
    argv: Callable[[Ctx], list[str]]
    expect: str = "error"                       # "error" | "issues"
    out: str = "out"                            # output path (under tmp) that must not appear
    good: bytes | None = None                   # valid content: BOM/CRLF of it must read the same
    setup: Callable[[Ctx], None] | None = None  # writes the other (good) inputs
    lines: bool = False                         # line-oriented: errors must name file:line
    needles: dict[str, str] = field(default_factory=dict)   # case -> text the message must hold
    where: Callable[[Ctx], Path] | None = None  # where the bad input goes (default: tmp/in/NAME)


FILE = tuple(COMMON)                     # missing, directory, empty, binary, non_utf8
JSONL_CASES = FILE + tuple(JSONL)
JSON_CASES = FILE + tuple(JSON)
FOLDER_CASES = tuple(FOLDER)

GOOD_TREC = b"1 Q0 184 1 2.0 tag\n1 Q0 29 2 1.5 tag\n2 Q0 12 1 1.0 tag\n"
GOOD_JSON_RUN = b'{"1": {"184": 2.0, "29": 1.5},\n "2": {"12": 1.0}}\n'
GOOD_QA_JSONL = (b'{"id": "q1", "title": "t", "context": "Paris is the capital of France.", '
                 b'"question": "What is the capital of France?", '
                 b'"answers": {"text": ["Paris"], "answer_start": [0]}}\n')
GOOD_DIALOGUE = (b'{"id": "d1", "data": ["Hello there, how are you today?", '
                 b'"I am fine, thank you. How can I help you today?"]}\n')
GOOD_ENTITIES = b"Paris\nLondon\n"
# a build that got past its inputs must fail fast, never wait on a model server
NO_SERVER = ["-m", "none", "--base-url", "http://127.0.0.1:9", "--max-retries", "0", "--api-key-env", "BENCH_NO_KEY"]


def _cases(*groups: tuple[str, ...], extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    out: list[str] = []
    for g in groups + (extra,):
        out += [c for c in g if c not in out]
    return tuple(out)


def _cranfield_copy(ctx: Ctx) -> None:
    import shutil

    shutil.copytree(ctx.data / "cranfield", ctx.tmp / "cran")
    (ctx.tmp / "cran" / "cranqrel.trec.txt").unlink()


def _cranfield_copy_corpus(ctx: Ctx) -> None:
    import shutil

    shutil.copytree(ctx.data / "cranfield", ctx.tmp / "cran")
    (ctx.tmp / "cran" / "cran.all.1400.xml").unlink()


def _traces(ctx: Ctx) -> None:
    """Real WebCPM traces: read back from the released prompts (tiny, no model)."""
    from builders.webcpm.recover import recover_traces
    from core import atomic_write_jsonl

    atomic_write_jsonl(ctx.tmp / "traces.jsonl",
                       recover_traces(ctx.data / "webcpm" / "inference" / "output" / "test_output.json")[:3])


def _muser_cases(ctx: Ctx) -> None:
    import shutil

    shutil.copy(ctx.repo / "tests" / "fixtures" / "muser" / "cases_pool.json", ctx.tmp / "cases_pool.json")


def _qa_seed(ctx: Ctx) -> None:
    (ctx.tmp / "seed.jsonl").write_bytes(GOOD_QA_JSONL)


SLOTS: list[Slot] = [
    # ---- bench run: a run file, a predictions file, a dataset folder
    Slot("run.--run(trec)", "bad.run", _cases(FILE, tuple(TREC_RUN), extra=("huge_trec_line", "bom_crlf")),
         lambda c: ["run", "cranfield", "--run", str(c.bad), "-o", str(c.out), "-q"], good=GOOD_TREC, lines=True,
         needles={"five_columns": "columns", "word_score": "SCORE", "nan_score": "SCORE"}),
    Slot("run.--run(json)", "bad.json", _cases(JSON_CASES, extra=("bom_crlf", "unknown_ids_json")),
         lambda c: ["run", "cranfield", "--run", str(c.bad), "-o", str(c.out), "-q"], good=GOOD_JSON_RUN),
    Slot("run.muser--run", "bad.run", _cases(FILE, ("five_columns", "word_score", "nan_score", "truncated_json",
                                                    "nan_json", "array_json", "unknown_ids")),
         lambda c: ["run", "muser", "--run", str(c.bad), "-o", str(c.out), "-q"]),
    Slot("run.--predictions", "preds.json", _cases(JSON_CASES, extra=("huge_line", "unknown_ids_json")),
         lambda c: ["run", "cmrc2018-dev", "--predictions", str(c.bad), "-o", str(c.out), "-q"]),
    Slot("run.--data-dir(qrels)", "cranqrel.trec.txt", ("empty", "binary", "non_utf8") + tuple(TREC_QRELS),
         lambda c: ["run", "cranfield", "--data-dir", str(c.tmp / "cran"), "--retriever", "bm25",
                    "-o", str(c.out), "-q"], setup=_cranfield_copy, lines=True,
         where=lambda c: c.tmp / "cran" / "cranqrel.trec.txt"),
    Slot("run.--data-dir", "cran", FOLDER_CASES,
         lambda c: ["run", "cranfield", "--data-dir", str(c.bad), "--retriever", "bm25", "-o", str(c.out), "-q"]),
    Slot("run.--data-dir(corpus)", "cran.all.1400.xml", ("empty", "binary", "non_utf8", "truncated_xml"),
         lambda c: ["run", "cranfield", "--data-dir", str(c.tmp / "cran"), "--retriever", "bm25",
                    "-o", str(c.out), "-q"], setup=_cranfield_copy_corpus,
         where=lambda c: c.tmp / "cran" / "cran.all.1400.xml"),
    # ---- compare, submit, verify, leaderboard
    Slot("compare", "a.json", _cases(JSON_CASES, extra=("huge_line",)),
         lambda c: ["compare", str(c.bad), str(c.bad), "-o", str(c.out)], out="out.json"),
    Slot("submit", "results", FOLDER_CASES + ("bad_result_json", "nan_result"),
         lambda c: ["submit", str(c.bad), "--out", str(c.out)], out="out.zip"),
    Slot("verify", "sub.zip", ("missing", "directory", "empty") + ZIP,
         lambda c: ["verify", str(c.bad)],
         needles={"zip_bomb": "compression ratio", "zip_traversal": "traversal", "zip_symlink": "symbolic link",
                  "zip_truncated": "not a zip", "zip_duplicate_member": "duplicate"}),
    Slot("leaderboard.build", "subs", FOLDER_CASES + ("folder_of_bad_zips",),
         lambda c: ["leaderboard", "build", str(c.bad), "-o", str(c.out), "--no-rescore"]),
    # ---- annotate (Label Studio round trip): an export file back in, a built folder out
    Slot("annotate.import", "export.json", JSON_CASES,
         lambda c: ["annotate", "import", "muser-pairs", str(c.bad), str(c.out)]),
    Slot("annotate.export", "muser_build", FOLDER_CASES,
         lambda c: ["annotate", "export", "muser-pairs", str(c.bad), str(c.out)]),
    Slot("annotate.push", "ls_tasks", FOLDER_CASES,
         lambda c: ["annotate", "push", str(c.bad), "--url", "http://127.0.0.1:9", "--token-env", "BENCH_NO_TOKEN"]),
    # ---- validators (collect every issue: exit 1 with a list is fine, so is exit 2 with one line)
    Slot("validate.ultrachat", "dialogues.jsonl", _cases(JSONL_CASES, extra=("duplicate_ids", "bom_crlf",
                                                                            "huge_line")),
         lambda c: ["validate", "ultrachat", str(c.bad)], expect="issues", good=GOOD_DIALOGUE, lines=True),
    Slot("validate.qa", "qa.jsonl", _cases(JSONL_CASES, extra=("duplicate_ids", "bom_crlf")),
         lambda c: ["validate", "qa", str(c.bad)], expect="issues", good=GOOD_QA_JSONL, lines=True),
    Slot("validate.qa(json)", "qa.json", JSON_CASES, lambda c: ["validate", "qa", str(c.bad)], expect="issues"),
    Slot("validate.webcpm", "traces.jsonl", _cases(JSONL_CASES, extra=("duplicate_ids",)),
         lambda c: ["validate", "webcpm", str(c.bad)], expect="issues", lines=True),
    Slot("validate.muser(judgments)", "judgments.jsonl", _cases(JSONL_CASES, extra=("duplicate_ids",)),
         lambda c: ["validate", "muser", str(c.bad)], expect="issues", lines=True),
    Slot("validate.muser(cases)", "cases_pool.json", JSON_CASES,
         lambda c: ["validate", "muser", str(c.bad)], expect="issues"),
    # ---- stats
    Slot("stats.ultrachat", "dialogues.jsonl", _cases(JSONL_CASES, extra=("bom_crlf",)),
         lambda c: ["stats", "ultrachat", str(c.bad), "--embedder", "none", "--json", str(c.out)],
         out="out.json", good=GOOD_DIALOGUE, lines=True),
    Slot("stats.webcpm", "traces.jsonl", JSONL_CASES, lambda c: ["stats", "webcpm", str(c.bad)], lines=True),
    Slot("stats.qasnowball", "build", FOLDER_CASES + ("qasnowball_bad_build", "qasnowball_bad_round_log",
                                                      "qasnowball_bad_round_records"),
         lambda c: ["stats", "qasnowball", str(c.bad)]),
    # ---- export / card (sources)
    Slot("export.qasnowball", "generated.jsonl", JSONL_CASES,
         lambda c: ["export", "qasnowball", str(c.out), "--source", str(c.bad), "--no-card"], lines=True),
    Slot("export.webcpm", "traces.jsonl", JSONL_CASES,
         lambda c: ["export", "webcpm", str(c.out), "--source", str(c.bad), "--no-card"], lines=True),
    Slot("export.ultrachat", "dialogues.jsonl", JSONL_CASES,
         lambda c: ["export", "ultrachat", str(c.out), "--source", str(c.bad), "--no-card"], lines=True),
    Slot("export.ultrachat_eval", "ultra_eval.json", JSON_CASES,
         lambda c: ["export", "ultrachat_eval", str(c.out), "--source", str(c.bad), "--no-card"]),
    Slot("export.muser", "dataset", FOLDER_CASES + ("muser_bad_cases",),
         lambda c: ["export", "muser", str(c.out), "--source", str(c.bad), "--no-card"]),
    Slot("export.cmrc2018", "cmrc", FOLDER_CASES + ("cmrc_bad_dev",),
         lambda c: ["export", "cmrc2018", str(c.out), "--source", str(c.bad), "--no-card"]),
    Slot("card.ultrachat", "build", FOLDER_CASES + ("folder_with_bad_jsonl",),
         lambda c: ["card", "ultrachat", "--source", str(c.bad)]),
    Slot("card.webcpm", "build", FOLDER_CASES + ("folder_with_bad_jsonl",),
         lambda c: ["card", "webcpm", "--source", str(c.bad)]),
    Slot("card.qasnowball", "build", FOLDER_CASES + ("folder_with_bad_jsonl",),
         lambda c: ["card", "qasnowball", "--source", str(c.bad)]),
    # ---- builders
    Slot("build.muser--cases", "cases_pool.json", JSON_CASES,
         lambda c: ["build", "muser", "--cases", str(c.bad), "--out", str(c.out), "--quiet"]),
    Slot("build.muser--judgments", "judgments.jsonl", JSONL_CASES,
         lambda c: ["build", "muser", "--cases", str(c.tmp / "cases_pool.json"), "--judgments", str(c.bad),
                    "--out", str(c.out), "--quiet", "--no-hf"], setup=_muser_cases, lines=True),
    Slot("build.qasnowball--seed-file", "seed.jsonl", JSONL_CASES,
         lambda c: ["build", "qasnowball", "--seed-file", str(c.bad), "--docs", str(c.bad), "--lang", "en",
                    "-o", str(c.out), "-q"], lines=True),
    Slot("build.qasnowball--docs", "docs.jsonl", JSONL_CASES,
         lambda c: ["build", "qasnowball", "--seed-file", str(c.tmp / "seed.jsonl"), "--docs", str(c.bad),
                    "--lang", "en", "-o", str(c.out), "-q"], setup=_qa_seed, lines=True),
    Slot("build.webcpm--corpus", "search.dev.json", JSONL_CASES,
         lambda c: ["build", "webcpm", str(c.out), "--corpus", str(c.bad), "-q"], out="out.jsonl", lines=True),
    Slot("build.webcpm--replay", "replay.jsonl", ("missing", "directory", "binary", "non_utf8", "truncated_jsonl"),
         lambda c: ["build", "webcpm", str(c.out), "--policy", "replay", "--replay", str(c.bad), "--limit", "1",
                    "-q"], out="out.jsonl"),
    Slot("build.webcpm-recover", "test_output.json", JSONL_CASES,
         lambda c: ["build", "webcpm-recover", str(c.bad), str(c.out)], out="out.jsonl", lines=True),
    Slot("build.webcpm-tasks", "traces.jsonl", JSONL_CASES,
         lambda c: ["build", "webcpm-tasks", str(c.bad), str(c.out)], lines=True),
    Slot("build.webcpm-tasks--vocab", "vocab.txt", FILE,
         lambda c: ["build", "webcpm-tasks", str(c.tmp / "traces.jsonl"), str(c.out), "--vocab", str(c.bad)],
         setup=_traces),
    Slot("build.ultrachat--config", "config.json", JSON_CASES,
         lambda c: ["build", "ultrachat", str(c.out), *NO_SERVER, "--config", str(c.bad), "-q"]),
    Slot("build.ultrachat--materials", "materials.jsonl", JSONL_CASES,
         lambda c: ["build", "ultrachat", str(c.out), *NO_SERVER, "--materials", str(c.bad), "-q"], lines=True),
    Slot("build.ultrachat--entities", "entities.txt", FILE + ("bom_crlf",),
         lambda c: ["build", "ultrachat", str(c.out), *NO_SERVER, "--entities", str(c.bad), "--stage", "seeds", "-q"], good=GOOD_ENTITIES),
    Slot("build.ultrachat--eval-set", "eval.jsonl", JSONL_CASES,
         lambda c: ["build", "ultrachat", str(c.out), *NO_SERVER, "--eval-set", str(c.bad), "-q"], lines=True),
    Slot("merge", "shard.jsonl", JSONL_CASES + ("all_filtered",), lambda c: ["merge", str(c.out), str(c.bad)],
         lines=True),
    Slot("merge--config", "config.json", JSON_CASES,
         lambda c: ["merge", str(c.out), str(c.tmp / "shard.jsonl"), "--config", str(c.bad)],
         setup=lambda c: (c.tmp / "shard.jsonl").write_bytes(GOOD_DIALOGUE)),
    Slot("merge--eval-set", "eval.jsonl", JSONL_CASES,
         lambda c: ["merge", str(c.out), str(c.tmp / "shard.jsonl"), "--eval-set", str(c.bad)],
         setup=lambda c: (c.tmp / "shard.jsonl").write_bytes(GOOD_DIALOGUE), lines=True),
    Slot("tagger.train", "sentences.json", JSON_CASES + ("truncated_jsonl", "not_object_jsonl"),
         lambda c: ["tagger", "train", "--data", str(c.bad), "-o", str(c.out), "--quiet"]),
    # ---- judge-check: a judgments bundle (JSONL) in, pairs / a check file out
    Slot("judge-check.pairs", "bundle.jsonl", JSONL_CASES,
         lambda c: ["judge-check", "pairs", str(c.bad), str(c.out)]),
    Slot("judge-check.score", "bundle.jsonl", JSONL_CASES,
         lambda c: ["judge-check", "score", "-j", str(c.bad), "-o", str(c.out)]),
    # ---- data registry: a mirror folder
    Slot("data.fetch--mirror", "mirror", ("missing", "file_not_folder", "empty_folder", "mirror_bad_file"),
         lambda c: ["data", "fetch", "cranfield", "--mirror", str(c.bad), "-q"]),
    Slot("data.verify--mirror", "mirror", ("file_not_folder", "mirror_bad_file"),
         lambda c: ["data", "verify", "cranfield", "--mirror", str(c.bad)]),
]
