"""The Typer app: parses arguments, lazily imports ``aiinfra_cli.commands.*`` and calls them.

Nothing else happens here. Each command module exposes plain typed functions that return an
exit code; heavy libraries (SDKs, DuckDB, libcst, httpx, Jinja2) are imported inside them, so
``aiinfra --help`` stays fast (a test checks ``sys.modules`` after it). A command's parameters
are read from its function only when that command is looked up (:func:`_lazy_group`): a run
builds the one command it runs, not all of them.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Iterator, MutableMapping
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
import typer.main
from typer._click import Command, Context, HelpFormatter
from typer.core import TyperGroup
from typer.models import TyperInfo

from aiinfra_cli import __version__
from aiinfra_cli.errors import EXIT_INTERRUPTED, handle
from aiinfra_cli.output import width_for


class _Group(TyperGroup):
    """Command lists show each command's first sentence whole, never cut short with "..."."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)  # the names, in the order registered: nothing is built

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        rows = [
            (name, command.get_short_help_str(limit=10_000))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


# Help piped to a file or a CI log is not wrapped at 80 columns; a terminal's up to 120.
_HELP = {
    "help_option_names": ["-h", "--help"],
    "terminal_width": width_for(sys.stdout),
    "max_content_width": 120,
}


def _new_app(help: str, **settings: Any) -> typer.Typer:
    """The app or a command group (``aiinfra config …``): help with no arguments, plain text,
    command lists formatted by :class:`_Group`."""
    return typer.Typer(
        help=help, no_args_is_help=True, rich_markup_mode=None, cls=_Group, **settings
    )


app = _new_app(
    "Production-grade LLM infrastructure for your repository, and the checks on it.",
    name="aiinfra",
    pretty_exceptions_enable=False,
    context_settings=_HELP,
)


config_app = _new_app("Validate config/ai-models.yaml or print its JSON Schema.")
prices_app = _new_app("Look up model prices and cost a request.")
billing_app = _new_app(
    "Pull the providers' own usage and cost (admin keys) for `cost-report --reconcile`."
)
store_app = _new_app("The team store: usage from every process in one PostgreSQL (docs/team.md).")
usage_app = _new_app("Check usage logs against the usage-event contract.")
app.add_typer(config_app, name="config")
app.add_typer(prices_app, name="prices")
app.add_typer(usage_app, name="usage")
app.add_typer(billing_app, name="billing")
app.add_typer(store_app, name="store")

# Shared option definitions (Optional[...] because Typer inspects annotations at runtime on 3.10).
ConfigOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--config",
        help="Config file (default: config/ai-models.yaml, searched up to the repo root).",
    ),
]
OutputOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--output", help="Write the output to this file instead of stdout."),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout, nothing else.")
]
AgentOpt = Annotated[
    bool,
    typer.Option("--agent", help="Add an LLM's written recommendations (redacted figures only)."),
]
AgentMaxCostOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--agent-max-cost",
        metavar="USD",
        help="Refuse an agent request that could cost more [agent.max_cost_usd or 0.50].",
    ),
]


def _version(value: bool) -> None:
    if value:
        print(f"aiinfra {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
) -> None:
    """aiinfra: cost tracking, model orchestration, context and prompt management for LLM apps."""


@app.command()
def init(
    path: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(
            metavar="[PATH]", help="Project root to initialise [the repository you are in]."
        ),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", metavar="auto|python|typescript", help="Runtime language.")
    ] = "auto",
    project_type: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--project-type", metavar="ai-app|service|library", help="Config defaults [ai-app]."
        ),
    ] = None,
    package_dir: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--package-dir",
            metavar="DIR",
            help="Where the runtime goes [inside the package your build ships, e.g."
            " src/myapp/ai; src/ai when nothing is packaged].",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan and the diff; write nothing.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Take the templates' version of code files you edited."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Ask nothing.")] = False,
    agent: AgentOpt = False,
    agent_max_cost: AgentMaxCostOpt = None,
) -> None:
    """Write cost tracking, model orchestration, context and prompt management into a repo."""
    from aiinfra_cli.commands import init as command

    raise typer.Exit(
        command.run(
            path=path,
            lang=lang,
            project_type=project_type,
            package_dir=package_dir,
            dry_run=dry_run,
            force=force,
            yes=yes,
            agent=agent,
            agent_max_cost=agent_max_cost,
        )
    )


