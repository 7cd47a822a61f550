"""Secret shapes: what redact() masks on every output line, and what redact_strict() adds for text
that leaves the process."""

from __future__ import annotations

import re

import pytest

from aiinfra_cli.redact import REDACTED, find_secret, redact, redact_strict

# Assembled at run time so no scanner mistakes this file for a leak.
SECRETS = {
    "Anthropic API key": "sk-ant-" + "api03-" + "A1b2C3d4E5f6G7h8I9j0K1l2",
    "OpenAI API key": "sk-proj-" + "Q" * 10 + "7" * 14,
    "Stripe key": "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "Google API key": "AIza" + "SyA-1234567890abcdefghijklmnopqrstu",
    "Google OAuth token": "ya29." + "a0AfH6SMBx1234567890abcdEFGH",
    "AWS access key id": "AKIA" + "IOSFODNN7EXAMPLE",
    "GitHub token": "ghp_" + "a" * 20 + "1" * 16,
    "GitLab token": "glpat-" + "xYz1234567890AbCdEfGh",
    "Slack token": "xoxb-" + "1234567890-abcdefghij",
    "Hugging Face token": "hf_" + "A" * 15 + "b" * 15,
    "JSON Web Token": "eyJ"
    + "hbGciOiJIUzI1NiJ9"
    + ".eyJ"
    + "zdWIiOiIxMjM0NTY3ODkwIn0"
    + ".SflKxwRJSMeKKF2QT4fwpM",
    "private key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
}


@pytest.mark.parametrize(("kind", "secret"), sorted(SECRETS.items()))
def test_each_vendor_shape_is_found_and_masked(kind: str, secret: str) -> None:
    line = f"config said {secret} here"
    assert find_secret(line) == kind
    masked = redact(line)
    assert secret not in masked
    assert masked == f"config said {REDACTED} here"


@pytest.mark.parametrize(
    "text",
    [
        "max_tokens: 2000",
        "claude-sonnet-4-5-20250929 on gpt-4o-mini",
        "src/app/summary.py:88",
        "550e8400-e29b-41d4-a716-446655440000",
        "summarize@1.2.0 costs $0.0042",
        "the author: Ada",
    ],
)
def test_ordinary_text_is_left_alone_even_when_strict(text: str) -> None:
    assert redact(text) == text
    assert redact_strict(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password=hunter2hunter2", f"password={REDACTED}"),
        ("db_password: 'correct-horse'", f"db_password: {REDACTED}'"),
        ('{"api_key": "abcd1234efgh"}', f'{{"api_key": "{REDACTED}"}}'),
        ("Authorization: Basic dXNlcjpwYXNz", f"Authorization: {REDACTED}"),
        ("https://bob:pw123secret@db.internal/x", f"https://bob:{REDACTED}@db.internal/x"),
        (
            "digest 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 end",
            f"digest {REDACTED} end",
        ),
    ],
)
def test_strict_masks_what_might_be_a_credential(text: str, expected: str) -> None:
    assert redact_strict(text) == expected
    assert redact(text) == text  # none of these has a vendor shape


def test_strict_keeps_vendor_redaction() -> None:
    secret = SECRETS["Anthropic API key"]
    assert redact_strict(f"key {secret}") == f"key {REDACTED}"


def _unguarded(text: str) -> str:
    from aiinfra_cli.redact import _KEY_PATTERNS

    for _kind, pattern in _KEY_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def test_the_literal_guards_never_skip_a_pattern_that_would_match() -> None:
    """redact() runs a pattern only when its literal is present; on every shape (each alone, all
    in one text, with a BEARER in upper case) it masks exactly what running every pattern does."""
    bearer = "Authorization: BEARER " + "tok3n" * 6
    texts = [*(f"a {s} b" for s in SECRETS.values()), " ".join(SECRETS.values()), bearer]
    texts.append("a_test_ b sk- ya29. AKIA ghp_ hf_ eyJ xoxb- " + bearer.lower())
    for text in texts:
        assert redact(text) == _unguarded(text), text
    assert redact(bearer).endswith(REDACTED)
    assert find_secret(bearer) == "bearer token"
    from aiinfra_cli.redact import _KEY_HINTS, _KEY_PATTERNS

    for (_kind, pattern), hint in zip(_KEY_PATTERNS, _KEY_HINTS, strict=True):
        # a case-insensitive pattern is hinted by a lower-case literal, tested on lowered text
        assert isinstance(hint, str) == bool(pattern.flags & re.IGNORECASE)
        assert not isinstance(hint, str) or hint == hint.lower()
