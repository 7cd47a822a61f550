"""Message-level counts: the content of every message plus each provider's formatting overhead.

Content may be a string or a list of content blocks in OpenAI, Anthropic or Gemini shape. The
rules below, and where each number comes from, are listed in ``docs/tokens.md``:

* text blocks are counted as text;
* images cost a fixed number of tokens: what each provider's published formula gives for a
  1024x1024 image (OpenAI ``detail="low"``: 85), since a block carries no reliable size;
* tool calls count their name plus their arguments as compact JSON (Gemini: the keys and string
  values only, as Google's own local token counter does); tool results count their content;
* earlier-turn thinking blocks count nothing (Anthropic strips them from the prompt);
* anything else without text (PDFs, audio, file references) is skipped.

Any part costed by such a rule rather than by the tokenizer makes the result inexact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from aiinfra_cli.tokens._counter import TextCounter
from aiinfra_cli.tokens._estimate import CLAUDE_4_7 as _CLAUDE_4_7_CAL
from aiinfra_cli.tokens._models import CLAUDE, GEMINI, OPENAI_CL100K, OPENAI_O200K


@dataclass(frozen=True)
class MessageRules:
    """One provider's message formatting, in tokens."""

    per_message: int  # every message, beyond its content
    count_role: bool  # the role string is tokenized too (OpenAI chat format)
    per_name: int  # extra when a message carries a "name" (only where names exist)
    reply_priming: int  # the tokens that open the reply
    no_priming_after_assistant: bool  # a final assistant message is a prefill: nothing added
    per_request: int  # once per request
    system_as_message: bool  # ``system=`` becomes a leading {"role": "system"} message
    image: int  # one image, 1024x1024 reference size
    image_low_detail: int  # OpenAI ``detail: "low"``
    tool_args_as_leaves: bool  # count argument keys and string values, not the JSON


# OpenAI chat format, from OpenAI's cookbook "How to count tokens with tiktoken": every message
# is <|start|>{role/name}\n{content}<|end|>\n (3 tokens + role + content), a name adds 1, every
# reply is primed with <|start|>assistant<|message|> (3). The cookbook checks this against the
# API's prompt_tokens for gpt-3.5-turbo, gpt-4, gpt-4o and gpt-4o-mini. Images: 85 tokens at
# detail "low"; at "high"/"auto" 85 + 170 per 512-px tile, 765 for 1024x1024 (gpt-4o rule).
OPENAI_RULES = MessageRules(
    per_message=3,
    count_role=True,
    per_name=1,
    reply_priming=3,
    no_priming_after_assistant=False,
    per_request=0,
    system_as_message=True,
    image=765,
    image_low_detail=85,
    tool_args_as_leaves=False,
)

# Claude: Anthropic publishes no per-message figure. Assumed: the turn format "\n\nHuman:" /
# "\n\nAssistant:" (3 tokens per message, 1 per request, 3 to prime the reply unless the last
# message is an assistant prefill), which reproduces published probes of the API's input token
# usage on Claude Opus 4.6; the 4.7 tokenizer splits that format into 6 tokens per message.
# Images: Anthropic's formula width*height/750, 1398 for 1024x1024.
CLAUDE_RULES = MessageRules(
    per_message=3,
    count_role=False,
    per_name=0,
    reply_priming=3,
    no_priming_after_assistant=True,
    per_request=1,
    system_as_message=False,
    image=1398,
    image_low_detail=1398,
    tool_args_as_leaves=False,
)
CLAUDE_4_7_RULES = replace(CLAUDE_RULES, per_message=6, reply_priming=6)

# Gemini: Google's own offline counter (google-genai LocalTokenizer) sums the tokens of the
# texts only, with no per-message or per-request overhead, and counts function calls and
# responses as name + keys + string values. Images: 258 tokens per 768x768 tile (Gemini 2.x),
# 4 tiles for 1024x1024.
GEMINI_RULES = MessageRules(
    per_message=0,
    count_role=False,
    per_name=0,
    reply_priming=0,
    no_priming_after_assistant=False,
    per_request=0,
    system_as_message=False,
    image=1032,
    image_low_detail=1032,
    tool_args_as_leaves=True,
)

# Unknown models: most serve an OpenAI-compatible chat API, so assume its format.
GENERIC_RULES = OPENAI_RULES


def rules_for(counter: TextCounter) -> MessageRules:
    """The formatting rules matching ``counter``'s model family."""
    if counter.family in (OPENAI_O200K, OPENAI_CL100K):
        return OPENAI_RULES
    if counter.family == CLAUDE:
        return CLAUDE_4_7_RULES if counter.calibration is _CLAUDE_4_7_CAL else CLAUDE_RULES
    if counter.family == GEMINI:
        return GEMINI_RULES
    return GENERIC_RULES


_TEXT_BLOCKS = frozenset({"text", "input_text", "output_text"})
_IMAGE_BLOCKS = frozenset({"image", "image_url", "input_image"})
_SKIPPED_FREE = frozenset({"thinking", "redacted_thinking"})


