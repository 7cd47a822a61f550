"""Saved test results (a baseline) and how the next run compares with it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.paths import MEMORY_DIR
from aiinfra_cli.prompts._runner import CaseResult

BASELINE_RELPATH = MEMORY_DIR / "prompt-test-baseline.json"
BASELINE_VERSION = 1


def _figures(row: CaseResult) -> dict[str, Any]:
    data = row.as_dict()
    keep = (
        "version",
        "status",
        "input_tokens",
        "estimated_cost_usd",
        "output_tokens",
        "cost_usd",
        "latency_ms",
    )
    return {key: data[key] for key in keep}


def save_baseline(root: Path, mode: str, rows: Sequence[CaseResult]) -> Path:
    """Store ``rows`` as the ``mode`` (``offline`` or ``live``) baseline; other modes are kept."""
    path = root / BASELINE_RELPATH
    document = _read(path) or {"baseline_version": BASELINE_VERSION}
    document[mode] = {row.key: _figures(row) for row in rows}
    write_atomic(path, json.dumps(document, indent=2, sort_keys=True) + "\n")
    return path


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (
        data
        if isinstance(data, dict) and data.get("baseline_version") == BASELINE_VERSION
        else None
    )


def load_baseline(root: Path, mode: str) -> dict[str, dict[str, Any]] | None:
    """The saved ``mode`` baseline keyed by ``prompt/case``, or None if there is none."""
    data = _read(root / BASELINE_RELPATH)
    section = data.get(mode) if data else None
    return section if isinstance(section, dict) else None


@dataclass(frozen=True)
class Change:
    """One case compared with its baseline figures."""

    key: str
    before: dict[str, Any] | None
    after: CaseResult | None

    @property
    def regression(self) -> bool:
        """Passed in the baseline, does not pass now."""
        return bool(
            self.before
            and self.after
            and self.before.get("status") == "pass"
            and self.after.status != "pass"
        )

    @property
    def fixed(self) -> bool:
        """Did not pass in the baseline, passes now."""
        return bool(
            self.before
            and self.after
            and self.before.get("status") != "pass"
            and self.after.status == "pass"
        )

    def delta(self, field: str) -> Decimal | None:
        """Now minus before for a numeric field (None when either side lacks it)."""
        if not self.before or not self.after:
            return None
        now = self.after.as_dict().get(field)
        then = self.before.get(field)
        if now is None or then is None:
            return None
        return Decimal(str(now)) - Decimal(str(then))


def compare(baseline: dict[str, dict[str, Any]], rows: Sequence[CaseResult]) -> list[Change]:
    """Every case of either side, in run order then baseline order."""
    changes = [Change(row.key, baseline.get(row.key), row) for row in rows]
    seen = {row.key for row in rows}
    prompts = {row.prompt for row in rows}
    changes.extend(
        Change(key, figures, None)
        for key, figures in baseline.items()
        if key not in seen and key.split("/", 1)[0] in prompts
    )
    return changes