@app.command()
def upgrade(
    path: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(metavar="[PATH]", help="Project root [the repository you are in]."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the patch and the summary; write nothing.")
    ] = False,
) -> None:
    """Merge this version's templates into the files init generated, keeping your edits."""
    from aiinfra_cli.commands import upgrade as command

    raise typer.Exit(command.run(path=path, dry_run=dry_run))


# cost-report's options (one alias each keeps the command's signature on a screen).
_Timeframe = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--timeframe", help="7d, 30d, 90d (any Nd) or all, counted back from --until [30d]."
    ),
]
_Since = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--since", help="First day (YYYY-MM-DD, inclusive, in --tz)."),
]
_Until = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--until", help="Last day (YYYY-MM-DD, inclusive, in --tz) [today]."),
]
_Tz = Annotated[str, typer.Option("--tz", help="IANA time zone of the days.")]
_Logs = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--logs",
        help="Log files, directories or globs (repeatable) [config usage_log.path].",
    ),
]
_LogFormat = Annotated[
    str, typer.Option("--log-format", help="auto, aiinfra, claude-code or otel.")
]
_Source = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--source",
        help="logs or store (the team's PostgreSQL) [store when store: is configured and"
        " its DSN variable is set, else logs].",
    ),
]
_GroupBy = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--group-by",
        help="Breakdowns: model,provider,feature,endpoint,user,tenant,session,call_site,day.",
    ),
]
_Top = Annotated[int, typer.Option("--top", help="Rows per breakdown table.")]
_OutDir = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--out-dir", help="Where .multiagent/reports/ goes [repo root]."),
]
_NoWrite = Annotated[
    bool, typer.Option("--no-write", help="Write no report files (and no baselines).")
]
_Budget = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--budget", help="A budget in USD for the report period."),
]
_FailOnBudget = Annotated[
    bool, typer.Option("--fail-on-budget", help="Exit 1 when any budget is at 100 %.")
]
_GithubSummary = Annotated[
    bool,
    typer.Option("--github-summary", help="Append the Markdown to $GITHUB_STEP_SUMMARY."),
]
_Reconcile = Annotated[
    bool,
    typer.Option(
        "--reconcile", help="Compare with the providers' bill (pulled by `billing pull`)."
    ),
]
_FailUnderCoverage = Annotated[
    Optional[float],  # noqa: UP045
    typer.Option(
        "--fail-under-coverage",
        metavar="PCT",
        min=0,
        help="Exit 1 when tracked ÷ billed is under PCT (implies --reconcile).",
    ),
]
_RequireData = Annotated[
    Optional[bool],  # noqa: UP045
    typer.Option(
        "--require-data/--no-require-data",
        help="Exit 1 when the period holds no usage at all [on when CI=true].",
    ),
]
_NoCache = Annotated[
    Optional[bool],  # noqa: UP045
    typer.Option(
        "--no-cache/--cache",
        help="Read the logs without keeping the ingest cache [--no-cache when CI=true].",
    ),
]


