"""Helpers shared by the tests: the reference config, and two ways to run the CLI.

:func:`run_cli` runs the real ``aiinfra`` entry point in a subprocess (about half a second per
run): for tests about the entry point itself (exit codes through a real process, stdout/stderr
at the file-descriptor level, signals, the console script, start-up imports). Every other test
calls :func:`invoke_cli`, which runs the same argv through the same top-level handler in this
process and returns the same :class:`subprocess.CompletedProcess`.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

EXAMPLE_CONFIG = """\
version: 1
providers:
  anthropic: {kind: anthropic, api_key_env: ANTHROPIC_API_KEY}
  openai:    {kind: openai, api_key_env: OPENAI_API_KEY}
  local:     {kind: openai-compatible, base_url: "http://127.0.0.1:11434/v1"}
models:
  - {id: smart, provider: anthropic, model: claude-sonnet-4-5, context_window: 200000, max_output_tokens: 8192, tier: balanced}
  - {id: fast, provider: openai, model: gpt-4o-mini, context_window: 128000, max_output_tokens: 4096, tier: fast}
  - {id: llama, provider: local, model: llama3.1:8b, context_window: 8192, tier: fast,
     pricing: {input_per_mtok: 0, output_per_mtok: 0}}
routes:
  summarize: {chain: [smart, fast, llama], timeout_s: 30, max_retries: 3}
budgets:
  monthly_usd: 500
  per_feature: {summarize: 100}
  alert_at: [0.7, 0.9, 1.0]
usage_log: {path: logs/ai-usage}
"""


# What every run sees, in a subprocess or not: no colour, a fixed width, no terminal features.
_CLI_ENV = {"NO_COLOR": "1", "COLUMNS": "120", "TERM": "dumb"}


def entry_point() -> list[str]:
    """The installed ``aiinfra`` console script (or ``python -m aiinfra_cli`` without one)."""
    script = Path(sys.executable).with_name("aiinfra")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aiinfra_cli"]


def run_cli(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the real ``aiinfra`` entry point in a subprocess and capture its output."""
    full_env = dict(os.environ)
    full_env.update(_CLI_ENV)
    if env:
        full_env.update(env)
    return subprocess.run(
        [*entry_point(), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def invoke_cli(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``aiinfra *args`` in this process, as :func:`run_cli` does in a subprocess: the same
    argv through the same top-level handler (``aiinfra_cli.cli.run``), in ``cwd``, with ``env``
    added to the environment; stdout and stderr captured apart. ``timeout`` is accepted for
    parity with :func:`run_cli` and not enforced."""
    from aiinfra_cli.cli import run

    out, err = io.StringIO(), io.StringIO()
    with (
        _cli_process_state(cwd, {**_CLI_ENV, **(env or {})}),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = run(list(args))
    return subprocess.CompletedProcess(["aiinfra", *args], code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def _cli_process_state(cwd: Path, env: Mapping[str, str]) -> Iterator[None]:
    """What a fresh process would have: its own working directory, environment and consoles
    (created on first use, on the captured streams); all restored afterwards."""
    from aiinfra_cli import output

    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    saved_consoles = dict(output._consoles)
    output._consoles.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        output._consoles.clear()
        output._consoles.update(saved_consoles)


def closed_schema(schema: Any) -> Any:
    """``schema`` with every object closed (``additionalProperties: false`` where it has
    ``properties`` and says nothing else), so a key the schema does not declare is an error."""
    if isinstance(schema, list):
        return [closed_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: closed_schema(value) for key, value in schema.items()}
    if "properties" in closed and "additionalProperties" not in closed:
        closed["additionalProperties"] = False
    return closed
