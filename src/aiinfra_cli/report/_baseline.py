"""Daily spend history kept between runs.

The file is ``.multiagent/ai-infrastructure/memory/cost-baselines.json``.

Anomalies are judged against the trailing days before each day. Logs rotate away, so the daily
totals each run computes are remembered here, per time zone (a day in UTC is not a day in
Tokyo). Days the current logs cover replace what was remembered; older days are kept. Writes
are atomic; a damaged file is reported as a warning and rebuilt, never fatal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.pricing import format_usd

BASELINE_SCHEMA = 1
KEEP_DAYS = 400


@dataclass
class Baselines:
    """Remembered daily totals by zone: ``days[tz][date] = (cost, requests)``."""

    days: dict[str, dict[date, tuple[Decimal, int]]] = field(default_factory=dict)
    warning: str | None = None


def load_baselines(path: Path) -> Baselines:
    """Read the file; a missing file is empty, a damaged one is empty plus a warning."""
    if not path.exists():
        return Baselines()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        zones = data["zones"]
        if not isinstance(zones, dict):
            raise TypeError("zones is not an object")
        result = Baselines()
        for tz, days in zones.items():
            result.days[str(tz)] = {
                date.fromisoformat(day): (Decimal(str(v["cost_usd"])), int(v["requests"]))
                for day, v in days.items()
            }
        return result
    except (OSError, ValueError, KeyError, TypeError, AttributeError, InvalidOperation) as exc:
        return Baselines(
            warning=f"{path}: cost baselines unreadable ({type(exc).__name__}: {exc});"
            " starting a new history"
        )


def merge(
    stored: Baselines, tz: str, computed: dict[date, tuple[Decimal, int]], covered_from: date | None
) -> dict[date, tuple[Decimal, int]]:
    """Stored days for ``tz`` overlaid with the days the logs cover (from ``covered_from``)."""
    merged = dict(stored.days.get(tz, {}))
    for day, value in computed.items():
        if covered_from is not None and day >= covered_from:
            merged[day] = value
    return merged


def save_baselines(
    path: Path, stored: Baselines, tz: str, days: dict[date, tuple[Decimal, int]]
) -> None:
    """Write the history back (newest ``KEEP_DAYS`` days per zone), atomically."""
    zones = {key: dict(value) for key, value in stored.days.items()}
    zones[tz] = days
    document = {
        "schema_version": BASELINE_SCHEMA,
        "description": "Daily LLM spend remembered by aiinfra cost-report, per time zone.",
        "zones": {
            zone_name: {
                day.isoformat(): {"cost_usd": format_usd(cost), "requests": requests}
                for day, (cost, requests) in sorted(values.items())[-KEEP_DAYS:]
            }
            for zone_name, values in sorted(zones.items())
        },
    }
    write_atomic(path, json.dumps(document, indent=2) + "\n")
