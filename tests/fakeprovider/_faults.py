"""What the fake provider can do wrong, and when: faults and the per-test schedule of them."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

# Fault kinds. "status" answers with an error in the protocol's own JSON shape; the others break
# the transport or the body in the ways real networks and overloaded servers do.
STATUS = "status"
HANG = "hang"
RESET = "reset"
CUT_STREAM = "cut_stream"
INVALID_JSON = "invalid_json"
GARBAGE = "garbage"
SLOW_FIRST_BYTE = "slow_first_byte"
SLOW_FIRST_TOKEN = "slow_first_token"
ECHO_IDS = "echo_ids"


@dataclass(frozen=True)
class Fault:
    """One way a response goes wrong. Build them with the class methods.

    ``error`` names the provider-neutral error (``"auth"``, ``"permission"``, ``"model_not_found"``,
    ``"context_length"``, ``"rate_limited"``, ``"quota"``, ``"billing"``, ``"server_error"``,
    ``"unavailable"``, ``"overloaded"``); each protocol renders it as that provider's real status
    code, error JSON and message.
    """

    kind: str
    error: str | None = None
    status: int | None = None
    retry_after: float | None = None
    retry_after_ms: float | None = None
    seconds: float = 0.0
    after_events: int = 1
    echo_key: bool = False
    echo_everywhere: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    message: str | None = None

    @classmethod
    def unauthorized(cls, *, echo_key: bool = False) -> Fault:
        """401: the key is wrong. ``echo_key`` puts the received key in the message (a hostile
        provider), to prove the client never prints what the server says verbatim."""
        return cls(STATUS, error="auth", status=401, echo_key=echo_key)

    @classmethod
    def echo_key_everywhere(cls, status: int = 500) -> Fault:
        """An error answer (``status``) that echoes the received key everywhere a hostile
        provider or proxy can: the error message, its ``type`` / ``code`` / ``status`` fields,
        and the ``request-id`` / ``x-request-id`` headers."""
        return cls(STATUS, error="other", status=status, echo_key=True, echo_everywhere=True)

    @classmethod
    def echo_key_in_ids(cls) -> Fault:
        """A normal answer whose ``request-id`` / ``x-request-id`` headers (and Gemini's
        ``responseId``) are the received key."""
        return cls(ECHO_IDS)

    @classmethod
    def forbidden(cls) -> Fault:
        """403: the key may not use this model or resource."""
        return cls(STATUS, error="permission", status=403)

    @classmethod
    def model_not_found(cls) -> Fault:
        """404: the model does not exist (or the key cannot see it)."""
        return cls(STATUS, error="model_not_found", status=404)

    @classmethod
    def context_length(cls) -> Fault:
        """400: the prompt is longer than the model's context window."""
        return cls(STATUS, error="context_length", status=400)

    @classmethod
    def rate_limited(
        cls, *, retry_after: float | None = 1.0, retry_after_ms: float | None = None
    ) -> Fault:
        """429 with ``Retry-After`` (seconds) and, optionally, OpenAI's ``retry-after-ms``."""
        return cls(
            STATUS,
            error="rate_limited",
            status=429,
            retry_after=retry_after,
            retry_after_ms=retry_after_ms,
        )

    @classmethod
    def quota(cls) -> Fault:
        """Out of quota or credit: OpenAI 429 ``insufficient_quota``, Anthropic 400 credit balance,
        Gemini 429 ``RESOURCE_EXHAUSTED``."""
        return cls(STATUS, error="quota", status=429)

    @classmethod
    def billing(cls) -> Fault:
        """402 ``billing_error`` (Anthropic)."""
        return cls(STATUS, error="billing", status=402)

    @classmethod
    def server_error(cls) -> Fault:
        """500."""
        return cls(STATUS, error="server_error", status=500)

    @classmethod
    def unavailable(cls, *, retry_after: float | None = None) -> Fault:
        """503."""
        return cls(STATUS, error="unavailable", status=503, retry_after=retry_after)

    @classmethod
    def overloaded(cls) -> Fault:
        """529 ``overloaded_error`` (Anthropic's; other protocols answer 503)."""
        return cls(STATUS, error="overloaded", status=529)

    @classmethod
    def bad_request(cls, message: str) -> Fault:
        """400 with ``message`` as the error's text (each protocol's invalid-request shape), e.g.
        an API refusing a parameter a model does not support."""
        return cls(STATUS, error="other", status=400, message=message)

    @classmethod
    def http(cls, status: int, *, retry_after: float | None = None) -> Fault:
        """Any status code, with the protocol's generic error body for it."""
        return cls(STATUS, error="other", status=status, retry_after=retry_after)

    @classmethod
    def hang(cls, seconds: float = 30.0) -> Fault:
        """Accept the request and say nothing for ``seconds`` (ends early when the server stops),
        then drop the connection."""
        return cls(HANG, seconds=seconds)

    @classmethod
    def reset(cls) -> Fault:
        """Read the request, then reset the connection (TCP RST) without a response."""
        return cls(RESET)

    @classmethod
    def cut_stream(cls, after_events: int = 2) -> Fault:
        """Stream ``after_events`` events, then drop the connection mid-body (a chunked body that
        never ends: the client sees an incomplete read). JSON responses are cut mid-document."""
        return cls(CUT_STREAM, after_events=after_events)

    @classmethod
    def invalid_json(cls) -> Fault:
        """200 with ``application/json`` that is not JSON (in a stream: one event's data)."""
        return cls(INVALID_JSON)

    @classmethod
    def garbage(cls) -> Fault:
        """200 with an HTML error page, as a misconfigured proxy answers."""
        return cls(GARBAGE)

    @classmethod
    def slow_first_byte(cls, seconds: float) -> Fault:
        """Wait ``seconds`` before the status line, then answer normally."""
        return cls(SLOW_FIRST_BYTE, seconds=seconds)

    @classmethod
    def slow_first_token(cls, seconds: float) -> Fault:
        """Streams: send the headers and the opening event, wait ``seconds``, then the tokens."""
        return cls(SLOW_FIRST_TOKEN, seconds=seconds)


