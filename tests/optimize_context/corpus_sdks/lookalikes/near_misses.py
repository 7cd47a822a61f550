"""Look-alikes of the SDK shapes: none of these lines is an LLM call site."""

from __future__ import annotations

import boto3
import cohere
import requests
from google import genai
from mistralai import Mistral
from pydantic_ai import Agent

s3 = boto3.client("s3")
lambda_client = boto3.client("lambda")
agent_runtime = boto3.client("bedrock-agent-runtime")
bedrock_control = boto3.client("bedrock")
gemini = genai.Client()
mistral = Mistral(api_key="x")
co = cohere.ClientV2()


class ChatRoom:
    def chat(self, model: str, messages: list[str]) -> None: ...

    def complete(self, text: str) -> str:
        return text


class Support:
    def __init__(self) -> None:
        self.room = ChatRoom()

    def send(self) -> None:
        self.room.chat(model="general", messages=["hi"])
        self.room.complete("done")


def other_clients(payload: bytes, model_name: str) -> None:
    lambda_client.invoke(FunctionName="f", Payload=payload)
    s3.put_object(Bucket="b", Key="k", Body=payload)
    agent_runtime.invoke_agent(agentId="a", agentAliasId="b", sessionId="s", inputText="hi")
    bedrock_control.list_foundation_models()
    requests.post("https://api.example.com/chat", json={"model": "gpt-4o", "messages": []})
    gemini.models.embed_content(model="text-embedding-004", contents="x")
    gemini.models.count_tokens(model="gemini-2.5-flash", contents="x")
    gemini.files.upload(file="a.pdf")
    mistral.embeddings.create(model="mistral-embed", inputs=["x"])
    co.embed(texts=["x"], model="embed-english-v3.0", input_type="search_document")
    co.rerank(query="q", documents=["d"], model="rerank-v3.5")
    dynamic = Agent(model_name)
    dynamic.run_sync("hi")


def chat(model: str, messages: list[dict[str, str]]) -> str:
    return model


def local_chat_function() -> None:
    chat(model="llama3.2", messages=[{"role": "user", "content": "local function, not ollama"}])
