"""The providers' wire formats: response bodies, stream events and error JSON, as the real APIs send
them (Anthropic Messages, OpenAI Chat Completions and Responses, Gemini REST, Ollama)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

Json = dict[str, Any]

DEFAULT_MODELS = (
    "claude-sonnet-4-5",
    "claude-sonnet-4-6",
    "claude-haiku-4-5",
    "claude-opus-4-1",
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "gemini-2.0-flash",
    "gemini-2.5-pro",
    "llama3.1:8b",
)


@dataclass(frozen=True)
class RateLimits:
    """What the rate-limit headers say. ``on_models`` also sends them on the models endpoints
    (real providers send them on generation responses and 429s)."""

    requests_limit: int = 1000
    requests_remaining: int = 999
    tokens_limit: int = 100_000
    tokens_remaining: int = 99_000
    reset_s: float = 60.0
    on_models: bool = False


def sse(event: str | None, data: Any, *, crlf: bool = False) -> bytes:
    """One server-sent event frame (``data`` is JSON-encoded unless it is already a string)."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    end = "\r\n" if crlf else "\n"
    head = f"event: {event}{end}" if event else ""
    return f"{head}data: {payload}{end}{end}".encode()


def split_reply(reply: str, max_tokens: int | None) -> list[str]:
    """The reply as word-sized token chunks, capped at ``max_tokens`` (at least one chunk)."""
    words = reply.split(" ")
    chunks = [w if i == 0 else " " + w for i, w in enumerate(words)] or [""]
    if max_tokens is not None:
        chunks = chunks[: max(1, max_tokens)]
    return chunks


def count_input(body: Any) -> int:
    """A stable stand-in for the input token count: a quarter of the request JSON's length."""
    return max(1, len(json.dumps(body, sort_keys=True)) // 4)


def _rfc3339(seconds_from_now: float) -> str:
    moment = datetime.now(timezone.utc) + timedelta(seconds=seconds_from_now)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(seconds: float) -> str:
    # OpenAI's reset format: "1s", "6m0s", "20ms".
    if seconds < 1:
        return f"{int(seconds * 1000)}ms"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest}s" if minutes else f"{rest}s"


def masked(key: str) -> str:
    """A key as OpenAI's 401 message shows it: first 8 and last 4 characters."""
    return key[:8] + "*" * max(0, len(key) - 12) + key[-4:] if len(key) > 12 else "****"


# --- Anthropic -------------------------------------------------------------------------------


