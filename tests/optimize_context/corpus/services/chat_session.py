"""A chat session that keeps the whole conversation, and a CLI loop that does the same."""

from __future__ import annotations

from openai import OpenAI

client = OpenAI(timeout=20)


class ChatSession:
    def __init__(self, system: str) -> None:
        self.history: list[dict[str, str]] = [{"role": "system", "content": system}]

    def send(self, text: str) -> str:
        self.history.append({"role": "user", "content": text})
        completion = client.chat.completions.create(  # expect: openai.chat.completions.create
            model="gpt-4o",
            messages=self.history,
            max_completion_tokens=800,
        )
        answer = completion.choices[0].message.content or ""
        self.history.append({"role": "assistant", "content": answer})
        return answer


class WindowedSession(ChatSession):
    def send(self, text: str) -> str:
        self.history.append({"role": "user", "content": text})
        self.history = self.history[-20:]
        completion = client.chat.completions.create(  # expect: openai.chat.completions.create
            model="gpt-4o",
            messages=self.history,
            max_completion_tokens=800,
        )
        return completion.choices[0].message.content or ""


def repl() -> None:
    messages = [{"role": "system", "content": "You are a helpful assistant."}]
    while True:
        line = input("> ")
        if not line:
            break
        messages.append({"role": "user", "content": line})
        stream = client.chat.completions.create(  # expect: openai.chat.completions.create
            model="gpt-4o-mini",
            messages=messages,
            stream=True,
        )
        text = ""
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
        messages.append({"role": "assistant", "content": text})