@dataclass
class Rule:
    """Apply ``fault`` to requests matching ``route`` and ``model`` whose index among the requests
    matching this rule is in ``calls`` (None: every one). Indices start at 0."""

    fault: Fault
    route: str | None = None
    model: str | None = None
    calls: frozenset[int] | None = None
    seen: int = 0
    hits: int = 0

    def matches(self, route: str, model: str | None) -> bool:
        """Whether a request on ``route`` for ``model`` is one this rule counts."""
        if self.route is not None and not _route_matches(self.route, route):
            return False
        return self.model is None or self.model == model


def _route_matches(pattern: str, route: str) -> bool:
    # "anthropic" matches every anthropic.* route; "anthropic.messages" only that one.
    return route == pattern or route.startswith(pattern + ".")


@dataclass
class Schedule:
    """The faults of one server, consulted once per request, first matching rule wins."""

    rules: list[Rule] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(
        self,
        fault: Fault,
        *,
        route: str | None = None,
        model: str | None = None,
        calls: Iterable[int] | None = None,
    ) -> Rule:
        """Add a rule; see :class:`Rule`."""
        rule = Rule(fault, route, model, None if calls is None else frozenset(calls))
        with self._lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self.rules.clear()

    def pick(self, route: str, model: str | None) -> Fault | None:
        """The fault for this request, advancing every matching rule's call counter."""
        chosen: Fault | None = None
        with self._lock:
            for rule in self.rules:
                if not rule.matches(route, model):
                    continue
                index = rule.seen
                rule.seen += 1
                if chosen is None and (rule.calls is None or index in rule.calls):
                    rule.hits += 1
                    chosen = rule.fault
        return chosen


def first(count: int) -> frozenset[int]:
    """Schedule helper: the first ``count`` calls (``inject(f, calls=first(2))``)."""
    return frozenset(range(count))


def on_calls(*indices: int) -> frozenset[int]:
    """Schedule helper: exactly these call indices (0 is the first call)."""
    return frozenset(indices)