class Anthropic:
    """Anthropic Messages API."""

    name = "anthropic"

    @staticmethod
    def rate_limit_headers(limits: RateLimits) -> dict[str, str]:
        reset = _rfc3339(limits.reset_s)
        return {
            "anthropic-ratelimit-requests-limit": str(limits.requests_limit),
            "anthropic-ratelimit-requests-remaining": str(limits.requests_remaining),
            "anthropic-ratelimit-requests-reset": reset,
            "anthropic-ratelimit-tokens-limit": str(limits.tokens_limit),
            "anthropic-ratelimit-tokens-remaining": str(limits.tokens_remaining),
            "anthropic-ratelimit-tokens-reset": reset,
            "anthropic-ratelimit-input-tokens-limit": str(limits.tokens_limit),
            "anthropic-ratelimit-input-tokens-remaining": str(limits.tokens_remaining),
            "anthropic-ratelimit-input-tokens-reset": reset,
            "anthropic-ratelimit-output-tokens-limit": str(limits.tokens_limit // 5),
            "anthropic-ratelimit-output-tokens-remaining": str(limits.tokens_remaining // 5),
            "anthropic-ratelimit-output-tokens-reset": reset,
        }

    @staticmethod
    def model_object(model_id: str) -> Json:
        return {
            "type": "model",
            "id": model_id,
            "display_name": model_id.replace("-", " ").title(),
            "created_at": "2025-01-01T00:00:00Z",
        }

    @classmethod
    def models_page(cls, models: list[str]) -> Json:
        return {
            "data": [cls.model_object(m) for m in models],
            "has_more": False,
            "first_id": models[0] if models else None,
            "last_id": models[-1] if models else None,
        }

    @staticmethod
    def usage(input_tokens: int, output_tokens: int, extra: Mapping[str, Any]) -> Json:
        usage: Json = {
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "service_tier": "standard",
        }
        usage.update(extra)
        return usage

    @classmethod
    def message(
        cls, msg_id: str, model: str, chunks: list[str], input_tokens: int, stop: str, extra: Json
    ) -> Json:
        return {
            "id": msg_id,
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [{"type": "text", "text": "".join(chunks)}],
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": cls.usage(input_tokens, len(chunks), extra),
        }

    @classmethod
    def stream(
        cls, msg_id: str, model: str, chunks: list[str], input_tokens: int, stop: str, extra: Json
    ) -> list[bytes]:
        start = cls.message(msg_id, model, [], input_tokens, stop, extra)
        start["content"], start["stop_reason"] = [], None
        start["usage"]["output_tokens"] = 1
        events = [
            sse("message_start", {"type": "message_start", "message": start}),
            sse(
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "text", "text": ""},
                },
            ),
            sse("ping", {"type": "ping"}),
        ]
        events += [
            sse(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": chunk},
                },
            )
            for chunk in chunks
        ]
        final_usage = cls.usage(input_tokens, len(chunks), extra)
        events += [
            sse("content_block_stop", {"type": "content_block_stop", "index": 0}),
            sse(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": stop, "stop_sequence": None},
                    "usage": final_usage,
                },
            ),
            sse("message_stop", {"type": "message_stop"}),
        ]
        return events

    @staticmethod
    def invalid_stream_event() -> bytes:
        return sse("content_block_delta", '{"type": "content_block_delta", "index": 0, "delta": {')

    @classmethod
    def output_config_problem(cls, config: Any, unsupported: bool) -> str | None:
        """Why the API would refuse this ``output_config`` (None: it accepts it). Structured
        outputs take ``{"format": {"type": "json_schema", "schema": {...}}}``, and every object
        of the schema must set ``additionalProperties`` to false."""
        if config is None:
            return None
        if not isinstance(config, dict):
            return "output_config: Input should be a valid dictionary"
        form = config.get("format")
        if form is None:
            return None
        if unsupported:
            return "output_config.format: structured outputs are not supported by this model"
        if not isinstance(form, dict) or form.get("type") != "json_schema":
            return "output_config.format.type: Input should be 'json_schema'"
        schema = form.get("schema")
        if not isinstance(schema, dict):
            return "output_config.format.schema: Field required"
        return cls._schema_problem(schema, "output_config.format.schema")

    @classmethod
    def _schema_problem(cls, node: Any, where: str) -> str | None:
        if isinstance(node, list):
            for item in node:
                problem = cls._schema_problem(item, where)
                if problem is not None:
                    return problem
            return None
        if not isinstance(node, dict):
            return None
        if node.get("type") == "object" and node.get("additionalProperties") is not False:
            return (
                f"{where}: For 'object' type, 'additionalProperties' must be explicitly set"
                " to false"
            )
        for value in node.values():
            problem = cls._schema_problem(value, where)
            if problem is not None:
                return problem
        return None

    @staticmethod
    def error(
        kind: str, status: int, model: str | None, key: str | None, rid: str
    ) -> tuple[int, Json]:
        table: dict[str, tuple[int, str, str]] = {
            "auth": (401, "authentication_error", "invalid x-api-key"),
            "permission": (
                403,
                "permission_error",
                "Your API key does not have permission to use the specified resource.",
            ),
            "model_not_found": (404, "not_found_error", f"model: {model}"),
            "context_length": (
                400,
                "invalid_request_error",
                "prompt is too long: 208310 tokens > 200000 maximum",
            ),
            "rate_limited": (
                429,
                "rate_limit_error",
                "This request would exceed the rate limit for your organization of 50 requests"
                " per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.",
            ),
            "quota": (
                400,
                "invalid_request_error",
                "Your credit balance is too low to access the Anthropic API. Please go to Plans &"
                " Billing to upgrade or purchase credits.",
            ),
            "billing": (402, "billing_error", "Your account has a billing issue."),
            "server_error": (500, "api_error", "Internal server error"),
            "unavailable": (503, "api_error", "Service unavailable"),
            "overloaded": (529, "overloaded_error", "Overloaded"),
        }
        by_status = {
            400: "invalid_request_error",
            401: "authentication_error",
            404: "not_found_error",
        }
        code, etype, message = table.get(
            kind, (status, by_status.get(status, "api_error"), f"HTTP {status}")
        )
        if kind == "auth" and key is not None:
            message = f"invalid x-api-key: {key}"
        return code, {
            "type": "error",
            "error": {"type": etype, "message": message},
            "request_id": rid,
        }


