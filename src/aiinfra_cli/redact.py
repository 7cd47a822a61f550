"""Secret detection and redaction: the one place that knows what an API key looks like.

Used by every output path (error lines, crash logs, reports) and by config validation, which
refuses literal keys because keys belong in environment variables.

Two strengths:

* :func:`redact` masks strings whose shape names a vendor (``sk-ant-…``, ``AKIA…``, a PEM
  private key): safe to run on every line we print, because it almost never fires on anything
  else.
* :func:`redact_strict` also masks what only *might* be a credential: ``password=…`` style
  assignments, passwords in URLs, and long random-looking tokens. It is for text that leaves
  the process (the analysis agent's request), where a false positive costs a word and a miss
  costs a key.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from urllib.parse import quote

# Ordered from most to least specific; each pattern matches the whole secret.
_KEY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?"
            r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|\Z)"
        ),
    ),
    ("Anthropic API key", re.compile(r"sk-ant-[A-Za-z0-9_\-]{16,}")),
    ("OpenAI API key", re.compile(r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}")),
    ("Stripe key", re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}")),
    ("Google API key", re.compile(r"AIza[0-9A-Za-z_\-]{35}")),
    ("Google OAuth token", re.compile(r"\bya29\.[0-9A-Za-z_\-]{20,}")),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b")),
    ("GitHub token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{40,}")),
    ("GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9\-]{10,}")),
    ("Hugging Face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
    (
        "JSON Web Token",
        re.compile(r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"),
    ),
    ("bearer token", re.compile(r"(?i)(?<=bearer )[A-Za-z0-9._\-]{20,}")),
)

# What every match of the same-position pattern above contains, as a literal regex (lower-cased
# for a case-insensitive pattern: a str test on the lowered text): a pattern runs only when its
# hint is found, which keeps redacting a large report cheap (a pattern that starts with ``\b`` is
# tried at every position; a literal search is not, and one regex with a literal prefix scans
# faster than several ``in`` tests).
_KEY_HINTS: tuple[re.Pattern[str] | str, ...] = (
    re.compile("-----BEGIN "),
    re.compile("sk-ant-"),
    re.compile("sk-"),
    re.compile("_(?:live|test)_"),
    re.compile("AIza"),
    re.compile(r"ya29\."),
    re.compile("AKIA|ASIA"),
    re.compile("gh[pousr]_"),
    re.compile("github_pat_"),
    re.compile("glpat-"),
    re.compile("xox[abposr]-"),
    re.compile("hf_"),
    re.compile("eyJ"),
    "bearer ",
)

# What may be a credential without a vendor's shape (strict mode only).
_ASSIGNMENT = re.compile(
    r"(?i)\b((?:[a-z0-9]+[_\-])*(?:password|passwd|pwd|secret|token|api[_\-]?key|access[_\-]?key"
    r"|private[_\-]?key|client[_\-]?secret|auth(?:orization)?|credentials?))"
    r"(\s*[:=]\s*|\"\s*:\s*\"?|'\s*:\s*'?)"
    r"(?:basic\s+|bearer\s+)?"
    r"[\"']?[^\s\"',;}]{6,}"
)
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://[^/\s:@]+):[^/\s@]+@")
# Long runs of letters and digits mixed, as random tokens are; words, paths and model names
# (short dash-separated parts) do not qualify.
_TOKEN = re.compile(r"(?<![A-Za-z0-9_\-+/=])[A-Za-z0-9_\-+/]{32,}={0,2}(?![A-Za-z0-9_\-+/=])")

REDACTED = "[REDACTED]"


# Secret values this process has read (API keys, admin keys, DSN passwords): every output path
# masks them wherever they appear, whatever their shape, in each form an error message may
# carry them (repr-escaped, JSON-escaped, percent-encoded, as bytes).
_KNOWN: set[str] = set()
_KNOWN_LONGEST_FIRST: tuple[str, ...] = ()  # _KNOWN in replacement order, kept at registration
_KNOWN_LOCK = threading.Lock()
_MIN_SECRET = 4
_MIN_REGISTERED = 8  # masked everywhere in the process: never a short, common word


def secret_forms(secret: str) -> set[str]:
    """The spellings of ``secret`` that error text may carry: the value itself, stripped, and
    escaped as ``repr`` (of the str and of its UTF-8 bytes), JSON and a URL would escape it."""
    forms = {secret, secret.strip()}
    for value in tuple(forms):
        forms.add(repr(value)[1:-1])
        forms.add(repr(value.encode("utf-8", "backslashreplace"))[2:-1])
        forms.add(json.dumps(value)[1:-1])
        forms.add(json.dumps(value, ensure_ascii=False)[1:-1])
        forms.add(quote(value, safe=""))
    return {f for f in forms if len(f) >= _MIN_SECRET}


def register_secret(value: str | None) -> None:
    """Remember ``value`` as a secret: :func:`redact` masks it from then on."""
    global _KNOWN_LONGEST_FIRST
    if value and len(value.strip()) >= _MIN_REGISTERED:
        with _KNOWN_LOCK:
            _KNOWN.update(secret_forms(value))
            _KNOWN_LONGEST_FIRST = tuple(sorted(_KNOWN, key=len, reverse=True))


def scrub_values(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every form (see :func:`secret_forms`) of each of ``secrets`` masked."""
    forms: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET:
            forms |= secret_forms(secret)
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return text


