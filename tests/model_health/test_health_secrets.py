"""Keys never leave through text the CLI did not write itself: echoed request-id headers, error
messages cut by the length limit, repr-escaped header values, and a key with a character no key
has (refused with one line that does not show it)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import pytest
from _support import run_cli
from fakeprovider import FakeProvider, Fault

from aiinfra_cli._jsondoc import to_json
from aiinfra_cli.config import Config
from aiinfra_cli.errors import AiinfraError
from aiinfra_cli.health import ModelEntry
from aiinfra_cli.providers import ProbeOptions, probe_models
from aiinfra_cli.providers._classify import describe_http, scrub
from aiinfra_cli.providers._headers import request_id
from aiinfra_cli.providers._target import read_secret

Repo = Callable[[str], Config]
# Shaped like no vendor's key: only the exact-value scrub can hide it.
CANARY = "canary-" + "7f3a9c1e5b2d4a6f" * 2


def _env(key: str) -> dict[str, str]:
    return {"ANTHROPIC_API_KEY": key, "OPENAI_API_KEY": key, "GEMINI_API_KEY": key}


def test_request_id_header_echoing_the_key_is_not_kept(
    fake_provider: FakeProvider, health_repo: Repo, standard_config: Callable[..., str]
) -> None:
    echoing = (("request-id", CANARY), ("x-request-id", CANARY), ("x-goog-request-id", CANARY))
    fake_provider.inject(dataclasses.replace(Fault.unauthorized(echo_key=True), headers=echoing))
    results = probe_models(
        health_repo(standard_config(fake_provider)), options=ProbeOptions(), environ=_env(CANARY)
    )
    assert {r.error_class for r in results} == {"auth"}
    assert CANARY not in json.dumps([to_json(ModelEntry.of(r, None)) for r in results])
    assert all(CANARY not in repr(r) for r in results)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"request-id": "req_011CVabc-9.x:1"}, "req_011CVabc-9.x:1"),
        (
            {"x-request-id": "3f2a0c8e-1111-4a4a-9b9b-0123456789ab"},
            "3f2a0c8e-1111-4a4a-9b9b-0123456789ab",
        ),
        ({"request-id": "Bearer sk-ant-api03-" + "A1b2C3d4E5f6G7h8I9j0"}, None),  # not id-shaped
        ({"request-id": "sk-proj-" + "Q7x" * 10}, None),  # id-shaped, but a key
        ({"request-id": "x" * 200}, None),  # longer than any provider's id
    ],
)
def test_request_id_is_bounded_to_the_shape_of_an_id(
    headers: dict[str, str], expected: str | None
) -> None:
    assert request_id(headers) == expected


def test_a_key_cut_by_the_message_limit_is_scrubbed_whole() -> None:
    body = {"error": {"type": "authentication_error", "message": "x" * 135 + " key " + CANARY}}
    text = describe_http(401, json.dumps(body).encode(), [CANARY])
    assert len(text) <= 160
    assert CANARY[:12] not in text  # scrubbed before shortening, not a prefix left behind


@pytest.mark.parametrize(
    "escaped",
    [
        "Illegal header value b'{key}\\r'",  # httpx's message: the bytes repr escapes \r
        "header {key!r}",
        '{{"api-key": {key_json}}}',
    ],
)
def test_escaped_forms_of_a_key_are_scrubbed(escaped: str) -> None:
    key = CANARY + "\r"
    text = escaped.format(key=key, key_json=json.dumps(key))
    scrubbed = scrub(text, [key])
    assert CANARY not in scrubbed and "[REDACTED]" in scrubbed


def test_a_crlf_key_is_stripped_and_a_key_with_a_foreign_character_refused() -> None:
    assert read_secret({"K": CANARY + "\r\n"}, "K") == CANARY
    for bad in (CANARY[:10] + "é" + CANARY[10:], CANARY + "\u200b" + "x", CANARY[:5] + "\x00ab"):
        with pytest.raises(AiinfraError) as caught:
            read_secret({"K": bad}, "K")
        assert "$K holds" in str(caught.value)
        assert CANARY[:10] not in str(caught.value)


def test_model_health_with_a_non_ascii_key_is_one_line_without_the_key(
    fake_provider: FakeProvider, health_repo: Repo, standard_config: Callable[..., str]
) -> None:
    repo = health_repo(standard_config(fake_provider)).root
    bad = CANARY[:10] + "é" + CANARY[10:]
    result = run_cli("model-health", cwd=repo, env=_env(bad), timeout=60)
    assert result.returncode == 1, result.stderr
    assert CANARY[:10] not in result.stdout + result.stderr
    assert "Task exception was never retrieved" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "non-ASCII character" in lines[0], result.stderr
