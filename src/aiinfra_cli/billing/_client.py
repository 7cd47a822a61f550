"""One admin-API client for both providers: authentication headers, ``page`` / ``next_page``
pagination, ``retry-after`` on 429, and every failure as one line that never shows the key.

Third-party errors (httpx's) are translated here, at the boundary, by :func:`_translated`.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from aiinfra_cli.billing._model import Provider
from aiinfra_cli.errors import AiinfraError
from aiinfra_cli.redact import redact, register_secret

ANTHROPIC_VERSION = "2023-06-01"
ADMIN_KEY_SHAPE = {"anthropic": "sk-ant-admin…", "openai": "sk-admin-…"}
MAX_429 = 5  # tries per page when the provider keeps answering 429
MAX_PAGES = 10_000  # a provider that never stops paginating is a bug, not a bill


class BillingError(AiinfraError):
    """An admin API could not be read (one line, no key)."""


@dataclass
class AdminClient:
    """Reads one provider's admin API at ``base_url`` with the admin key ``key`` (named by
    ``key_env`` in messages). ``sleep`` is injectable so tests wait out ``retry-after`` fast."""

    provider: Provider
    base_url: str
    key: str = field(repr=False)
    key_env: str
    timeout_s: float = 30.0
    max_wait_s: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    transport: httpx.BaseTransport | None = None
    waited_s: float = 0.0

    def __post_init__(self) -> None:
        register_secret(self.key)

    def _headers(self) -> dict[str, str]:
        if self.provider == "anthropic":
            return {"x-api-key": self.key, "anthropic-version": ANTHROPIC_VERSION}
        return {"authorization": f"Bearer {self.key}"}

    def pages(self, path: str, params: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
        """Every page of ``path``, following ``next_page`` while ``has_more``."""
        url = self.base_url.rstrip("/") + path
        with (
            _translated(self.provider, path),
            httpx.Client(
                timeout=self.timeout_s, transport=self.transport, headers=self._headers()
            ) as client,
        ):
            page: str | None = None
            for _ in range(MAX_PAGES):
                query = [*params, *([("page", page)] if page else [])]
                body = self._get(client, url, path, query)
                yield body
                page = body.get("next_page")
                if not body.get("has_more") or not page:
                    return
            raise BillingError(f"{self.provider} {path}: more than {MAX_PAGES} pages; stopped")

    def _get(
        self, client: httpx.Client, url: str, path: str, query: list[tuple[str, str]]
    ) -> dict[str, Any]:
        for attempt in range(1, MAX_429 + 1):
            response = client.get(url, params=tuple(query))
            if response.status_code == 429 and attempt < MAX_429:
                wait = _retry_after(response.headers.get("retry-after"))
                if self.waited_s + wait > self.max_wait_s:
                    break
                self.waited_s += wait
                self.sleep(wait)
                continue
            return self._body(response, path)
        raise BillingError(
            f"{self.provider} {path}: still rate limited (HTTP 429) after waiting"
            f" {self.waited_s:g} s",
            hint="run billing pull again later, or pull a shorter range with --since/--until",
        )

    def _body(self, response: httpx.Response, path: str) -> dict[str, Any]:
        status = response.status_code
        if status in (401, 403):
            raise BillingError(
                f"{self.provider} {path}: HTTP {status}: this needs an admin key"
                f" ({ADMIN_KEY_SHAPE[self.provider]}) in ${self.key_env}",
                hint="an ordinary API key cannot read the organization's usage and cost",
            )
        if status >= 400:
            raise BillingError(f"{self.provider} {path}: HTTP {status}: {_message(response)}"[:300])
        try:
            body = json.loads(response.text, parse_float=Decimal)
        except ValueError:
            raise BillingError(f"{self.provider} {path}: the answer is not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise BillingError(f"{self.provider} {path}: the answer has no 'data' list")
        return body


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 1.0
    except ValueError:
        return 1.0


def _message(response: httpx.Response) -> str:
    try:
        error = response.json().get("error")
    except ValueError:
        return redact(response.text[:200])
    if isinstance(error, dict):
        return redact(str(error.get("message") or error.get("type") or ""))
    return redact(str(error))


@contextlib.contextmanager
def _translated(provider: str, path: str) -> Iterator[None]:
    """httpx's transport errors → one :class:`BillingError` line."""
    try:
        yield
    except httpx.TimeoutException:
        raise BillingError(f"{provider} {path}: no answer in time (timeout)") from None
    except httpx.TransportError as exc:
        reason = redact(str(exc)) or type(exc).__name__
        raise BillingError(f"{provider} {path}: cannot connect: {reason}") from None
