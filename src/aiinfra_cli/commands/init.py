"""``aiinfra init``: write the LLM runtime, config and prompt library into a repository.

The planning, rendering and manifest rules live in :mod:`aiinfra_cli.scaffold`; this module
turns options into a plan, asks before overwriting edited files, applies it, and reports.
A dry run prints the plan on stderr and a unified diff (a patch ``git apply`` accepts) on
stdout, and writes nothing.

With ``--agent``, after the scan the agent proposes routes from what it found; a config being
created gets them as a commented block at the end of its routes (never live config), an
existing one is left alone and the block is printed instead.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiinfra_cli import output
from aiinfra_cli.commands._agent_option import agent_cap
from aiinfra_cli.errors import EXIT_OK, UsageError
from aiinfra_cli.paths import find_repo_root
from aiinfra_cli.redact import redact
from aiinfra_cli.vocabulary import PLAN_ACTIONS, PlanAction

if TYPE_CHECKING:
    from rich.console import Console

    from aiinfra_cli.agent import AgentResult
    from aiinfra_cli.config import Config
    from aiinfra_cli.scaffold import Plan

# How each action is shown (dry run, real run) and what is said after the path.
# Every action but "unchanged" (not listed): (dry run, real run).
_LABELS: dict[PlanAction, tuple[str, str]] = {
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
_WHY: dict[PlanAction, str] = {
    "edited": "you edited it; `aiinfra upgrade` merges the templates' changes into it,"
    " `--force` takes the templates' version",
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
    where = (
        f"TypeScript, directory [bold]{escape(layout.package_dir)}[/bold]"
        if layout.language == "typescript"
        else f"Python, package [bold]{escape(layout.package_dir)}[/bold]"
        f" (import {escape(layout.package_import)})"
    )
    console.print(
        f"aiinfra init: {where}, tests {escape(layout.tests_dir)},"
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
    counts = {a: len(plan.by_action(a)) for a in PLAN_ACTIONS}
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


def render_packaging(plan: Plan, console: Console) -> None:
    """The packaging lines (if any) the user must add so that the app's wheel ships the
    runtime, its prices and a way to its config."""
    from rich.markup import escape

    from aiinfra_cli.scaffold import packaging_advice

    layout = plan.layout
    if layout.language != "python":
        return
    advice = packaging_advice(plan.root, layout.package_dir, layout.package_import)
    if advice:
        console.print("Packaging:")
    for line in advice:
        console.print(f"  {escape(line)}", soft_wrap=True, highlight=False)


def render_next(plan: Plan, console: Console) -> None:
    """Dependencies and the next three commands."""
    if plan.layout.language == "typescript":
        from aiinfra_cli.commands._init_typescript import render_next as render_next_ts

        render_next_ts(plan, console)
        return
    console.print(
        "The generated code needs httpx, PyYAML and jinja2 (prompts), plus the SDK of each"
        " provider you use: pip install anthropic openai"
    )
    console.print("Next:")
    commands = [(c.format(tests_dir=plan.layout.tests_dir), what) for c, what in NEXT_STEPS]
    width = max(len(c) for c, _ in commands)
    for command, what in commands:
        console.print(f"  {command:<{width}}  [dim]# {what}[/dim]")


def _ask_package(offered: list[str], why: str) -> str:
    """The terminal's answer to which package holds the runtime."""
    from rich.prompt import Prompt

    console = output.err_console()
    console.print(why, soft_wrap=True, highlight=False, markup=False)
    return Prompt.ask("Runtime directory", choices=offered, default=offered[0], console=console)


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


def _config_of(plan: Plan) -> Config | None:
    """The config the agent plans its chain over: the one on disk, else the one being written
    (on a fresh repository, the models found in its code and the template's)."""
    from aiinfra_cli.config import check_text, load_config
    from aiinfra_cli.paths import CONFIG_RELPATH

    where = plan.root / CONFIG_RELPATH
    if plan.config_existing:
        return load_config(where, required=True)
    step = next((s for s in plan.steps if s.path == CONFIG_RELPATH.as_posix()), None)
    return None if step is None else check_text(step.new.decode("utf-8"), where)[0]


def propose(plan: Plan, cap: Decimal | None, environ: Mapping[str, str] | None) -> AgentResult:
    """The agent's route proposals for what the scan of ``plan`` found (never raises)."""
    from aiinfra_cli.agent import AgentStep
    from aiinfra_cli.scaffold import agent_facts

    discovery = plan.discovery
    config = _config_of(plan) if discovery is not None and not discovery.empty else None
    facts: Mapping[str, Any] | str
    if discovery is None or discovery.empty:
        facts = "the scan found no LLM calls to route"
    elif config is None:
        facts = "no config to plan the agent's models over"
    else:
        facts = agent_facts(discovery, config, plan.added)
    return AgentStep.run("init", facts, config, cap=cap, environ=environ).result


