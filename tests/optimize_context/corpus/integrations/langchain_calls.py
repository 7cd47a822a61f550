"""LangChain chat models: direct calls, pipes, derived runnables, init_chat_model."""

from __future__ import annotations

from langchain.chat_models import init_chat_model
from langchain_anthropic import ChatAnthropic
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

llm = ChatAnthropic(model="claude-sonnet-4-5", max_tokens=1024, timeout=60)
gpt = ChatOpenAI(model="gpt-4o-mini")


class Verdict(BaseModel):
    ok: bool


def answer(question: str) -> str:
    reply = llm.invoke(  # expect: langchain_anthropic.ChatAnthropic.invoke
        [SystemMessage(content="Be brief."), HumanMessage(content=question)]
    )
    return str(reply.content)


def chained(question: str) -> str:
    prompt = ChatPromptTemplate.from_messages([("system", "Be brief."), ("user", "{q}")])
    chain = prompt | gpt
    return str(chain.invoke({"q": question}).content)  # expect: langchain_openai.ChatOpenAI.invoke


async def judged(text: str) -> Verdict:
    judge = gpt.with_structured_output(Verdict)
    return await judge.ainvoke(text)  # expect: langchain_openai.ChatOpenAI.ainvoke


def streamed(text: str) -> str:
    chunks = llm.stream(text)  # expect: langchain_anthropic.ChatAnthropic.stream
    return "".join(str(chunk.content) for chunk in chunks)


def generic(text: str) -> str:
    model = init_chat_model("anthropic:claude-haiku-4-5", temperature=0)
    return str(model.invoke(text).content)  # expect: langchain.init_chat_model.invoke
