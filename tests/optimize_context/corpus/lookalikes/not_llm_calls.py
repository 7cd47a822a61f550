"""Things that look like LLM calls and are not: none of these lines is a call site."""

from __future__ import annotations

from functools import partial
from unittest.mock import MagicMock, patch

import anthropic
import stripe
from openai import OpenAI
from twilio.rest import Client as TwilioClient

openai_client = OpenAI(timeout=10)
claude = anthropic.Anthropic(timeout=10)


def sms(to: str, body: str) -> None:
    twilio = TwilioClient("sid", "token")
    twilio.messages.create(to=to, from_="+15005550006", body=body)


def count(text: str) -> int:
    counted = claude.messages.count_tokens(
        model="claude-sonnet-4-5", messages=[{"role": "user", "content": text}]
    )
    return counted.input_tokens


def batch(requests: list[dict[str, object]]) -> str:
    job = claude.messages.batches.create(requests=requests)
    beta_job = claude.beta.messages.batches.create(requests=requests)
    return f"{job.id} {beta_job.id}"


def threads(thread_id: str, text: str) -> None:
    openai_client.beta.threads.messages.create(thread_id, role="user", content=text)
    openai_client.beta.assistants.create(model="gpt-4o", instructions="x")
    openai_client.files.create(file=b"", purpose="batch")
    openai_client.embeddings.create(model="text-embedding-3-small", input=text)
    openai_client.models.list()
    openai_client.batches.create(
        input_file_id="f", endpoint="/v1/chat/completions", completion_window="24h"
    )


def database(db: dict[str, MagicMock], payload: dict[str, object]) -> None:
    db["users"].create(model="user", messages=[payload])
    stripe.Customer.create(email="a@example.com")


def references() -> list[object]:
    fn = claude.messages.create
    later = partial(openai_client.chat.completions.create, model="gpt-4o")
    return [fn, later, openai_client.chat.completions.create]


def with_mocks() -> None:
    mock_client = MagicMock()
    mock_client.messages.create(model="claude-sonnet-4-5", max_tokens=10, messages=[])
    mock_client.messages.create.assert_called_once()
    mock_client.messages.create.return_value = MagicMock()
    spec_mock = MagicMock(spec=anthropic.Anthropic)
    spec_mock.messages.create(model="claude-sonnet-4-5", max_tokens=10, messages=[])
    with patch("openai.OpenAI") as patched:
        patched.return_value.chat.completions.create(model="gpt-4o", messages=[])


def fake_llm_in_tests(fake_client: object) -> None:
    fake_client.chat.completions.create(model="gpt-4o", messages=[])  # type: ignore[attr-defined]


def print_help() -> None:
    print("Call client.messages.create(model=..., messages=...) to talk to Claude.")
