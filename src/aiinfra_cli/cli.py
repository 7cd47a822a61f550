"""The Typer app: parses arguments, lazily imports ``aiinfra_cli.commands.*`` and calls them.

Nothing else happens here. Each command module exposes plain typed functions that return an
exit code; heavy libraries (SDKs, DuckDB, libcst, httpx, Jinja2) are imported inside them, so
``aiinfra --help`` stays fast (a test checks ``sys.modules`` after it).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from aiinfra_cli import __version__
from aiinfra_cli.errors import NotAvailableYet, handle

app = typer.Typer(
    name="aiinfra",
    help="Production-grade LLM infrastructure for your repository, and the checks on it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
config_app = typer.Typer(
    help="Validate config/ai-models.yaml or print its JSON Schema.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
prices_app = typer.Typer(
    help="Look up model prices and cost a request.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(config_app, name="config")
app.add_typer(prices_app, name="prices")

# Shared option definitions (Optional[...] because Typer inspects annotations at runtime on 3.10).
ConfigOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--config",
        help="Config file (default: config/ai-models.yaml, searched up to the repo root).",
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout, nothing else.")
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


def _not_yet(name: str) -> None:
    raise NotAvailableYet(name)


_PASSTHROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}


@app.command(context_settings=_PASSTHROUGH)
def init() -> None:
    """Write cost tracking, model orchestration, context and prompt management into a repo."""
    _not_yet("init")


@app.command("cost-report", context_settings=_PASSTHROUGH)
def cost_report() -> None:
    """Report LLM cost and tokens by model, feature and day from usage logs."""
    _not_yet("cost-report")


@app.command("model-health", context_settings=_PASSTHROUGH)
def model_health() -> None:
    """Probe every configured provider and model, concurrently."""
    _not_yet("model-health")


@app.command("optimize-context", context_settings=_PASSTHROUGH)
def optimize_context() -> None:
    """Find every LLM call in the code and price what it wastes."""
    _not_yet("optimize-context")


@app.command("prompt-library", context_settings=_PASSTHROUGH)
def prompt_library() -> None:
    """List, render, test and version the prompts kept in prompts/."""
    _not_yet("prompt-library")


@app.command()
def demo(
    keep: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--keep", help="Write the demo repo here and keep it (default: a temporary directory)."
        ),
    ] = None,
) -> None:
    """Run the main job on built-in sample data: no API key, no network."""
    from aiinfra_cli.commands import demo as command

    raise typer.Exit(command.run(keep=keep))


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


def _invoke(argv: list[str]) -> int:
    try:
        result = app(args=argv, prog_name="aiinfra", standalone_mode=False)
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
    return int(result) if isinstance(result, int) else 0


def run(argv: list[str]) -> int:
    """Parse ``argv``, run the command under the top-level error handler, return the exit code."""
    debug = "--debug" in argv
    return handle(lambda: _invoke(argv), debug=debug)
