"""Batch jobs: one tracked through ai.cost_tracker, one not."""

from __future__ import annotations

from ai.cost_tracker import track
from anthropic import Anthropic

client = Anthropic(timeout=120)


def tracked_digest(text: str) -> str:
    with track("nightly-digest"):
        msg = client.messages.create(  # expect: anthropic.messages.create
            model="claude-sonnet-4-5",
            max_tokens=700,
            messages=[{"role": "user", "content": text}],
        )
    return msg.content[0].text


def untracked_digest(text: str) -> str:
    msg = client.messages.create(  # expect: anthropic.messages.create
        model="claude-sonnet-4-5",
        max_tokens=700,
        messages=[{"role": "user", "content": text}],
    )
    return msg.content[0].text
