"""``aiinfra cost-report``: cost and token reports from usage logs (see docs/cost-report.md)."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from aiinfra_cli import __version__, output
from aiinfra_cli._atomic import write_atomic
from aiinfra_cli._schema import parse_usd_option
from aiinfra_cli.commands._agent_option import agent_cap
from aiinfra_cli.config import display_path, load_config
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK, UsageError, UsageLogError
from aiinfra_cli.paths import MEMORY_DIR, MULTIAGENT_DIR, REPORTS_DIR, project_root

if TYPE_CHECKING:
    from rich.console import Console

    from aiinfra_cli.agent import AgentStep
    from aiinfra_cli.config import Config
    from aiinfra_cli.pricing import PriceTable
    from aiinfra_cli.report import Baselines, Built, CostReport, ReportRequest
    from aiinfra_cli.usage import Ingested, LogRows, Reject

BASELINES_FILE = "cost-baselines.json"
MAX_MALFORMED_EXAMPLES = 3
CACHE_DIR = MULTIAGENT_DIR / "cache"
# Which engine reads the logs: auto (by input size), python (no DuckDB) or duckdb.
ENGINE_VARIABLE = "AIINFRA_REPORT_ENGINE"


@dataclass(frozen=True)
class Written:
    """Where the report went."""

    markdown: Path
    json: Path


def parse_group_by(values: Sequence[str] | None) -> tuple[str, ...]:
    """``["model,feature", "day"]`` → ``("model", "feature", "day")``; UsageError if unknown."""
    from aiinfra_cli.report import DEFAULT_GROUPS, GROUPS

    if not values:
        return DEFAULT_GROUPS
    chosen: list[str] = []
    for value in values:
        for name in (part.strip().replace("-", "_") for part in value.split(",")):
            if not name:
                continue
            if name not in GROUPS:
                raise UsageError(
                    f"--group-by {name}: unknown group", hint=f"choose from {', '.join(GROUPS)}"
                )
            if name not in chosen:
                chosen.append(name)
    for required in ("model", "day"):  # the JSON contract always has by_model and by_day
        if required not in chosen:
            chosen.append(required)
    return tuple(chosen)


def _budget(text: str | None) -> Decimal | None:
    return parse_usd_option(text, "--budget", "250 or 99.50")


def report_paths(out_dir: Path, day: date) -> Written:
    """``.multiagent/reports/ai-cost-report-{date}.md`` and ``.json`` under ``out_dir``."""
    base = out_dir / REPORTS_DIR / f"ai-cost-report-{day.isoformat()}"
    return Written(base.with_suffix(".md"), base.with_suffix(".json"))


@dataclass(frozen=True)
class _Source:
    """Where the usage comes from and where the report's state lives."""

    config: Config | None
    root: Path
    specs: tuple[str, ...]
    log_format: str
    from_option: bool = True  # the logs came from --logs (else from the config)