def proposals_text(analysis: AgentResult) -> str:
    """The commented config block of ``analysis``'s proposals ("" when there are none)."""
    from aiinfra_cli.pricing import format_usd
    from aiinfra_cli.scaffold import proposals_block

    cost = "unpriced" if analysis.cost is None else "$" + format_usd(analysis.cost)
    model = analysis.model or analysis.model_id or "the agent"
    return proposals_block(analysis.routes, model=model, cost=cost)


def render_proposals(plan: Plan, analysis: AgentResult, console: Console, *, dry_run: bool) -> None:
    """The proposals, and where they went: the config being written, or (an existing config
    is yours) the terminal, as the block to paste."""
    from rich.markup import escape

    from aiinfra_cli.agent import render_console

    if not analysis.ok:
        return
    render_console(console, analysis)
    for note in analysis.notes:
        if note.startswith("route proposal "):  # what was left out, and why
            console.print(f"  note: {escape(note)}", soft_wrap=True)
    if not analysis.routes:
        return
    if plan.proposals_written:
        verb = "would be" if dry_run else "are"
        console.print(
            f"  They {verb} at the end of routes: in config/ai-models.yaml, commented out:"
            " delete the leading '# ' of the lines you accept (`aiinfra config validate`"
            " checks them).",
            soft_wrap=True,
        )
    elif plan.config_existing:
        console.print(
            "  config/ai-models.yaml exists and is yours, so nothing was added to it; paste"
            " what you accept at the end of its routes: (without the leading '# '):",
            soft_wrap=True,
        )
        console.print(escape(proposals_text(analysis)), soft_wrap=True, highlight=False)
    else:
        console.print(
            "  The proposals did not make a valid config, so none was written.", soft_wrap=True
        )


def run(
    *,
    path: Path | None,
    lang: str,
    project_type: str | None,
    package_dir: str | None,
    dry_run: bool,
    force: bool,
    yes: bool,
    agent: bool = False,
    agent_max_cost: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """``aiinfra init``; returns the exit code (never changed by the agent)."""
    from aiinfra_cli.scaffold import apply_plan, plan_init, unified_diff

    cap = agent_cap(agent, agent_max_cost)
    root = resolve_root(path)
    choose = _ask_package if sys.stdin.isatty() and not yes else None
    replan = functools.partial(plan_init, root, lang=lang, project_type=project_type, force=force)
    plan, notes = replan(package_dir=package_dir, choose=choose)
    analysis = propose(plan, cap, environ) if agent else None
    if analysis is not None and analysis.routes and not plan.config_existing:
        # The proposals are part of the config being created: plan again with them (the
        # same scan, the package detected or chosen), so the plan, the diff and the manifest
        # all carry the same bytes.
        plan, notes = replan(
            package_dir=plan.layout.package_dir,
            discovery=plan.discovery,
            proposals=proposals_text(analysis),
        )
    console = output.err_console()
    if dry_run:
        render_plan(plan, console, dry_run=True, notes=notes)
        render_found(plan, console, dry_run=True)
        _render_agent(plan, analysis, console, dry_run=True)
        render_packaging(plan, console)
        _package_step(plan, console, yes=yes, dry_run=True)
        # Old content of edited files is part of the diff: never let a key through.
        sys.stdout.write(redact(unified_diff(plan)))
        sys.stdout.flush()
        return EXIT_OK
    _confirm(plan, yes=yes)
    apply_plan(plan)
    render_plan(plan, console, dry_run=False, notes=notes)
    render_found(plan, console, dry_run=False)
    _render_agent(plan, analysis, console, dry_run=False)
    render_packaging(plan, console)
    _package_step(plan, console, yes=yes, dry_run=False)
    render_next(plan, console)
    return EXIT_OK


def _package_step(plan: Plan, console: Console, *, yes: bool, dry_run: bool) -> None:
    """TypeScript: what package.json needs (written only with --yes or a yes)."""
    if plan.layout.language == "typescript":
        from aiinfra_cli.commands._init_typescript import package_step

        package_step(plan, console, yes=yes, dry_run=dry_run)


def _render_agent(
    plan: Plan, analysis: AgentResult | None, console: Console, *, dry_run: bool
) -> None:
    if analysis is None:
        return
    from aiinfra_cli.agent import render_notice

    render_proposals(plan, analysis, console, dry_run=dry_run)
    render_notice(console, analysis)
