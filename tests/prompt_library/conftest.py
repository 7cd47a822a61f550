"""Fixtures for the prompt-library tests: a real git repo holding a config and a prompt library."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from _support import invoke_cli

CONFIG = """\
version: 1
providers:
  anthropic: {kind: anthropic, api_key_env: ANTHROPIC_API_KEY}
  openai: {kind: openai, api_key_env: OPENAI_API_KEY}
models:
  - {id: smart, provider: anthropic, model: claude-sonnet-4-5, context_window: 200000, max_output_tokens: 8192}
  - {id: fast, provider: openai, model: gpt-4o-mini, context_window: 128000, max_output_tokens: 4096}
  - {id: tiny, provider: openai, model: gpt-4o-mini, context_window: 60}
routes:
  summarize: {chain: [smart, fast]}
"""

SUMMARIZE = """\
---
name: summarize
version: 1.0.0
description: Summarise an article.
model:
  api: chat
  configuration:
    type: aiinfra
    name: fast
  parameters:
    max_tokens: 300
inputs:
  article:
    type: string
    description: The article.
  audience:
    type: string
    default: engineers
  sentences:
    type: integer
    default: 3
tests:
  - name: short
    vars: {article: "Revenue grew 12%."}
    assert:
      - {type: contains, value: "12%"}
---
system:
You write {{ sentences }}-sentence summaries for {{ audience }}.
{% if audience == "kids" %}
Use simple words.
{% endif %}

user:
{{ article }}
"""

INDEX = """\
version: 1
prompts:
  summarize:
    file: prompts/user/summarize.prompty
"""

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_AUTHOR_DATE": "2026-01-15T12:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-15T12:00:00+00:00",
}


@dataclass
class Repo:
    """A real git repository under tmp_path, with helpers to write files, commit and run aiinfra."""

    root: Path

    def write(self, relpath: str, text: str) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def read(self, relpath: str) -> str:
        return (self.root / relpath).read_text(encoding="utf-8")

    def git(self, *args: str, date: str | None = None) -> str:
        env = dict(os.environ, **_GIT_ENV)
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
        done = subprocess.run(
            ["git", "-C", str(self.root), *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def commit(self, message: str = "change", date: str | None = None) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, date=date)

    def run(
        self, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return invoke_cli("prompt-library", *args, cwd=self.root, env=env)


@pytest.fixture
def repo(git_repo: Path) -> Repo:
    """A git repo with config/ai-models.yaml and nothing else."""
    made = Repo(git_repo.resolve())
    made.write("config/ai-models.yaml", CONFIG)
    return made


@pytest.fixture
def library(repo: Repo) -> Repo:
    """The repo with one indexed prompt, ``summarize@1.0.0``, recorded (snapshot + lock)."""
    from aiinfra_cli.prompts import bump, load_library

    repo.write("prompts/user/summarize.prompty", SUMMARIZE)
    repo.write("config/prompt-library.yaml", INDEX)
    bump(load_library(repo.root), "summarize", None)
    return repo


@pytest.fixture
def summarize_text() -> str:
    """The reference prompt file's text."""
    return SUMMARIZE
