"""The dialogue loop: an assistant model and a separate user-simulator model, called in turn.

Paper §3.4 / #22: the user model sees the dialogue rendered as text followed by a sector-specific
instruction to play the user (plus a sampled persona), in its own conversation, never the assistant's
message list. Cleaning: role prefixes are stripped; a user turn that is only a pleasantry or reads like
an assistant answer is rejected and re-asked; a reply cut by the token limit
(`finish_reason == "length"`) ends the dialogue instead of being kept truncated.
"""
from __future__ import annotations

import re
from typing import Any

from engines.llm.base import ChatBackend, ChatResponse, Message, Sampling
from builders.ultrachat import prompts as P
from builders.ultrachat.config import FilterConfig, SamplingConfig, UltraChatConfig
from builders.ultrachat.seeds import Node, call_seed, rng_for
from builders.ultrachat.turn_rules import placeholder_problem, role_confusion_problem

_ROLE_PREFIX = re.compile(r"^\s*(?:\*\*|__)?\s*(?:user|human|me|you|question|q)\s*(?:\*\*|__)?\s*[:\-]\s*(?:\*\*)?\s*",
                          re.I)
_NEXT_ROLE = re.compile(r"\n\s*(?:\*\*)?\s*(?:assistant|ai|bot|user|human)\s*(?:\*\*)?\s*:", re.I)
_PLEASANTRY_WORDS = set(
    "thanks thank you so much very really a lot great ok okay cool awesome bye goodbye welcome you're youre "
    "appreciate it that's thats helpful perfect nice got alright sounds good have day wonderful amazing "
    "excellent i i'm im glad! that this was is all for the help your".split())
_ASSISTANT_OPENERS = ("as an ai", "as a language model", "i'm an ai", "i am an ai", "sure, here", "sure! here",
                      "certainly", "of course! here", "of course, here", "i'd be happy to", "i would be happy to",
                      "here is a", "here's a", "here are", "great question", "absolutely! here")
REFUSAL_PHRASES = (
    "as an ai language model", "as a language model", "as an ai assistant", "as an artificial intelligence",
    "i do not have emotions", "i don't have emotions", "i do not have opinions", "i don't have opinions",
    "i don't have personal", "i do not have personal", "i'm sorry, but i cannot", "i am sorry, but i cannot",
    "i cannot fulfill", "i can't assist with", "i cannot assist with", "i'm not able to provide",
)


def clean_user_turn(text: str) -> str:
    """Strip role prefixes, surrounding quotes, and anything after the model starts writing another role."""
    text = text.strip()
    m = _NEXT_ROLE.search(text)
    if m:
        text = text[: m.start()]
    for _ in range(2):
        text = _ROLE_PREFIX.sub("", text, count=1).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return text


def user_turn_problem(text: str, filters: FilterConfig | None = None) -> str | None:
    """Why a simulated user turn is unusable (None if fine): empty, pleasantry, assistant_like, and the filter
    chain's user-turn rules (placeholder, role_confusion as configured in `filters`), so the simulator is
    re-asked instead of the whole dialogue being dropped by the filters afterwards."""
    if not text:
        return "empty"
    words = re.findall(r"[a-z']+!?", text.lower())
    if len(words) <= 12 and words and all(w.rstrip("!") in _PLEASANTRY_WORDS for w in words):
        return "pleasantry"
    low = text.lower()
    if low.startswith(_ASSISTANT_OPENERS) or any(p in low for p in REFUSAL_PHRASES):
        return "assistant_like"
    f = filters or FilterConfig()
    if f.placeholder and placeholder_problem(text, f.placeholder_cues, f.placeholder_meta_words) is not None:
        return "placeholder"
    if f.role_confusion and role_confusion_problem(text, f.role_confusion_patterns) is not None:
        return "role_confusion"
    return None


