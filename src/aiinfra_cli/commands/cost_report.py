"""``aiinfra cost-report``: cost and token reports from usage logs (see docs/cost-report.md)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiinfra_cli import __version__, output
from aiinfra_cli._atomic import write_atomic
from aiinfra_cli._schema import parse_usd_option
from aiinfra_cli.commands._agent_option import agent_cap
from aiinfra_cli.config import display_path, load_config
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK, UsageError, UsageLogError
from aiinfra_cli.paths import MEMORY_DIR, MULTIAGENT_DIR, REPORTS_DIR, project_root

if TYPE_CHECKING:
    from rich.console import Console

    from aiinfra_cli.agent import AgentResult
    from aiinfra_cli.config import Config
    from aiinfra_cli.usage import Reject

BASELINES_FILE = "cost-baselines.json"
MAX_MALFORMED_EXAMPLES = 3
CACHE_DIR = MULTIAGENT_DIR / "cache"


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
    now: datetime | None = None,
    console: Console | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """Build the report, print it, write it; exit 1 with ``fail_on_budget`` when a budget is at
    100 %, or with ``require_data`` when the period holds no usage. ``agent``: add an LLM's
    recommendations (the exit code never depends on them). ``require_data`` and ``no_cache``
    default to on in CI (``CI=true``): a fresh checkout has no cache to reuse, and a report on
    no data must not pass a budget gate."""
    from aiinfra_cli._interrupt import interruptible
    from aiinfra_cli.pricing import load_price_table, overrides_from_config
    from aiinfra_cli.report import (
        ReportRequest,
        build_report,
        load_baselines,
        render_markdown,
        render_terminal,
        resolve_period,
        save_baselines,
    )
    from aiinfra_cli.usage import CACHE_FILE, LOG_FORMATS, ingest, open_cache

    moment = now or datetime.now(timezone.utc)
    if log_format not in LOG_FORMATS:
        raise UsageError(
            f"--log-format {log_format}: unknown format",
            hint=f"choose from {', '.join(LOG_FORMATS)}",
        )
    if top < 1:
        raise UsageError(f"--top {top}: must be at least 1")
    groups = parse_group_by(group_by)
    budget_usd = _budget(budget)
    cap = agent_cap(agent, agent_max_cost)
    from aiinfra_cli.report._period import zone

    today = moment.astimezone(zone(tz)).date()
    period, end = resolve_period(timeframe=timeframe, since=since, until=until, tz=tz, today=today)
    config = load_config(config_path)
    root = config.root if config is not None else project_root()
    specs: list[str] = (
        list(logs)
        if logs
        else [str(config.usage_log.path if config is not None else root / "logs" / "ai-usage")]
    )
    if not logs and config is not None and log_format == "auto":
        log_format = config.usage_log.format if config.usage_log.format != "aiinfra" else "auto"
    prices = load_price_table()
    if config is not None:
        prices = prices.with_overrides(overrides_from_config(config))
    in_ci = _in_ci(environ if environ is not None else os.environ)
    keep_cache = not (in_ci if no_cache is None else no_cache)
    con, warnings, cache_used = open_cache(root / CACHE_DIR / CACHE_FILE if keep_cache else None)
    try:
        with interruptible(con):
            shown = _shown_from(root)
            ingested = ingest(con, specs, log_format, display=shown, cache_path=cache_used)
            if not ingested.files:
                raise _no_logs(specs, ingested.rejects, shown, from_option=bool(logs))
            ingested.warnings.extend(warnings)
            baseline_path = root / MEMORY_DIR / BASELINES_FILE
            baselines = load_baselines(baseline_path)
            if baselines.warning:
                ingested.warnings.append(baselines.warning)
            built = build_report(
                ingested,
                ReportRequest(
                    period=period,
                    until=end,
                    tz=tz,
                    group_by=groups,
                    top=top,
                    budget_usd=budget_usd,
                    now=moment,
                ),
                prices=prices,
                config=config,
                baselines=baselines,
                logs=[shown(Path(s)) for s in specs],
            )
    finally:
        con.close()
    document = built.document
    if in_ci if require_data is None else require_data:
        _require_data(document, specs, shown)
    for warning in [*ingested.warnings, *_malformed_warning(ingested.malformed)]:
        output.warn(warning)
    analysis = _agent_analysis(document, config, cap, environ) if agent else None
    generated = document["generated_at"]
    markdown = render_markdown(document, top=top, generated=generated, version=__version__)
    human = console or (output.err_console() if as_json else output.out_console())
    render_terminal(human, document, top=top)
    if analysis is not None:
        from aiinfra_cli.agent import render_console
        from aiinfra_cli.agent import render_markdown as agent_markdown

        document["agent"] = analysis.as_dict()
        markdown = markdown.rstrip("\n") + "\n\n" + agent_markdown(analysis).rstrip("\n") + "\n"
        render_console(human, analysis)
    if not no_write:
        written = report_paths(out_dir if out_dir is not None else root, today)
        kept = _kept_report(written, document)
        if kept is None:
            write_atomic(written.markdown, markdown)
            write_atomic(written.json, output.to_json(document))
            human.print(
                f"report written to {display_path(written.markdown)} and"
                f" {display_path(written.json).rsplit('/', 1)[-1]}"
            )
        else:
            output.warn(kept)
        save_baselines(baseline_path, baselines, tz, built.history)
    if github_summary:
        _append_summary(markdown)
    if as_json:
        output.print_json(document)
    if analysis is not None:
        from aiinfra_cli.agent import render_notice

        render_notice(output.err_console(), analysis)
    if fail_on_budget and document["budget_exceeded"]:
        names = ", ".join(b["name"] for b in document["budgets"] if b["status"] == "exceeded")
        output.warn(f"budget exceeded: {names} (--fail-on-budget)")
        return EXIT_FAILURE
    return EXIT_OK


# The report's aggregates the agent sees (never its rejected-line examples or log paths).
_AGENT_KEYS = (
    "period",
    "totals",
    "previous_period",
    "by_model",
    "by_provider",
    "by_feature",
    "by_endpoint",
    "by_user",
    "by_tenant",
    "by_day",
    "top_call_sites",
    "cache",
    "response_cache",
    "cost_per_successful_request",
    "errors_and_retries",
    "unpriced",
    "recorded_cost",
    "anomalies",
    "forecast",
    "budgets",
    "budget_exceeded",
)
# Token columns that are zero in every row say nothing; dropping them keeps the request small.
_TOKEN_COLUMNS = (
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "reasoning_tokens",
)


def agent_facts(document: Mapping[str, Any]) -> dict[str, Any]:
    """What the agent sees of a report: its aggregates (money as decimal strings), not its
    sources, rejected lines or pricing notes. People in ``by_user``/``by_tenant`` are
    pseudonymised by the agent's redaction, keys and free text withheld."""
    facts: dict[str, Any] = {}
    for key in _AGENT_KEYS:
        if key not in document:
            continue
        value = document[key]
        if isinstance(value, list):
            value = [_trim_row(row) for row in value]
        facts[key] = value
    return facts


