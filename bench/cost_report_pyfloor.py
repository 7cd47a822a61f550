"""The least work a pure-Python report on Claude Code logs needs, as its own process.

    python bench/cost_report_pyfloor.py DIR

Standard library only: every ``*.jsonl`` under ``DIR`` read line by line, each line decoded with
``json.loads`` (a line must be JSON to be counted or named as a reject), responses with usage
kept once per ``message.id:requestId``, token counts summed per model and priced with Decimal at
fixed sonnet-like rates. No validation, no report: the floor the small-input engine of
``aiinfra cost-report`` is compared against (``bench/cost_report_bench.py``).
"""

from __future__ import annotations

import json
import os
import sys
from decimal import Decimal
from pathlib import Path

RATES = (Decimal(3), Decimal(15), Decimal("0.3"), Decimal("3.75"), Decimal(6))


def main(root: str) -> None:
    seen: set[str] = set()
    sums: dict[str, list[int]] = {}
    for folder, _dirs, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith(".jsonl"):
                continue
            with (Path(folder) / name).open("rb") as handle:
                for raw in handle:
                    if not raw.strip():
                        continue
                    obj = json.loads(raw)
                    message = obj.get("message")
                    usage = message.get("usage") if isinstance(message, dict) else None
                    if not isinstance(usage, dict):
                        continue
                    key = f"{message.get('id')}:{obj.get('requestId')}"
                    if key in seen:
                        continue
                    seen.add(key)
                    split = usage.get("cache_creation") or {}
                    counts = sums.setdefault(str(message.get("model")), [0] * 5)
                    counts[0] += usage.get("input_tokens", 0)
                    counts[1] += usage.get("output_tokens", 0)
                    counts[2] += usage.get("cache_read_input_tokens", 0)
                    counts[3] += split.get("ephemeral_5m_input_tokens", 0)
                    counts[4] += split.get("ephemeral_1h_input_tokens", 0)
    total = sum(
        (sum(Decimal(n) * r for n, r in zip(c, RATES, strict=True)) for c in sums.values()),
        Decimal(0),
    )
    print(len(seen), total / 1_000_000)


if __name__ == "__main__":
    main(sys.argv[1])
