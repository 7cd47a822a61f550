"""Start-up cost and offline behaviour, each checked in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIKTOKEN", "DATA_GYM"))}
    env.update(HOME=str(tmp_path / "home"), TMPDIR=str(tmp_path / "tmp"), **extra)
    (tmp_path / "home").mkdir(exist_ok=True)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return env


def test_import_does_not_load_tiktoken(tmp_path: Path) -> None:
    result = _run(
        """
        import json, sys
        import aiinfra_cli.tokens
        heavy = [m for m in ("tiktoken", "tiktoken_ext", "regex", "requests") if m in sys.modules]
        print(json.dumps(heavy))
        """,
        _env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_counts_without_network_or_download(tmp_path: Path) -> None:
    """Both encodings load with an empty tiktoken cache and every way out blocked."""
    cache = tmp_path / "tiktoken-cache"
    cache.mkdir()
    result = _run(
        """
        import json, socket
        import tiktoken.load

        def refuse(*args, **kwargs):
            raise AssertionError(f"download attempted: {args!r}")

        tiktoken.load.read_file_cached = refuse
        tiktoken.load.read_file = refuse
        socket.socket.connect = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        from aiinfra_cli.tokens import count_messages, count_text
        print(json.dumps([
            count_text("Hello, world!", "gpt-4o").tokens,
            count_text("Hello, world!", "gpt-4").tokens,
            count_text("Hello, world!", "claude-sonnet-4-5").tokens,
            count_text("Hello, world!", "gemini-2.5-pro").tokens,
            count_messages([{"role": "user", "content": "hi"}], "gpt-4o-mini").tokens,
        ]))
        """,
        _env(tmp_path, TIKTOKEN_CACHE_DIR=str(cache), DATA_GYM_CACHE_DIR=str(cache)),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[:2] == [4, 4]
    assert list(cache.iterdir()) == []
