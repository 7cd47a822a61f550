"""A git repository with a base commit and a feature change, and a usage log of real traffic."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from _support import EXAMPLE_CONFIG

ASK = """\
from openai import OpenAI

from ai import complete

client = OpenAI(timeout=10)


def ask(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini", max_tokens=500, messages=[{"role": "user", "content": question}]
    )
    return reply.choices[0].message.content or ""


def summarize(text: str) -> str:
    return complete("summarize", [{"role": "user", "content": text}]).text
"""
EXTRA = """\


def extra(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o", max_tokens=200, messages=[{"role": "user", "content": question}]
    )
    return reply.choices[0].message.content or ""
"""
NOW = datetime.now(timezone.utc)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout


def _events() -> str:
    lines = []
    for i in range(120):
        stamp = (NOW - timedelta(hours=i * 5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        common = {"schema_version": 1, "timestamp": stamp, "status": "ok"}
        lines.append(
            {
                **common,
                "provider": "openai",
                "request_model": "gpt-4o-mini",
                "input_tokens": 3000,
                "output_tokens": 400,
                "call_site": "app/ask.py:9",
            }
        )
        lines.append(
            {
                **common,
                "provider": "anthropic",
                "request_model": "claude-sonnet-4-5",
                "model_id": "smart",
                "route": "summarize",
                "input_tokens": 3100,
                "output_tokens": 410,
                "call_site": "app/ask.py:16",
            }
        )
    old = (NOW - timedelta(days=45)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines.append({**lines[0], "timestamp": old})  # outside the 30-day window
    return "".join(json.dumps(line) + "\n" for line in lines)


def base_repo(tmp_path: Path, config: str, files: dict[str, str]) -> Path:
    """A git repo whose ``main`` holds ``config`` and ``files`` (logs/ ignored), checked out
    on a new ``feature`` branch."""
    repo = tmp_path / "app-repo"
    (repo / "config").mkdir(parents=True)
    (repo / "logs").mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "dev@example.com")
    git(repo, "config", "user.name", "dev")
    (repo / "config" / "ai-models.yaml").write_text(config, encoding="utf-8")
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    (repo / ".gitignore").write_text("logs/\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    return repo


@pytest.fixture
def feature_repo(tmp_path: Path) -> Path:
    repo = base_repo(tmp_path, EXAMPLE_CONFIG, {"app/ask.py": ASK})
    changed = ASK.replace('model="gpt-4o-mini"', 'model="gpt-4o"') + EXTRA
    (repo / "app" / "ask.py").write_text(changed, encoding="utf-8")
    config = EXAMPLE_CONFIG.replace("chain: [smart, fast, llama]", "chain: [fast, smart, llama]")
    (repo / "config" / "ai-models.yaml").write_text(config, encoding="utf-8")
    (repo / "logs" / "usage.jsonl").write_text(_events(), encoding="utf-8")
    return repo
