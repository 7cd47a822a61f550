"""Message-level counts, with the overhead worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from aiinfra_cli.tokens import count_messages, count_text
from aiinfra_cli.tokens._counter import counter_for_model

# OpenAI's cookbook ("How to count tokens with tiktoken", section 6) sends these messages to the
# API and reports prompt_tokens: 129 for gpt-4-0613 / gpt-4 / gpt-3.5-turbo, 124 for gpt-4o and
# gpt-4o-mini. Reproducing the API's own numbers checks the chat-format overhead end to end.
COOKBOOK_MESSAGES: list[dict[str, str]] = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate "
        "jargon into plain English.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "New synergies will help drive top-line growth.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Things working well together will increase revenue.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities "
        "for increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client "
        "deliverable.",
    },
]


@pytest.mark.parametrize(
    ("model", "prompt_tokens"),
    [
        ("gpt-4-0613", 129),
        ("gpt-4", 129),
        ("gpt-3.5-turbo", 129),
        ("gpt-4o", 124),
        ("gpt-4o-mini", 124),
    ],
)
def test_openai_cookbook_example_matches_api(model: str, prompt_tokens: int) -> None:
    result = count_messages(COOKBOOK_MESSAGES, model)
    assert result.tokens == prompt_tokens
    assert result.exact


def test_openai_overhead_by_hand() -> None:
    # <|start|>user<|message|>Hello, world!<|end|>  then  <|start|>assistant<|message|>
    # per message 3 + "user" (1 token) + "Hello, world!" (4 tokens), reply priming 3.
    messages = [{"role": "user", "content": "Hello, world!"}]
    assert count_text("user").tokens == 1
    assert count_text("Hello, world!").tokens == 4
    assert count_messages(messages, "gpt-4o").tokens == 3 + 1 + 4 + 3


def test_openai_name_costs_one_token_plus_the_name() -> None:
    plain = count_messages([{"role": "user", "content": "hi"}], "gpt-4o").tokens
    named = count_messages([{"role": "user", "name": "alice", "content": "hi"}], "gpt-4o").tokens
    assert named - plain == count_text("alice").tokens + 1


def test_openai_system_argument_is_a_leading_system_message() -> None:
    user = [{"role": "user", "content": "Summarise this."}]
    explicit = [{"role": "system", "content": "Be brief."}, *user]
    assert count_messages(user, "gpt-4o", system="Be brief.") == count_messages(explicit, "gpt-4o")


def test_empty_request_is_the_reply_priming() -> None:
    assert count_messages([], "gpt-4o").tokens == 3
    assert count_messages([], "gemini-2.5-flash").tokens == 0


def test_content_blocks_count_like_strings() -> None:
    as_string = [{"role": "user", "content": "first part second part"}]
    as_blocks = [{"role": "user", "content": [{"type": "text", "text": "first part second part"}]}]
    for model in ("gpt-4o", "claude-sonnet-4-5", "gemini-2.5-pro"):
        assert count_messages(as_string, model) == count_messages(as_blocks, model)


@pytest.mark.parametrize(("detail", "cost"), [("low", 85), ("high", 765), (None, 765)])
def test_openai_image_fixed_cost(detail: str | None, cost: int) -> None:
    image: dict[str, Any] = {"url": "https://example.invalid/cat.png"}
    if detail:
        image["detail"] = detail
    content = [{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": image}]
    with_image = count_messages([{"role": "user", "content": content}], "gpt-4o")
    text_only = count_messages([{"role": "user", "content": "hi"}], "gpt-4o")
    assert with_image.tokens - text_only.tokens == cost
    assert not with_image.exact
    assert with_image.method == "o200k_base"


def test_image_costs_per_provider() -> None:
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "x"}}
    base = [{"role": "user", "content": "hi"}]
    with_image = [{"role": "user", "content": ["hi", image]}]
    deltas = {
        model: count_messages(with_image, model).tokens - count_messages(base, model).tokens
        for model in ("claude-sonnet-4-5", "gemini-2.5-flash")
    }
    # Anthropic: 1024*1024/750 = 1398; Gemini 2.x: 4 tiles of 768 px at 258 tokens each.
    assert deltas == {"claude-sonnet-4-5": 1398, "gemini-2.5-flash": 1032}


def test_openai_tool_calls_count_name_and_arguments() -> None:
    call = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
            }
        ],
    }
    result = count_messages([call], "gpt-4o")
    expected = 3 + 1 + count_text("get_weather").tokens + count_text('{"city":"Paris"}').tokens + 3
    assert result.tokens == expected
    assert not result.exact


def test_claude_overhead_by_hand() -> None:
    # Claude 3-4.6: 1 per request, 3 per message, 3 to prime the reply. "a" is one o200k
    # token and prose, so its estimate is 1.16: 1 + 3 + 1.16 + 3 = 8.16 -> 8.
    assert count_messages([{"role": "user", "content": "a"}], "claude-sonnet-4-5").tokens == 8
    # Opus 4.7 tokenizer: 6 per message and 6 to prime: 1 + 6 + 1.57 + 6 = 14.57 -> 15.
    assert count_messages([{"role": "user", "content": "a"}], "claude-opus-4-7").tokens == 15


def test_claude_prefill_is_not_primed() -> None:
    # user "a" + assistant prefill "a": 1 + 2 * (3 + 1.16) = 9.32 -> 9 (no reply priming).
    messages = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "a"}]
    assert count_messages(messages, "claude-opus-4-6").tokens == 9


def test_claude_system_prompt_has_no_message_overhead() -> None:
    user = [{"role": "user", "content": "a"}]
    with_system = count_messages(user, "claude-sonnet-4-5", system="a")
    # 8.16 + 1.16 = 9.32 -> 9
    assert with_system.tokens == 9
    assert with_system.method == "estimate:claude"
    assert not with_system.exact


def test_claude_tool_blocks_serialise_json() -> None:
    counter = counter_for_model("claude-sonnet-4-5")
    use = {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"q": "tokens", "n": 3}}
    result_block = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "42 results"}
    messages = [
        {"role": "assistant", "content": [use]},
        {"role": "user", "content": [result_block]},
    ]
    expected = (
        1
        + 3
        + counter.count("lookup")
        + counter.count('{"q":"tokens","n":3}')
        + 3
        + counter.count("42 results")
        + 3
    )
    result = count_messages(messages, "claude-sonnet-4-5")
    assert result.tokens == int(expected + 0.5)
    assert not result.exact


def test_thinking_blocks_are_free() -> None:
    plain = [{"role": "assistant", "content": [{"type": "text", "text": "Done."}]}]
    with_thinking = [
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "long private reasoning " * 50},
                {"type": "text", "text": "Done."},
            ],
        }
    ]
    assert count_messages(plain, "claude-sonnet-4-5") == count_messages(
        with_thinking, "claude-sonnet-4-5"
    )


def test_text_documents_count_and_pdfs_are_skipped() -> None:
    text_doc = {"type": "document", "source": {"type": "text", "data": "policy text"}}
    pdf_doc = {"type": "document", "source": {"type": "base64", "data": "JVBERi0x"}}
    base = count_messages([{"role": "user", "content": "hi"}], "gpt-4o")
    with_text = count_messages([{"role": "user", "content": ["hi", text_doc]}], "gpt-4o")
    with_pdf = count_messages([{"role": "user", "content": ["hi", pdf_doc]}], "gpt-4o")
    assert with_text.tokens == base.tokens + count_text("policy text").tokens
    assert with_text.exact
    assert with_pdf.tokens == base.tokens
    assert not with_pdf.exact


def test_gemini_has_no_message_overhead() -> None:
    counter = counter_for_model("gemini-2.5-pro")
    texts = ["Summarise the report.", "The report says costs rose 12% in Q3.", "Why?"]
    messages = [
        {"role": role, "content": text}
        for role, text in zip(("user", "model", "user"), texts, strict=True)
    ]
    expected = sum(counter.count(t) for t in texts)
    assert count_messages(messages, "gemini-2.5-pro").tokens == int(expected + 0.5)


def test_gemini_parts_and_function_calls_follow_googles_rule() -> None:
    # Google's LocalTokenizer counts a function call as its name plus the argument keys and
    # string values; the number 3 is not counted.
    counter = counter_for_model("gemini-2.5-flash")
    contents = [
        {"role": "user", "parts": [{"text": "Weather in Paris?"}]},
        {
            "role": "model",
            "parts": [
                {"functionCall": {"name": "get_weather", "args": {"city": "Paris", "days": 3}}}
            ],
        },
    ]
    pieces = ["Weather in Paris?", "get_weather", "city", "days", "Paris"]
    expected = sum(counter.count(p) for p in pieces)
    result = count_messages(contents, "gemini-2.5-flash")
    assert result.tokens == int(expected + 0.5)
    assert not result.exact


def test_non_mapping_message_is_rejected() -> None:
    with pytest.raises(TypeError, match="mapping"):
        count_messages(["hello"], "gpt-4o")  # type: ignore[list-item]
