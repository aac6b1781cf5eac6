"""A chat backend described as data (kind, model, options), so a CLI only parses flags and a builder
builds the backend, records what it used (never a key: keys come from the environment) and hashes it.

Why a spec and not a backend object: a build's run manifest hashes its config, and the spec is the part
of the config that names the model; the backend object itself is made only when the build starts.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from core.options import check_keys, parse_key_values
from engines.llm import ALIASES, BACKENDS, create_backend
from engines.llm.base import BackendError, ChatBackend
from core.registry import resolve

__all__ = ["BackendSpec", "parse_options", "OPERATIONAL"]

OPERATIONAL = frozenset({"base_url", "base_url_env", "api_key_env", "concurrency", "max_retries", "timeout",
                         "backoff_base", "backoff_max", "price_prompt_per_mtok", "price_completion_per_mtok",
                         "jitter_seed", "device", "data_parallel_size", "adaptive"})


def parse_options(items: Sequence[str], flag: str = "--llm-option") -> dict[str, Any]:
    """`KEY=VALUE` strings -> dict; a VALUE that parses as JSON (numbers, true, lists) is taken as JSON."""
    return parse_key_values(items, flag=flag, error=BackendError)


def _takes_any(kind: str) -> bool:
    """Whether the backend's constructor takes **kwargs (vLLM: engine arguments), so its keys are open."""
    try:
        cls = resolve(BACKENDS[ALIASES.get(kind, kind)])
    except ImportError:
        return True
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in inspect.signature(cls.__init__).parameters.values())


def _accepted(kind: str) -> set[str] | None:
    """Keyword names the backend's constructor names (None: the backend cannot be imported here). A
    constructor that also takes **kwargs (vLLM's engine kwargs) still gets only the shared flags it names:
    an HTTP flag like concurrency must not become an engine argument."""
    try:
        cls = resolve(BACKENDS[ALIASES.get(kind, kind)])
    except ImportError:
        return None
    params = inspect.signature(cls.__init__).parameters
    return {n for n, p in params.items() if n not in ("self", "model") and p.kind is not inspect.Parameter.VAR_KEYWORD}


@dataclass
class BackendSpec:
    kind: str
    model: str
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_cli(cls, kind: str, model: str | None, *, shared: Mapping[str, Any] | None = None,
                 explicit: Mapping[str, Any] | None = None, what: str = "--model",
                 flag: str = "--llm-option") -> "BackendSpec":
        """`shared`: the CLI's generic flags (base_url, concurrency, device...), kept only where this kind's
        constructor takes them and not None; `explicit`: options the user named for this backend, all kept
        (one the constructor does not take is refused here, naming the accepted ones, as `flag`)."""
        kind = ALIASES.get(kind, kind)
        if kind not in BACKENDS:
            raise BackendError(f"unknown backend {kind!r}; known: {', '.join(sorted(BACKENDS))}")
        if not model:
            raise BackendError(f"backend {kind} needs {what} NAME_OR_PATH")
        accepted = _accepted(kind)
        if explicit and accepted is not None and not _takes_any(kind):      # a typo is refused before any call
            check_keys(explicit, accepted, flag=flag, what=f"backend {kind}", error=BackendError)
        opts = {k: v for k, v in (shared or {}).items()
                if v is not None and (accepted is None or k in accepted)}
        opts.update(explicit or {})
        return cls(kind, model, opts)

    def create(self) -> ChatBackend:
        try:
            return create_backend(self.kind, self.model, **self.options)
        except TypeError as exc:
            raise BackendError(f"backend {self.kind} ({self.model}): {exc}") from None

    def describe(self, *, for_hash: bool = False) -> dict[str, Any]:
        """Kind, model and options (no secret is ever an option); `for_hash` leaves out the options that
        change how calls are made (where, how many at once, retries, prices) but not what comes back."""
        opts = {k: v for k, v in sorted(self.options.items()) if not (for_hash and k in OPERATIONAL)}
        return {"kind": self.kind, "model": self.model, "options": opts}
