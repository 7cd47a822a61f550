"""Rate-limit headroom, ``Retry-After`` and request ids, read from response headers."""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping
from datetime import datetime, timezone

from aiinfra_cli.providers._types import Headroom, Limit
from aiinfra_cli.redact import redact

# Anthropic: anthropic-ratelimit-{dimension}-{limit|remaining|reset}, reset as RFC 3339.
_ANTHROPIC_DIMENSIONS = ("requests", "tokens", "input-tokens", "output-tokens")
# OpenAI (and Azure, Groq, …): x-ratelimit-{limit|remaining|reset}-{dimension}, reset as "6m0s".
_OPENAI_DIMENSIONS = ("requests", "tokens")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


# What a provider's request id looks like (``req_011CV…``, ``req-…``, a UUID, a hex trace
# id): a short run of id characters. Anything else (a proxy echoing a header, a key) is not one.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}")


def request_id(headers: Mapping[str, str]) -> str | None:
    """The provider's id for this request, for a support ticket; None when the header holds
    something that is not shaped like an id or looks like a secret (a proxy may echo the key)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in ("request-id", "x-request-id", "x-goog-request-id"):
        value = lowered.get(name)
        if value:
            return value if _REQUEST_ID.fullmatch(value) and redact(value) == value else None
    return None


def headroom(headers: Mapping[str, str]) -> Headroom | None:
    """The rate-limit state the headers describe, or None when they carry none."""
    lowered = {k.lower(): v for k, v in headers.items()}
    limits: dict[str, Limit] = {}
    for dim in _ANTHROPIC_DIMENSIONS:
        prefix = f"anthropic-ratelimit-{dim}-"
        limit = _int(lowered.get(prefix + "limit"))
        remaining = _int(lowered.get(prefix + "remaining"))
        if limit is not None or remaining is not None:
            limits[dim.replace("-", "_")] = Limit(
                limit, remaining, _until(lowered.get(prefix + "reset"))
            )
    for dim in _OPENAI_DIMENSIONS:
        limit = _int(lowered.get(f"x-ratelimit-limit-{dim}"))
        remaining = _int(lowered.get(f"x-ratelimit-remaining-{dim}"))
        if limit is not None or remaining is not None:
            limits.setdefault(
                dim, Limit(limit, remaining, _duration(lowered.get(f"x-ratelimit-reset-{dim}")))
            )
    after = retry_after(lowered)
    if not limits and after is None:
        return None
    return Headroom(limits=limits, retry_after_s=after)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait: ``retry-after-ms`` (OpenAI) wins over ``retry-after`` (seconds or date)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = _float(lowered.get("retry-after-ms"))
    if millis is not None:
        return round(millis / 1000, 3)
    value = lowered.get("retry-after")
    if value is None:
        return None
    seconds = _float(value)
    if seconds is not None:
        return seconds
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, round(moment.timestamp() - time.time(), 3))


def wait_hint(headers: Mapping[str, str]) -> float | None:
    """Seconds a rate-limited client should wait before asking again: ``retry-after-ms`` or
    ``retry-after``, else the soonest reset of an exhausted Anthropic or OpenAI limit."""
    after = retry_after(headers)
    if after is not None:
        return after
    room = headroom(headers)
    if room is None:
        return None
    resets = [
        limit.reset_s
        for limit in room.limits.values()
        if limit.remaining == 0 and limit.reset_s is not None
    ]
    return min(resets) if resets else None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def _until(value: str | None) -> float | None:
    """Seconds from now until an RFC 3339 moment."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, round(moment.timestamp() - time.time(), 3))


def _duration(value: str | None) -> float | None:
    """``"6m0s"``, ``"1.5s"``, ``"20ms"``, ``"1h2m"`` -> seconds."""
    if not value:
        return None
    text = value.strip()
    plain = _float(text)
    if plain is not None:
        return plain
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return round(sum(float(n) * scale[u] for n, u in parts), 3)
