"""Compare BASE with the working tree: call sites and routes added, removed or changed, priced
over each one's observed traffic (the usage log's last ``days`` days)."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from aiinfra_cli.costdiff import _git, _reprice
from aiinfra_cli.costdiff._model import Change, CostDiff, Traffic
from aiinfra_cli.scan import CallSite, Report, ScanOptions, scan

if TYPE_CHECKING:
    from collections.abc import Callable

    from aiinfra_cli.config import Config
    from aiinfra_cli.pricing import PriceTable
    from aiinfra_cli.scan import UsageJoin
    from aiinfra_cli.store import CallsAsk, CallsSum, StoreTraffic
    from aiinfra_cli.usage import UsageEvent

_FACTS = ("model", "max_tokens", "has_max_tokens", "streaming", "route")
_T = TypeVar("_T")


@dataclass
class DiffOptions:
    """What ``aiinfra cost-diff`` was asked."""

    cwd: Path
    base: str | None = None
    usage_logs: tuple[Path, ...] = ()
    days: int = 30
    max_monthly_delta: Decimal | None = None
    now: datetime | None = None
    # The traffic since an instant, read from the team store (sums only), long-context
    # buckets from a price table: instead of usage_logs.
    store_traffic: Callable[[datetime, PriceTable], StoreTraffic] | None = None
    # The store's sums over the calls at changed call sites (since, bucket bounds, asks).
    store_calls: Callable[[datetime, list[int], list[CallsAsk]], list[list[CallsSum]]] | None = None


@dataclass
class _Side:
    report: Report
    config: Config | None
    cached: set[str]  # call-site keys with a prompt cache (no AIC005 finding)


def _side(
    root: Path,
    options: DiffOptions,
    since: datetime,
    logs: list[Path],
    usage: UsageJoin | None = None,
) -> _Side:
    from aiinfra_cli.config import load_config

    config = load_config(None, start=root)
    outcome = scan(
        ScanOptions(
            paths=[Path()],
            cwd=root,
            use_cache=False,
            usage_logs=logs,
            usage_since=since,
            today=options.now,
            usage=usage,
        )
    )
    uncached = {f.call for f in outcome.report.findings if f.code == "AIC005" and f.call}
    cached = {c.key for c in outcome.report.calls if c.key not in uncached}
    return _Side(outcome.report, config, cached)


def compute(options: DiffOptions) -> CostDiff:
    """The priced changes between BASE and the working tree."""
    root = _git.repo_root(options.cwd)
    if options.base is None:
        commit, label = _git.default_base(root)
    else:
        commit, label = _git.resolve(root, options.base), options.base
    now = options.now or datetime.now(timezone.utc)
    since = now - timedelta(days=options.days)
    logs = [p if p.is_absolute() else options.cwd / p for p in options.usage_logs]
    with tempfile.TemporaryDirectory(prefix="aiinfra-cost-diff-") as tmp:
        base_root = Path(tmp) / root.name
        base_root.mkdir()
        _git.extract(root, commit, base_root)
        stored = _stored(options, since, base_root)
        base = _side(base_root, options, since, logs, stored.usage if stored else None)
    head = _side(root, options, since, [])
    prices = _prices(head.config)
    logged = _read_logs(logs, since) if logs else None
    pairs, added, removed = _pair(base.report.calls, head.report.calls)
    wanted = [(old, new) for old, new in pairs if _repriced(old, new, base, head)]
    calls = _calls(wanted, options, since, stored, logged)
    pricer = _Pricing(prices, options.days, calls)
    changes = _site_changes(base, head, (pairs, added, removed), pricer)
    events = 0
    if stored is not None:
        events = stored.events
        changes += _route_changes(base.config, head.config, stored.by_route, pricer)
    elif logged is not None:
        by_route, events = _route_traffic(logged)
        changes += _route_changes(base.config, head.config, by_route, pricer)
    return CostDiff(
        base=commit,
        base_label=label,
        window_days=options.days,
        events=events,
        changes=changes,
        max_monthly_delta=options.max_monthly_delta,
    )


def _stored(options: DiffOptions, since: datetime, base_root: Path) -> StoreTraffic | None:
    """The store's traffic, bucketed by the long-context thresholds of BASE's prices (the
    side it is priced on)."""
    if options.store_traffic is None:
        return None
    from aiinfra_cli.config import load_config

    return options.store_traffic(since, _prices(load_config(None, start=base_root)))


def _prices(config: Config | None) -> PriceTable:
    from aiinfra_cli.pricing import load_price_table, overrides_from_config

    table = load_price_table()
    return table.with_overrides(overrides_from_config(config)) if config is not None else table


def _repriced(old: CallSite, new: CallSite, base: _Side, head: _Side) -> bool:
    """Whether a call site's change is priced over its calls (max tokens, prompt cache)."""
    return old.max_tokens != new.max_tokens or (old.key in base.cached) != (new.key in head.cached)


