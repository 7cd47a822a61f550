"""OpenAI-shaped chat completions on other vendors' SDK clients."""

from __future__ import annotations

import os

import groq
from cerebras.cloud.sdk import AsyncCerebras, Cerebras
from fireworks.client import Fireworks
from groq import AsyncGroq, Groq
from openai import AsyncOpenAI, OpenAI
from together import AsyncTogether, Together

deepseek = OpenAI(api_key=os.environ["DEEPSEEK_API_KEY"], base_url="https://api.deepseek.com")
openrouter = AsyncOpenAI(base_url="https://openrouter.ai/api/v1", timeout=30)


class GroqSummarizer:
    def __init__(self) -> None:
        self.client = Groq(timeout=20)

    def summarize(self, text: str) -> str:
        reply = self.client.chat.completions.create(  # expect: groq.chat.completions.create max=true provider=groq
            model="llama-3.3-70b-versatile",
            max_tokens=300,
            messages=[{"role": "user", "content": text}],
        )
        return reply.choices[0].message.content or ""


async def groq_async(prompt: str) -> str:
    client = AsyncGroq()
    reply = await client.chat.completions.create(  # expect: groq.chat.completions.create max=false provider=groq
        model="llama-3.1-8b-instant", messages=[{"role": "user", "content": prompt}]
    )
    return reply.choices[0].message.content or ""


def groq_module_client(prompt: str) -> None:
    client = groq.Groq()
    stream = client.chat.completions.create(  # expect: groq.chat.completions.create
        model="llama-3.1-8b-instant",
        messages=[{"role": "user", "content": prompt}],
        stream=True,
    )
    for chunk in stream:
        print(chunk.choices[0].delta.content or "", end="")


class TogetherChat:
    def __init__(self, api_key: str) -> None:
        self._client = Together(api_key=api_key)

    def ask(self, question: str) -> str:
        out = self._client.chat.completions.create(  # expect: together.chat.completions.create max=true provider=together
            model="meta-llama/Llama-3.3-70B-Instruct-Turbo",
            messages=[{"role": "user", "content": question}],
            max_tokens=512,
        )
        return out.choices[0].message.content or ""


async def together_async(question: str) -> None:
    client = AsyncTogether()
    await client.chat.completions.create(  # expect: together.chat.completions.create
        model="mistralai/Mixtral-8x7B-Instruct-v0.1",
        messages=[{"role": "user", "content": question}],
    )


def fireworks_call(question: str) -> str:
    client = Fireworks()
    response = client.chat.completions.create(  # expect: fireworks.chat.completions.create provider=fireworks
        model="accounts/fireworks/models/llama-v3p1-70b-instruct",
        messages=[{"role": "user", "content": question}],
    )
    return response.choices[0].message.content or ""


def cerebras_call(question: str) -> str:
    client = Cerebras(api_key=os.environ.get("CEREBRAS_API_KEY"))
    done = client.chat.completions.create(  # expect: cerebras.chat.completions.create provider=cerebras
        messages=[{"role": "user", "content": question}], model="llama-3.3-70b"
    )
    return done.choices[0].message.content or ""


async def cerebras_stream(question: str) -> None:
    client = AsyncCerebras()
    stream = await client.chat.completions.create(  # expect: cerebras.chat.completions.create
        messages=[{"role": "user", "content": question}], model="llama3.1-8b", stream=True
    )
    async for chunk in stream:
        print(chunk)


def deepseek_call(question: str) -> str:
    reply = deepseek.chat.completions.create(  # expect: openai.chat.completions.create provider=deepseek
        model="deepseek-chat",
        messages=[{"role": "user", "content": question}],
        max_tokens=800,
    )
    return reply.choices[0].message.content or ""


async def openrouter_call(question: str) -> str:
    reply = await openrouter.chat.completions.create(  # expect: openai.chat.completions.create provider=openrouter
        model="openai/gpt-4o",
        messages=[{"role": "user", "content": question}],
    )
    return reply.choices[0].message.content or ""
