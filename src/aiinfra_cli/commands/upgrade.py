"""``aiinfra upgrade``: merge this version's templates into the files ``init`` generated.

Options → :func:`aiinfra_cli.scaffold.plan_upgrade` → a summary on stderr naming each file as
created / replaced / merged / conflict / kept / proposed / deleted, the proposed config and
prompt changes as diffs, and with ``--dry-run`` the patch of what a real run would write on
stdout. Exit 1 when a file has conflicts (only those files are written).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli import __version__, output
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK
from aiinfra_cli.redact import redact

if TYPE_CHECKING:
    from rich.console import Console

    from aiinfra_cli.scaffold import UpgradePlan


def render_summary(plan: UpgradePlan, console: Console, *, dry_run: bool) -> None:
    """One line per file that is not unchanged, then the counts."""
    from rich.markup import escape

    from aiinfra_cli.scaffold import OUTCOMES

    console.print(
        f"aiinfra upgrade: templates of aiinfra {__version__} into {escape(plan.package_dir)}"
        + (" [dim](dry run: nothing written)[/dim]" if dry_run else "")
    )
    shown = [f for f in plan.files if f.outcome != "unchanged"]
    width = max((len(f.outcome) for f in shown), default=0)
    for item in shown:
        line = f"  {item.outcome:<{width}}  {escape(item.path)}"
        if item.why:
            line += f"  [dim]({escape(item.why)})[/dim]"
        console.print(line, soft_wrap=True)
    counts = [f"{len(plan.having(o))} {o}" for o in OUTCOMES]
    console.print(", ".join(counts) + ".", soft_wrap=True)
    conflicts = plan.having("conflict")
    if conflicts:
        verb = "would get" if dry_run else "got"
        console.print(
            f"{len(conflicts)} file(s) {verb} conflict markers; nothing else"
            f" {'would be' if dry_run else 'was'} written. Resolve them, then run"
            " `aiinfra upgrade` again.",
            soft_wrap=True,
        )


def render_proposals(plan: UpgradePlan, console: Console) -> None:
    """Each proposed config or prompt change, as the diff to apply by hand."""
    from aiinfra_cli.scaffold import proposal_diff

    for item in plan.having("proposed"):
        console.print(
            f"Proposed for {item.path} (yours, so not applied: copy what you want;"
            " `aiinfra config validate` checks the config):",
            soft_wrap=True,
            highlight=False,
            markup=False,
        )
        console.print(redact(proposal_diff(item)), end="", soft_wrap=True, highlight=False,
                      markup=False)  # fmt: skip


def run(*, path: Path | None, dry_run: bool) -> int:
    """``aiinfra upgrade``; returns the exit code."""
    from aiinfra_cli.commands.init import resolve_root
    from aiinfra_cli.scaffold import (
        apply_upgrade,
        plan_init,
        plan_upgrade,
        read_manifest,
        upgrade_patch,
    )

    root = resolve_root(path)
    previous = read_manifest(root)
    plan, _ = plan_init(root, fresh_config=True)
    upgrade = plan_upgrade(plan, previous)
    console = output.err_console()
    if dry_run:
        sys.stdout.write(redact(upgrade_patch(upgrade)))
        sys.stdout.flush()
    else:
        apply_upgrade(upgrade)
    render_summary(upgrade, console, dry_run=dry_run)
    render_proposals(upgrade, console)
    return EXIT_FAILURE if upgrade.having("conflict") else EXIT_OK
