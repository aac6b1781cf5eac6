"""How many requests an HTTP chat backend keeps in flight: additive increase, multiplicative decrease.

Why: a server's capacity is known only by asking it. The backend's `concurrency` is the ceiling (set it
to the server's parallel slots, or the API's rate tier); below it the limit adapts like TCP congestion
control. Every `limit` answered requests add one slot; a 429 or 503 (the server
saying "too many"), or a latency climb, multiplies it by `decrease` (at most once per `cooldown_s`, so
one burst of refusals counts as one signal). Latency is compared per completion token (a long answer is
not a slow server): an exponential average above `latency_factor` x the best average seen is a climb.
Every change is counted, and `snapshot()` goes into the build reports.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

__all__ = ["AdaptiveLimit", "OVERLOAD_STATUS"]

OVERLOAD_STATUS = frozenset({429, 503})


class AdaptiveLimit:
    """A semaphore whose size moves between `min_limit` and `max_limit` (AIMD)."""

    def __init__(self, max_limit: int, *, min_limit: int = 1, decrease: float = 0.5, latency_factor: float = 4.0,
                 cooldown_s: float = 1.0, alpha: float = 0.2, warmup: int = 8) -> None:
        if max_limit < 1 or not 1 <= min_limit <= max_limit:
            raise ValueError(f"AIMD limits: need 1 <= min_limit <= max_limit, got {min_limit}..{max_limit}")
        if not 0 < decrease < 1:
            raise ValueError(f"AIMD decrease must be in (0, 1), got {decrease}")
        self.max_limit, self.min_limit = max_limit, min_limit
        self.decrease, self.latency_factor, self.cooldown_s = decrease, latency_factor, cooldown_s
        self.alpha, self.warmup = alpha, warmup
        self.limit = max_limit
        self._credit = 0                 # answers since the last change: +1 when it reaches the limit
        self.in_flight = 0
        self.max_in_flight = 0
        self.lowest = max_limit
        self.increases = 0
        self.decreases: Counter[str] = Counter()
        self._cond = threading.Condition()
        self._last_decrease = -1e9
        self._ewma: float | None = None
        self._best: float | None = None
        self._samples = 0

    # -- the semaphore ---------------------------------------------------------------------------------
    def acquire(self) -> None:
        with self._cond:
            while self.in_flight >= self.limit:
                self._cond.wait()
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def release(self) -> None:
        with self._cond:
            self.in_flight -= 1
            self._cond.notify_all()

    # -- the signals -----------------------------------------------------------------------------------
    def on_success(self, seconds: float, completion_tokens: int) -> None:
        """An answered request: +1/limit, unless its latency says the server is falling behind."""
        per_token = seconds / (completion_tokens + 1)
        with self._cond:
            self._ewma = per_token if self._ewma is None else (1 - self.alpha) * self._ewma + self.alpha * per_token
            self._samples += 1
            if self._samples >= self.warmup:
                self._best = self._ewma if self._best is None else min(self._best, self._ewma)
                if self._ewma > self.latency_factor * self._best and self._cut("latency"):
                    return
            if self.limit < self.max_limit:
                self._credit += 1
                if self._credit >= self.limit:
                    self._credit = 0
                    self.limit += 1
                    self.increases += 1
                    self._cond.notify_all()

    def on_overload(self, reason: str) -> None:
        """A 429 / 503 (or another "slow down" answer): multiply the limit by `decrease`."""
        with self._cond:
            self._cut(reason)

    def _cut(self, reason: str) -> bool:
        now = time.monotonic()
        if now - self._last_decrease < self.cooldown_s:
            return False
        self._last_decrease = now
        self.limit = max(self.min_limit, int(self.limit * self.decrease))
        self._credit = 0
        self.lowest = min(self.lowest, self.limit)
        self.decreases[reason] += 1
        if reason == "latency":          # the new level is the reference: a cut is not repeated forever
            self._best = self._ewma
        return True

    def snapshot(self) -> dict[str, Any]:
        with self._cond:
            return {"limit": self.limit, "max": self.max_limit, "lowest": self.lowest,
                    "max_in_flight": self.max_in_flight, "increases": self.increases,
                    "decreases": dict(sorted(self.decreases.items()))}