def run(
    *,
    timeframe: str | None = None,
    since: str | None = None,
    until: str | None = None,
    tz: str = "UTC",
    logs: Sequence[str] | None = None,
    log_format: str = "auto",
    group_by: Sequence[str] | None = None,
    top: int = 10,
    out_dir: Path | None = None,
    no_write: bool = False,
    as_json: bool = False,
    budget: str | None = None,
    fail_on_budget: bool = False,
    github_summary: bool = False,
    require_data: bool | None = None,
    no_cache: bool | None = None,
    config_path: Path | None = None,
    agent: bool = False,
    agent_max_cost: str | None = None,
    reconcile: bool = False,
    fail_under_coverage: float | None = None,
    now: datetime | None = None,
    console: Console | None = None,
    environ: Mapping[str, str] | None = None,
    source: str | None = None,
    engine: str | None = None,
) -> int:
    """Build the report, print it, write it; exit 1 with ``fail_on_budget`` when a budget is at
    100 %, or with ``require_data`` when the period holds no usage. ``agent``: add an LLM's
    recommendations (the exit code never depends on them). ``require_data`` and ``no_cache``
    default to on in CI (``CI=true``): a fresh checkout has no cache to reuse, and a report on
    no data must not pass a budget gate. ``source``: ``logs`` or ``store`` (None: the store
    when configured and its DSN is set). ``engine``: ``python`` (the small-input path),
    ``duckdb`` or ``auto`` (by input size; None: ``$AIINFRA_REPORT_ENGINE``, else ``auto``)."""
    from aiinfra_cli.report import ReportRequest, resolve_period, save_baselines, zone

    _check_format(log_format)
    if top < 1:
        raise UsageError(f"--top {top}: must be at least 1")
    groups = parse_group_by(group_by)
    budget_usd = _budget(budget)
    cap = agent_cap(agent, agent_max_cost)
    moment = now or datetime.now(timezone.utc)
    today = moment.astimezone(zone(tz)).date()
    period, end = resolve_period(timeframe=timeframe, since=since, until=until, tz=tz, today=today)
    request = ReportRequest(
        period=period,
        until=end,
        tz=tz,
        group_by=groups,
        top=top,
        budget_usd=budget_usd,
        now=moment,
    )
    env = environ if environ is not None else os.environ
    in_ci = _in_ci(env)
    located = _locate(config_path, logs, log_format)
    keep_cache = not (in_ci if no_cache is None else no_cache)
    chosen = _engine(engine if engine is not None else env.get(ENGINE_VARIABLE, "auto"))
    built, baselines = _built(
        located, request, source, environ, keep_cache=keep_cache, engine=chosen
    )
    document = built.document
    if in_ci if require_data is None else require_data:
        _require_data(document, located)
    if reconcile or fail_under_coverage is not None:
        from aiinfra_cli.commands._reconcile_option import attach

        document = attach(document, located.root, located.specs, located.config)
    step = _agent_step(document, located.config, cap, environ) if agent else None
    human = console or (output.err_console() if as_json else output.out_console())
    document, markdown = _render(document, step, human, top=top)
    if not no_write:
        written = report_paths(out_dir if out_dir is not None else located.root, today)
        _write(written, document, markdown, human)
        save_baselines(located.root / MEMORY_DIR / BASELINES_FILE, baselines, tz, built.history)
    if github_summary:
        _append_summary(markdown)
    if as_json:
        output.print_json(document.to_json())
    if step is not None:
        step.notice()
    if fail_under_coverage is not None and _below_coverage(document, fail_under_coverage):
        return EXIT_FAILURE
    if fail_on_budget and document.budget_exceeded:
        output.warn(f"budget exceeded: {', '.join(document.exceeded_budgets)} (--fail-on-budget)")
        return EXIT_FAILURE
    return EXIT_OK


def _below_coverage(document: CostReport, gate: float) -> bool:
    from aiinfra_cli.commands._reconcile_option import below_coverage

    return below_coverage(document, gate)


def _built(
    located: _Source,
    request: ReportRequest,
    source: str | None,
    environ: Mapping[str, str] | None,
    *,
    keep_cache: bool,
    engine: str,
) -> tuple[Built, Baselines]:
    """The report from the chosen source: the team store, or the logs (read by ``engine``;
    ``keep_cache``: whether the DuckDB engine keeps its ingest cache)."""
    from aiinfra_cli.usage import small_enough

    given = located.specs if located.from_option else None
    if choose_source(source, located.config, given, environ) == "store":
        return _from_store(located, request, environ)
    return _build(
        located, request, keep_cache=keep_cache, small=small_enough(located.specs, engine)
    )


def _write(written: Written, document: CostReport, markdown: str, human: Console) -> None:
    """Write both report files, unless that would replace a report of the same day that has
    usage with one that has none (then one warning, and the old report stays)."""
    kept = _kept_report(written, document)
    if kept is not None:
        output.warn(kept)
        return
    write_atomic(written.markdown, markdown)
    write_atomic(written.json, output.to_json(document.to_json()))
    human.print(
        f"report written to {display_path(written.markdown)} and"
        f" {display_path(written.json).rsplit('/', 1)[-1]}"
    )


def _engine(name: str) -> str:
    from aiinfra_cli.usage import ENGINES

    if name not in ENGINES:
        raise UsageError(
            f"{ENGINE_VARIABLE}={name}: unknown engine", hint=f"choose from {', '.join(ENGINES)}"
        )
    return name


def _check_format(log_format: str) -> None:
    from aiinfra_cli.usage import LOG_FORMATS

    if log_format not in LOG_FORMATS:
        raise UsageError(
            f"--log-format {log_format}: unknown format",
            hint=f"choose from {', '.join(LOG_FORMATS)}",
        )


