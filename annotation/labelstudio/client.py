"""A small Label Studio REST client (httpx): create a project, import tasks, annotate, export.

Tokens: Label Studio >= 1.17 hands out personal access tokens (a JWT refresh token, from
`POST /api/token/` or the account page); each request uses a short-lived access token obtained from
`POST /api/token/refresh`. Legacy tokens (40 hex characters) are sent as `Authorization: Token ...`.
The token is read from an environment variable whose *name* the caller gives, and is never printed,
logged or written: errors name the variable, not its value.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Mapping

import httpx

from core import atomic_write_json, read_json
from annotation.labelstudio.base import LabelStudioError


def token_from_env(var: str) -> str:
    value = os.environ.get(var, "").strip()
    if not value:
        raise LabelStudioError(f"environment variable {var} is not set (it must hold a Label Studio access token)")
    return value


class LabelStudio:
    """One server, one user (the token's owner)."""

    def __init__(self, url: str, token: str, *, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, timeout=timeout, follow_redirects=True)
        if token.count(".") == 2:          # a JWT personal access token: exchange it for an access token
            r = self._send("POST", "/api/token/refresh", json={"refresh": token}, auth=False)
            self._http.headers["Authorization"] = f"Bearer {r.json()['access']}"
        else:
            self._http.headers["Authorization"] = f"Token {token}"

    def _send(self, method: str, path: str, *, auth: bool = True, **kw: Any) -> httpx.Response:
        try:
            r = self._http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise LabelStudioError(f"{self.url}{path}: {type(exc).__name__}: {exc}") from None
        if r.status_code >= 400:
            detail = r.text[:300].replace("\n", " ")
            hint = " (is the token valid for this server?)" if r.status_code in (401, 403) else ""
            raise LabelStudioError(f"{method} {self.url}{path}: HTTP {r.status_code}{hint}: {detail}")
        return r

    def close(self) -> None:
        self._http.close()

    def whoami(self) -> dict[str, Any]:
        return self._send("GET", "/api/current-user/whoami").json()

    def create_project(self, title: str, label_config: str, description: str = "") -> int:
        r = self._send("POST", "/api/projects/", json={"title": title, "label_config": label_config,
                                                       "description": description})
        return int(r.json()["id"])

    def import_tasks(self, project: int, tasks: list[dict[str, Any]]) -> dict[str, Any]:
        return self._send("POST", f"/api/projects/{project}/import", json=tasks).json()

    def task_ids(self, project: int) -> list[int]:
        ids: list[int] = []
        page = 1
        while True:
            r = self._send("GET", "/api/tasks/", params={"project": project, "page": page, "page_size": 100})
            body = r.json()
            batch = body["tasks"] if isinstance(body, dict) else body
            ids += [int(t["id"]) for t in batch]
            if not batch or len(ids) >= (body.get("total", 0) if isinstance(body, dict) else 0):
                return ids
            page += 1

    def task(self, task_id: int) -> dict[str, Any]:
        return self._send("GET", f"/api/tasks/{task_id}").json()

    def annotate(self, task_id: int, result: list[dict[str, Any]], lead_time: float | None = None) -> int:
        body: dict[str, Any] = {"result": result}
        if lead_time is not None:
            body["lead_time"] = lead_time
        return int(self._send("POST", f"/api/tasks/{task_id}/annotations/", json=body).json()["id"])

    def users(self) -> dict[str, str]:
        """user id -> email (what an export's `completed_by` ids mean)."""
        return {str(u["id"]): str(u.get("email") or u.get("username") or u["id"])
                for u in self._send("GET", "/api/users/").json()}

    def export(self, project: int) -> list[dict[str, Any]]:
        """The JSON export; `completed_by` ids become `{id, email}` and prediction ids the predictions."""
        tasks = self._send("GET", f"/api/projects/{project}/export", params={"exportType": "JSON"}).json()
        users = self.users()
        preds = self._send("GET", "/api/predictions/", params={"project": project}).json()
        by_id = {p["id"]: {k: p.get(k) for k in ("id", "model_version", "score", "result")}
                 for p in (preds.get("results", []) if isinstance(preds, dict) else preds)}
        for t in tasks:     # the export lists prediction ids; the model's guess goes to adjudication.jsonl
            t["predictions"] = [by_id.get(p, p) if isinstance(p, int) else p for p in t.get("predictions", [])]
        for t in tasks:
            for ann in t.get("annotations", []):
                who = ann.get("completed_by")
                if isinstance(who, (int, str)) and not isinstance(who, bool):
                    ann["completed_by"] = {"id": who, "email": users.get(str(who), f"user-{who}")}
        return tasks


def push(folder: str | Path, url: str, token: str | Callable[[], str], title: str | None = None) -> dict[str, Any]:
    """Create a project from an export folder (label_config.xml + tasks.json) and import its tasks.

    `token` may be a callable (e.g. reading an env var): the folder is checked before it is asked for."""
    folder = Path(folder)
    config_path = folder / "label_config.xml"
    if not config_path.is_file():
        raise LabelStudioError(f"{config_path}: not found (make the folder with `bench annotate export`)")
    tasks = read_json(folder / "tasks.json", what="Label Studio tasks", error=LabelStudioError)
    manifest = read_json(folder / "export.json", what="export manifest", error=LabelStudioError)
    ls = LabelStudio(url, token() if callable(token) else token)
    try:
        project = ls.create_project(title or f"databench {manifest.get('kind', '')}",
                                    config_path.read_text(encoding="utf-8"), f"source: {manifest.get('source', '')}")
        imported = ls.import_tasks(project, tasks)
    finally:
        ls.close()
    info = {"url": url, "project": project, "kind": manifest.get("kind"), "tasks": imported.get("task_count"),
            "predictions": imported.get("prediction_count")}
    atomic_write_json(folder / "project.json", info)
    return info


def pull(url: str, token: str, project: int, out: str | Path) -> dict[str, Any]:
    """Fetch the project's JSON export (annotators named) and write it atomically to `out`."""
    ls = LabelStudio(url, token)
    try:
        tasks = ls.export(project)
    finally:
        ls.close()
    atomic_write_json(out, tasks)
    n = sum(1 for t in tasks for a in t.get("annotations", []) if not a.get("was_cancelled"))
    return {"project": project, "tasks": len(tasks), "annotations": n, "out": str(out)}


def project_of(folder: str | Path, project: int | None) -> int:
    """`--project` or the id `push` left in the folder's project.json."""
    if project is not None:
        return project
    info = read_json(Path(folder) / "project.json", what="project.json from `bench annotate push`",
                     error=LabelStudioError)
    if not isinstance(info, Mapping) or "project" not in info:
        raise LabelStudioError(f"{folder}/project.json: no project id; pass --project")
    return int(info["project"])
