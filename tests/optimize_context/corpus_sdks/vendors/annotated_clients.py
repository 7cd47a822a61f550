"""Clients known only through a type annotation, and clients made in one method, used in another."""

from __future__ import annotations

from anthropic import Anthropic, AsyncAnthropic
from openai import AsyncOpenAI, OpenAI
from pydantic import BaseModel


class Verdict(BaseModel):
    ok: bool


class Reviewer:
    _client: Anthropic

    def __init__(self, client: Anthropic) -> None:
        self._client = client

    def review(self, text: str) -> Verdict:
        parsed = self._client.beta.messages.parse(  # expect: anthropic.messages.parse
            model="claude-sonnet-4-5",
            max_tokens=400,
            messages=[{"role": "user", "content": text}],
            output_format=Verdict,
        )
        return parsed.parsed_output

    def stream(self, text: str) -> None:
        with self._client.messages.stream(  # expect: anthropic.messages.stream
            model="claude-sonnet-4-5", max_tokens=400, messages=[{"role": "user", "content": text}]
        ) as stream:
            for part in stream.text_stream:
                print(part, end="")


async def classify(client: AsyncOpenAI, text: str) -> str:
    result = await client.chat.completions.parse(  # expect: openai.chat.completions.parse
        model="gpt-4o-mini", messages=[{"role": "user", "content": text}], response_format=Verdict
    )
    return str(result.choices[0].message.parsed)


async def stream_reply(client: AsyncAnthropic | None, text: str) -> None:
    assert client is not None
    async with client.beta.messages.stream(  # expect: anthropic.messages.stream
        model="claude-haiku-4-5", max_tokens=200, messages=[{"role": "user", "content": text}]
    ) as stream:
        async for event in stream:
            print(event)


class PromptModule:
    """The client is created in ``setup`` and used in ``run``."""

    def setup(self) -> None:
        self.llm = OpenAI(timeout=15)

    def run(self, question: str) -> str:
        reply = self.llm.chat.completions.create(  # expect: openai.chat.completions.create
            model="gpt-4o-mini", messages=[{"role": "user", "content": question}], max_tokens=100
        )
        return reply.choices[0].message.content or ""


class LazyClaude:
    def __init__(self) -> None:
        self.client: Anthropic | None = None

    def connect(self) -> None:
        self.client = Anthropic()

    def ask(self, question: str) -> str:
        assert self.client is not None
        message = self.client.messages.create(  # expect: anthropic.messages.create
            model="claude-sonnet-4-5",
            max_tokens=300,
            messages=[{"role": "user", "content": question}],
        )
        return message.content[0].text
