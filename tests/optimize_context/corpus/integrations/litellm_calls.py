"""LiteLLM: module functions, imported names and a Router."""

from __future__ import annotations

import litellm
from litellm import Router, acompletion
from litellm import completion as llm_completion

router = Router(model_list=[{"model_name": "default", "litellm_params": {"model": "gpt-4o-mini"}}])


def draft(topic: str) -> str:
    out = litellm.completion(  # expect: litellm.completion
        model="anthropic/claude-sonnet-4-5",
        messages=[{"role": "user", "content": f"Draft a post about {topic}"}],
        max_tokens=1000,
    )
    return out.choices[0].message.content


def draft_positional(topic: str) -> str:
    out = llm_completion(  # expect: litellm.completion
        "gpt-4o-mini", [{"role": "user", "content": topic}]
    )
    return out.choices[0].message.content


async def draft_async(topic: str) -> str:
    out = await acompletion(  # expect: litellm.acompletion
        model="gpt-4o-mini", messages=[{"role": "user", "content": topic}], stream=True
    )
    return str(out)


async def routed(topic: str) -> str:
    out = await router.acompletion(  # expect: litellm.Router.acompletion
        model="default", messages=[{"role": "user", "content": topic}]
    )
    return out.choices[0].message.content
