"""A real Label Studio for the end-to-end tests: start it, log users in, and screenshot a page.

Label Studio runs from its own venv (`.venv-labelstudio`, made by tests/setup.sh: its Django pins
must not enter the main venv). Personal access tokens come from `POST /api/token/` inside a logged-in
session (the legacy `--user-token` is refused by current versions). A second annotator joins through
the organization's invite link, as a person would. Headless Chromium cannot be handed a cookie on the
command line, so the screenshot goes through a small local proxy that adds the session cookie.
"""
from __future__ import annotations

import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[3]
LS_BIN = REPO / ".venv-labelstudio" / "bin" / "label-studio"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                  "--hide-scrollbars"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, username: str, password: str, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.username, self.password = username, password
        self.log = data_dir / "label-studio.log"
        env = {**os.environ, "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true", "COLLECT_ANALYTICS": "false",
               "SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": ""}
        self.proc = subprocess.Popen(
            [str(LS_BIN), "start", "--no-browser", "--internal-host", "127.0.0.1", "-p", str(self.port),
             "--data-dir", str(data_dir / "data"), "--username", username, "--password", password],
            stdout=open(self.log, "wb"), stderr=subprocess.STDOUT, cwd=data_dir, env=env, start_new_session=True)

    def wait(self, timeout: float = 180) -> float:
        start = time.time()
        while time.time() - start < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"label-studio exited {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return time.time() - start
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise TimeoutError(f"label-studio did not answer /health in {timeout} s: {self.log.read_text()[-2000:]}")

    def session(self, email: str, password: str, signup_token: str | None = None) -> httpx.Client:
        """A logged-in browser-like session (signing up first through an invite link when given)."""
        c = httpx.Client(base_url=self.url, follow_redirects=True, timeout=60)
        page = f"/user/signup/?token={signup_token}" if signup_token else "/user/login/"
        c.get(page)
        r = c.post(page, data={"email": email, "password": password, "csrfmiddlewaretoken": c.cookies["csrftoken"]},
                   headers={"Referer": self.url + page})
        assert r.status_code == 200 and "sessionid" in c.cookies, f"login of {email} failed: {r.status_code}"
        return c

    @staticmethod
    def personal_token(session: httpx.Client) -> str:
        r = session.post("/api/token/", headers={"X-CSRFToken": session.cookies["csrftoken"],
                                                 "Referer": str(session.base_url)})
        assert r.status_code == 201, r.text[:300]
        return r.json()["token"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)


def cookie_proxy(target: str, cookie: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve `target` on a free local port, adding the session cookie (and its CSRF token) to every request."""
    client = httpx.Client(base_url=target, timeout=60)

    csrf = dict(p.split("=", 1) for p in cookie.split("; ")).get("csrftoken", "")

    class Handler(http.server.BaseHTTPRequestHandler):
        def _forward(self) -> None:
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("host", "cookie", "accept-encoding", "origin", "referer", "content-length")}
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            r = client.request(self.command, self.path, content=body or None,
                               headers={**headers, "Cookie": cookie, "X-CSRFToken": csrf, "Referer": target + "/"})
            self.send_response(r.status_code)
            for k, v in r.headers.items():
                if k.lower() not in ("content-length", "transfer-encoding", "content-encoding", "connection", "set-cookie"):
                    self.send_header(k, v)
            body = r.content
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _forward

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def screenshot(url: str, out: Path, profile: Path, budget_ms: int = 20000) -> None:
    assert CHROMIUM, "headless Chromium is missing (tests/setup.sh installs it)"
    proc = subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1400,1000",
                           f"--virtual-time-budget={budget_ms}", f"--screenshot={out}", url],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
