"""A small real HTTP proxy on 127.0.0.1 that forwards /v1/* to the llama server but answers some requests
with 429 / 500 / malformed JSON / a stall, on a fixed schedule, and counts what it did.

It is test code standing in for a flaky production API (which cannot exist offline); every request it
does pass through reaches the real model server.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

import httpx


class FailingProxy:
    """`schedule(n)` -> None (forward) or one of "429", "500", "503", "malformed", "stall" for request n (1-based)."""

    def __init__(self, upstream: str, schedule: Callable[[int], str | None], stall_s: float = 3.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.schedule = schedule
        self.stall_s = stall_s
        self.lock = threading.Lock()
        self.requests = 0
        self.injected: dict[str, int] = {}
        self.forwarded = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.auth_headers: list[str | None] = []
        self.bodies: list[dict] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _reply(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with proxy.lock:
                    proxy.requests += 1
                    n = proxy.requests
                    proxy.in_flight += 1
                    proxy.max_in_flight = max(proxy.max_in_flight, proxy.in_flight)
                    proxy.auth_headers.append(self.headers.get("Authorization"))
                    try:
                        proxy.bodies.append(json.loads(body))
                    except ValueError:
                        proxy.bodies.append({})
                    action = proxy.schedule(n)
                    if action:
                        proxy.injected[action] = proxy.injected.get(action, 0) + 1
                try:
                    if action == "429":
                        reply = (429, b'{"error": "rate limited"}', {"Retry-After": "0"})
                    elif action in ("500", "503"):
                        reply = (int(action), b'{"error": "server error"}', {})
                    elif action == "malformed":
                        reply = (200, b'{"choices": [ this is not json', {})
                    elif action == "stall":
                        time.sleep(proxy.stall_s)
                        reply = (504, b'{"error": "late"}', {})
                    else:
                        up = httpx.post(proxy.upstream + self.path.removeprefix("/v1"), content=body,
                                        headers={"Content-Type": "application/json"}, timeout=300)
                        with proxy.lock:
                            proxy.forwarded += 1
                        reply = (up.status_code, up.content, {})
                finally:
                    with proxy.lock:      # before replying: the client may send its next request at once
                        proxy.in_flight -= 1
                try:
                    self._reply(*reply)
                except (BrokenPipeError, ConnectionResetError):   # the client timed out and left
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FailingProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def total_injected(self) -> int:
        return sum(self.injected.values())


def every(n_fail: dict[int, str]) -> Callable[[int], str | None]:
    """Schedule from a {request number modulo-key: action} map, e.g. {3: "429", 5: "500"}: request k fails
    with the action of the first key dividing k."""
    def schedule(k: int) -> str | None:
        for mod, action in n_fail.items():
            if k % mod == 0:
                return action
        return None
    return schedule


def dump(obj: object) -> str:
    return json.dumps(obj, sort_keys=True)
