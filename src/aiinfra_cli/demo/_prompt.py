"""The sample prompt ``aiinfra demo`` adds to its library (list, render, test)."""

from __future__ import annotations

DEMO_PROMPT = """\
---
name: summarize-ticket
version: 1.0.0
description: Summarise a support ticket for the on-call engineer.
tags: [support]
model:
  api: chat
  configuration:
    type: aiinfra
    route: summarize
  parameters:
    max_tokens: 200
    temperature: 0.2
inputs:
  ticket:
    type: string
    description: The customer's message.
  product:
    type: string
    default: the API
  max_sentences:
    type: integer
    default: 3
sample:
  ticket: Since this morning every request to /v1/export returns 502 after 30 seconds.
tests:
  - name: outage
    vars:
      ticket: "All our dashboards are blank and the status page says operational."
      product: dashboards
    assert:
      - {type: icontains, value: dashboard}
      - {type: max-tokens, value: 200}
---
system:
You summarise support tickets about {{ product }} for the on-call engineer.
Answer in at most {{ max_sentences }} sentences. Never invent details.

user:
{{ ticket }}
"""