def _locate(config_path: Path | None, logs: Sequence[str] | None, log_format: str) -> _Source:
    """The config, the project root, the log paths and their format (the config's usage_log
    unless ``--log`` is given)."""
    config = load_config(config_path)
    root = config.root if config is not None else project_root()
    if logs:
        return _Source(config, root, tuple(logs), log_format)
    default = config.usage_log.path if config is not None else root / "logs" / "ai-usage"
    if config is not None and log_format == "auto" and config.usage_log.format != "aiinfra":
        log_format = config.usage_log.format
    return _Source(config, root, (str(default),), log_format, from_option=False)


SOURCES = ("logs", "store")


def choose_source(
    source: str | None,
    config: Config | None,
    logs: Sequence[str] | None,
    environ: Mapping[str, str] | None,
) -> str:
    """``logs`` or ``store``: as asked, else the store when ``store:`` is configured and its
    DSN variable is set (and no ``--logs`` were given), else the logs."""
    if source is not None and source not in SOURCES:
        raise UsageError(f"--source {source}: unknown source", hint="choose logs or store")
    if source == "store" and logs:
        raise UsageError(
            "--logs reads log files; --source store reads the team store",
            hint="give one of them",
        )
    if source is not None:
        return source
    env = os.environ if environ is None else environ
    if logs or config is None or config.store is None:
        return "logs"
    return "store" if env.get(config.store.dsn_env, "").strip() else "logs"


def _prices(config: Config | None) -> PriceTable:
    from aiinfra_cli.pricing import load_price_table, overrides_from_config

    prices = load_price_table()
    if config is not None:
        prices = prices.with_overrides(overrides_from_config(config))
    return prices


def _from_store(
    located: _Source, request: ReportRequest, environ: Mapping[str, str] | None
) -> tuple[Built, Baselines]:
    """The report's aggregations run in PostgreSQL over the team store."""
    from aiinfra_cli.report import build_from, load_baselines
    from aiinfra_cli.store import config_target, connect, require_schema, store_source

    config = located.config
    store = config_target(config, environ)
    prices = _prices(config)
    baselines = load_baselines(located.root / MEMORY_DIR / BASELINES_FILE)
    if baselines.warning:
        output.warn(baselines.warning)
    with connect(store) as conn, connect(store) as side:
        require_schema(conn)
        built = build_from(
            store_source(conn, store.shown, side),
            request,
            prices=prices,
            config=config,
            baselines=baselines,
        )
    return built, baselines


def _build(
    source: _Source, request: ReportRequest, *, keep_cache: bool, small: bool
) -> tuple[Built, Baselines]:
    """Read the logs and build the report (warnings printed); the baselines as they were read.
    ``keep_cache``: read through the ingest cache and keep it (else a cache for this run only);
    ``small``: the small-input path instead (no DuckDB, no cache; the same report)."""
    from aiinfra_cli.report import build_report, load_baselines

    config, root = source.config, source.root
    prices = _prices(config)
    shown = _shown_from(root)
    with _logs_read(source, shown, keep_cache=keep_cache, small=small) as read:
        if not read.files:
            raise _no_logs(source, read.rejects, shown)
        baselines = load_baselines(root / MEMORY_DIR / BASELINES_FILE)
        if baselines.warning:
            read.warnings.append(baselines.warning)
        built = build_report(
            read,
            request,
            prices=prices,
            config=config,
            baselines=baselines,
            logs=[shown(Path(s)) for s in source.specs],
        )
    for warning in [*read.warnings, *_malformed_warning(read.malformed)]:
        output.warn(warning)
    return built, baselines


@contextlib.contextmanager
def _logs_read(
    source: _Source, shown: Callable[[Path], str], *, keep_cache: bool, small: bool
) -> Iterator[Ingested | LogRows]:
    """The logs as read: line by line in Python (``small``), or through the DuckDB ingest cache
    (open while the report's queries run; Ctrl-C interrupts a running query)."""
    if small:
        from aiinfra_cli.usage import read_rows

        with output.working("reading usage logs…"):
            yield read_rows(source.specs, source.log_format, display=shown)
        return
    from aiinfra_cli._interrupt import interruptible
    from aiinfra_cli.usage import CACHE_FILE, ingest, open_cache

    con, warnings, used = open_cache(source.root / CACHE_DIR / CACHE_FILE if keep_cache else None)
    try:
        with interruptible(con), output.working("reading usage logs…"):
            ingested = ingest(con, source.specs, source.log_format, display=shown, cache_path=used)
            ingested.warnings.extend(warnings)
            yield ingested
    finally:
        con.close()


