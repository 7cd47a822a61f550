"""``aiinfra model-health``: probe every configured model at once, show a dashboard, keep history.

Options → engine (:mod:`aiinfra_cli.health`) → output; this module only checks the options and
runs the ``--watch`` loop. Exit code: 0 when every probed model is healthy, 1 when any is not.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli import output
from aiinfra_cli.config import display_path, load_config
from aiinfra_cli.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from aiinfra_cli.health import HealthCheck

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_INTERVAL_S = 30.0


def run(
    *,
    as_json: bool = False,
    deep: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    only: Sequence[str] = (),
    watch: bool = False,
    interval: float = DEFAULT_INTERVAL_S,
    history: Path | None = None,
    no_history: bool = False,
    config_path: Path | None = None,
    count: int | None = None,
) -> int:
    """Probe, report, record. ``count`` bounds ``--watch`` to that many rounds (for scripts)."""
    if history is not None and no_history:
        raise UsageError("--history and --no-history cannot be used together")
    if watch and as_json:
        raise UsageError(
            "--watch and --json cannot be used together",
            hint="run --json in a loop of your own for one JSON document per run",
        )
    if count is not None and not watch:
        raise UsageError("--count only applies to --watch")
    from aiinfra_cli.health import (
        HISTORY_RELPATH,
        HealthCheck,
        exit_code,
        render_dashboard,
        select_models,
    )

    config = load_config(config_path, required=True)
    assert config is not None
    models = select_models(config, only)
    history_path = None if no_history else (history or config.root / HISTORY_RELPATH)
    check = HealthCheck(config, models, deep=deep, timeout_s=timeout, history_path=history_path)
    if not models:
        output.warn(f"{display_path(config.path)} configures no models: nothing to probe")
    if watch:
        return _watch(check, interval=interval, count=count)
    document = check.run_once()
    if as_json:
        output.print_json(document.to_json())
    else:
        render_dashboard(output.out_console(), document)
    return exit_code(document)


# --- watch ---------------------------------------------------------------------------------


def _watch(check: HealthCheck, *, interval: float, count: int | None) -> int:
    """Re-probe every ``interval`` seconds in a live view until Ctrl-C (or ``count`` rounds)."""
    from rich.live import Live

    from aiinfra_cli.health import dashboard, exit_code

    console = output.out_console()
    code = EXIT_OK
    rounds = 0
    with Live(console=console, auto_refresh=False, transient=False) as live:
        while True:
            document = check.run_once()
            code = exit_code(document)
            rounds += 1
            stamp = document.generated_at[11:19]
            footer = f"round {rounds} at {stamp} UTC; every {interval:g} s; Ctrl-C to stop"
            live.update(dashboard(document, footer=footer), refresh=True)
            if count is not None and rounds >= count:
                return code
            time.sleep(interval)