def _trim_row(row: Any) -> Any:
    if not isinstance(row, dict):
        return row
    return {k: v for k, v in row.items() if not (k in _TOKEN_COLUMNS and v == 0)}


def _agent_analysis(
    document: Mapping[str, Any],
    config: Config | None,
    cap: Decimal | None,
    environ: Mapping[str, str] | None,
) -> AgentResult:
    from aiinfra_cli.agent import AgentRequest, AgentResult, run

    if not document["totals"]["requests"]:
        # Nothing to analyse: no request is worth paying for.
        return AgentResult("cost-report", "unavailable", "no usage in the report period")
    request = AgentRequest("cost-report", agent_facts(document), safe_fields=("message",))
    return run(request, config, max_cost=cap, environ=environ)


def _in_ci(environ: Mapping[str, str]) -> bool:
    return environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


_POINT_AT_DATA = (
    "point --logs (or usage_log.path in config/ai-models.yaml) at the tracker's log folder;"
    " in CI, download the logs artifact or mount the log folder first:"
    " see 'Running in CI' in docs/cost-report.md"
)


def _no_logs(
    specs: Sequence[str], rejects: Sequence[Reject], shown: Callable[[Path], str], from_option: bool
) -> UsageLogError:
    """No log file at all under the sources: an error naming them (a report on nothing would
    pass every budget gate)."""
    reasons = "; ".join(str(r) for r in rejects[:3]) or ", ".join(shown(Path(s)) for s in specs)
    source = "--logs" if from_option else "usage_log.path"
    return UsageLogError(f"no usage logs to read ({source}: {reasons})", hint=_POINT_AT_DATA)


def _require_data(
    document: Mapping[str, Any], specs: Sequence[str], shown: Callable[[Path], str]
) -> None:
    if document["totals"]["requests"]:
        return
    period = document["period"]
    logs = ", ".join(shown(Path(s)) for s in specs)
    raise UsageLogError(
        f"no usage between {period['since']} and {period['until']} in {logs}"
        " (--require-data, on when CI=true)",
        hint=_POINT_AT_DATA,
    )


def _kept_report(written: Written, document: Mapping[str, Any]) -> str | None:
    """Why today's report stays as it is (None: write the new one). A report on no usage never
    replaces one of the same day that holds some."""
    if document["totals"]["requests"] or not written.json.exists():
        return None
    try:
        old = json.loads(written.json.read_text(encoding="utf-8"))
        requests = int(old["totals"]["requests"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not requests:
        return None
    period = document["period"]
    return (
        f"no usage between {period['since']} and {period['until']}: kept today's report"
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
