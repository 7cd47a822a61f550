"""Bedrock, Vertex and Azure clients, sync and async."""

from __future__ import annotations

from anthropic import AnthropicBedrock, AnthropicVertex, AsyncAnthropicBedrock
from openai import AsyncAzureOpenAI, AzureOpenAI

bedrock = AnthropicBedrock(aws_region="us-east-1")
vertex = AnthropicVertex(region="us-east5", project_id="acme-prod")
azure = AzureOpenAI(api_version="2024-10-21", azure_endpoint="https://acme.openai.azure.com")


def on_bedrock(text: str) -> str:
    msg = bedrock.messages.create(  # expect: anthropic.messages.create
        model="anthropic.claude-3-5-sonnet-20241022-v2:0",
        max_tokens=300,
        messages=[{"role": "user", "content": text}],
    )
    return msg.content[0].text


def on_vertex(text: str) -> str:
    msg = vertex.messages.create(  # expect: anthropic.messages.create
        model="claude-sonnet-4-5@20250929",
        max_tokens=300,
        messages=[{"role": "user", "content": text}],
    )
    return msg.content[0].text


def on_azure(text: str) -> str:
    done = azure.chat.completions.create(  # expect: openai.chat.completions.create
        model="gpt-4o-deployment",
        messages=[{"role": "user", "content": text}],
    )
    return done.choices[0].message.content or ""


async def on_azure_async(text: str) -> str:
    async with AsyncAzureOpenAI(api_version="2024-10-21") as client:
        done = await client.chat.completions.create(  # expect: openai.chat.completions.create
            model="gpt-4o-deployment",
            messages=[{"role": "user", "content": text}],
        )
    return done.choices[0].message.content or ""


async def on_bedrock_async(text: str) -> str:
    client = AsyncAnthropicBedrock()
    msg = await client.messages.create(  # expect: anthropic.messages.create
        model="anthropic.claude-3-5-haiku-20241022-v1:0",
        max_tokens=100,
        messages=[{"role": "user", "content": text}],
    )
    return msg.content[0].text
