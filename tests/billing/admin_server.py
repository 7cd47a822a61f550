"""A loopback server that speaks Anthropic's Usage and Cost Admin API and OpenAI's
organization usage and costs APIs as their references document them: daily buckets over the
requested range, ``group_by`` (``group_by[]`` for Anthropic), ``limit`` with ``page`` /
``next_page`` / ``has_more``, RFC 3339 bounds (Anthropic) and Unix seconds (OpenAI), the
admin-key headers, a 401 for any other key, and a 429 with ``retry-after`` on request.

Its data is a list of known calls; the bill it serves is derived from them, so a test knows
exactly what a correct reader must find.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ADMIN_KEYS = {"anthropic": "sk-ant-admin01-" + "t" * 24, "openai": "sk-admin-" + "u" * 24}
TOKEN_FIELDS = ("uncached", "cache_read", "cache_write_5m", "cache_write_1h", "output")
ANTHROPIC_TOKEN_TYPE = {
    "uncached": "uncached_input_tokens",
    "cache_read": "cache_read_input_tokens",
    "cache_write_5m": "cache_creation.ephemeral_5m_input_tokens",
    "cache_write_1h": "cache_creation.ephemeral_1h_input_tokens",
    "output": "output_tokens",
}
OPENAI_LINE_ITEM = {"uncached": "input", "cache_read": "cached input", "output": "output"}


@dataclass(frozen=True)
class Call:
    """One billed call: its day, attribution, tokens by category, and USD by category."""

    provider: str
    day: str
    model: str
    key_id: str
    workspace: str
    tokens: dict[str, int]
    usd: dict[str, Decimal]


@dataclass
class AdminServer:
    calls: list[Call]
    page_size: int = 4  # at most this many buckets per page, whatever `limit` asks
    fail_429: set[str] = field(default_factory=set)  # paths answering 429 once
    requests: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- answers ---------------------------------------------------------------------------

    def answer(self, path: str, query: dict[str, list[str]], headers: Any) -> tuple[int, Any]:
        self.requests.append((path, query))
        provider = "anthropic" if path.startswith("/v1/organizations/") else "openai"
        if not self._authorised(provider, headers):
            return 401, {"error": {"type": "authentication_error", "message": "invalid x-api-key"}}
        if path in self.fail_429:
            self.fail_429.discard(path)
            return 429, {"error": {"type": "rate_limit_error", "message": "slow down"}}
        if provider == "anthropic":
            start = _rfc3339(query["starting_at"][0])
            end = _rfc3339(query["ending_at"][0])
            groups = query.get("group_by[]", [])
        else:
            start = datetime.fromtimestamp(int(query["start_time"][0]), tz=timezone.utc)
            end = datetime.fromtimestamp(int(query["end_time"][0]), tz=timezone.utc)
            groups = query.get("group_by", [])
        days = list(_days(start, end))
        offset = int(base64.b64decode(query["page"][0]).decode()) if "page" in query else 0
        limit = min(int(query.get("limit", ["7"])[0]), self.page_size)
        chosen = days[offset : offset + limit]
        more = offset + limit < len(days)
        data = [self._bucket(provider, path, day, groups) for day in chosen]
        body: dict[str, Any] = {
            "data": data,
            "has_more": more,
            "next_page": base64.b64encode(str(offset + limit).encode()).decode() if more else None,
        }
        if provider == "openai":
            body["object"] = "page"
        return 200, body

    def _authorised(self, provider: str, headers: Any) -> bool:
        if provider == "anthropic":
            return bool(headers.get("x-api-key") == ADMIN_KEYS["anthropic"])
        return bool(headers.get("authorization") == f"Bearer {ADMIN_KEYS['openai']}")

    def _bucket(self, provider: str, path: str, day: datetime, groups: list[str]) -> Any:
        calls = [
            c for c in self.calls if c.provider == provider and c.day == day.date().isoformat()
        ]
        nxt = day + timedelta(days=1)
        if path == "/v1/organizations/usage_report/messages":
            results = _anthropic_usage(calls, groups)
        elif path == "/v1/organizations/cost_report":
            results = _anthropic_cost(calls, groups)
        elif path == "/v1/organization/usage/completions":
            results = _openai_usage(calls, groups)
        else:
            results = _openai_cost(calls, groups)
        if provider == "anthropic":
            return {"starting_at": _iso(day), "ending_at": _iso(nxt), "results": results}
        return {
            "object": "bucket",
            "start_time": int(day.timestamp()),
            "end_time": int(nxt.timestamp()),
            "results": results,
        }


def _anthropic_usage(calls: list[Call], groups: list[str]) -> list[dict[str, Any]]:
    names = {"model": "model", "api_key_id": "key_id", "workspace_id": "workspace"}
    sums: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for call in calls:
        key = tuple(getattr(call, names[g]) if g in names else "standard" for g in groups)
        for name in TOKEN_FIELDS:
            sums[key][name] += call.tokens.get(name, 0)
    return [
        {
            **{g: k for g, k in zip(groups, key, strict=True)},
            "uncached_input_tokens": t["uncached"],
            "cache_read_input_tokens": t["cache_read"],
            "cache_creation": {
                "ephemeral_5m_input_tokens": t["cache_write_5m"],
                "ephemeral_1h_input_tokens": t["cache_write_1h"],
            },
            "output_tokens": t["output"],
            "server_tool_use": {"web_search_requests": 0},
        }
        for key, t in sums.items()
    ]


def _anthropic_cost(calls: list[Call], groups: list[str]) -> list[dict[str, Any]]:
    cents: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for call in calls:
        for name, usd in call.usd.items():
            cents[(call.workspace, call.model, name)] += usd * 100
    return [
        {
            "workspace_id": ws if "workspace_id" in groups else None,
            "description": f"Claude {model} usage - {ANTHROPIC_TOKEN_TYPE[name]}",
            "cost_type": "tokens",
            "model": model,
            "token_type": ANTHROPIC_TOKEN_TYPE[name],
            "service_tier": "standard",
            "context_window": "0-200k",
            "currency": "USD",
            "amount": format(amount, "f"),
        }
        for (ws, model, name), amount in cents.items()
    ]


def _openai_usage(calls: list[Call], groups: list[str]) -> list[dict[str, Any]]:
    names = {"model": "model", "api_key_id": "key_id", "project_id": "workspace"}
    sums: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for call in calls:
        key = tuple(getattr(call, names[g]) if g in names else "default" for g in groups)
        for name in TOKEN_FIELDS:
            sums[key][name] += call.tokens.get(name, 0)
    return [
        {
            "object": "organization.usage.completions.result",
            **{g: k for g, k in zip(groups, key, strict=True)},
            "input_tokens": t["uncached"] + t["cache_read"],
            "input_cached_tokens": t["cache_read"],
            "output_tokens": t["output"],
            "input_audio_tokens": 0,
            "output_audio_tokens": 0,
            "num_model_requests": 1,
            "user_id": None,
            "batch": None,
        }
        for key, t in sums.items()
    ]


_RAW = re.compile(r'"@@(-?[0-9.]+)@@"')


def _raw(text: str) -> str:
    """A placeholder that :func:`_dumps` writes as a bare JSON number with exactly these
    digits (as a provider's JSON carries them; a float would round)."""
    return f"@@{text}@@"


def _dumps(body: Any) -> bytes:
    return _RAW.sub(r"\1", json.dumps(body)).encode()


def _openai_cost(calls: list[Call], groups: list[str]) -> list[dict[str, Any]]:
    usd: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for call in calls:
        for name, amount in call.usd.items():
            usd[(call.workspace, f"{call.model}, {OPENAI_LINE_ITEM[name]}")] += amount
    return [
        {
            "object": "organization.costs.result",
            "amount": {"value": _raw(format(amount, "f")), "currency": "usd"},
            "line_item": item if "line_item" in groups else None,
            "project_id": ws if "project_id" in groups else None,
        }
        for (ws, item), amount in usd.items()
    ]


def _handler(server: AdminServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            status, body = server.answer(parts.path, parse_qs(parts.query), self.headers)
            payload = _dumps(body)
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            if status == 429:
                self.send_header("retry-after", "2")
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def _days(start: datetime, end: datetime) -> Iterator[datetime]:
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        yield day
        day += timedelta(days=1)


def _rfc3339(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
