"""Backend name -> the three modules. One loop, three interchangeable backends.

- rule: CPU, offline; spaCy/jieba candidates + seed-fitted rankers, cloze QG, BM25+span reader.
- hf:   Hugging Face checkpoints by name or path (token-classification AE, seq2seq QG, extractive
        reader), fine-tuned on S each round; GPU + mixed precision when present.
- llm:  question generation (and optionally answer extraction) by prompting a ChatBackend
        (engines.llm); the reader/filter is the rule reader unless `reader_model` names an HF reader.
"""
from __future__ import annotations

from typing import Any

from annotation.squad import QADataError
from builders.qasnowball.loop import Modules

__all__ = ["make_modules", "BACKENDS"]

BACKENDS = ("rule", "hf", "llm")


def make_modules(backend: str, lang: str, *, seed: int = 0, chat: Any = None, **opts: Any) -> Modules:
    if lang not in ("en", "zh"):
        raise QADataError(f"language must be 'en' or 'zh', got {lang!r}")
    if backend == "rule":
        from builders.qasnowball.rule.extractor import RuleAnswerExtractor
        from builders.qasnowball.rule.qgen import RuleQuestionGenerator
        from engines.readers.rule.reader import RuleReader

        return Modules(RuleAnswerExtractor(lang, seed=seed), RuleQuestionGenerator(lang, seed=seed),
                       RuleReader(lang, seed=seed))
    if backend == "hf":
        from builders.qasnowball.hf.modules import HFAnswerExtractor, HFQuestionGenerator
        from engines.readers.hf import HFReader

        train = {k: opts[k] for k in ("epochs", "batch_size", "lr", "max_length", "device", "work_dir") if k in opts}
        for key in ("ae_model", "qg_model", "reader_model"):
            if not opts.get(key):
                raise QADataError(f"backend hf needs {key} (an HF checkpoint name or local path)")
        qg_extra = {k: opts[k] for k in ("max_question_tokens", "window_chars") if k in opts}
        return Modules(HFAnswerExtractor(opts["ae_model"], lang, seed=seed, **train),
                       HFQuestionGenerator(opts["qg_model"], lang, seed=seed, **train, **qg_extra),
                       HFReader(opts["reader_model"], lang, seed=seed, **train))
    if backend == "llm":
        from builders.qasnowball.llm_qg import LLMAnswerExtractor, LLMQuestionGenerator
        from builders.qasnowball.rule.extractor import RuleAnswerExtractor
        from engines.readers.rule.reader import RuleReader

        if chat is None:
            raise QADataError("backend llm needs a chat backend (see engines.llm)")
        extractor = LLMAnswerExtractor(chat, lang) if opts.get("llm_answers") else RuleAnswerExtractor(lang, seed=seed)
        reader: Any = RuleReader(lang, seed=seed)
        if opts.get("reader_model"):
            from engines.readers.hf import HFReader

            reader = HFReader(opts["reader_model"], lang, seed=seed)
        return Modules(extractor, LLMQuestionGenerator(chat, lang, seed=seed,
                                                    max_tokens=opts.get("llm_max_tokens", 256)), reader)
    raise QADataError(f"unknown backend {backend!r}; known: {', '.join(BACKENDS)}")
