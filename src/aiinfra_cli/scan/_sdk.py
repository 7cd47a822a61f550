"""What the scanner knows about the LLM SDKs: client classes, API methods, framework wrappers.

Names are the public spellings users import (``anthropic.AsyncAnthropicBedrock``), not the
private modules they are defined in; the resolver maps imports onto these.
"""

from __future__ import annotations

from dataclasses import dataclass

# Bytes that a file must contain for the scanner to parse it at all. A file without any of them
# cannot construct an SDK client, import one, or call an LLM API by its distinctive method chain.
PREFILTER_TOKENS: tuple[bytes, ...] = (
    b"anthropic",
    b"Anthropic",
    b"openai",
    b"OpenAI",
    b"litellm",
    b"completions.",
    b"messages.create",
    b"messages.stream",
    b"messages.parse",
    b"responses.create",
    b"responses.stream",
    b"responses.parse",
    # The generated runtime: ``complete(...)``, ``acomplete(...)``, an orchestrator's methods.
    b"complete(",
    b"Orchestrator",
    b"get_orchestrator",
)
# And one of these: a call (or reference) of a method the scanner reports, or something a key
# could look like. A file that names an SDK only in imports, types or docs has none of them.
ACTION_TOKENS: tuple[bytes, ...] = (
    b"create(",
    b"stream(",
    b"parse(",
    b"tool_runner(",
    b"invoke(",
    b"completion(",
    b"complete(",
    b"batch(",
    b"predict(",
    b"responses(",
    b"create\n",
    b"create)",
    b"create,",
    b"stream\n",
    b"stream)",
    b"stream,",
    b"sk-",
    b"AIza",
    b"AKIA",
    b"ASIA",
    b"ghp_",
    b"gho_",
    b"ghs_",
    b"hf_",
    b"earer ",
    b'_key="',
    b"_key='",
    b'_KEY = "',
    b"_KEY = '",
)


@dataclass(frozen=True)
class ClientClass:
    """An SDK client class: which SDK, whether its methods are coroutines, the pricing provider."""

    sdk: str
    name: str
    is_async: bool
    provider: str


def _clients() -> dict[str, ClientClass]:
    table: dict[str, ClientClass] = {}
    anthropic = {
        "Anthropic": "anthropic",
        "Client": "anthropic",
        "AnthropicBedrock": "bedrock",
        "AnthropicVertex": "vertex_ai",
        "AnthropicFoundry": "azure_ai",
        "AnthropicAWS": "bedrock",
    }
    for name, provider in anthropic.items():
        table[f"anthropic.{name}"] = ClientClass("anthropic", name, False, provider)
        async_name = "AsyncClient" if name == "Client" else f"Async{name}"
        table[f"anthropic.{async_name}"] = ClientClass("anthropic", async_name, True, provider)
    for name, provider in {"OpenAI": "openai", "Client": "openai", "AzureOpenAI": "azure"}.items():
        table[f"openai.{name}"] = ClientClass("openai", name, False, provider)
        async_name = "AsyncClient" if name == "Client" else f"Async{name}"
        table[f"openai.{async_name}"] = ClientClass("openai", async_name, True, provider)
    # The classes are also importable from the modules that define them.
    for name in ("AnthropicBedrock", "AsyncAnthropicBedrock"):
        table[f"anthropic.lib.bedrock.{name}"] = table[f"anthropic.{name}"]
    for name in ("AnthropicVertex", "AsyncAnthropicVertex"):
        table[f"anthropic.lib.vertex.{name}"] = table[f"anthropic.{name}"]
    for name in ("AzureOpenAI", "AsyncAzureOpenAI"):
        table[f"openai.lib.azure.{name}"] = table[f"openai.{name}"]
    return table


CLIENT_CLASSES: dict[str, ClientClass] = _clients()

