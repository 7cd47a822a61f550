"""``aiinfra cost-diff``: what a change costs per month, on each call site's real traffic."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli import output
from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK, UsageError

if TYPE_CHECKING:
    from aiinfra_cli.costdiff import CostDiff, DiffOptions

FORMATS = ("text", "json", "markdown")
SOURCES = ("logs", "store")


def _amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        amount = Decimal(text.strip().removeprefix("$"))
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0:
        raise UsageError(f"--max-monthly-delta: '{text}' is not a USD amount", hint="e.g. 100")
    return amount


def run(
    base: str | None = None,
    *,
    usage_logs: list[Path] | None = None,
    source: str | None = None,
    output_format: str = "text",
    output_file: Path | None = None,
    max_monthly_delta: str | None = None,
    days: int = 30,
    github_comment: bool = False,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Compare ``base`` (default: the merge base with the default branch) with the working tree;
    exit 1 when the monthly delta is over the gate (``--max-monthly-delta`` or ``[tool.aiinfra]
    cost_gate``)."""
    from aiinfra_cli.costdiff import (
        DiffOptions,
        compute,
        post_pr_comment,
        render_json,
        render_markdown,
        render_text,
    )
    from aiinfra_cli.scan import load_project_settings

    if output_format not in FORMATS:
        raise UsageError(
            f"unknown --format '{output_format}'", hint=f"use one of {', '.join(FORMATS)}"
        )
    if source not in (None, *SOURCES):
        raise UsageError(
            f"unknown --source '{source}'", hint="use --source store or --usage-logs PATH"
        )
    if source == "store" and usage_logs:
        raise UsageError(
            "--source store and --usage-logs both name the traffic", hint="pass one of them"
        )
    if days < 1:
        raise UsageError("--days must be at least 1")
    cwd = Path.cwd()
    gate = _amount(max_monthly_delta)
    if gate is None:
        from aiinfra_cli.costdiff import repo_root

        gate = load_project_settings(repo_root(cwd)).cost_gate
    options = DiffOptions(
        cwd=cwd,
        base=base,
        usage_logs=tuple(usage_logs or ()),
        days=days,
        max_monthly_delta=gate,
    )
    diff = _from_store(options, environ) if source == "store" else compute(options)
    if output_format == "json":
        text = output.to_json(render_json(diff))
    elif output_format == "markdown":
        text = render_markdown(diff)
    else:
        text = render_text(diff)
    if output_file is not None:
        write_atomic(output_file, text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    if github_comment:
        done = post_pr_comment(
            render_markdown(diff), environ if environ is not None else os.environ
        )
        output.info(f"cost-diff: pull-request comment {done}")
    return EXIT_FAILURE if diff.over_gate else EXIT_OK


def _from_store(options: DiffOptions, environ: Mapping[str, str] | None) -> CostDiff:
    """The diff priced on the team store's traffic (the store the project's config names)."""
    from aiinfra_cli.config import load_config
    from aiinfra_cli.costdiff import compute, repo_root
    from aiinfra_cli.store import (
        config_target,
        connect,
        require_schema,
        site_calls,
        store_traffic,
    )

    store = config_target(load_config(None, start=repo_root(options.cwd)), environ)
    with connect(store) as conn:
        require_schema(conn)
        options.store_traffic = lambda since, table: store_traffic(conn, since, table)
        options.store_calls = lambda since, limits, asks: site_calls(conn, since, limits, asks)
        return compute(options)


__all__ = ["FORMATS", "run"]