@app.command("cost-report")
def cost_report(
    timeframe: _Timeframe = None,
    since: _Since = None,
    until: _Until = None,
    tz: _Tz = "UTC",
    logs: _Logs = None,
    log_format: _LogFormat = "auto",
    source: _Source = None,
    group_by: _GroupBy = None,
    top: _Top = 10,
    out_dir: _OutDir = None,
    no_write: _NoWrite = False,
    as_json: JsonOpt = False,
    budget: _Budget = None,
    fail_on_budget: _FailOnBudget = False,
    github_summary: _GithubSummary = False,
    reconcile: _Reconcile = False,
    fail_under_coverage: _FailUnderCoverage = None,
    require_data: _RequireData = None,
    no_cache: _NoCache = None,
    config: ConfigOpt = None,
    agent: AgentOpt = False,
    agent_max_cost: AgentMaxCostOpt = None,
) -> None:
    """Report LLM cost and tokens by model, feature and day from usage logs."""
    from aiinfra_cli.commands import cost_report as command

    raise typer.Exit(
        command.run(
            timeframe=timeframe,
            since=since,
            until=until,
            tz=tz,
            logs=logs,
            log_format=log_format,
            source=source,
            group_by=group_by,
            top=top,
            out_dir=out_dir,
            no_write=no_write,
            as_json=as_json,
            budget=budget,
            fail_on_budget=fail_on_budget,
            github_summary=github_summary,
            require_data=require_data,
            no_cache=no_cache,
            config_path=config,
            agent=agent,
            agent_max_cost=agent_max_cost,
            reconcile=reconcile,
            fail_under_coverage=fail_under_coverage,
        )
    )


@app.command("model-health")
def model_health(
    as_json: JsonOpt = False,
    deep: Annotated[
        bool,
        typer.Option(
            "--deep", help="Also stream a 1-token generation: time to first token, tokens/s, cost."
        ),
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", min=0.1, max=600, help="One deadline for all probes together, in seconds."
        ),
    ] = 10.0,
    only: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--only", help="Probe only this model id or provider (repeatable)."),
    ] = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Refresh a live view every --interval seconds.")
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds between --watch refreshes.")
    ] = 30.0,
    history: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--history",
            help="History file (default: .multiagent/health/history.jsonl in the project root).",
        ),
    ] = None,
    no_history: Annotated[
        bool, typer.Option("--no-history", help="Neither read nor append the history file.")
    ] = False,
    count: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--count", min=1, hidden=True, help="Stop --watch after this many rounds."),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Probe every configured provider and model, concurrently."""
    from aiinfra_cli.commands import model_health as command

    raise typer.Exit(
        command.run(
            as_json=as_json,
            deep=deep,
            timeout=timeout,
            only=only or (),
            watch=watch,
            interval=interval,
            history=history,
            no_history=no_history,
            config_path=config,
            count=count,
        )
    )


@app.command("optimize-context")
def optimize_context(
    paths: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Argument(help="Files or directories to scan (default: the current directory)."),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", help="text, json, sarif, github or markdown (writes the report file)."
        ),
    ] = "text",
    output_file: OutputOpt = None,
    select: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--select", help="Only these rule codes (comma separated, prefixes, ALL)."),
    ] = None,
    ignore: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--ignore", help="Skip these rule codes (comma separated, prefixes)."),
    ] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Apply the safe fixes in place.")] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print the safe fixes as a diff; change nothing.")
    ] = False,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")
    ] = False,
    staged: Annotated[
        bool, typer.Option("--staged", help="Check the staged content of staged Python files.")
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Neither read nor write the scan cache.")
    ] = False,
    usage_logs: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Option(
            "--usage-logs", help="Usage-event logs: add each call site's real traffic and spend."
        ),
    ] = None,
    min_severity: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--min-severity",
            metavar="error|warning|note",
            help="Report only findings of this severity or above (default: all).",
        ),
    ] = None,
    baseline: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--baseline",
            help="Findings this baseline file holds are reported but do not fail the run.",
        ),
    ] = None,
    write_baseline: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--write-baseline",
            help="Record the current findings as the baseline in this file, and exit 0.",
        ),
    ] = None,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
    agent: AgentOpt = False,
    agent_max_cost: AgentMaxCostOpt = None,
) -> None:
    """Find every LLM call in the code and price what it wastes."""
    from aiinfra_cli.commands import optimize_context as command

    raise typer.Exit(
        command.run(
            list(paths or []),
            output_format="json" if as_json else output_format,
            output_file=output_file,
            select=select,
            ignore=ignore,
            fix=fix,
            diff=diff,
            exit_zero=exit_zero,
            staged=staged,
            no_cache=no_cache,
            usage_logs=usage_logs,
            config_path=config,
            min_severity=min_severity,
            baseline=baseline,
            write_baseline=write_baseline,
            agent=agent,
            agent_max_cost=agent_max_cost,
        )
    )