def find_secret(text: str) -> str | None:
    """Return the kind of secret ``text`` contains (e.g. ``"OpenAI API key"``), or None."""
    for kind, pattern in _candidates(text):
        if pattern.search(text):
            return kind
    return None


def _candidates(text: str) -> list[tuple[str, re.Pattern[str]]]:
    """The key patterns whose hint (see ``_KEY_HINTS``) ``text`` contains: only these can match.
    Decided once, before any replacement (``[REDACTED]`` holds no hint)."""
    lowered: str | None = None
    out: list[tuple[str, re.Pattern[str]]] = []
    for (kind, pattern), hint in zip(_KEY_PATTERNS, _KEY_HINTS, strict=True):
        if isinstance(hint, str):
            lowered = text.lower() if lowered is None else lowered
            found = hint in lowered
        else:
            found = hint.search(text) is not None
        if found:
            out.append((kind, pattern))
    return out


def redact(text: str) -> str:
    """Replace every secret in ``text`` with ``[REDACTED]``: the values registered with
    :func:`register_secret` (in every escaped form) and anything shaped like a key."""
    for form in _KNOWN_LONGEST_FIRST:  # an immutable snapshot: no lock needed to read it
        text = text.replace(form, REDACTED)
    for _kind, pattern in _candidates(text):
        text = pattern.sub(REDACTED, text)
    return text


def redacts_piecewise(text: str) -> bool:
    """Whether :func:`redact` of a text made of pieces like ``text`` equals the pieces each
    redacted and joined, for pieces cut around the entries of an indented JSON list of objects
    (a cut sits within a few characters of a newline: ``"    },\n"``). True unless ``text``
    holds the start of a private key (whose pattern may run to the end of the whole text) or
    a registered value holds a newline; every other key pattern matches only characters a cut
    never has, and a registered value (8 characters or more) cannot fit between a cut and the
    nearest newline."""
    return "-----BEGIN " not in text and not any("\n" in form for form in _KNOWN_LONGEST_FIRST)


def redact_strict(text: str) -> str:
    """:func:`redact`, then also anything that might be a credential: ``key=value`` style
    assignments of secret-sounding names, passwords in URLs, and long random-looking tokens."""
    text = redact(text)
    text = _ASSIGNMENT.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _URL_PASSWORD.sub(lambda m: f"{m.group(1)}:{REDACTED}@", text)
    return _TOKEN.sub(_mask_token, text)


def _mask_token(match: re.Match[str]) -> str:
    token = match.group(0)
    has_digit = any(c.isdigit() for c in token)
    has_alpha = any(c.isalpha() for c in token)
    # Dash- or slash-separated words (paths, model ids, slugs) are not tokens.
    longest_part = max(len(p) for p in re.split(r"[\-/_]", token))
    return REDACTED if has_digit and has_alpha and longest_part >= 20 else token
