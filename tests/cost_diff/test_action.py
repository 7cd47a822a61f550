"""The composite GitHub Action (``action.yml``), its steps run as a script in a simulated job: a
``pull_request`` event payload, the ``GITHUB_*`` environment, and a loopback stand-in for the
GitHub REST API that keeps the pull request's comments."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from _support import REPO

TOKEN = "ghs_" + "T0k3n" * 8  # the job token: must never appear in any output


class _Api(BaseHTTPRequestHandler):
    comments: list[dict[str, Any]]
    requests: list[tuple[str, str, str]]

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length", "0"))
        loaded: dict[str, Any] = json.loads(self.rfile.read(length) or b"{}")
        return loaded

    def _record(self) -> bool:
        self.requests.append((self.command, self.path, self.headers.get("Authorization", "")))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._reply(401, {"message": "Bad credentials"})
            return False
        return True

    def do_GET(self) -> None:
        if self._record():
            self._reply(200, self.comments)

    def do_POST(self) -> None:
        if self._record():
            comment = {"id": 1000 + len(self.comments), "body": self._body()["body"]}
            self.comments.append(comment)
            self._reply(201, comment)

    def do_PATCH(self) -> None:
        if not self._record():
            return
        number = int(self.path.rsplit("/", 1)[-1])
        for comment in self.comments:
            if comment["id"] == number:
                comment["body"] = self._body()["body"]
                self._reply(200, comment)
                return
        self._reply(404, {"message": "Not Found"})


@pytest.fixture
def github_api() -> Iterator[tuple[str, type[_Api]]]:
    handler = type("Api", (_Api,), {"comments": [], "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


_IF = re.compile(r"^(inputs\.[\w-]+|github\.event_name) (==|!=) '([^']*)'$")


def _condition(expr: str, inputs: dict[str, str], event: str) -> bool:
    match = _IF.match(expr.strip())
    assert match, f"action.yml uses an `if:` this test cannot evaluate: {expr}"
    name, op, value = match.groups()
    actual = event if name == "github.event_name" else inputs[name.removeprefix("inputs.")]
    return (actual == value) == (op == "==")


def _expand(value: str, inputs: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m.group(1)], value)


def run_action(
    repo: Path, env: dict[str, str], given: dict[str, str]
) -> list[tuple[str, subprocess.CompletedProcess[str]]]:
    """Run every ``run:`` step of action.yml in order, as the runner would (``uses:`` steps and
    the pip install are the runner's business: aiinfra is already installed here)."""
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    inputs["github-token"] = TOKEN
    inputs.update(given)
    done = []
    for step in action["runs"]["steps"]:
        if "uses" in step or step.get("id") == "install":
            continue
        if "if" in step and not _condition(step["if"], inputs, env["GITHUB_EVENT_NAME"]):
            continue
        step_env = {**env, **{k: _expand(str(v), inputs) for k, v in step.get("env", {}).items()}}
        result = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
            cwd=repo,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        done.append((step["id"], result))
        if result.returncode != 0:
            break
    return done


def job_env(tmp_path: Path, api_url: str, pull: int) -> dict[str, str]:
    """A pull-request job's environment: the event payload, the GITHUB_* variables."""
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": pull}}), encoding="utf-8")
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    return {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "acme/app",
        "GITHUB_API_URL": api_url,
        "GITHUB_BASE_REF": "main",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "RUNNER_TEMP": str(runner_temp),
        "NO_COLOR": "1",
    }


def test_action_comments_once_and_updates_in_place(
    feature_repo: Path, tmp_path: Path, github_api: tuple[str, type[_Api]]
) -> None:
    url, api = github_api
    env = job_env(tmp_path, url, 7)
    summary = Path(env["GITHUB_STEP_SUMMARY"])
    given = {"usage-logs": "logs", "max-monthly-delta": "100", "fail-on-budget": "false"}
    first = run_action(feature_repo, env, given)
    assert [step for step, _ in first] == ["scan", "cost-diff", "prompts", "cost-report"]
    assert all(r.returncode == 0 for _, r in first), [(s, r.stderr) for s, r in first]
    sarif = json.loads((feature_repo / "aiinfra.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    (comment,) = api.comments
    assert comment["body"].startswith("<!-- aiinfra-cost-diff -->\n### aiinfra cost-diff: ")
    assert "`summarize` route now starts on gpt-4o-mini" in comment["body"]
    assert "cost-diff: pull-request comment created" in first[1][1].stderr
    # A second push: the same comment is updated, no second one appears.
    (feature_repo / "app" / "more.py").write_text(
        "from openai import OpenAI\n\nOpenAI(timeout=5).chat.completions.create(\n"
        '    model="gpt-4o", max_tokens=10, messages=[{"role": "user", "content": "hi"}]\n)\n',
        encoding="utf-8",
    )
    second = run_action(feature_repo, env, given)
    assert all(r.returncode == 0 for _, r in second)
    assert len(api.comments) == 1 and "app/more.py:3" in api.comments[0]["body"]
    assert [m for m, _p, _a in api.requests] == ["GET", "POST", "GET", "PATCH"]
    assert all(path.startswith("/repos/acme/app/issues/") for _m, path, _a in api.requests)
    text = summary.read_text(encoding="utf-8")
    assert text.count("### aiinfra cost-diff") == 2 and "AI cost report" in text
    outputs = "".join(r.stdout + r.stderr for _, r in first + second) + text
    assert TOKEN not in outputs


def test_action_fails_the_job_over_the_gate(
    feature_repo: Path, tmp_path: Path, github_api: tuple[str, type[_Api]]
) -> None:
    url, api = github_api
    config = feature_repo / "config" / "ai-models.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "chain: [fast, smart, llama]", "chain: [smart, fast, llama]"
        ),
        encoding="utf-8",
    )
    env = job_env(tmp_path, url, 3)
    steps = run_action(feature_repo, env, {"usage-logs": "logs", "max-monthly-delta": "0"})
    assert [(s, r.returncode) for s, r in steps] == [("scan", 0), ("cost-diff", 1)]
    assert "over the gate of $0/month" in api.comments[0]["body"]