@app.command("cost-diff")
def cost_diff(
    base: Annotated[
        Optional[str],  # noqa: UP045
        typer.Argument(help="Git ref to compare with [the merge base with the default branch]."),
    ] = None,
    usage_logs: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Option("--usage-logs", help="Usage-event logs: the real traffic to price with."),
    ] = None,
    source: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--source", help="Where usage comes from: logs (--usage-logs) or store."),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="text, json or markdown (a PR comment).")
    ] = "text",
    output_file: OutputOpt = None,
    max_monthly_delta: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--max-monthly-delta", help="Exit 1 when the change adds more USD a month."),
    ] = None,
    days: Annotated[int, typer.Option("--days", help="Days of usage to price with.")] = 30,
    github_comment: Annotated[
        bool,
        typer.Option("--github-comment", help="Post (or update) the Markdown on the pull request."),
    ] = False,
) -> None:
    """Price what a change costs per month, on each call site's real traffic."""
    from aiinfra_cli.commands import cost_diff as command

    raise typer.Exit(
        command.run(
            base,
            usage_logs=usage_logs,
            source=source,
            output_format=output_format,
            output_file=output_file,
            max_monthly_delta=max_monthly_delta,
            days=days,
            github_comment=github_comment,
        )
    )


# --- prompt-library -------------------------------------------------------------------------
prompt_library_app = _new_app("List, render, test and version the prompts kept in prompts/.")
app.add_typer(prompt_library_app, name="prompt-library")
PromptRef = Annotated[str, typer.Argument(help="NAME, NAME@VERSION or NAME:LABEL.")]
PromptVarOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option("--var", metavar="KEY=VALUE", help="A variable value (repeatable)."),
]


@prompt_library_app.command("list")
def prompt_library_list(as_json: JsonOpt = False) -> None:
    """Every prompt: version, labels, variables, static-text tokens, last change."""
    from aiinfra_cli.commands import prompt_library as command

    raise typer.Exit(command.list_prompts(as_json=as_json))


@prompt_library_app.command("add")
def prompt_library_add(
    name: Annotated[str, typer.Argument(help="The new prompt's name.")],
    category: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--category", metavar="system|user|templates", help="Where it goes."),
    ] = None,
    source: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--from", metavar="FILE", help="Start from this file (text or .prompty)."),
    ] = None,
    variables: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--var", metavar="NAME:TYPE", help="Declare an input (repeatable)."),
    ] = None,
    description: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--description", help="One line saying what the prompt is for."),
    ] = None,
    model: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--model", help="A route or model id of config/ai-models.yaml."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Ask nothing; use flags.")] = False,
) -> None:
    """Add a prompt: asks in a terminal for what the flags leave out."""
    from aiinfra_cli.commands import prompt_library as command

    raise typer.Exit(
        command.add(
            name,
            category=category,
            source=source,
            variables=variables or [],
            description=description,
            model=model,
            yes=yes,
        )
    )


@prompt_library_app.command("show")
def prompt_library_show(ref: PromptRef) -> None:
    """Show a prompt version: metadata, labels, versions and the file."""
    from aiinfra_cli.commands import prompt_library as command

    raise typer.Exit(command.show(ref))


