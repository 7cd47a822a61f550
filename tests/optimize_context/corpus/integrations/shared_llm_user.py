"""Uses a chat model built in another module, and names no SDK at all."""

from __future__ import annotations

from integrations.langchain_calls import llm


def tagline(product: str) -> str:
    prompt = f"One tagline for {product}"
    reply = llm.invoke(prompt)  # expect: langchain_anthropic.ChatAnthropic.invoke
    return str(reply.content)