def _json_leaves(value: Any) -> list[str]:
    """Keys and string values of a JSON-like value, depth first (Google's counting rule)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        out = [str(k) for k in value]
        for v in value.values():
            out.extend(_json_leaves(v))
        return out
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return [leaf for item in value for leaf in _json_leaves(item)]
    return []


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


class _Tally:
    """Walks messages and adds up their tokens."""

    def __init__(self, counter: TextCounter, rules: MessageRules) -> None:
        self.counter = counter
        self.rules = rules
        self.tokens = 0.0
        self.by_rule = False  # some part was costed by a rule, not by the tokenizer

    def text(self, text: str | None) -> None:
        if text:
            self.tokens += self.counter.count(text)

    def image(self, detail: object) -> None:
        low = detail == "low"
        self.tokens += self.rules.image_low_detail if low else self.rules.image
        self.by_rule = True

    def tool_call(self, name: object, args: object) -> None:
        self.text(_str(name))
        if isinstance(args, str):
            self.text(args)  # OpenAI sends arguments as a JSON string already
        elif args is not None:
            if self.rules.tool_args_as_leaves:
                for leaf in _json_leaves(args):
                    self.text(leaf)
            else:
                import json

                self.text(json.dumps(args, ensure_ascii=False, separators=(",", ":")))
        self.by_rule = True  # no provider publishes its tool-call wrapping

    def content(self, content: object) -> None:
        if content is None:
            return
        if isinstance(content, str):
            self.text(content)
        elif isinstance(content, Mapping):
            self.block(content)
        elif isinstance(content, Sequence) and not isinstance(content, (bytes, bytearray)):
            for item in content:
                self.content(item)
        else:
            self.by_rule = True  # an object we cannot read: skipped

    def block(self, block: Mapping[str, Any]) -> None:
        kind = block.get("type")
        if kind in _TEXT_BLOCKS or (kind is None and isinstance(block.get("text"), str)):
            self.text(_str(block.get("text")))
        elif kind in _IMAGE_BLOCKS:
            image_url = block.get("image_url")
            nested = image_url.get("detail") if isinstance(image_url, Mapping) else None
            self.image(block.get("detail", nested))
        elif kind == "tool_use":  # Anthropic
            self.tool_call(block.get("name"), block.get("input"))
        elif kind == "function_call":  # OpenAI Responses API item
            self.tool_call(block.get("name"), block.get("arguments"))
        elif kind == "tool_result":  # Anthropic
            self.content(block.get("content"))
        elif kind == "function_call_output":  # OpenAI Responses API item
            self.content(block.get("output"))
        elif kind in _SKIPPED_FREE:
            pass
        elif kind == "document":
            self.document(block)
        elif kind is None and self.gemini_part(block):
            pass
        elif isinstance(block.get("text"), str):
            self.text(block["text"])
        else:
            self.by_rule = True  # audio, files, unknown blocks: skipped

    def document(self, block: Mapping[str, Any]) -> None:
        self.text(_str(block.get("title")))
        self.text(_str(block.get("context")))
        source = block.get("source")
        if isinstance(source, Mapping) and source.get("type") == "text":
            self.text(_str(source.get("data")))
        elif isinstance(source, Mapping) and source.get("type") == "content":
            self.content(source.get("content"))
        else:
            self.by_rule = True  # PDFs and URLs: skipped

    def gemini_part(self, part: Mapping[str, Any]) -> bool:
        """Handle a Gemini ``Part``; False if ``part`` is not one."""
        call = part.get("functionCall", part.get("function_call"))
        response = part.get("functionResponse", part.get("function_response"))
        media = part.get("inlineData", part.get("inline_data")) or part.get(
            "fileData", part.get("file_data")
        )
        if isinstance(call, Mapping):
            self.tool_call(call.get("name"), call.get("args"))
        elif isinstance(response, Mapping):
            self.tool_call(response.get("name"), response.get("response"))
        elif isinstance(media, Mapping):
            mime = _str(media.get("mimeType", media.get("mime_type"))) or ""
            if mime.startswith("image/"):
                self.image(None)
            else:
                self.by_rule = True  # audio, video, PDF: skipped
        else:
            return False
        return True

    def message(self, message: Mapping[str, Any]) -> None:
        rules = self.rules
        self.tokens += rules.per_message
        if rules.count_role:
            self.text(_str(message.get("role")))
        name = _str(message.get("name"))
        if rules.per_name and name:
            self.text(name)
            self.tokens += rules.per_name
        self.content(message["content"] if "content" in message else message.get("parts"))
        for call in message.get("tool_calls") or ():  # OpenAI chat completions
            function = call.get("function") if isinstance(call, Mapping) else None
            if isinstance(function, Mapping):
                self.tool_call(function.get("name"), function.get("arguments"))
        legacy = message.get("function_call")
        if isinstance(legacy, Mapping):
            self.tool_call(legacy.get("name"), legacy.get("arguments"))


def tally_messages(
    messages: Sequence[Mapping[str, Any]], counter: TextCounter, system: str | None
) -> tuple[float, bool]:
    """Total tokens of a request's messages, and whether any part was costed by a rule."""
    rules = rules_for(counter)
    tally = _Tally(counter, rules)
    tally.tokens += rules.per_request
    if system:
        if rules.system_as_message:
            tally.message({"role": "system", "content": system})
        else:
            tally.text(system)
    for message in messages:
        if not isinstance(message, Mapping):
            raise TypeError(f"a message must be a mapping, got {type(message).__name__}")
        tally.message(message)
    last_role = messages[-1].get("role") if messages else None
    if not (rules.no_priming_after_assistant and last_role in ("assistant", "model")):
        tally.tokens += rules.reply_priming
    return tally.tokens, tally.by_rule
