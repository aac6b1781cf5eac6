"""Query reformulation for the heuristic policies: keywords, sub-questions, follow-up queries.

Annotators rarely typed one query and stopped: they shortened the question to its keywords, split
comparisons ("A 和 B 的区别") into one search per side, and searched again for what their quotes
did not cover yet. These functions do the same with jieba tokens, deterministically (no model).
"""
from __future__ import annotations

import re
from functools import lru_cache

# function words and question words: never keywords (a search engine ignores them, so did annotators)
STOP = frozenset("的 了 是 在 和 也 就 都 而 及 与 或 之 于 这 那 你 我 他 她 它 们 吗 呢 吧 啊 有 个 为 以 中 上 下 不 "
                 "会 能 要 可以 什么 怎么 怎么样 怎样 如何 为什么 哪个 哪些 哪里 哪儿 哪家 多少 多久 多高 几 是否 "
                 "是不是 有没有 请问 一下 一个 还是 跟 或者 以及 比较 好 么 已 后 看 没 得 着 过 很 最 还 又 再 被 把 让 给 "
                 "从 对 到 说 去 来 但 但是".split())
# what the question asks for -> a word annotators added to a follow-up query
ASKS = (("为什么|原因|为何", "原因"), ("怎么办|怎么处理|如何处理|怎么解决|解决", "解决方法"),
        ("怎么|如何|方法|怎样|流程|步骤", "方法"), ("区别|不同|差别|哪个好|对比", "区别"),
        ("多少|多高|多久|多大|几", "多少"), ("是什么|什么意思|意思|含义", "是什么意思"), ("哪里|哪儿|哪家|什么地方", "推荐"),
        ("吗$|是否|是不是|能不能|可不可以", "是否"))
_CONNECTORS = re.compile(r"和|跟|与|还是|或者|以及|、|，|,|；|;|\s+|但是|但|vs|VS")
_ASK_WORDS = re.compile(r"区别|不同|差别|哪个好|哪个|对比|比较|怎么样|是什么|什么|吗$|呢$")


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    import jieba

    return tuple(jieba.lcut(text))


def terms(text: str) -> set[str]:
    """Content tokens of `text` (lower-cased jieba tokens minus punctuation and function words)."""
    return {t for t in _tokens(text.lower()) if t.strip() and not re.fullmatch(r"[\W_]+", t) and t not in STOP}


def keywords(text: str) -> list[str]:
    """Content tokens of `text` in the order they appear (first occurrence), e.g. 海信电视怎么样 -> [海信, 电视]."""
    out: list[str] = []
    for t in _tokens(text.lower()):
        t = t.strip()
        if t and not re.fullmatch(r"[\W_]+", t) and t not in STOP and t not in out:
            out.append(t)
    return out


def keyword_query(text: str, *, max_terms: int = 6) -> str:
    """The keyword form of a question: its content tokens joined by spaces (the question if it has none)."""
    kws = keywords(text)[:max_terms]
    return " ".join(kws) if kws else text.strip()


def sub_questions(question: str) -> list[str]:
    """Parts of a question joined by a connector, each with the question's tail when it lost it:
    美邦钙宝跟迪巧哪个好 -> [美邦钙宝 哪个好, 迪巧哪个好]; a question without a connector -> []."""
    parts = [p for p in (x.strip() for x in _CONNECTORS.split(question)) if len(p) >= 2]
    if len(parts) < 2:
        return []
    tail = _ASK_WORDS.search(parts[-1])
    ask = parts[-1][tail.start():] if tail else ""
    out = []
    for p in parts:
        if ask and not p.endswith(ask) and _ASK_WORDS.search(p) is None:
            p = f"{p} {ask}"
        if p not in out:
            out.append(p)
    return out


def ask_word(question: str) -> str:
    """The kind of answer a question asks for, as a query word (原因, 方法, 区别...); '' when unclear."""
    for pattern, word in ASKS:
        if re.search(pattern, question):
            return word
    return ""


def follow_up(question: str, facts: list[str], searched: list[str]) -> str | None:
    """The next query when the quotes so far miss part of the question, or None when nothing new is left.

    Tried in order: an unsearched sub-question (as keywords); the question keywords the facts do not
    cover yet plus the main keyword; the keywords plus what the question asks for (原因, 方法...).
    A query already searched is never proposed again."""
    done = {q.strip() for q in searched}
    kws = keywords(question)
    covered = terms("".join(facts))
    missing = [k for k in kws if k not in covered]
    candidates = [keyword_query(s) for s in sub_questions(question)]
    if missing and kws:
        anchor = [kws[0]] if kws[0] not in missing else []
        candidates.append(" ".join(anchor + missing))
    ask = ask_word(question)
    if ask and ask not in kws:
        candidates.append(" ".join(kws[:4] + [ask]))
    candidates.append(question.strip())
    for cand in candidates:
        cand = cand.strip()
        if cand and cand not in done:
            return cand
    return None


def coverage(question: str, facts: list[str]) -> float:
    """Share of the question's keywords that occur in the collected facts (1.0 for a keyword-less question)."""
    kws = keywords(question)
    if not kws:
        return 1.0
    covered = terms("".join(facts))
    return sum(k in covered for k in kws) / len(kws)