def _at(found: dict[tuple[str, int], list[_T]], site: CallSite) -> list[_T]:
    """The values logged at ``site``'s lines, in its file."""
    return [
        value
        for (path, line), values in found.items()
        if site.line <= line <= site.end_line and _same_file(path, site.file)
        for value in values
    ]


def _calls(
    wanted: list[tuple[CallSite, CallSite]],
    options: DiffOptions,
    since: datetime,
    stored: StoreTraffic | None,
    logged: list[UsageEvent] | None,
) -> dict[str, _reprice.Calls] | None:
    """The calls of each call site in ``wanted`` (by BASE's key) that its change reprices:
    from the team store as sums, else from the logs' events (None: neither was given)."""
    if stored is not None and options.store_calls is not None:
        from aiinfra_cli.store import CallsAsk

        names = {key: list(found) for key, found in stored.names.items()}
        asks = [
            CallsAsk(tuple(_at(names, old)), old.max_tokens, new.max_tokens) for old, new in wanted
        ]
        sums = options.store_calls(since, stored.limits, asks) if asks else []
        return {
            old.key: _from_sums(found, new.max_tokens)
            for (old, new), found in zip(wanted, sums, strict=True)
        }
    if logged is None:
        return None
    by_site = _by_site(logged)
    return {
        old.key: _reprice.Calls.of(_at(by_site, old), old.max_tokens, new.max_tokens)
        for old, new in wanted
    }


def _from_sums(sums: list[CallsSum], cap: int | None) -> _reprice.Calls:
    """The calls from the store's sums, one group per sum."""
    from dataclasses import replace

    over: list[_reprice.Group] = []
    cached: list[_reprice.Group] = []
    for s in sums:
        if cap is not None and s.over_calls:
            cut = replace(
                s.over, output_tokens=cap * s.over_calls, reasoning_tokens=s.over_reasoning_capped
            )
            over.append(
                _reprice.Group(s.model, s.provider, s.over_calls, s.over, cut, s.tier_input)
            )
        if s.cached_calls:
            plain = _reprice.uncached(s.cached)
            cached.append(
                _reprice.Group(s.model, s.provider, s.cached_calls, s.cached, plain, s.tier_input)
            )
    return _reprice.Calls(
        sum(s.calls for s in sums), sum(s.reached for s in sums), tuple(over), tuple(cached)
    )


class _Pricing:
    """Per-call and monthly dollars at a model's prices; ``calls``: the calls each changed
    call site's max-tokens or prompt-cache change reprices, by BASE's key (None: no usage
    logs or store to read them from)."""

    def __init__(
        self, table: PriceTable, days: int, calls: dict[str, _reprice.Calls] | None = None
    ) -> None:
        self.table = table
        self.days = days
        self.calls = calls

    def per_call(
        self, model: str | None, provider: str | None, tokens_in: int, tokens_out: int
    ) -> Decimal | None:
        from aiinfra_cli.pricing import TokenUsage, cost

        if model is None:
            return None
        price = self.table.lookup(model, provider)
        if price is None:
            return None
        return cost(price, TokenUsage(input_tokens=tokens_in, output_tokens=tokens_out)).total

    def traffic(self, data: dict[str, Any] | None) -> Traffic | None:
        if not data or not data.get("calls"):
            return None
        calls = int(data["calls"])
        return Traffic(
            calls_per_month=round(calls * 30 / self.days),
            avg_input=int(data["input_tokens"]) // calls,
            avg_output=int(data["output_tokens"]) // calls,
        )