class DialogueGenerator:
    """Turns one opening-line node into a canonical dialogue record (or a rejection record)."""

    def __init__(self, cfg: UltraChatConfig, assistant: ChatBackend, user: ChatBackend) -> None:
        self.cfg, self.assistant, self.user = cfg, assistant, user

    def _sampling(self, s: SamplingConfig, seed: int) -> Sampling:
        return Sampling(temperature=s.temperature, top_p=s.top_p, max_tokens=s.max_tokens, seed=seed)

    def rounds_for(self, node: Node) -> int:
        lo, hi = {1: self.cfg.sector1.rounds, 2: self.cfg.sector2.rounds, 3: self.cfg.sector3.rounds}[node.sector]
        return rng_for(self.cfg.seed, node.id, "rounds").randint(lo, hi)

    def generate(self, node: Node) -> dict[str, Any]:
        did = f"uc.{node.id}"
        seed = self.cfg.seed
        rounds = self.rounds_for(node)
        persona_id = rng_for(seed, node.id, "persona").choice(sorted(P.PERSONAS))
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0, "calls": 0}
        finish: list[str | None] = []
        rejections: dict[str, int] = {}

        def account(r: ChatResponse) -> None:
            usage["prompt_tokens"] += r.prompt_tokens
            usage["completion_tokens"] += r.completion_tokens
            usage["cost_usd"] = round(usage["cost_usd"] + r.cost_usd, 8)
            usage["calls"] += 1

        sys_msgs: list[Message] = ([{"role": "system", "content": self.cfg.system_prompt}]
                                   if self.cfg.system_prompt else [])
        messages: list[Message] = [{"role": "user", "content": node.text}]
        stop_reason = "rounds_done"
        for r in range(rounds):
            reply = self.assistant.chat(sys_msgs + messages,
                                        self._sampling(self.cfg.assistant_sampling, call_seed(seed, did, r, "ai")))
            account(reply)
            finish.append(reply.finish_reason)
            if reply.finish_reason == "length" or not reply.text.strip():
                messages.pop()                       # drop the unanswered user turn
                stop_reason = "assistant_length" if reply.finish_reason == "length" else "assistant_empty"
                break
            messages.append({"role": "assistant", "content": reply.text.strip()})
            if r == rounds - 1:
                break
            turn = self._user_turn(messages, node.sector, persona_id, did, r, account, rejections)
            if turn is None:
                stop_reason = "user_rejected"
                break
            messages.append({"role": "user", "content": turn})
        meta = {k: v for k, v in node.meta.items() if v is not None}
        meta.update(node_id=node.id, parent_id=node.parent_id, kind=node.kind, persona_id=persona_id)
        record: dict[str, Any] = {
            "id": did, "sector": node.sector, "opening_line": node.text, "messages": messages, "meta": meta,
            "gen": {"ai_backend": self.assistant.name, "ai_model": self.assistant.model,
                    "user_backend": self.user.name, "user_model": self.user.model,
                    "params": {"assistant": self.cfg.assistant_sampling.__dict__,
                               "user": self.cfg.user_sampling.__dict__,
                               "system_prompt": self.cfg.system_prompt},
                    "seed": seed, "prompts_version": P.PROMPTS_VERSION, "rounds_planned": rounds,
                    "rounds": len(messages) // 2, "stop_reason": stop_reason, "finish_reasons": finish,
                    "user_rejections": rejections, "usage": usage},
            "license": self.cfg.license,
        }
        if len(messages) < 2:
            record["_rejected"] = True
            record["reject_reason"] = stop_reason
        return record

    def _user_turn(self, messages: list[Message], sector: int, persona_id: str, did: str, r: int,
                   account: Any, rejections: dict[str, int]) -> str | None:
        prompt = (P.render_history(messages) + "\n\n" + P.USER_SIM[sector] + " "
                  + P.PERSONA_LINE.format(persona=P.PERSONAS[persona_id]))
        for attempt in range(self.cfg.user_retries + 1):
            resp = self.user.chat([{"role": "user", "content": prompt}],
                                  self._sampling(self.cfg.user_sampling, call_seed(self.cfg.seed, did, r, "user", attempt)))
            account(resp)
            if resp.finish_reason == "length":
                problem = "length"
                text = ""
            else:
                text = clean_user_turn(resp.text)
                problem = user_turn_problem(text, self.cfg.filters)
            if problem is None:
                return text
            rejections[problem] = rejections.get(problem, 0) + 1
        return None
