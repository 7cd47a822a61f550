"""``aiinfra demo``: the main job on built-in sample data, with no API key and no network.

It writes a scratch repo (a config and two months of usage logs, with a few broken lines that
real logs have), then runs the real ``aiinfra cost-report`` on it: every event read, validated and
re-priced, the terminal summary printed, and the Markdown and JSON reports written inside the
demo repo. Deterministic apart from the dates (the sample month ends yesterday).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli import output
from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.errors import UsageError
from aiinfra_cli.paths import CONFIG_RELPATH
from aiinfra_cli.sample_data import demo_config, generate_events, write_jsonl

if TYPE_CHECKING:
    from rich.console import Console

DEMO_DAYS = 60
# Lines a real log collects: a write cut short by a crash, a hand edit, a writer bug.
BROKEN_LINES = (
    '{"schema_version": 1, "timestamp": "2026-11-0',
    '{"schema_version": 1, "timestamp": "2026-11-02T10:00:00Z", "provider": "openai",'
    ' "request_model": "gpt-4o-mini", "input_tokens": -20, "output_tokens": 5, "status": "ok"}',
)


def write_demo_repo(root: Path, *, now: datetime) -> Path:
    """Write the demo config and logs under ``root`` (a git repo); return the log directory."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        # A real repo, so the report lands at its root as in a user's project; without git the
        # directory itself is the root all the same.
        with contextlib.suppress(OSError):
            subprocess.run(["git", "init", "-q", str(root)], check=False, capture_output=True)
    write_atomic(root / CONFIG_RELPATH, demo_config())
    logs = root / "logs" / "ai-usage"
    yesterday = (now - timedelta(days=1)).date()
    text = write_jsonl(generate_events(end=yesterday, days=DEMO_DAYS))
    write_atomic(logs / f"usage-{yesterday:%Y-%m-%d}.jsonl", text + "\n".join(BROKEN_LINES) + "\n")
    return logs


def run(*, keep: Path | None, now: datetime | None = None, console: Console | None = None) -> int:
    """Build the demo repo and run the cost report on it; the report's exit code."""
    from aiinfra_cli.commands import cost_report

    moment = now or datetime.now(timezone.utc)
    if keep is not None and keep.exists() and any(keep.iterdir()):
        raise UsageError(f"--keep {keep} is not empty", hint="name a new or empty directory")
    root = keep.resolve() if keep is not None else Path(tempfile.mkdtemp(prefix="aiinfra-demo-"))
    shown = console or output.out_console()
    try:
        write_demo_repo(root, now=moment)
        yesterday = (moment - timedelta(days=1)).date()
        shown.print(
            f"demo repo: {DEMO_DAYS} days of sample LLM usage (5 models, 4 features, a spike,"
            " retries, fallbacks, an unpriced model, 2 broken lines); no key, no network"
        )
        code = cost_report.run(
            timeframe="30d",
            until=yesterday.isoformat(),
            config_path=root / CONFIG_RELPATH,
            out_dir=root,
            now=moment,
            console=shown,
        )
        if keep is not None:
            shown.print(f"demo repo kept at {root}")
        else:
            shown.print("(the demo repo is temporary: pass --keep DIR to keep it and its report)")
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return code
