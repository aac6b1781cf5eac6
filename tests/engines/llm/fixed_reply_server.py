"""A small real OpenAI-compatible server on 127.0.0.1 whose replies are fixed by the test.

It stands in for a judge whose behaviour must be deterministic (always unparseable, always "[[A]]",
always "[[5]]"), which no real model can promise; the HTTP exchange itself is real (the `openai`
backend talks to it as to any server). It counts every request, so a test can prove that a check
happened before the first one.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

Reply = Callable[[dict], str]


class FixedReplyServer:
    """`reply(body)` -> the assistant text for one `/v1/chat/completions` request body."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.lock = threading.Lock()
        self.requests = 0
        self.bodies: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = json.loads(raw or b"{}")
                with server.lock:
                    server.requests += 1
                    server.bodies.append(body)
                text = server.reply(body)
                out = json.dumps({"id": f"fixed-{server.requests}", "object": "chat.completion",
                                  "model": body.get("model", "fixed"),
                                  "choices": [{"index": 0, "finish_reason": "stop",
                                               "message": {"role": "assistant", "content": text}}],
                                  "usage": {"prompt_tokens": 10, "completion_tokens": 5}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FixedReplyServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def is_judge_request(body: dict) -> bool:
    """A judge prompt (single grading or pairwise) rather than a question put to the answering model."""
    text = json.dumps(body.get("messages", []))
    return "impartial judge" in text
