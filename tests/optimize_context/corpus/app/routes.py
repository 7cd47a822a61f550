"""Routes that use the shared client imported from another module."""

from __future__ import annotations

from app.deps import anthropic_client, get_openai


async def summarize(text: str) -> str:
    reply = await anthropic_client.messages.create(  # expect: anthropic.messages.create
        model="claude-sonnet-4-5", max_tokens=300, messages=[{"role": "user", "content": text}]
    )
    return reply.content[0].text


async def classify(text: str) -> str:
    client = get_openai()
    response = await client.responses.create(  # expect: openai.responses.create
        model="gpt-4.1-mini",
        instructions="Classify the ticket as billing, shipping or other.",
        input=text,
        max_output_tokens=5,
    )
    return response.output_text


async def raw_headers(text: str) -> dict[str, str]:
    raw = await anthropic_client.messages.with_raw_response.create(  # expect: anthropic.messages.create
        model="claude-sonnet-4-5",
        max_tokens=64,
        messages=[{"role": "user", "content": text}],
    )
    return dict(raw.headers)