@prompt_library_app.command("render")
def prompt_library_render(
    ref: PromptRef,
    var: PromptVarOpt = None,
    vars_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--vars", metavar="FILE", help="A YAML or JSON mapping of values."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Render a prompt with variables (sandboxed; a missing variable is an error)."""
    from aiinfra_cli.commands import prompt_library as command

    raise typer.Exit(
        command.render(ref, var_options=var or [], vars_file=vars_file, as_json=as_json)
    )


@prompt_library_app.command("test")
def prompt_library_test(
    refs: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Argument(help="Prompts to test (default: all).", show_default=False),
    ] = None,
    live: Annotated[
        bool, typer.Option("--live", help="Call the models and check the assertions.")
    ] = False,
    compare: Annotated[
        Optional[tuple[str, str]],  # noqa: UP045
        typer.Option("--compare", metavar="NAME@A NAME@B", help="Two versions side by side."),
    ] = None,
    max_cost: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--max-cost", metavar="USD", help="Refuse a run that could cost more."),
    ] = None,
    save_baseline: Annotated[
        bool, typer.Option("--save-baseline", help="Save the results as the new baseline.")
    ] = False,
    as_json: JsonOpt = False,
    agent: AgentOpt = False,
    agent_max_cost: AgentMaxCostOpt = None,
) -> None:
    """Test prompts: offline estimates, or --live calls with assertions."""
    from aiinfra_cli.commands import prompt_library as command

    raise typer.Exit(
        command.test(
            refs or [],
            live=live,
            compare=compare,
            max_cost=max_cost,
            as_json=as_json,
            save_baseline=save_baseline,
            agent=agent,
            agent_max_cost=agent_max_cost,
        )
    )


@prompt_library_app.command("diff")
def prompt_library_diff(left: PromptRef, right: PromptRef) -> None:
    """Show what changed between two versions of a prompt."""
    from aiinfra_cli.commands import prompt_library as command

    raise typer.Exit(command.diff(left, right))


@prompt_library_app.command("bump")
def prompt_library_bump(
    name: Annotated[str, typer.Argument(help="The prompt's name.")],
    major: Annotated[bool, typer.Option("--major", help="Bump the major version.")] = False,
    minor: Annotated[bool, typer.Option("--minor", help="Bump the minor version.")] = False,
    patch: Annotated[bool, typer.Option("--patch", help="Bump the patch version.")] = False,
    label: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--label", help="Point this label at the result (repeatable)."),
    ] = None,
) -> None:
    """Record a new version (snapshot + lock) and move labels to it."""
    from aiinfra_cli.commands import prompt_library as command
    from aiinfra_cli.errors import UsageError

    levels = [lvl for lvl, on in (("major", major), ("minor", minor), ("patch", patch)) if on]
    if len(levels) > 1:
        raise UsageError("give at most one of --major, --minor, --patch")
    raise typer.Exit(command.bump(name, level=levels[0] if levels else None, labels=label or []))


@prompt_library_app.command("check")
def prompt_library_check(as_json: JsonOpt = False) -> None:
    """For CI and pre-commit: fail on unbumped changes, bad labels, undeclared variables."""
    from aiinfra_cli.commands import prompt_library as command

    raise typer.Exit(command.check(as_json=as_json))


# --- end prompt-library ---------------------------------------------------------------------


@app.command()
def demo(
    topic: Annotated[
        str,
        typer.Argument(
            help="cost-report (the main job), optimize-context, prompt-library, model-health,"
            " init, or all.",
        ),
    ] = "cost-report",
    keep: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--keep", help="Write the demo repo here and keep it (default: a temporary directory)."
        ),
    ] = None,
    agent: Annotated[
        bool,
        typer.Option(
            "--agent",
            help="Add the agent's section (cost-report, optimize-context, init), answered by a"
            " local rule-based stand-in, not a real model.",
        ),
    ] = False,
) -> None:
    """Run the commands on built-in sample data: no API key, no network."""
    from aiinfra_cli.commands import demo as command

    raise typer.Exit(command.run(keep=keep, topic=topic, agent=agent))


