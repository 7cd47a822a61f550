"""Native SDKs: Google GenAI, Mistral, Cohere, Bedrock through boto3, Ollama."""

from __future__ import annotations

import json

import boto3
import cohere
import ollama
from botocore.config import Config
from google import genai
from google.genai import types
from mistralai import Mistral
from ollama import AsyncClient, Client, chat

gemini = genai.Client()
bedrock = boto3.client("bedrock-runtime", region_name="us-east-1")
session = boto3.Session(profile_name="prod")


def gemini_answer(question: str) -> str:
    response = gemini.models.generate_content(  # expect: google_genai.models.generate_content max=true provider=gemini
        model="gemini-2.5-flash",
        contents=question,
        config=types.GenerateContentConfig(max_output_tokens=500, temperature=0.2),
    )
    return response.text or ""


def gemini_uncapped(question: str) -> str:
    response = (
        gemini.models.generate_content(  # expect: google_genai.models.generate_content max=false
            model="gemini-2.5-pro", contents=[question]
        )
    )
    return response.text or ""


def gemini_stream(question: str) -> None:
    for chunk in gemini.models.generate_content_stream(  # expect: google_genai.models.generate_content_stream max=true
        model="gemini-2.5-flash", contents=question, config={"max_output_tokens": 256}
    ):
        print(chunk.text, end="")


async def gemini_async(question: str) -> str:
    client = genai.Client(vertexai=True, project="p", location="us-central1")
    response = (
        await client.aio.models.generate_content(  # expect: google_genai.models.generate_content
            model="gemini-2.5-flash", contents=question
        )
    )
    return response.text or ""


class MistralAgent:
    def __init__(self, key: str) -> None:
        self.client = Mistral(api_key=key)

    def complete(self, question: str) -> str:
        res = self.client.chat.complete(  # expect: mistral.chat.complete max=true provider=mistral
            model="mistral-large-latest",
            messages=[{"role": "user", "content": question}],
            max_tokens=400,
        )
        return str(res.choices[0].message.content)

    def stream(self, question: str) -> None:
        for event in self.client.chat.stream(  # expect: mistral.chat.stream max=false
            model="mistral-small-latest", messages=[{"role": "user", "content": question}]
        ):
            print(event.data.choices[0].delta.content, end="")

    async def complete_async(self, question: str) -> None:
        await self.client.chat.complete_async(  # expect: mistral.chat.complete_async
            model="mistral-small-latest", messages=[{"role": "user", "content": question}]
        )


def cohere_chat(question: str) -> str:
    co = cohere.ClientV2()
    response = co.chat(  # expect: cohere.chat max=true provider=cohere
        model="command-a-03-2025",
        messages=[{"role": "user", "content": question}],
        max_tokens=300,
    )
    return response.message.content[0].text


def cohere_stream(question: str) -> None:
    co = cohere.ClientV2(timeout=30)
    for event in co.chat_stream(  # expect: cohere.chat_stream max=false
        model="command-r-plus", messages=[{"role": "user", "content": question}]
    ):
        print(event)


async def cohere_async(question: str) -> None:
    co = cohere.AsyncClientV2()
    await co.chat(  # expect: cohere.chat
        model="command-r", messages=[{"role": "user", "content": question}]
    )


def cohere_v1(question: str) -> str:
    co = cohere.Client("key")
    return co.chat(message=question, model="command-r").text  # expect: cohere.chat


def bedrock_converse(question: str) -> str:
    response = bedrock.converse(  # expect: bedrock_runtime.converse max=true provider=bedrock
        modelId="anthropic.claude-3-5-sonnet-20241022-v2:0",
        messages=[{"role": "user", "content": [{"text": question}]}],
        inferenceConfig={"maxTokens": 512, "temperature": 0.1},
    )
    return response["output"]["message"]["content"][0]["text"]


def bedrock_uncapped(question: str) -> None:
    bedrock.converse(  # expect: bedrock_runtime.converse max=false
        modelId="us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        messages=[{"role": "user", "content": [{"text": question}]}],
    )


def bedrock_stream(question: str) -> None:
    runtime = session.client("bedrock-runtime", config=Config(read_timeout=120))
    response = runtime.converse_stream(  # expect: bedrock_runtime.converse_stream
        modelId="amazon.nova-pro-v1:0",
        messages=[{"role": "user", "content": [{"text": question}]}],
        inferenceConfig={"maxTokens": 256},
    )
    for event in response["stream"]:
        print(event)


def bedrock_invoke(question: str) -> dict[str, object]:
    body = json.dumps(
        {
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": 300,
            "messages": [{"role": "user", "content": question}],
        }
    )
    response = bedrock.invoke_model(  # expect: bedrock_runtime.invoke_model provider=bedrock
        modelId="anthropic.claude-3-haiku-20240307-v1:0", body=body
    )
    return json.loads(response["body"].read())


def bedrock_invoke_stream(question: str) -> None:
    client = boto3.client(service_name="bedrock-runtime")
    response = client.invoke_model_with_response_stream(  # expect: bedrock_runtime.invoke_model_with_response_stream
        modelId="meta.llama3-70b-instruct-v1:0",
        body=json.dumps({"prompt": question, "max_gen_len": 512}),
    )
    for event in response["body"]:
        print(event)


def ollama_module(question: str) -> str:
    response = ollama.chat(  # expect: ollama.chat max=false provider=ollama
        model="llama3.2", messages=[{"role": "user", "content": question}]
    )
    return response["message"]["content"]


def ollama_function(question: str) -> str:
    reply = chat(  # expect: ollama.chat
        model="gemma3", messages=[{"role": "user", "content": question}]
    )
    return reply.message.content or ""


def ollama_client(question: str) -> None:
    client = Client(host="http://localhost:11434", timeout=60)
    client.chat(  # expect: ollama.chat max=true
        model="llama3.2",
        messages=[{"role": "user", "content": question}],
        options={"num_predict": 200},
    )
    client.generate(model="llama3.2", prompt=question)  # expect: ollama.generate


async def ollama_async(question: str) -> None:
    await AsyncClient().chat(  # expect: ollama.chat
        model="llama3.2", messages=[{"role": "user", "content": question}]
    )