def _key(site: CallSite) -> tuple[str, str | None, str]:
    return site.file, site.function, site.api


def _pair(
    base: list[CallSite], head: list[CallSite]
) -> tuple[list[tuple[CallSite, CallSite]], list[CallSite], list[CallSite]]:
    """Match call sites by file, enclosing function and API, in order (lines may move)."""
    groups: dict[tuple[str, str | None, str], list[CallSite]] = defaultdict(list)
    for site in base:
        groups[_key(site)].append(site)
    pairs: list[tuple[CallSite, CallSite]] = []
    added: list[CallSite] = []
    for site in head:
        bucket = groups.get(_key(site))
        if bucket:
            pairs.append((bucket.pop(0), site))
        else:
            added.append(site)
    removed = [s for bucket in groups.values() for s in bucket]
    return pairs, added, removed


def _site_changes(
    base: _Side,
    head: _Side,
    paired: tuple[list[tuple[CallSite, CallSite]], list[CallSite], list[CallSite]],
    pricer: _Pricing,
) -> list[Change]:
    pairs, added, removed = paired
    changes: list[Change] = []
    for old, new in pairs:
        details = [
            f"{name} {getattr(old, name)} → {getattr(new, name)}"
            for name in _FACTS
            if getattr(old, name) != getattr(new, name)
        ]
        if (old.key in base.cached) != (new.key in head.cached):
            details.append("prompt cache " + ("added" if new.key in head.cached else "removed"))
        if details:
            changes.append(_changed(old, new, details, pricer))
    for site in added:
        changes.append(_added(site, pricer))
    for site in removed:
        traffic = pricer.traffic(site.traffic)
        spend = Decimal(str(site.traffic["spend_usd"])) if site.traffic else None
        monthly = None if spend is None else -(spend * 30 / pricer.days).quantize(Decimal("0.0001"))
        changes.append(
            Change(
                "removed",
                site.key,
                f"{site.api} ({site.model or 'model not a literal'})",
                traffic=traffic,
                monthly_usd=monthly,
                note=None if traffic else "no traffic in the window",
            )
        )
    return changes


def _changed(old: CallSite, new: CallSite, details: list[str], pricer: _Pricing) -> Change:
    change = Change(
        "changed", new.key, f"{new.api} ({new.model or 'model not a literal'})", details
    )
    traffic = pricer.traffic(old.traffic)
    change.traffic = traffic
    if traffic is None:
        change.note = "no traffic in the window"
        return change
    if new.sdk == "aiinfra" and old.route == new.route:
        change.note = "priced with its route below"
        return change
    per_call: Decimal | None = None
    if old.model != new.model:
        before = pricer.per_call(old.model, old.provider, traffic.avg_input, traffic.avg_output)
        after = pricer.per_call(new.model, new.provider, traffic.avg_input, traffic.avg_output)
        if before is None or after is None:
            change.note = "unpriced: model not a literal or not in the price table"
        else:
            per_call = after - before
    window = _reprice_facts(old, new, details, pricer)
    if per_call is None and window is None:
        change.note = change.note or "not priced: see the details"
        return change
    calls = int(old.traffic["calls"]) if old.traffic else 0
    change.per_call_usd = (per_call or Decimal(0)) + (window or Decimal(0)) / max(calls, 1)
    monthly = (per_call or Decimal(0)) * traffic.calls_per_month
    monthly += (window or Decimal(0)) * 30 / pricer.days
    change.monthly_usd = monthly.quantize(Decimal("0.0001"))
    return change