@config_app.command("validate")
def config_validate(config: ConfigOpt = None) -> None:
    """Check the config file and report every problem with its file and line."""
    from aiinfra_cli.commands import config as command

    raise typer.Exit(command.validate(config))


@config_app.command("schema")
def config_schema() -> None:
    """Print the config file's JSON Schema (for editor completion)."""
    from aiinfra_cli.commands import config as command

    raise typer.Exit(command.schema())


@billing_app.command("pull")
def billing_pull(
    provider: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--provider", help="anthropic or openai (repeatable; default: those configured)."
        ),
    ] = None,
    since: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--since", help="First day, YYYY-MM-DD (default: 30 days before --until)."),
    ] = None,
    until: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--until", help="Last day, YYYY-MM-DD, inclusive (default: today, UTC)."),
    ] = None,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Read the providers' admin usage and cost APIs into .multiagent/billing/ (a re-pull of
    the same days replaces them)."""
    from aiinfra_cli.commands import billing as command

    raise typer.Exit(
        command.pull(
            providers=provider or (),
            since=since,
            until=until,
            as_json=as_json,
            config_path=config,
        )
    )


@usage_app.command("validate")
def usage_validate(
    paths: Annotated[
        list[str], typer.Argument(help="Usage logs: files, directories or globs (the JSONL).")
    ],
) -> None:
    """Check every field of every line against the usage-event schema; exit 1 on any problem."""
    from aiinfra_cli.commands import usage as command

    raise typer.Exit(command.validate(paths))


@prices_app.command("show")
def prices_show(
    model: Annotated[
        str, typer.Argument(help="Model id, e.g. claude-sonnet-4-5 or openai/gpt-4o-2024-08-06.")
    ],
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Show the resolved price entry for a model."""
    from aiinfra_cli.commands import prices as command

    raise typer.Exit(command.show(model, as_json=as_json, config_path=config))


