"""Frameworks: LiteLLM's Router, LlamaIndex LLM classes, pydantic-ai agents with literal models."""

from __future__ import annotations

from litellm import Router
from llama_index.core.llms import ChatMessage
from llama_index.llms.anthropic import Anthropic as LlamaAnthropic
from llama_index.llms.openai import OpenAI as LlamaOpenAI
from pydantic_ai import Agent

router = Router(
    model_list=[
        {"model_name": "smart", "litellm_params": {"model": "anthropic/claude-sonnet-4-5"}},
    ]
)
llm = LlamaOpenAI(model="gpt-4o-mini", max_tokens=256, timeout=30)
claude = LlamaAnthropic(model="claude-sonnet-4-5")
support_agent = Agent("openai:gpt-4o", instructions="Be concise.")
typed_agent = Agent(model="anthropic:claude-sonnet-4-5", model_settings={"max_tokens": 500})


def routed(question: str) -> str:
    response = router.completion(  # expect: litellm.Router.completion
        model="smart", messages=[{"role": "user", "content": question}], max_tokens=100
    )
    return response.choices[0].message.content


async def routed_async(question: str) -> None:
    await router.acompletion(  # expect: litellm.Router.acompletion
        model="smart", messages=[{"role": "user", "content": question}]
    )


def llama_complete(question: str) -> str:
    return llm.complete(  # expect: llama_index.OpenAI.complete max=true provider=openai
        question
    ).text


def llama_chat(question: str) -> str:
    reply = claude.chat(  # expect: llama_index.Anthropic.chat max=false provider=anthropic
        [ChatMessage(role="user", content=question)]
    )
    return str(reply)


def llama_stream(question: str) -> None:
    for part in llm.stream_complete(question):  # expect: llama_index.OpenAI.stream_complete
        print(part.delta, end="")


async def llama_async(question: str) -> None:
    await claude.achat(  # expect: llama_index.Anthropic.achat
        [ChatMessage(role="user", content=question)]
    )


def agent_sync(question: str) -> str:
    return support_agent.run_sync(  # expect: pydantic_ai.Agent.run_sync max=false provider=openai
        question
    ).output


async def agent_async(question: str) -> str:
    result = await typed_agent.run(  # expect: pydantic_ai.Agent.run max=true provider=anthropic
        question
    )
    return str(result.output)


async def agent_stream(question: str) -> None:
    async with typed_agent.run_stream(question) as result:  # expect: pydantic_ai.Agent.run_stream
        async for text in result.stream_text():
            print(text)
