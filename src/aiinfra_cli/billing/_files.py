"""The pulled bill on disk: ``.multiagent/billing/<provider>.jsonl``, one bucket a line.

A re-pull of a range replaces that provider's buckets that start inside it (idempotent), and
keeps every other line; the file is rewritten atomically. A line that is not a bucket is
reported with its file and line, never dropped silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.billing._client import BillingError
from aiinfra_cli.billing._model import PROVIDERS, Bucket, Provider, bucket_from_json
from aiinfra_cli.paths import MULTIAGENT_DIR

BILLING_DIR = MULTIAGENT_DIR / "billing"


def billing_file(root: Path, provider: Provider) -> Path:
    """Where ``provider``'s pulled buckets live."""
    return root / BILLING_DIR / f"{provider}.jsonl"


def read_buckets(
    root: Path, providers: Sequence[Provider] = PROVIDERS
) -> tuple[list[Bucket], list[str]]:
    """Every pulled bucket, and one ``file:line: reason`` per line that is not one."""
    buckets: list[Bucket] = []
    problems: list[str] = []
    for provider in providers:
        path = billing_file(root, provider)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot read it: {exc}")
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            found = _bucket(line)
            if isinstance(found, str):
                problems.append(f"{path}:{number}: not a billing bucket: {found}")
            else:
                buckets.append(found)
    return buckets, problems


def _bucket(line: str) -> Bucket | str:
    """The bucket on ``line``, or why it is not one."""
    try:
        data = json.loads(line)
    except ValueError as exc:
        return f"invalid JSON ({exc})"
    if not isinstance(data, dict):
        return f"expected a JSON object, got {type(data).__name__}"
    try:
        return bucket_from_json(data)
    except KeyError as exc:
        return f'missing key "{exc.args[0]}"'
    except (ValueError, TypeError) as exc:
        return str(exc)


def replace_range(
    root: Path, provider: Provider, start: datetime, end: datetime, fresh: Iterable[Bucket]
) -> int:
    """Write ``fresh`` in place of ``provider``'s buckets starting in ``[start, end)``; returns
    how many buckets the file holds afterwards."""
    kept, problems = read_buckets(root, (provider,))
    if problems:  # rewriting would drop the lines we cannot read: refuse instead
        raise BillingError(problems[0], hint="fix or delete that line, then pull again")
    outside = [b for b in kept if not start <= b.start < end]
    rows = sorted(
        [*outside, *fresh],
        key=lambda b: (b.start, b.kind, b.model or "", b.key_id or "", b.line_item or ""),
    )
    text = "".join(json.dumps(b.to_json(), sort_keys=False) + "\n" for b in rows)
    path = billing_file(root, provider)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    return len(rows)