def _reprice_facts(
    old: CallSite, new: CallSite, details: list[str], pricer: _Pricing
) -> Decimal | None:
    """Price the max-tokens and prompt-cache changes over the site's logged calls, in place
    of their lines in ``details``; their dollars over the window (None: none priced)."""
    calls = pricer.calls.get(old.key) if pricer.calls is not None else None
    target = _reprice.Target(new.model, new.provider) if new.model else _reprice.Target()
    found: list[_reprice.Repriced] = []
    for index, line in enumerate(details):
        if line.startswith("max_tokens "):
            repriced = _reprice.max_tokens(
                old.max_tokens, new.max_tokens, calls, pricer.table, target
            )
        elif line.startswith("prompt cache "):
            repriced = _reprice.prompt_cache(line.endswith("added"), calls, pricer.table)
        else:
            continue
        details[index] = repriced.detail
        found.append(repriced)
    priced = [r.window_usd for r in found if r.window_usd is not None]
    return sum(priced, Decimal(0)) if priced else None


def _added(site: CallSite, pricer: _Pricing) -> Change:
    cap = site.max_tokens
    if cap is None and site.model is not None:
        price = pricer.table.lookup(site.model, site.provider)
        cap = price.max_output_tokens if price is not None else None
    per_call = pricer.per_call(site.model, site.provider, site.static_input_tokens, cap or 0)
    return Change(
        "added",
        site.key,
        f"{site.api} ({site.model or 'model not a literal'})",
        per_call_usd=per_call,
        note="no traffic yet: priced per call (static prompt + output cap), not per month",
    )


def _read_logs(logs: list[Path], since: datetime) -> list[UsageEvent]:
    """The logs' events in the window."""
    from aiinfra_cli.usage import read_events

    return [e for e in read_events([str(p) for p in logs]).events if e.timestamp >= since]


def _same_file(logged: str, scanned: str) -> bool:
    return logged == scanned or logged.endswith("/" + scanned) or scanned.endswith("/" + logged)


def _by_site(events: list[UsageEvent]) -> dict[tuple[str, int], list[UsageEvent]]:
    """Successful events by their ``call_site``'s (path, line)."""
    found: dict[tuple[str, int], list[UsageEvent]] = defaultdict(list)
    for event in events:
        path, _, line = (event.call_site or "").rpartition(":")
        if event.status == "ok" and path and line.isdigit():
            found[path.replace("\\", "/").removeprefix("./"), int(line)].append(event)
    return dict(found)


def _route_traffic(logged: list[UsageEvent]) -> tuple[dict[str, dict[str, int]], int]:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    events = 0
    for event in logged:
        events += 1
        if event.route and event.status == "ok":
            row = totals[event.route]
            row["calls"] += 1
            row["input_tokens"] += event.input_tokens
            row["output_tokens"] += event.output_tokens
    return {k: dict(v) for k, v in totals.items()}, events


def _first_model(config: Config | None, route: str) -> tuple[str, str, str | None] | None:
    if config is None or route not in config.routes or not config.routes[route].chain:
        return None
    model = config.model(config.routes[route].chain[0])
    if model is None:
        return None
    return model.id, model.model, model.provider_kind or model.provider


def _route_changes(
    base: Config | None,
    head: Config | None,
    traffic: dict[str, dict[str, int]],
    pricer: _Pricing,
) -> list[Change]:
    where = "config/ai-models.yaml"
    names = sorted(set(base.routes if base else ()) | set(head.routes if head else ()))
    changes: list[Change] = []
    for name in names:
        old, new = _first_model(base, name), _first_model(head, name)
        if old is None or new is None or old[1] == new[1]:
            continue
        seen = pricer.traffic(traffic.get(name))
        change = Change(
            "route",
            where,
            f"`{name}` route now starts on {new[1]} (was {old[1]})",
            traffic=seen,
        )
        if seen is None:
            change.note = "no traffic in the window"
        else:
            before = pricer.per_call(old[1], old[2], seen.avg_input, seen.avg_output)
            after = pricer.per_call(new[1], new[2], seen.avg_input, seen.avg_output)
            if before is None or after is None:
                change.note = "unpriced: a model is not in the price table"
            else:
                change.per_call_usd = after - before
                change.monthly_usd = (change.per_call_usd * seen.calls_per_month).quantize(
                    Decimal("0.0001")
                )
        changes.append(change)
    return changes
