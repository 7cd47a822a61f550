"""A service class holding its clients, with options, beta and raw/streaming responses."""

from __future__ import annotations

import logging

import anthropic
from anthropic import Anthropic as AnthropicClient

log = logging.getLogger(__name__)
DEFAULT_MODEL = "claude-sonnet-4-5"


class Summarizer:
    def __init__(self, client: AnthropicClient | None = None, model: str = DEFAULT_MODEL) -> None:
        self.client = client or AnthropicClient(max_retries=4)
        self.model = model

    def summarize(self, document: str) -> str:
        response = self.client.messages.create(  # expect: anthropic.messages.create
            model=self.model,
            max_tokens=1024,
            messages=[{"role": "user", "content": f"Summarize:\n\n{document}"}],
        )
        return response.content[0].text

    def summarize_quickly(self, document: str) -> str:
        fast = self.client.with_options(timeout=10.0, max_retries=1)
        response = fast.messages.create(  # expect: anthropic.messages.create
            model="claude-haiku-4-5",
            max_tokens=256,
            messages=[{"role": "user", "content": document}],
        )
        return response.content[0].text

    def summarize_with_beta(self, document: str) -> str:
        response = self.client.beta.messages.create(  # expect: anthropic.messages.create
            model=self.model,
            max_tokens=1024,
            betas=["context-management-2025-06-27"],
            messages=[{"role": "user", "content": document}],
        )
        return response.content[0].text

    def stream_to_file(self, document: str, path: str) -> None:
        with (
            self.client.messages.with_streaming_response.create(  # expect: anthropic.messages.create
                model=self.model,
                max_tokens=1024,
                messages=[{"role": "user", "content": document}],
            ) as response,
            open(path, "wb") as out,  # noqa: PTH123
        ):
            for chunk in response.iter_bytes():
                out.write(chunk)

    def parse_structured(self, document: str) -> object:
        return self.client.messages.parse(  # expect: anthropic.messages.parse
            model=self.model,
            max_tokens=512,
            messages=[{"role": "user", "content": document}],
        )


class ToolAgent(Summarizer):
    def run(self, task: str) -> str:
        runner = self.client.beta.messages.tool_runner(  # expect: anthropic.messages.tool_runner
            model=self.model,
            max_tokens=2048,
            tools=[],
            messages=[{"role": "user", "content": task}],
        )
        return str(runner.until_done())


def module_client_summary(text: str) -> str:
    client = anthropic.Anthropic()
    reply = client.messages.create(  # expect: anthropic.messages.create
        model=DEFAULT_MODEL, max_tokens=200, messages=[{"role": "user", "content": text}]
    )
    log.info("used %s output tokens", reply.usage.output_tokens)
    return reply.content[0].text


def legacy_completion(prompt: str) -> str:
    client = anthropic.Anthropic()
    done = client.completions.create(  # expect: anthropic.completions.create
        model="claude-2.1",
        max_tokens_to_sample=300,
        prompt=f"{anthropic.HUMAN_PROMPT} {prompt}{anthropic.AI_PROMPT}",
    )
    return done.completion
