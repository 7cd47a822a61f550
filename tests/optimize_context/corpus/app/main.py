"""A FastAPI service: clients on app.state, injected with Depends, and module-level imports."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Annotated

from anthropic import AsyncAnthropic
from fastapi import Depends, FastAPI, Request
from openai import AsyncOpenAI
from pydantic import BaseModel

from app.deps import anthropic_client, get_anthropic, get_openai

SYSTEM_PROMPT = "You are a concise assistant for an online bookshop."


class Question(BaseModel):
    text: str
    user_id: str


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.llm = AsyncAnthropic()
    yield
    await app.state.llm.close()


app = FastAPI(lifespan=lifespan)


@app.post("/ask")
async def ask(question: Question) -> dict[str, str]:
    message = await anthropic_client.messages.create(  # expect: anthropic.messages.create
        model="claude-sonnet-4-5",
        max_tokens=512,
        system=SYSTEM_PROMPT,
        messages=[{"role": "user", "content": question.text}],
    )
    return {"answer": message.content[0].text}


@app.post("/ask-state")
async def ask_state(request: Request, question: Question) -> dict[str, str]:
    llm = request.app.state.llm
    message = await llm.messages.create(  # expect: anthropic.messages.create
        model="claude-haiku-4-5",
        max_tokens=256,
        messages=[{"role": "user", "content": question.text}],
    )
    return {"answer": message.content[0].text}


@app.post("/ask-openai")
async def ask_openai(
    question: Question, client: Annotated[AsyncOpenAI, Depends(get_openai)]
) -> dict[str, str]:
    completion = await client.chat.completions.create(  # expect: openai.chat.completions.create
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": question.text},
        ],
    )
    return {"answer": completion.choices[0].message.content or ""}


@app.post("/ask-dep")
async def ask_dep(question: Question, llm=Depends(get_anthropic)) -> dict[str, str]:  # noqa: B008 (the FastAPI idiom)
    reply = await llm.messages.create(  # expect: anthropic.messages.create
        model="claude-sonnet-4-5",
        max_tokens=400,
        messages=[{"role": "user", "content": question.text}],
    )
    return {"answer": reply.content[0].text}


@app.post("/stream")
async def stream(question: Question) -> dict[str, str]:
    parts: list[str] = []
    async with anthropic_client.messages.stream(  # expect: anthropic.messages.stream
        model="claude-sonnet-4-5",
        max_tokens=2048,
        messages=[{"role": "user", "content": question.text}],
    ) as events:
        async for text in events.text_stream:
            parts.append(text)
    return {"answer": "".join(parts)}


@app.post("/count")
async def count(question: Question) -> dict[str, int]:
    counted = await anthropic_client.messages.count_tokens(
        model="claude-sonnet-4-5",
        messages=[{"role": "user", "content": question.text}],
    )
    return {"tokens": counted.input_tokens}
