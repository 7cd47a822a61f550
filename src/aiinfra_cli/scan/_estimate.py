"""Dollars for findings (price table), AIC004 (retired or unknown models), and the observed
traffic and spend of call sites from usage logs (``--usage-logs``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiinfra_cli.scan._model import CallSite, Estimate, Finding
from aiinfra_cli.scan._runtime import SDK as RUNTIME_SDK
from aiinfra_cli.scan.rules.models import RETIRED_MODEL

if TYPE_CHECKING:
    from aiinfra_cli.config import Config
    from aiinfra_cli.pricing import ModelPrice, PriceTable, TokenUsage
    from aiinfra_cli.usage import UsageEvent


# Providers whose models the price table does not list (local Ollama models, hosts of open
# models): an id missing from the table is no sign of a typo there.
UNTABLED_PROVIDERS = frozenset({"ollama", "together", "fireworks", "cerebras"})


class Pricer:
    """The price table (with the config's overrides) and per-model look-ups.

    The table is loaded only when a look-up is not in ``memo``: a JSON-ready dict the scan
    cache keeps between runs (see :func:`price_fingerprint`), so a cached pre-commit run does not
    parse the whole price table to price a handful of calls.
    """

    def __init__(self, config: Config | None, memo: dict[str, Any] | None = None) -> None:
        self._config = config
        self._table: PriceTable | None = None
        self._prices: dict[tuple[str, str | None], ModelPrice | None] = {}
        self.memo: dict[str, Any] = memo if memo is not None else {}
        self.memo.setdefault("prices", {})
        self.memo.setdefault("suggest", {})
        self.memo_changed = False
        # Dollars per (price entry, kind, tokens, input, output): a dense scan prices tens of
        # thousands of findings over a handful of distinct estimates.
        self._usd_known: dict[tuple[int, str, int, int, int], Decimal] = {}

    @property
    def table(self) -> PriceTable:
        """The effective price table (loaded on first use)."""
        if self._table is None:
            from aiinfra_cli.pricing import load_price_table, overrides_from_config

            table = load_price_table()
            if self._config is not None:
                overrides = overrides_from_config(self._config)
                if overrides:
                    table = table.with_overrides(overrides)
            self._table = table
        return self._table

    @property
    def as_of(self) -> str | None:
        """The table's date."""
        if "as_of" not in self.memo:
            self.memo["as_of"] = getattr(self.table, "as_of", None)
            self.memo_changed = True
        value = self.memo["as_of"]
        return value if isinstance(value, str) else None

    def lookup(self, model: str, provider: str | None) -> ModelPrice | None:
        """The price entry, or None when the table does not know the model."""
        key = (model, provider if provider not in ("anthropic", "openai") else None)
        if key in self._prices:
            return self._prices[key]
        memo_key = f"{key[0]}\0{key[1] or ''}"
        stored = self.memo["prices"]
        if memo_key in stored:
            price = _price_from_json(stored[memo_key])
        else:
            price = self.table.lookup(model, key[1])
            stored[memo_key] = _price_to_json(price)
            self.memo_changed = True
        self._prices[key] = price
        return price

    def suggest(self, model: str) -> list[str]:
        """Close known ids for a "did you mean"."""
        stored = self.memo["suggest"]
        if model not in stored:
            stored[model] = list(self.table.suggest(model))
            self.memo_changed = True
        return list(stored[model])

    def price_estimate(self, estimate: Estimate, site: CallSite | None) -> None:
        """Fill ``usd_per_call`` (and bounded token counts) from the call's model."""
        if estimate.kind == "none":
            return
        model = site.model if site is not None else None
        if site is not None and site.sdk == RUNTIME_SDK:
            if model is None:
                estimate.unpriced_reason = (
                    f"route '{site.route}' is not in the config"
                    if site.route
                    else "the route is not a literal in the code"
                )
                return
            estimate.basis += f"; priced as the first model of route '{site.route}'"
        if model is None:
            estimate.unpriced_reason = "model id is not a literal in the code"
            return
        price = self.lookup(model, site.provider if site else None)
        if price is None:
            estimate.unpriced_reason = f"'{model}' is not in the price table"
            return
        estimate.model = price.key
        if estimate.tokens is None and estimate.bound is not None:
            bound = (
                price.max_output_tokens if estimate.bound == "max_output" else price.context_window
            )
            if bound is None:
                estimate.unpriced_reason = (
                    f"the price table has no {estimate.bound.replace('_', ' ')} for '{price.key}'"
                )
                return
            estimate.tokens = bound
        if estimate.tokens is None:
            estimate.unpriced_reason = "nothing static to count (dynamic prompt, no literal cap)"
            return
        key = (
            id(price),  # entries live in self._prices for the pricer's lifetime
            estimate.kind,
            estimate.tokens,
            estimate.input_tokens,
            estimate.output_tokens,
        )
        usd = self._usd_known.get(key)
        if usd is None:
            try:
                usd = self._usd_known[key] = self._usd(price, estimate)
            except ValueError as exc:
                estimate.unpriced_reason = str(exc)
                return
        estimate.usd_per_call = usd

    @staticmethod
    def _usd(price: ModelPrice, estimate: Estimate) -> Decimal:
        from aiinfra_cli.pricing import TokenUsage, cost

        tokens = estimate.tokens or 0
        if estimate.kind == "output":
            return cost(price, TokenUsage(output_tokens=tokens)).total
        if estimate.kind == "input":
            return cost(price, TokenUsage(input_tokens=tokens)).total
        if estimate.kind == "cache_saving":
            full = cost(price, TokenUsage(input_tokens=tokens)).total
            cached = cost(price, TokenUsage(input_tokens=tokens, cache_read_tokens=tokens)).total
            return full - cached
        return cost(
            price,
            TokenUsage(input_tokens=estimate.input_tokens, output_tokens=estimate.output_tokens),
        ).total

    def still_served(
        self, finding: Finding, site: CallSite | None, traffic: dict[str, Traffic]
    ) -> None:
        """Reword AIC004 when the usage log shows the call site's calls to a model past its
        retirement date succeeding: the provider still serves it, for now."""
        seen = traffic.get(finding.call or "")
        if site is None or site.model is None or seen is None or not seen.last_ok:
            return
        price = self.lookup(site.model, site.provider)
        retired_on = price.deprecation_date if price is not None else None
        served = seen.calls - seen.errors
        assert seen.last_ok is not None
        if retired_on is None or served <= 0 or seen.last_ok[:10] < retired_on:
            return
        finding.message = (
            f"model '{site.model}' is past its retirement date ({retired_on}) in the price table,"
            f" yet the usage log has successful calls here as late as {seen.last_ok[:10]}:"
            " the provider still serves it for now and will stop without notice;"
            " move to a current model"
        )

    def model_findings(self, sites: list[CallSite], today: date) -> list[Finding]:
        """AIC004 for every call site whose literal model is retired or unknown."""
        findings: list[Finding] = []
        for site in sites:
            # Azure takes deployment names and a LiteLLM Router model-group aliases, not model ids.
            if (
                site.model is None
                or site.sdk == RUNTIME_SDK  # the route's model: config validate checks it
                or site.provider == "azure"
                or site.api.startswith("litellm.Router")
            ):
                continue
            price = self.lookup(site.model, site.provider)
            if price is None and site.provider in UNTABLED_PROVIDERS:
                continue  # local models, or a host the price table does not list: not a typo
            if price is None:
                suggestions = self.suggest(site.model)
                hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
                message = (
                    f"model '{site.model}' is not in the price table: unknown, misspelt or too"
                    f" new{hint}; its calls are unpriced"
                )
            elif price.retired or (
                price.deprecation_date is not None and price.deprecation_date <= today.isoformat()
            ):
                when = f" on {price.deprecation_date}" if price.deprecation_date else ""
                message = (
                    f"model '{site.model}' was retired{when}: calls to it fail;"
                    " move to a current model"
                )
            else:
                continue
            estimate = Estimate(
                kind="call",
                tokens=(site.static_input_tokens + (site.max_tokens or 0)) or None,
                basis="per call: static prompt tokens + output cap",
                input_tokens=site.static_input_tokens,
                output_tokens=site.max_tokens or 0,
            )
            findings.append(
                Finding(
                    code=RETIRED_MODEL.code,
                    file=site.file,
                    line=site.line,
                    end_line=site.end_line,
                    column=site.column,
                    end_column=site.end_column,
                    message=message,
                    estimate=estimate,
                    call=site.key,
                )
            )
        return findings


def price_fingerprint(config: Config | None) -> str:
    """What the memoised look-ups depend on: aiinfra's version, the bundled and the user's price
    table files (path, size, modification time) and the config's price overrides."""
    import hashlib

    from aiinfra_cli import __version__, pricing

    parts = [__version__]
    for path in (Path(pricing.__file__).parent / "data" / "prices.json", pricing.user_table_path()):
        try:
            stat = path.stat()
            parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append(f"{path}:-")
    if config is not None:
        parts.append(repr(sorted(pricing.overrides_from_config(config).items())))
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def _price_to_json(price: ModelPrice | None) -> dict[str, Any] | None:
    if price is None:
        return None
    from dataclasses import asdict

    data = asdict(price)
    return {k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in data.items()} | {
        "long_context": [
            {k: (format(v, "f") if isinstance(v, Decimal) else v) for k, v in tier.items()}
            for tier in data["long_context"]
        ]
    }


def _price_from_json(data: dict[str, Any] | None) -> ModelPrice | None:
    if data is None:
        return None
    from aiinfra_cli.pricing import LongContextTier, ModelPrice

    def decimals(values: dict[str, Any]) -> dict[str, Any]:
        return {
            k: (Decimal(v) if k.endswith("_per_mtok") and v is not None else v)
            for k, v in values.items()
        }

    tiers = tuple(LongContextTier(**decimals(t)) for t in data.get("long_context", []))
    fields = decimals({k: v for k, v in data.items() if k != "long_context"})
    return ModelPrice(**fields, long_context=tiers)


@dataclass
class Traffic:
    """What the usage log recorded for one call site."""

    calls: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    spend: Decimal = Decimal(0)
    unpriced: int = 0
    models: set[str] = field(default_factory=set)
    first: str | None = None
    last: str | None = None
    last_ok: str | None = None  # the latest successful call (not in the JSON)

    def to_json(self) -> dict[str, Any]:
        """The ``traffic`` object of a call site."""
        from aiinfra_cli.pricing import format_usd

        return {
            "calls": self.calls,
            "errors": self.errors,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "spend_usd": format_usd(self.spend),
            "unpriced_calls": self.unpriced,
            "models": sorted(self.models),
            "first": self.first,
            "last": self.last,
        }


def _same_file(logged: str, scanned: str) -> bool:
    return logged == scanned or logged.endswith("/" + scanned) or scanned.endswith("/" + logged)


@dataclass(frozen=True)
class SiteUsage:
    """Calls logged at one call site that price alike: one event from a log, or the team
    store's sum of the events with the same model, provider, batch flag, long-context tier
    and recorded-cost presence (only such sums cross the wire)."""

    model: str
    provider: str
    batch: bool
    calls: int
    errors: int
    tokens: TokenUsage
    recorded_usd: Decimal | None  # the events' own cost_usd, summed (every one had one)
    first: str  # ISO 8601 instants (UTC)
    last: str
    last_ok: str | None
    tier_input: int | None = None  # a sum's input in its long-context tier (None: its own)

    @classmethod
    def of(cls, event: UsageEvent) -> SiteUsage:
        stamp = event.timestamp.isoformat()
        return cls(
            model=event.model,
            provider=event.provider,
            batch=event.batch,
            calls=1,
            errors=int(event.status != "ok"),
            tokens=event.token_usage(),
            recorded_usd=event.cost_usd,
            first=stamp,
            last=stamp,
            last_ok=stamp if event.status == "ok" else None,
        )


@dataclass
class UsageJoin:
    """Usage grouped by ``call_site``, and the read's rejects (reported, never fatal)."""

    by_site: dict[tuple[str, int], list[SiteUsage]]
    rejects: list[str]
    events: int


def split_site(text: str) -> tuple[str, int] | None:
    """A logged ``call_site`` ("path:line") as (path, line); None when it is not one."""
    path, _, line = text.rpartition(":")
    if not path or not line.isdigit():
        return None
    return path.replace("\\", "/").removeprefix("./"), int(line)


def read_usage(paths: list[Path], since: datetime | None = None) -> UsageJoin:
    """Read the usage logs; every event with a ``call_site`` (at or after ``since``, when given)
    is indexed by (path, line)."""
    from aiinfra_cli.errors import UsageLogError
    from aiinfra_cli.usage import read_events

    result = read_events([str(p) for p in paths])
    if not result.events and result.rejects and not result.files:
        raise UsageLogError(str(result.rejects[0]), hint="check --usage-logs")
    grouped: dict[tuple[str, int], list[SiteUsage]] = defaultdict(list)
    for event in result.events:
        if since is not None and event.timestamp < since:
            continue
        if event.call_site:
            key = split_site(event.call_site)
            if key is not None:
                grouped[key].append(SiteUsage.of(event))
    return UsageJoin(dict(grouped), [str(r) for r in result.rejects], len(result.events))


def attach_traffic(sites: list[CallSite], usage: UsageJoin, pricer: Pricer) -> dict[str, Traffic]:
    """Each call site's observed traffic (events whose call_site names a line of the call)."""
    out: dict[str, Traffic] = {}
    for site in sites:
        traffic = Traffic()
        for (path, line), groups in usage.by_site.items():
            if not (site.line <= line <= site.end_line and _same_file(path, site.file)):
                continue
            for group in groups:
                _add(traffic, group, pricer)
        if traffic.calls:
            out[site.key] = traffic
            site.traffic = traffic.to_json()
    return out


def _add(traffic: Traffic, group: SiteUsage, pricer: Pricer) -> None:
    """Add a group's calls; its spend is its recorded cost, else its tokens at its model's
    price (one tier and batch flag per group: the price of the sum is the sum of the prices)."""
    from aiinfra_cli.pricing import cost

    traffic.calls += group.calls
    traffic.errors += group.errors
    traffic.input_tokens += group.tokens.input_tokens
    traffic.output_tokens += group.tokens.output_tokens
    traffic.cache_read_tokens += group.tokens.cache_read_tokens
    traffic.models.add(group.model)
    traffic.first = min(traffic.first or group.first, group.first)
    traffic.last = max(traffic.last or group.last, group.last)
    if group.last_ok is not None:
        traffic.last_ok = max(traffic.last_ok or group.last_ok, group.last_ok)
    if group.recorded_usd is not None:
        traffic.spend += group.recorded_usd
        return
    price = pricer.lookup(group.model, group.provider)
    if price is None:
        traffic.unpriced += group.calls
        return
    try:
        traffic.spend += cost(
            price, group.tokens, batch=group.batch, tier_input=group.tier_input
        ).total
    except ValueError:
        traffic.unpriced += group.calls


def observed(finding: Finding, traffic: Traffic | None) -> dict[str, Any] | None:
    """The finding's ``observed`` object: real calls and spend, and the estimate over them."""
    if traffic is None:
        return None
    from aiinfra_cli.pricing import format_usd

    data: dict[str, Any] = {"calls": traffic.calls, "spend_usd": format_usd(traffic.spend)}
    if traffic.calls:
        data["avg_input_tokens"] = traffic.input_tokens // traffic.calls
        data["avg_output_tokens"] = traffic.output_tokens // traffic.calls
    est = finding.estimate
    if est is not None and est.usd_per_call is not None:
        data["estimate_over_observed_calls_usd"] = format_usd(est.usd_per_call * traffic.calls)
    return data
