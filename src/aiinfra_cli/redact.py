"""Secret detection and redaction: the one place that knows what an API key looks like.

Used by every output path (error lines, crash logs, reports) and by config validation, which
refuses literal keys because keys belong in environment variables.
"""

from __future__ import annotations

import re

# Ordered from most to least specific; each pattern matches the whole secret.
_KEY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Anthropic API key", re.compile(r"sk-ant-[A-Za-z0-9_\-]{16,}")),
    ("OpenAI API key", re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}")),
    ("Google API key", re.compile(r"AIza[0-9A-Za-z_\-]{35}")),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b")),
    ("Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
    ("bearer token", re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._\-]{20,}")),
)

REDACTED = "[REDACTED]"


def find_secret(text: str) -> str | None:
    """Return the kind of secret ``text`` contains (e.g. ``"OpenAI API key"``), or None."""
    for kind, pattern in _KEY_PATTERNS:
        if pattern.search(text):
            return kind
    return None


def redact(text: str) -> str:
    """Replace every secret in ``text`` with ``[REDACTED]``."""
    for _kind, pattern in _KEY_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text
