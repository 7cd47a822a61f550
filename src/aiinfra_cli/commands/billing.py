"""``aiinfra billing pull``: the providers' own usage and cost, stored for reconciliation."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from aiinfra_cli import output
from aiinfra_cli.errors import EXIT_OK, UsageError


def pull(
    *,
    providers: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
    as_json: bool = False,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> int:
    """Pull each provider's usage and cost buckets for ``since``..``until`` (inclusive)."""
    from aiinfra_cli.billing import PROVIDERS, PullRequest, configured_providers
    from aiinfra_cli.billing import pull as pull_bill
    from aiinfra_cli.config import load_config
    from aiinfra_cli.paths import project_root

    moment = now or datetime.now(timezone.utc)
    for name in providers:
        if name not in PROVIDERS:
            raise UsageError(f"--provider {name}: choose from {', '.join(PROVIDERS)}")
    last = _day("--until", until) if until else moment.date()
    first = _day("--since", since) if since else last - timedelta(days=30)
    if first > last:
        raise UsageError(f"--since {first} is after --until {last}")
    config = load_config(config_path)
    root = config.root if config is not None else project_root()
    request = PullRequest(
        providers=tuple(providers) or configured_providers(config),  # type: ignore[arg-type]
        since=first,
        until=last,
        explicit=bool(providers),
        now=moment,
    )
    results, skipped = pull_bill(request, config, root, os.environ if environ is None else environ)
    if as_json:
        output.print_json(
            {
                "since": first.isoformat(),
                "until": last.isoformat(),
                "pulled": [
                    {
                        "provider": r.provider,
                        "file": str(r.file.relative_to(root)),
                        "usage_buckets": r.usage_buckets,
                        "cost_buckets": r.cost_buckets,
                        "billed_usd": format(r.billed_usd, "f"),
                        "partial_buckets": r.partial_buckets,
                        "stored": r.stored,
                        "in_store": r.in_store,
                    }
                    for r in results
                ],
                "skipped": skipped,
            }
        )
        return EXIT_OK
    console = output.err_console()
    for r in results:
        partial = f", {r.partial_buckets} partial (today)" if r.partial_buckets else ""
        store = f" and the team store ({r.in_store})" if r.in_store is not None else ""
        console.print(
            f"{r.provider}: {r.cost_buckets} cost and {r.usage_buckets} usage bucket(s)"
            f" {first}..{last}, billed ${r.billed_usd:f}{partial}"
            f" → {r.file.relative_to(root)}{store}",
            soft_wrap=True,
            highlight=False,
        )
    for note in skipped:
        console.print(f"skipped {note}", soft_wrap=True, highlight=False)
    return EXIT_OK


def _day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {text}: use YYYY-MM-DD") from None