# --- OpenAI ----------------------------------------------------------------------------------


class OpenAI:
    """OpenAI Chat Completions, Responses and models (also what OpenAI-compatible servers speak)."""

    name = "openai"

    @staticmethod
    def rate_limit_headers(limits: RateLimits) -> dict[str, str]:
        reset = _duration(limits.reset_s)
        return {
            "x-ratelimit-limit-requests": str(limits.requests_limit),
            "x-ratelimit-remaining-requests": str(limits.requests_remaining),
            "x-ratelimit-reset-requests": reset,
            "x-ratelimit-limit-tokens": str(limits.tokens_limit),
            "x-ratelimit-remaining-tokens": str(limits.tokens_remaining),
            "x-ratelimit-reset-tokens": reset,
        }

    @staticmethod
    def model_object(model_id: str) -> Json:
        return {"id": model_id, "object": "model", "created": 1_700_000_000, "owned_by": "system"}

    @classmethod
    def models_page(cls, models: list[str]) -> Json:
        return {"object": "list", "data": [cls.model_object(m) for m in models]}

    @staticmethod
    def usage(input_tokens: int, output_tokens: int, extra: Mapping[str, Any]) -> Json:
        usage: Json = {
            "prompt_tokens": input_tokens,
            "completion_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }
        usage.update(extra)
        return usage

    @classmethod
    def completion(
        cls, cid: str, model: str, chunks: list[str], input_tokens: int, stop: str, extra: Json
    ) -> Json:
        return {
            "id": cid,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "".join(chunks), "refusal": None},
                    "logprobs": None,
                    "finish_reason": stop,
                }
            ],
            "usage": cls.usage(input_tokens, len(chunks), extra),
            "system_fingerprint": "fp_fake",
            "service_tier": "default",
        }

    @classmethod
    def chat_stream(
        cls,
        cid: str,
        model: str,
        chunks: list[str],
        input_tokens: int,
        stop: str,
        extra: Json,
        include_usage: bool,
    ) -> list[bytes]:
        created = int(time.time())

        def chunk(delta: Json, finish: str | None) -> Json:
            body: Json = {
                "id": cid,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_fake",
                "choices": [
                    {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
                ],
            }
            if include_usage:
                body["usage"] = None
            return body

        events = [sse(None, chunk({"role": "assistant", "content": "", "refusal": None}, None))]
        events += [sse(None, chunk({"content": text}, None)) for text in chunks]
        events.append(sse(None, chunk({}, stop)))
        if include_usage:
            final = chunk({}, None)
            final["choices"] = []
            final["usage"] = cls.usage(input_tokens, len(chunks), extra)
            events.append(sse(None, final))
        events.append(sse(None, "[DONE]"))
        return events

    @staticmethod
    def invalid_stream_event() -> bytes:
        return sse(None, '{"id": "chatcmpl-fake", "choices": [{"delta": {')

    @classmethod
    def response(
        cls, rid: str, model: str, chunks: list[str], input_tokens: int, status: str, extra: Json
    ) -> Json:
        usage: Json = {
            "input_tokens": input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": len(chunks),
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": input_tokens + len(chunks),
        }
        usage.update(extra)
        return {
            "id": rid,
            "object": "response",
            "created_at": int(time.time()),
            "status": status,
            "model": model,
            "output": [
                {
                    "type": "message",
                    "id": "msg_" + rid,
                    "status": "completed",
                    "role": "assistant",
                    "content": [
                        {"type": "output_text", "text": "".join(chunks), "annotations": []}
                    ],
                }
            ],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "incomplete_details": {"reason": "max_output_tokens"}
            if status == "incomplete"
            else None,
            "usage": usage,
        }

    @classmethod
    def responses_stream(
        cls, rid: str, model: str, chunks: list[str], input_tokens: int, status: str, extra: Json
    ) -> list[bytes]:
        done = cls.response(rid, model, chunks, input_tokens, status, extra)
        opening = dict(done, status="in_progress", output=[], usage=None)
        item = done["output"][0]
        seq = iter(range(1_000_000))

        def ev(kind: str, **fields: Any) -> bytes:
            return sse(kind, {"type": kind, "sequence_number": next(seq), **fields})

        events = [
            ev("response.created", response=opening),
            ev("response.in_progress", response=opening),
            ev(
                "response.output_item.added",
                output_index=0,
                item=dict(item, status="in_progress", content=[]),
            ),
            ev(
                "response.content_part.added",
                item_id=item["id"],
                output_index=0,
                content_index=0,
                part={"type": "output_text", "text": "", "annotations": []},
            ),
        ]
        events += [
            ev(
                "response.output_text.delta",
                item_id=item["id"],
                output_index=0,
                content_index=0,
                delta=text,
            )
            for text in chunks
        ]
        events += [
            ev(
                "response.output_text.done",
                item_id=item["id"],
                output_index=0,
                content_index=0,
                text="".join(chunks),
            ),
            ev(
                "response.content_part.done",
                item_id=item["id"],
                output_index=0,
                content_index=0,
                part=item["content"][0],
            ),
            ev("response.output_item.done", output_index=0, item=item),
            ev(
                "response.completed" if status == "completed" else "response.incomplete",
                response=done,
            ),
        ]
        return events

    @staticmethod
    def error(
        kind: str, status: int, model: str | None, key: str | None, rid: str
    ) -> tuple[int, Json]:
        shown = key if key is not None else "sk-proj-****************abcd"
        table: dict[str, tuple[int, str, str | None, str]] = {
            "auth": (
                401,
                "invalid_request_error",
                "invalid_api_key",
                f"Incorrect API key provided: {shown}. You can find your API key at"
                " https://platform.openai.com/account/api-keys.",
            ),
            "permission": (
                403,
                "invalid_request_error",
                None,
                "You are not allowed to sample from this model",
            ),
            "model_not_found": (
                404,
                "invalid_request_error",
                "model_not_found",
                f"The model `{model}` does not exist or you do not have access to it.",
            ),
            "context_length": (
                400,
                "invalid_request_error",
                "context_length_exceeded",
                "This model's maximum context length is 128000 tokens. However, your messages"
                " resulted in 130000 tokens. Please reduce the length of the messages.",
            ),
            "rate_limited": (
                429,
                "requests",
                "rate_limit_exceeded",
                f"Rate limit reached for {model} in organization org-fake on requests per min"
                " (RPM): Limit 500, Used 500, Requested 1. Please try again in 1s.",
            ),
            "quota": (
                429,
                "insufficient_quota",
                "insufficient_quota",
                "You exceeded your current quota, please check your plan and billing details.",
            ),
            "billing": (
                429,
                "insufficient_quota",
                "insufficient_quota",
                "You exceeded your current quota, please check your plan and billing details.",
            ),
            "server_error": (
                500,
                "server_error",
                None,
                "The server had an error while processing your request. Sorry about that!",
            ),
            "unavailable": (
                503,
                "server_error",
                None,
                "The engine is currently overloaded, please try again later.",
            ),
            "overloaded": (
                503,
                "server_error",
                None,
                "The engine is currently overloaded, please try again later.",
            ),
        }
        code, etype, ecode, message = table.get(
            kind,
            (
                status,
                "invalid_request_error" if status < 500 else "server_error",
                None,
                f"HTTP {status}",
            ),
        )
        return code, {"error": {"message": message, "type": etype, "param": None, "code": ecode}}


# --- Gemini ----------------------------------------------------------------------------------


class Gemini:
    """Gemini REST (``generativelanguage.googleapis.com/v1beta``)."""

    name = "gemini"

    @staticmethod
    def model_object(model_id: str) -> Json:
        return {
            "name": f"models/{model_id}",
            "version": "001",
            "displayName": model_id,
            "inputTokenLimit": 1_048_576,
            "outputTokenLimit": 8192,
            "supportedGenerationMethods": ["generateContent", "countTokens"],
        }

    @classmethod
    def models_page(cls, models: list[str]) -> Json:
        return {"models": [cls.model_object(m) for m in models]}

    @staticmethod
    def usage(input_tokens: int, output_tokens: int, extra: Mapping[str, Any]) -> Json:
        usage: Json = {
            "promptTokenCount": input_tokens,
            "candidatesTokenCount": output_tokens,
            "totalTokenCount": input_tokens + output_tokens,
        }
        usage.update(extra)
        return usage

    @classmethod
    def generation(
        cls, model: str, chunks: list[str], input_tokens: int, finish: str | None, extra: Json
    ) -> Json:
        candidate: Json = {
            "content": {"parts": [{"text": "".join(chunks)}], "role": "model"},
            "index": 0,
        }
        if finish:
            candidate["finishReason"] = finish
        return {
            "candidates": [candidate],
            "usageMetadata": cls.usage(input_tokens, len(chunks), extra),
            "modelVersion": model,
        }

    @classmethod
    def stream(
        cls, model: str, chunks: list[str], input_tokens: int, finish: str, extra: Json
    ) -> list[bytes]:
        events = []
        for index, text in enumerate(chunks):
            last = index == len(chunks) - 1
            body = cls.generation(model, [text], input_tokens, finish if last else None, extra)
            body["usageMetadata"] = cls.usage(input_tokens, index + 1, extra)
            events.append(sse(None, body, crlf=True))
        return events

    @staticmethod
    def invalid_stream_event() -> bytes:
        return sse(None, '{"candidates": [{"content": {', crlf=True)

    @staticmethod
    def error(
        kind: str, status: int, model: str | None, key: str | None, rid: str
    ) -> tuple[int, Json]:
        invalid_key = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        ]
        table: dict[str, tuple[int, str, str, list[Json]]] = {
            "auth": (
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key."
                + (f" ({key})" if key is not None else ""),
                invalid_key,
            ),
            "permission": (
                403,
                "PERMISSION_DENIED",
                "Method doesn't allow unregistered callers (callers without established"
                " identity). Please use API Key or other form of API consumer identity to call"
                " this API.",
                [],
            ),
            "model_not_found": (
                404,
                "NOT_FOUND",
                f"models/{model} is not found for API version v1beta, or is not supported for"
                " generateContent. Call ListModels to see the list of available models and their"
                " supported methods.",
                [],
            ),
            "context_length": (
                400,
                "INVALID_ARGUMENT",
                "The input token count (1200000) exceeds the maximum number of tokens allowed"
                " (1048576).",
                [],
            ),
            "rate_limited": (
                429,
                "RESOURCE_EXHAUSTED",
                "Resource has been exhausted (e.g. check quota).",
                [],
            ),
            "quota": (
                429,
                "RESOURCE_EXHAUSTED",
                "You exceeded your current quota, please check your plan and billing details.",
                [],
            ),
            "server_error": (500, "INTERNAL", "An internal error has occurred.", []),
            "unavailable": (
                503,
                "UNAVAILABLE",
                "The model is overloaded. Please try again later.",
                [],
            ),
            "overloaded": (
                503,
                "UNAVAILABLE",
                "The model is overloaded. Please try again later.",
                [],
            ),
        }
        table["billing"] = table["quota"]
        code, estatus, message, details = table.get(
            kind, (status, "INVALID_ARGUMENT" if status < 500 else "INTERNAL", f"HTTP {status}", [])
        )
        body: Json = {"error": {"code": code, "message": message, "status": estatus}}
        if details:
            body["error"]["details"] = details
        return code, body


# --- Ollama and plain health endpoints -------------------------------------------------------


class Ollama:
    """Ollama's native endpoints (its OpenAI-compatible ``/v1`` routes are :class:`OpenAI`)."""

    name = "ollama"
    version = "0.5.7"

    @staticmethod
    def tags(models: list[str]) -> Json:
        return {
            "models": [
                {
                    "name": m,
                    "model": m,
                    "modified_at": "2025-01-01T00:00:00Z",
                    "size": 4_920_753_328,
                    "digest": "sha256:" + "0" * 64,
                    "details": {
                        "format": "gguf",
                        "family": m.split(":")[0],
                        "parameter_size": "8.0B",
                        "quantization_level": "Q4_K_M",
                    },
                }
                for m in models
            ]
        }

    @staticmethod
    def error(
        kind: str, status: int, model: str | None, key: str | None, rid: str
    ) -> tuple[int, Json]:
        if kind == "model_not_found":
            return 404, {"error": f'model "{model}" not found, try pulling it first'}
        codes = {"auth": 401, "permission": 403, "server_error": 500, "unavailable": 503}
        return codes.get(kind, status), {"error": f"{kind.replace('_', ' ')}"}
