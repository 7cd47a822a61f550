"""``aiinfra init``: write the LLM runtime, config and prompt library into a repository.

The planning, rendering and manifest rules live in :mod:`aiinfra_cli.scaffold`; this module
turns options into a plan, asks before overwriting edited files, applies it, and reports.
A dry run prints the plan on stderr and a unified diff (a patch ``git apply`` accepts) on
stdout, and writes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli import output
from aiinfra_cli.errors import EXIT_OK, UsageError
from aiinfra_cli.paths import find_repo_root
from aiinfra_cli.redact import redact

if TYPE_CHECKING:
    from rich.console import Console

    from aiinfra_cli.scaffold import Plan

# How each action is shown (dry run, real run) and what is said after the path.
_LABELS = {
    "create": ("would create", "created"),
    "update": ("would update", "updated"),
    "overwrite": ("would overwrite", "overwrote"),
    "restore": ("would restore", "restored"),
    "adopt": ("already there", "already there"),
    "edited": ("keeps", "kept"),
    "deleted": ("skips", "skipped"),
    "exists": ("leaves", "left"),
    "yours": ("leaves", "left"),
}
_WHY = {
    "edited": "you edited it; `aiinfra init --dry-run --force` shows the template's changes,"
    " `--force` takes them",
    "deleted": "you deleted it, so it stays deleted; `--force` restores it",
    "exists": "it was not written by aiinfra init; left as it is",
}
NEXT_STEPS = (
    ("python -m pytest {tests_dir}", "the runtime's own tests (no network, no key)"),
    ("aiinfra model-health", "reachability, auth and latency of every configured model"),
    ("aiinfra cost-report --timeframe 7d", "cost by model, feature and day once calls run"),
)


def resolve_root(path: Path | None) -> Path:
    """The directory to initialise: ``path``, else the repository holding the working dir."""
    if path is None:
        return find_repo_root() or Path.cwd().resolve()
    if not path.exists():
        raise UsageError(f"{path}: no such directory", hint="create it first, or `git init` it")
    if not path.is_dir():
        raise UsageError(f"{path}: not a directory")
    return path.resolve()


def render_plan(plan: Plan, console: Console, *, dry_run: bool, notes: list[str]) -> None:
    """The human summary of a plan (before or after applying it)."""
    from rich.markup import escape

    layout = plan.layout
    console.print(
        f"aiinfra init: Python, package [bold]{escape(layout.package_dir)}[/bold]"
        f" (import {escape(layout.package_import)}), tests {escape(layout.tests_dir)},"
        f" project type {layout.project_type}" + (" [dim](dry run)[/dim]" if dry_run else "")
    )
    for note in notes:
        console.print(f"  note: {escape(note)}")
    shown = [s for s in plan.steps if s.action != "unchanged"]
    width = max((len(_LABELS[s.action][0 if dry_run else 1]) for s in shown), default=0)
    for step in shown:
        label = _LABELS[step.action][0 if dry_run else 1]
        why = _WHY.get(step.action)
        if step.action == "yours":
            why = "yours since the first run; never overwritten"
        line = f"  {label:<{width}}  {escape(step.path)}"
        if why:
            line += f"  [dim]({escape(why)})[/dim]"
        console.print(line)
    counts = {a: len(plan.by_action(a)) for a in _LABELS | {"unchanged": ()}}
    verb = "would be" if dry_run else "were"
    written = counts["create"] + counts["update"] + counts["overwrite"] + counts["restore"]
    console.print(
        f"{written} file(s) {verb} written ({counts['create']} new, {counts['update']}"
        f" updated, {counts['overwrite'] + counts['restore']} forced);"
        f" {counts['unchanged'] + counts['adopt']} unchanged;"
        f" {counts['edited'] + counts['deleted'] + counts['exists'] + counts['yours']} kept"
        " as you have them."
    )
    if plan.unpriced:
        console.print(
            f"  note: no price known for {', '.join(plan.unpriced)}: the tracker records"
            " their tokens without a cost (add `pricing` to the model in"
            " config/ai-models.yaml, then re-run init)"
        )


# How many untracked calls the closing message names before "and N more".
UNTRACKED_SHOWN = 10
FIX_COMMAND = "aiinfra optimize-context --select AIC012"


def render_found(plan: Plan, console: Console, *, dry_run: bool) -> None:
    """What the scan of the existing code added to the config, and the calls it saw bypassing
    the tracker (file:line, api), capped at :data:`UNTRACKED_SHOWN`, with the command that
    checks them."""
    from rich.markup import escape

    added = plan.added
    if added.models or added.routes:
        verb = "would add" if dry_run else "added"
        models = ", ".join(m.id for m in added.models) or "none new"
        routes = ", ".join(r.name for r in added.routes) or "none"
        console.print(
            f"From your code, config/ai-models.yaml {verb} models: {escape(models)};"
            f" routes: {escape(routes)}"
        )
    untracked = plan.discovery.untracked if plan.discovery is not None else []
    if not untracked:
        return
    console.print(
        f"{len(untracked)} LLM call(s) bypass the cost tracker (no usage events, no budgets);"
        f" route them through {escape(plan.layout.package_import)}.complete() or"
        " tracker.observe():"
    )
    for call in untracked[:UNTRACKED_SHOWN]:
        console.print(f"  {escape(call.file)}:{call.line}  {escape(call.api)}")
    if len(untracked) > UNTRACKED_SHOWN:
        console.print(f"  and {len(untracked) - UNTRACKED_SHOWN} more")
    console.print(f"  {FIX_COMMAND}  [dim]# lists them again, and checks them in CI[/dim]")


def render_next(plan: Plan, console: Console) -> None:
    """Dependencies and the next three commands."""
    console.print(
        "The generated code needs httpx, PyYAML and jinja2 (prompts), plus the SDK of each"
        " provider you use: pip install anthropic openai"
    )
    console.print("Next:")
    commands = [(c.format(tests_dir=plan.layout.tests_dir), what) for c, what in NEXT_STEPS]
    width = max(len(c) for c, _ in commands)
    for command, what in commands:
        console.print(f"  {command:<{width}}  [dim]# {what}[/dim]")


def _confirm(plan: Plan, *, yes: bool) -> None:
    """Overwriting files the user edited needs a yes, from the terminal or ``--yes``."""
    forced = plan.by_action("overwrite")
    if not forced or yes:
        return
    names = ", ".join(s.path for s in forced)
    if not sys.stdin.isatty():
        raise UsageError(
            f"--force would overwrite {len(forced)} file(s) you edited ({names})",
            hint="add --yes to confirm, or run with --dry-run to see the diff first",
        )
    from rich.prompt import Confirm

    if not Confirm.ask(
        f"Overwrite {len(forced)} file(s) you edited ({names})?",
        console=output.err_console(),
        default=False,
    ):
        raise UsageError("nothing written", hint="run with --dry-run to see what would change")


def run(
    *,
    path: Path | None,
    lang: str,
    project_type: str | None,
    package_dir: str | None,
    dry_run: bool,
    force: bool,
    yes: bool,
) -> int:
    """``aiinfra init``; returns the exit code."""
    from aiinfra_cli.scaffold import apply_plan, plan_init, unified_diff

    root = resolve_root(path)
    plan, notes = plan_init(
        root, lang=lang, project_type=project_type, package_dir=package_dir, force=force
    )
    console = output.err_console()
    if dry_run:
        render_plan(plan, console, dry_run=True, notes=notes)
        render_found(plan, console, dry_run=True)
        # Old content of edited files is part of the diff: never let a key through.
        sys.stdout.write(redact(unified_diff(plan)))
        sys.stdout.flush()
        return EXIT_OK
    _confirm(plan, yes=yes)
    apply_plan(plan)
    render_plan(plan, console, dry_run=False, notes=notes)
    render_found(plan, console, dry_run=False)
    render_next(plan, console)
    return EXIT_OK
