"""A FailingProxy schedule that holds one request at the proxy until the test lets it go (then answers 503).

Used by the kill/resume tests: the client is killed with SIGKILL while request `at` waits, so the test
knows exactly which requests were answered before the kill (every one before `at`, with one in flight).
"""
from __future__ import annotations

import json
import threading


class Hold:
    """Proxy schedule: request number `at` (1-based, as the proxy counts) waits for `release`, then 503."""

    def __init__(self) -> None:
        self.at: int | None = None
        self.release = threading.Event()
        self.arrived = threading.Event()
        self.held: set[int] = set()

    def __call__(self, n: int) -> str | None:
        if self.at is not None and n == self.at:
            self.held.add(n)
            self.arrived.set()
            self.release.wait(120)          # the caller is killed meanwhile; its connection is gone
            return "503"
        return None


def body_key(body: dict) -> str:
    return json.dumps(body, sort_keys=True)
