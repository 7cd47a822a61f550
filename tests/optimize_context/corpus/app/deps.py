"""Shared clients and FastAPI dependencies."""

from __future__ import annotations

import os
from functools import lru_cache

from anthropic import AsyncAnthropic
from openai import AsyncOpenAI

anthropic_client = AsyncAnthropic(api_key=os.environ["ANTHROPIC_API_KEY"], timeout=30.0)


@lru_cache(maxsize=1)
def get_openai() -> AsyncOpenAI:
    return AsyncOpenAI(max_retries=3)


def get_anthropic():
    return anthropic_client
