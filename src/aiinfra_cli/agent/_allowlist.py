"""What may leave the process: an allow-list walk over the caller's facts.

Numbers, booleans, dates and decimal strings pass. A string passes only under a field name
whose shape it matches (``model`` looks like a model id, ``call_site`` like ``path:line``, ``rule``
like ``AIC011``), or under a field the caller marked safe; anything else is dropped. Fields that
hold raw content by convention (``messages``, ``snippet``, ``output``, …) are dropped whatever the
caller says. Values of personal fields (``user``, ``tenant``, ``email``, ``by_user`` keys, …) become
stable pseudonyms (``user-1``). Every string that passes is scrubbed: keys and credentials
(:func:`aiinfra_cli.redact.redact_strict`), e-mail addresses, phone numbers, IP addresses, card
numbers and home directories.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from aiinfra_cli.redact import redact_strict

MAX_ITEMS = 50
MAX_DEPTH = 8
MAX_SAFE_CHARS = 400

# Raw content by convention: dropped even when the caller lists the field as safe.
RAW_CONTENT_FIELDS = frozenset(
    {
        "arguments",
        "body",
        "code_snippet",
        "completion",
        "completions",
        "content",
        "contents",
        "diff",
        "file_content",
        "file_contents",
        "headers",
        "input",
        "inputs",
        "line_text",
        "message_content",
        "messages",
        "output",
        "outputs",
        "patch",
        "payload",
        "prompt_text",
        "raw",
        "raw_line",
        "rendered",
        "request",
        "request_body",
        "response",
        "response_text",
        "responses",
        "sample",
        "snippet",
        "snippets",
        "source",
        "source_code",
        "system",
        "system_prompt",
        "template",
        "text",
        "variables",
        "vars",
    }
)
# A field whose name has one of these words holds people (or their customers): pseudonymised.
_PERSONAL_WORDS = {
    "account": "account",
    "accounts": "account",
    "customer": "customer",
    "customers": "customer",
    "email": "email",
    "emails": "email",
    "ip": "ip",
    "phone": "phone",
    "session": "session",
    "sessions": "session",
    "tenant": "tenant",
    "tenants": "tenant",
    "user": "user",
    "userid": "user",
    "username": "user",
    "users": "user",
}

_IDENT = re.compile(r"/?[A-Za-z0-9][A-Za-z0-9._:/@+\-]{0,127}")
_LOCATION = re.compile(r"(?:[A-Za-z]:)?[\w./\\\-]{1,300}(?::\d{1,7}){0,2}")
_RULE = re.compile(r"[A-Z]{2,10}[0-9]{1,5}|[a-z][a-z0-9\-]{1,63}")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,39}")
_NUMBER = re.compile(r"[+\-]?\$?\d+(?:\.\d+)?(?:[eE][+\-]?\d+)?%?")
_DATE = re.compile(
    r"\d{4}-\d{2}(?:-\d{2})?(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+\-]\d{2}:?\d{2})?)?"
)

_SHAPES: dict[str, re.Pattern[str]] = {
    **dict.fromkeys(
        (
            "chain",
            "endpoint",
            "endpoints",
            "feature",
            "features",
            "grader",
            "model",
            "model_id",
            "models",
            "operation",
            "prompt",
            "provider",
            "provider_kind",
            "providers",
            "request_model",
            "response_model",
            "route",
            "routes",
            "case",
            "version",
        ),
        _IDENT,
    ),
    **dict.fromkeys(
        ("call_site", "call_sites", "file", "files", "location", "locations", "path", "where"),
        _LOCATION,
    ),
    **dict.fromkeys(("code", "codes", "rule", "rules", "rule_code", "rule_name"), _RULE),
    **dict.fromkeys(
        (
            "confidence",
            "currency",
            "error_class",
            "impact",
            "kind",
            "level",
            "method",
            "mode",
            "period",
            "severity",
            "status",
            "tier",
            "timeframe",
            "tokenizer",
            "type",
            "unit",
        ),
        _WORD,
    ),
}

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(
    r"(?<![\w.])(?:\+\d{1,3}[\s.\-]?(?:\(\d{1,4}\)[\s.\-]?)?\d{2,4}(?:[\s.\-]?\d{2,4}){1,4}"
    r"|\(?\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4})(?![\w.])"
)
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_CARD = re.compile(r"(?<![\w.])\d(?:[ \-]?\d){12,18}(?![\w.])")
_HOME = re.compile(r"(?:/home/|/Users/|[A-Za-z]:\\Users\\)[^/\\\s]+")


@dataclass
class RedactionReport:
    """What the walk withheld, by reason (never the values themselves)."""

    dropped: Counter[str] = field(default_factory=Counter)
    pseudonymised: int = 0
    scrubbed: int = 0
    truncated: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "dropped": dict(sorted(self.dropped.items())),
            "pseudonymised": self.pseudonymised,
            "scrubbed": self.scrubbed,
            "truncated": self.truncated,
        }


def scrub_text(text: str) -> str:
    """``text`` without credentials, e-mail addresses, phone numbers, IPs, cards, home dirs."""
    text = redact_strict(text)
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub(_mask_card, text)
    text = _PHONE.sub("[phone]", text)
    text = _IPV4.sub("[ip]", text)
    return _HOME.sub("~", text)


def _mask_card(match: re.Match[str]) -> str:
    digits = [int(c) for c in match.group(0) if c.isdigit()]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return "[card]" if total % 10 == 0 else match.group(0)


def _names_identity(name: str) -> bool:
    """``user``, ``user_id``, ``customer_ids``: a field whose value identifies someone."""
    last = re.split(r"[_\-\s.]+", name.lower())[-1]
    return last in _PERSONAL_WORDS or last in ("id", "ids")


def personal_kind(name: str) -> str | None:
    """``"user"`` for ``user_id``, ``by_user``, ``top_users``…; None for other field names."""
    for word in re.split(r"[_\-\s.]+", name.lower()):
        kind = _PERSONAL_WORDS.get(word)
        if kind is not None:
            return kind
    return None


class _Walk:
    def __init__(self, safe_fields: Iterable[str]) -> None:
        self.safe = frozenset(f.lower() for f in safe_fields)
        self.report = RedactionReport()
        self.aliases: dict[tuple[str, str], str] = {}
        self.counts: Counter[str] = Counter()

    def alias(self, kind: str, original: str) -> str:
        key = (kind, original)
        if key not in self.aliases:
            self.counts[kind] += 1
            self.aliases[key] = f"{kind}-{self.counts[kind]}"
            self.report.pseudonymised += 1
        return self.aliases[key]

    def value(self, value: Any, name: str, personal: str | None, depth: int) -> Any:
        """The redacted ``value`` of field ``name``, or ``_DROP``."""
        if depth > MAX_DEPTH:
            self.report.dropped["too deep"] += 1
            return _DROP
        if isinstance(value, int) and not isinstance(value, bool) and personal is not None:
            # A number under ``user_id`` is an id; under ``user_count`` it is a figure.
            return self.alias(personal, str(value)) if _names_identity(name) else value
        if value is None or isinstance(value, bool | int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else None
        if isinstance(value, Decimal):
            return format(value, "f") if value.is_finite() else None
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, PurePath):
            value = value.as_posix()
        if isinstance(value, str):
            return self.string(value, name, personal)
        if isinstance(value, Mapping):
            return self.mapping(value, name, depth)
        if isinstance(value, list | tuple | set | frozenset):
            items = sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
            return self.sequence(items, name, personal, depth)
        self.report.dropped["unsupported type"] += 1
        return _DROP

    def string(self, text: str, name: str, personal: str | None) -> Any:
        if personal is not None:
            return self.alias(personal, text)
        if _NUMBER.fullmatch(text) or _DATE.fullmatch(text):
            return self.scrubbed(text)  # an E.164 phone number or a card is number-shaped too
        lowered = name.lower()
        shape = _SHAPES.get(lowered)
        if shape is not None and shape.fullmatch(text):
            if shape is _LOCATION:
                text = _relative(text)
            return self.scrubbed(text)
        if lowered in self.safe:
            if len(text) > MAX_SAFE_CHARS:
                text = text[: MAX_SAFE_CHARS - 1] + "…"
                self.report.truncated += 1
            return self.scrubbed(" ".join(text.split()))
        self.report.dropped["unlisted text" if shape is None else "unexpected shape"] += 1
        return _DROP

    def scrubbed(self, text: str) -> str:
        clean = scrub_text(text)
        if clean != text:
            self.report.scrubbed += 1
        return clean

    def key(self, key: str, parent_personal: str | None) -> str:
        if parent_personal is not None:
            return self.alias(parent_personal, key)
        plain = re.fullmatch(r"[a-z][a-z0-9_]{0,63}", key) or _NUMBER.fullmatch(key)
        if (plain or _IDENT.fullmatch(key)) and scrub_text(key) == key:
            return key
        return self.alias("key", key)

    def mapping(self, value: Mapping[Any, Any], name: str, depth: int) -> Any:
        result: dict[str, Any] = {}
        # A mapping named for people (by_user) has people as keys; its values are figures.
        keyed_by = personal_kind(name) if name else None
        for raw_key, item in value.items():
            key = str(raw_key)
            if key.lower() in RAW_CONTENT_FIELDS:
                self.report.dropped["raw content"] += 1
                continue
            shown = self.key(key, keyed_by)
            if keyed_by is None:
                kept = self.value(item, key, personal_kind(key), depth + 1)
            else:  # the figures of one person: their own field names decide
                kept = self.value(item, "", None, depth + 1)
            if kept is not _DROP:
                result[shown] = kept
        return result

    def item(self, value: Any, name: str, personal: str | None, depth: int) -> Any:
        # A list's mappings are records (top_users: [{user: …, cost: …}]), never keyed by people.
        if isinstance(value, Mapping):
            return self.mapping(value, "", depth)
        return self.value(value, name, personal, depth)

    def sequence(self, items: list[Any], name: str, personal: str | None, depth: int) -> Any:
        kept = [
            v
            for v in (self.item(item, name, personal, depth + 1) for item in items[:MAX_ITEMS])
            if v is not _DROP
        ]
        if len(items) > MAX_ITEMS:
            kept.append(f"[{len(items) - MAX_ITEMS} more omitted]")
            self.report.truncated += 1
        if items and not kept:
            return _DROP
        return kept


_DROP = object()


def _relative(path: str) -> str:
    """A path without what precedes the project: absolute ones keep their last three parts."""
    path = path.replace("\\", "/")
    if path.startswith("/") or re.match(r"[A-Za-z]:/", path):
        parts = [p for p in path.split("/") if p]
        return ".../" + "/".join(parts[-3:])
    return path


def redact_facts(
    facts: Mapping[str, Any], safe_fields: Iterable[str] = ()
) -> tuple[dict[str, Any], RedactionReport]:
    """The allow-listed copy of ``facts`` that may be sent, and what was withheld."""
    walk = _Walk(safe_fields)
    result = walk.mapping(facts, "", 0)
    return result, walk.report