# API methods per SDK, as paths below the client with ``beta``, ``with_raw_response`` and
# ``with_streaming_response`` removed. Anything else below a client (``count_tokens``,
# ``batches``, ``beta.threads.messages``, ``files``, ``models``) is not a generation call.
CLIENT_APIS: dict[str, frozenset[str]] = {
    "anthropic": frozenset(
        {
            "messages.create",
            "messages.stream",
            "messages.parse",
            "messages.tool_runner",
            "completions.create",
        }
    ),
    "openai": frozenset(
        {
            "chat.completions.create",
            "chat.completions.parse",
            "chat.completions.stream",
            "responses.create",
            "responses.parse",
            "responses.stream",
            "completions.create",
        }
    ),
}

# Resource attributes that may sit between a client and the API path; they become flags.
PATH_FLAGS: dict[str, str] = {
    "beta": "beta",
    "with_raw_response": "raw_response",
    "with_streaming_response": "streaming_response",
}

# Methods on a client that return a client of the same kind (with the given options).
CLIENT_COPIES = frozenset({"with_options", "copy"})

# Legacy module-level OpenAI (< 1.0) and its async twins: ``openai.ChatCompletion.create``.
LEGACY_OPENAI: dict[str, str] = {
    "ChatCompletion.create": "openai.ChatCompletion.create",
    "ChatCompletion.acreate": "openai.ChatCompletion.acreate",
    "Completion.create": "openai.Completion.create",
    "Completion.acreate": "openai.Completion.acreate",
}

# LiteLLM functions (module ``litellm``) that make a generation call.
LITELLM_FUNCTIONS: dict[str, bool] = {
    "completion": False,
    "acompletion": True,
    "text_completion": False,
    "atext_completion": True,
    "responses": False,
    "aresponses": True,
}
LITELLM_ROUTER = "litellm.Router"

# LangChain chat-model classes → (pricing provider, module the class is spelled from).
LANGCHAIN_CHAT_MODELS: dict[str, str] = {
    "langchain_anthropic.ChatAnthropic": "anthropic",
    "langchain_anthropic.chat_models.ChatAnthropic": "anthropic",
    "langchain_openai.ChatOpenAI": "openai",
    "langchain_openai.AzureChatOpenAI": "azure",
    "langchain_openai.chat_models.ChatOpenAI": "openai",
    "langchain_openai.chat_models.AzureChatOpenAI": "azure",
    "langchain_community.chat_models.ChatOpenAI": "openai",
    "langchain_community.chat_models.ChatAnthropic": "anthropic",
    "langchain_community.chat_models.AzureChatOpenAI": "azure",
    "langchain.chat_models.ChatOpenAI": "openai",
    "langchain.chat_models.ChatAnthropic": "anthropic",
    "langchain_aws.ChatBedrock": "bedrock",
    "langchain_aws.ChatBedrockConverse": "bedrock",
    "langchain_google_vertexai.ChatVertexAI": "vertex_ai",
}
# Runnable methods that send the request.
LANGCHAIN_CALLS: dict[str, tuple[bool, bool]] = {  # name → (async, streaming)
    "invoke": (False, False),
    "ainvoke": (True, False),
    "stream": (False, True),
    "astream": (True, True),
    "batch": (False, False),
    "abatch": (True, False),
    "predict": (False, False),
    "apredict": (True, False),
}
# Runnable methods that return a runnable still backed by the same chat model.
LANGCHAIN_DERIVED = frozenset(
    {
        "bind",
        "bind_tools",
        "with_structured_output",
        "with_retry",
        "with_config",
        "with_fallbacks",
        "with_types",
        "with_listeners",
        "configurable_fields",
        "configurable_alternatives",
    }
)

# Keyword names that cap the output (``max_tokens_to_sample``: Anthropic text completions).
OUTPUT_CAP_KWARGS = frozenset(
    {"max_tokens", "max_completion_tokens", "max_output_tokens", "max_tokens_to_sample"}
)
TIMEOUT_KWARGS = frozenset({"timeout", "request_timeout", "default_timeout"})
RETRY_KWARGS = frozenset({"max_retries", "num_retries"})
