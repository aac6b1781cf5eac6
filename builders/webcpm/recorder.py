"""Deterministic clock and ids for recorded traces, so a rebuild gives byte-identical records.

The clock advances by a human-like think time per recorded action: log-normal around a median
that depends on the action (reading a window takes longer than going back) and grows with the
typed query or the selected quote. Every draw comes from a `random.Random` seeded with
sha256(seed, record id), so the same seed gives the same `triggerAt` values on every build and
every resume, while two records (or two seeds) get different ones.
"""
from __future__ import annotations

import hashlib
import math
import random
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from annotation.webcpm import actions as A

EPOCH_MS = 1_650_969_909_000  # 2022-04-26, the era of the real traces; only a default

# median think time (ms) before each action; not measured on WebCPM (its traces' timestamps are not
# public), set from typical reading/typing speeds: ~4 s to skim a 500-char window, ~0.5 s per typed
# character, ~40 ms per selected character on top of finding the span
MEDIAN_MS: dict[str, int] = {
    A.START: 2500, A.SEARCH: 3000, A.LOAD: 3500, A.BACK: 1800, A.DOWN: 4500, A.UP: 3000, A.TOP: 2500,
    A.QUOTE: 5000, A.MERGE: 2500, A.CLOSE: 4000, A.REJECT: 3000,
}


@dataclass(frozen=True)
class ThinkTimes:
    """Log-normal think times: median per action (+ per typed / selected character), spread `sigma`.

    `fixed_ms` > 0 turns the model off (every step takes exactly that long: the old clock)."""
    sigma: float = 0.55
    per_query_char_ms: int = 450
    per_quote_char_ms: int = 40
    min_ms: int = 300
    max_ms: int = 120_000
    fixed_ms: int = 0
    medians: dict[str, int] = field(default_factory=lambda: dict(MEDIAN_MS))

    def describe(self) -> dict[str, Any]:
        """What goes into the build's config hash (a change of the model is a change of the traces)."""
        return asdict(self)

    def draw(self, rng: random.Random, name: str, details: dict[str, Any] | None = None) -> int:
        if self.fixed_ms > 0:
            return self.fixed_ms
        details = details or {}
        median = self.medians.get(name, 3000)
        if name == A.SEARCH:
            median += self.per_query_char_ms * len(str(details.get("keyword", "")))
        elif name == A.QUOTE:
            median += self.per_quote_char_ms * len(str(details.get("text", "")))
        ms = median * math.exp(rng.gauss(0.0, self.sigma))
        return int(min(self.max_ms, max(self.min_ms, round(ms))))


class Recorder:
    """Seeded trace ids and a clock that advances by a seeded think time per recorded action."""

    def __init__(self, record_id: str, *, seed: int = 0, start_ms: int = EPOCH_MS,
                 timing: ThinkTimes | None = None) -> None:
        digest = hashlib.sha256(f"{seed}:{record_id}".encode()).digest()
        rng = random.Random(digest)
        # the client joined two random hex strings (28 hex digits in the template)
        self.trace_id = f"{rng.getrandbits(56):014x}{rng.getrandbits(56):014x}"
        self.now_ms = start_ms + rng.randrange(0, 86_400_000)
        self.timing = timing or ThinkTimes()
        self._rng = random.Random(hashlib.sha256(f"{seed}:{record_id}:clock".encode()).digest())

    def tick(self, name: str = "", details: dict[str, Any] | None = None) -> int:
        """Advance the clock by the think time before action `name` and return the new time (ms)."""
        self.now_ms += self.timing.draw(self._rng, name, details)
        return self.now_ms

    def local_time(self) -> str:
        """`YYYY-MM-DD hh:mm:ss` of the current clock: the `title` of a quote."""
        return datetime.fromtimestamp(self.now_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
