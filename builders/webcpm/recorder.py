"""Deterministic clock and ids for recorded traces, so a rebuild gives byte-identical records."""
from __future__ import annotations

import hashlib
import random
from datetime import datetime, timezone

EPOCH_MS = 1_650_969_909_000  # 2022-04-26, the era of the real traces; only a default


class Recorder:
    """Seeded trace ids and a clock that advances a fixed amount per recorded action."""

    def __init__(self, record_id: str, *, seed: int = 0, start_ms: int = EPOCH_MS, tick_ms: int = 1000) -> None:
        digest = hashlib.sha256(f"{seed}:{record_id}".encode()).digest()
        rng = random.Random(digest)
        # the client joined two random hex strings (28 hex digits in the template)
        self.trace_id = f"{rng.getrandbits(56):014x}{rng.getrandbits(56):014x}"
        self.now_ms = start_ms + rng.randrange(0, 86_400_000)
        self.tick_ms = tick_ms

    def tick(self) -> int:
        self.now_ms += self.tick_ms
        return self.now_ms

    def local_time(self) -> str:
        """`YYYY-MM-DD hh:mm:ss` of the current clock: the `title` of a quote."""
        return datetime.fromtimestamp(self.now_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