def _render(
    document: CostReport, step: AgentStep | None, human: Console, *, top: int
) -> tuple[CostReport, str]:
    """Print the terminal summary; the document (with the agent's section) and its Markdown."""
    from aiinfra_cli.report import render_markdown, render_terminal

    markdown = render_markdown(
        document, top=top, generated=document.generated_at, version=__version__
    )
    render_terminal(human, document, top=top)
    if step is None:
        return document, markdown
    step.show(human)
    return replace(document, agent=step.result.as_dict()), step.markdown(markdown)


def _agent_step(
    document: CostReport,
    config: Config | None,
    cap: Decimal | None,
    environ: Mapping[str, str] | None,
) -> AgentStep:
    from aiinfra_cli.agent import AgentStep

    facts = document.agent_view if document.totals.requests else "no usage in the report period"
    return AgentStep.run(
        "cost-report", facts, config, cap=cap, environ=environ, safe_fields=("message",)
    )


def _in_ci(environ: Mapping[str, str]) -> bool:
    return environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


_POINT_AT_DATA = (
    "point --logs (or usage_log.path in config/ai-models.yaml) at the tracker's log folder;"
    " in CI, download the logs artifact or mount the log folder first:"
    " see 'Running in CI' in docs/cost-report.md"
)


def _no_logs(
    source: _Source, rejects: Sequence[Reject], shown: Callable[[Path], str]
) -> UsageLogError:
    """No log file at all under the sources: an error naming them (a report on nothing would
    pass every budget gate)."""
    reasons = "; ".join(str(r) for r in rejects[:3]) or ", ".join(
        shown(Path(s)) for s in source.specs
    )
    option = "--logs" if source.from_option else "usage_log.path"
    return UsageLogError(f"no usage logs to read ({option}: {reasons})", hint=_POINT_AT_DATA)


def _require_data(document: CostReport, source: _Source) -> None:
    if document.totals.requests:
        return
    period = document.period
    shown = _shown_from(source.root)
    logs = ", ".join(shown(Path(s)) for s in source.specs)
    raise UsageLogError(
        f"no usage between {period.since} and {period.until} in {logs}"
        " (--require-data, on when CI=true)",
        hint=_POINT_AT_DATA,
    )


def _kept_report(written: Written, document: CostReport) -> str | None:
    """Why today's report stays as it is (None: write the new one). A report on no usage never
    replaces one of the same day that holds some."""
    if document.totals.requests or not written.json.exists():
        return None
    try:
        old = json.loads(written.json.read_text(encoding="utf-8"))
        requests = int(old["totals"]["requests"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not requests:
        return None
    period = document.period
    return (
        f"no usage between {period.since} and {period.until}: kept today's report"
        f" {display_path(written.markdown)} ({requests} requests) instead of overwriting it;"
        " pass --out-dir to write the empty report elsewhere"
    )


def _malformed_warning(malformed: Sequence[Reject]) -> list[str]:
    """Lines that count although a field no report reads is malformed: one warning, with the
    first examples and the command that lists them all."""
    if not malformed:
        return []
    examples = "; ".join(str(r) for r in malformed[:MAX_MALFORMED_EXAMPLES])
    more = (
        f" (and {len(malformed) - MAX_MALFORMED_EXAMPLES} more)"
        if len(malformed) > MAX_MALFORMED_EXAMPLES
        else ""
    )
    return [
        f"{len(malformed)} line(s) counted although a field the report does not read is"
        f" malformed: {examples}{more}; `aiinfra usage validate` lists every problem"
    ]


def _shown_from(root: Path) -> Callable[[Path], str]:
    """Log paths in reports: relative to the repo root when inside it (the same wherever the
    command runs), else as the working directory shows them."""

    def shown(path: Path) -> str:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except (ValueError, OSError, RuntimeError):  # outside the repo, or a symlink loop
            return display_path(path)

    return shown


def _append_summary(markdown: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        output.warn("--github-summary: GITHUB_STEP_SUMMARY is not set; nothing appended")
        return
    try:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(markdown + "\n")
    except OSError as exc:
        output.warn(f"--github-summary: cannot append to {target}: {exc.strerror or exc}")
