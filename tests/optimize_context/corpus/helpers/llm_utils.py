"""Helper wrappers around the SDKs, the kind every codebase grows."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Optional

from openai import AsyncOpenAI, OpenAI

_client: Optional[OpenAI] = None  # noqa: UP045 (Optional spelling on purpose)


def get_client() -> OpenAI:
    global _client
    if _client is None:
        _client = OpenAI()
    return _client


def ask(client: OpenAI, prompt: str, *, model: str = "gpt-4o-mini") -> str:
    completion = client.chat.completions.create(  # expect: openai.chat.completions.create
        model=model,
        messages=[{"role": "user", "content": prompt}],
        max_tokens=256,
    )
    return completion.choices[0].message.content or ""


def ask_default(prompt: str) -> str:
    completion = get_client().chat.completions.create(  # expect: openai.chat.completions.create
        model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
    )
    return completion.choices[0].message.content or ""


def ask_with_params(prompt: str, **overrides: object) -> str:
    params = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": prompt}]}
    params.update(overrides)
    completion = get_client().chat.completions.create(  # expect: openai.chat.completions.create
        **params
    )
    return completion.choices[0].message.content or ""


def ask_fixed_params(prompt: str) -> str:
    params = {"model": "gpt-4o-mini", "max_tokens": 64, "timeout": 5}
    completion = get_client().chat.completions.create(  # expect: openai.chat.completions.create
        messages=[{"role": "user", "content": prompt}], **params
    )
    return completion.choices[0].message.content or ""


def aliased_create(prompt: str) -> str:
    create = get_client().chat.completions.create
    completion = create(  # expect: openai.chat.completions.create
        model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
    )
    return completion.choices[0].message.content or ""


def deferred(prompt: str) -> object:
    # A reference handed to something else is not a call site of this line.
    return partial(get_client().chat.completions.create, model="gpt-4o-mini")


async def fan_out(prompts: list[str]) -> list[str]:
    aclient = AsyncOpenAI(timeout=30)

    async def one(text: str) -> str:
        done = await aclient.chat.completions.create(  # expect: openai.chat.completions.create
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": text}],
            max_tokens=100,
        )
        return done.choices[0].message.content or ""

    return list(await asyncio.gather(*(one(p) for p in prompts)))
