"""User-turn rules of the filter chain: unfilled template placeholders and role confusion.

Why: small simulator models copy slots from their own templates into user turns ("near [specific
location]", "<insert name>", "{topic}", "XXX") and slip into the assistant's role ("I'm glad you enjoyed
the conversation! Is there anything else I can help you with?"; Paper §3.4 "role confounding"). Both make
a user turn no real user would write. Precision/recall against 50 hand-labelled turns:
tests/fixtures/ultrachat/labelled_turns.jsonl (tests/builders/ultrachat/test_turn_rules.py).

Each function returns a short detail (what matched) or None; the chain in filters.py counts them.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

# Words that mark a bracketed span as a slot to fill ("[Company Name]", "<insert name>", "[target language]").
PLACEHOLDER_CUES = (
    "insert", "your", "specific", "name", "names", "topic", "location", "city", "country", "date", "time",
    "company", "organization", "organisation", "job", "title", "position", "role", "venue", "event", "number",
    "amount", "product", "brand", "address", "email", "phone", "language", "person", "recipient", "sender",
    "character", "placeholder", "enter", "add", "fill", "here", "something", "someone", "industry",
    "field", "subject", "school", "university", "team", "project", "website", "platform", "year", "month", "day",
)
# A turn that talks about slots (mail merge, a template's fields) may quote one legitimately.
PLACEHOLDER_META_WORDS = ("placeholder", "mail merge", "merge field", "template field", "fill-in field")
# Title-case words before "XXX" that make it a Roman numeral (Super Bowl XXX, Chapter XXX).
_ROMAN_CONTEXT = {"bowl", "chapter", "part", "volume", "vol", "book", "act", "canto", "psalm", "olympiad",
                  "dynasty", "pope", "louis", "henry", "george", "edward", "charles", "pius", "leo", "john",
                  "article", "section", "title", "world", "wrestlemania", "xxx"}
_HTML_TAGS = {"a", "b", "i", "u", "p", "br", "hr", "div", "span", "img", "ul", "ol", "li", "table", "tr", "td", "th",
              "head", "body", "html", "title", "script", "style", "link", "meta", "form", "input", "button",
              "label", "select", "option", "section", "article", "header", "footer", "nav", "main", "code", "pre",
              "em", "strong", "h1", "h2", "h3", "h4", "h5", "h6", "iframe", "svg", "canvas", "video", "audio"}

_CODE_BLOCK = re.compile(r"```.*?(?:```|$)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
# a bracketed span of words: not glued to an identifier (a[i], list[str]), not a markdown link [x](url)
_SLOT = re.compile(r"(?<![\w\]\)\$%])(\[|<|\{)\s*([A-Za-z][A-Za-z_' /-]{0,60}?)\s*(\]|>|\})(?!\()")
_PAIRS = {"[": "]", "<": ">", "{": "}"}
_MASK = re.compile(r"(?<![\w-])(X{3,}(?:[-/.]X{2,})*)(?![\w])")
_BLANK = re.compile(r"_{4,}")


def _strip_code(text: str) -> str:
    return _INLINE_CODE.sub(" ", _CODE_BLOCK.sub(" ", text))


def placeholder_problem(text: str, cues: Sequence[str] = PLACEHOLDER_CUES,
                        meta_words: Sequence[str] = PLACEHOLDER_META_WORDS) -> str | None:
    """The first unfilled slot in `text` (code spans and blocks ignored), else None."""
    low = text.lower()
    if any(w in low for w in meta_words):
        return None
    body = _strip_code(text)
    cue_set = set(cues)
    for m in _SLOT.finditer(body):
        opener, inner, closer = m.group(1), m.group(2).strip(), m.group(3)
        if _PAIRS[opener] != closer:
            continue
        words = re.split(r"[\s_/-]+", inner)
        lw = [w.lower().strip("'") for w in words if w]
        if opener == "<" and len(lw) == 1 and lw[0] in _HTML_TAGS:
            continue
        slot_like = (any(w.rstrip("s") in cue_set or w in cue_set for w in lw)
                     or (inner.isupper() and len(inner) >= 2)                     # [NAME]
                     or (opener == "{" and re.fullmatch(r"[a-z]+(?:_[a-z]+)*", inner) is not None)  # {topic}
                     or (len(lw) >= 2 and opener != "<"))                         # [target audience]
        if slot_like:
            return m.group(0)
    for m in _MASK.finditer(body):
        prev = body[: m.start()].rstrip().rsplit(None, 1)
        prev_word = re.sub(r"\W", "", prev[-1]).lower() if prev else ""
        if m.group(1) == "XXX" and prev_word in _ROMAN_CONTEXT:
            continue
        return m.group(0)
    if (m := _BLANK.search(body)) is not None:
        return m.group(0)
    return None


# Regexes (matched on the lowercased turn, curly apostrophes made straight) for things an assistant says
# and a user does not. Each is narrow on purpose: "how can i help my son..." or "i'd be happy to try that
# recipe" are user lines; "how can i help you" and "i'd be happy to help you" are not.
ROLE_CONFUSION_PATTERNS = (
    r"\bis there anything else (?:that )?i can (?:help|assist|do)\b",
    r"\banything else i can (?:help|assist) you with\b",
    r"\bhow (?:can|may|could) i (?:help|assist) you\b",
    r"\bhow (?:can|may|could) i (?:help|assist) (?:further|today)\b",
    r"\blet me know if you (?:have|need) any (?:other |more |further )?(?:questions|help)\b",
    r"\b(?:feel free|don't hesitate) to (?:ask|let me know)(?: me)?,? if you (?:have|need)\b",
    r"\b(?:feel free|don't hesitate) to reach out\b",
    r"\bi hope (?:this|that) (?:helps|was helpful)\s*(?:[.!,]|$)",
    r"\bglad (?:that )?(?:you|you've) (?:enjoyed|liked|found (?:it|this|that|my))\b",
    r"\bglad (?:that )?i (?:could|was able to) help\b",
    r"\b(?:always |more than )?(?:happy|glad) to (?:help|assist)\s*(?:[.!,]|$)",
    r"\bi'd be (?:happy|glad) to (?:help|assist) you\b",
    r"\bwould you like me to (?:suggest|elaborate|recommend|create|help you)\b",
    r"^\s*you're (?:very )?welcome\b",
    r"\bthank you for your kind words\b",
    r"\bas an ai\b", r"\bas a language model\b", r"\bi(?:'m| am) an ai\b",
    r"\bi don't have personal (?:preferences|opinions|experiences)\b",
    r"^\s*(?:great|good|excellent) question\b",
    # seen in SmolLM2-135M user turns of the example build (examples/ultrachat-small.json)
    r"\bwhat can i do for you\b", r"\bwhat brings you here\b", r"\bhow can i be of (?:help|assistance|service)\b",
    r"\bi'm (?:here|ready|always here) to (?:help|assist)\b", r"\byou're a helpful (?:ai|assistant)\b",
    r"^\s*the user (?:wants|is asking|is seeking|would like|asked)\b",
    r"^\s*(?:sure|certainly|of course|absolutely)[,!.]?\s+here(?:'s| is| are)\b",
)


@lru_cache(maxsize=8)
def _compiled(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.M) for p in patterns]


def role_confusion_problem(text: str, patterns: Sequence[str] = ROLE_CONFUSION_PATTERNS) -> str | None:
    """The first assistant-only phrase in a user turn, else None."""
    low = text.lower().replace("\u2019", "'")
    for rx in _compiled(tuple(patterns)):
        if (m := rx.search(low)) is not None:
            return m.group(0).strip()
    return None
