"""The TypeScript side of ``aiinfra init``'s output: the ``package.json`` step (written with
``--yes`` or a yes at the terminal, else printed as the exact lines to add) and the next
commands. ``init`` never runs a package manager."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from aiinfra_cli import output

if TYPE_CHECKING:
    from rich.console import Console

    from aiinfra_cli.scaffold import Plan
    from aiinfra_cli.scaffold._package_json import PackageChange

NEXT_STEPS = (
    ("npm install", "the SDKs, yaml, and the tools below (init never runs it for you)"),
    ("npx tsc --noEmit", "type-check the runtime with your tsconfig"),
    ("npm test", "the runtime's own tests (no network, no key)"),
    ("aiinfra cost-report --timeframe 7d", "cost by model, feature and day once calls run"),
)


def _ask(change: PackageChange) -> bool:
    if not sys.stdin.isatty():
        return False
    from rich.prompt import Confirm

    return Confirm.ask(
        f"Add {len(change.lines)} line(s) to package.json?",
        console=output.err_console(),
        default=True,
    )


def package_step(plan: Plan, console: Console, *, yes: bool, dry_run: bool) -> None:
    """Show, and with consent write, what ``package.json`` needs."""
    from rich.markup import escape

    from aiinfra_cli._atomic import write_atomic
    from aiinfra_cli.scaffold._package_json import plan_package_json

    change = plan_package_json(plan.root, plan.layout.tests_dir)
    for note in change.notes:
        console.print(f"  note: {escape(note)}", soft_wrap=True)
    if change.text is None:
        return
    if not dry_run and (yes or _ask(change)):
        write_atomic(plan.root / "package.json", change.text.encode("utf-8"))
        console.print("package.json: added " + "; ".join(escape(x) for x in change.lines))
        return
    verb = "would add" if dry_run else "needs (add them, or re-run with --yes)"
    console.print(f"package.json {verb}:")
    for line in change.lines:
        console.print(f"  {escape(line)}", soft_wrap=True, highlight=False)


def render_next(plan: Plan, console: Console) -> None:
    """The next commands for a TypeScript project."""
    console.print("Next:")
    width = max(len(c) for c, _ in NEXT_STEPS)
    for command, what in NEXT_STEPS:
        console.print(f"  {command:<{width}}  [dim]# {what}[/dim]")