@prices_app.command("cost")
def prices_cost(
    model: Annotated[str, typer.Argument(help="Model id.")],
    input_tokens: Annotated[
        int,
        typer.Option("--input", min=0, help="All input tokens, cache reads and writes included."),
    ] = 0,
    output_tokens: Annotated[
        int, typer.Option("--output", min=0, help="Output tokens, reasoning included.")
    ] = 0,
    cache_read: Annotated[
        int, typer.Option("--cache-read", min=0, help="Input tokens read from the prompt cache.")
    ] = 0,
    cache_write: Annotated[
        int, typer.Option("--cache-write", min=0, help="Input tokens written to a 5-minute cache.")
    ] = 0,
    cache_write_1h: Annotated[
        int, typer.Option("--cache-write-1h", min=0, help="Input tokens written to a 1-hour cache.")
    ] = 0,
    reasoning: Annotated[
        int, typer.Option("--reasoning", min=0, help="Reasoning tokens (part of --output).")
    ] = 0,
    batch: Annotated[bool, typer.Option("--batch", help="Price at the batch API rate.")] = False,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Cost one request exactly (token semantics: OpenTelemetry GenAI)."""
    from aiinfra_cli.commands import prices as command

    raise typer.Exit(
        command.cost(
            model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cache_read=cache_read,
            cache_write=cache_write,
            cache_write_1h=cache_write_1h,
            reasoning=reasoning,
            batch=batch,
            as_json=as_json,
            config_path=config,
        )
    )


@prices_app.command("update")
def prices_update(
    source: Annotated[Path, typer.Option("--from", help="A LiteLLM-format price JSON file.")],
) -> None:
    """Refresh your copy of the price table from a LiteLLM-format JSON file."""
    from aiinfra_cli.commands import prices as command

    raise typer.Exit(command.update(source))


@store_app.command("migrate")
def store_migrate(config: ConfigOpt = None) -> None:
    """Create or upgrade the store's schema (versioned; a newer store is refused)."""
    from aiinfra_cli.commands import store as command

    raise typer.Exit(command.migrate(config_path=config))


@store_app.command("push")
def store_push(
    logs: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--logs",
            metavar="PATH",
            help="Usage log file, directory or glob; repeatable [usage_log.path].",
        ),
    ] = None,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Backfill JSONL usage logs into the store (idempotent: a re-push inserts nothing)."""
    from aiinfra_cli.commands import store as command

    raise typer.Exit(command.push(logs, as_json=as_json, config_path=config))


@store_app.command("status")
def store_status(as_json: JsonOpt = False, config: ConfigOpt = None) -> None:
    """Show the schema version, events, newest event and how far the local spool is behind."""
    from aiinfra_cli.commands import store as command

    raise typer.Exit(command.status(as_json=as_json, config_path=config))


class _Commands(MutableMapping[str, Command]):
    """A group's commands, each built from its Typer registration on first lookup (reading a
    function's parameters costs ~0.7 ms a command: all 56 took most of a warm run's CPU)."""

    def __init__(self, builders: dict[str, Callable[[], Command]]) -> None:
        self._builders = builders
        self._built: dict[str, Command] = {}

    def __getitem__(self, name: str) -> Command:
        found = self._built.get(name)
        if found is None:
            found = self._built[name] = self._builders[name]()
        return found

    def __setitem__(self, name: str, command: Command) -> None:
        self._builders[name] = lambda: command
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._builders[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._builders)

    def __len__(self) -> int:
        return len(self._builders)


def _lazy_group(typer_app: typer.Typer, info: TyperInfo) -> TyperGroup:
    """The click group Typer builds for ``typer_app`` (its options, callback and settings), with
    its commands and sub-groups built only when looked up, in the order Typer lists them."""
    settings: dict[str, Any] = {
        "pretty_exceptions_short": app.pretty_exceptions_short,
        "rich_markup_mode": app.rich_markup_mode,
    }
    shell = copy.copy(typer_app)
    shell.registered_commands, shell.registered_groups = [], []
    own = copy.copy(info)
    own.typer_instance = shell
    group = typer.main.get_group_from_info(own, suggest_commands=app.suggest_commands, **settings)
    builders: dict[str, Callable[[], Command]] = {}
    for command in typer_app.registered_commands:
        assert command.callback is not None
        name = command.name or typer.main.get_command_name(command.callback.__name__)
        builders[name] = partial(typer.main.get_command_from_info, command, **settings)
    for sub in typer_app.registered_groups:
        assert sub.typer_instance is not None and isinstance(sub.name, str)
        builders[sub.name] = partial(_lazy_group, sub.typer_instance, sub)
    group.commands = _Commands(builders)
    return group


def _cli() -> TyperGroup:
    """The whole CLI as click runs it; what ``typer.main.get_command(app)`` gives, lazily."""
    group = _lazy_group(app, TyperInfo(app))
    group.params += typer.main.get_install_completion_arguments()  # shell completion
    return group


def _invoke(argv: list[str]) -> int:
    try:
        result = _cli()(args=argv, prog_name="aiinfra", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        raise KeyboardInterrupt from None
    except typer.TyperException as exc:
        # Bad usage: Typer prints the usage line and the problem; the code is 2.
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            print(f"aiinfra: error: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    code = int(result) if isinstance(result, int) else 0
    if code == EXIT_INTERRUPTED:
        # Typer turns Ctrl-C into a bare exit code 130; say what happened, as for any other end.
        raise KeyboardInterrupt
    return code


def run(argv: list[str]) -> int:
    """Parse ``argv``, run the command under the top-level error handler, return the exit code."""
    debug = "--debug" in argv
    return handle(lambda: _invoke(argv), debug=debug)
