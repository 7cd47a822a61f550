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
    # Other vendors' SDKs and frameworks (see CLIENT_CLASSES, CHAT_FRAMEWORKS).
    b"groq",
    b"together",
    b"fireworks",
    b"cerebras",
    b"mistralai",
    b"cohere",
    b"genai",
    b"bedrock",
    b"ollama",
    b"llama_index",
    b"pydantic_ai",
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
    b"chat(",
    b"chat_stream(",
    b"generate(",
    b"generate_content",
    b"converse",
    b"invoke_model",
    b"_async(",
    b"run(",
    b"run_sync(",
    b"run_stream(",
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
    # Other vendors' SDKs: module → (sdk and pricing provider, {class: async}).
    others: dict[str, tuple[str, str, dict[str, bool]]] = {
        "groq": ("groq", "groq", {"Groq": False, "AsyncGroq": True}),
        "together": ("together", "together", {"Together": False, "AsyncTogether": True}),
        "fireworks": ("fireworks", "fireworks", {"Fireworks": False, "AsyncFireworks": True}),
        "fireworks.client": (
            "fireworks",
            "fireworks",
            {"Fireworks": False, "AsyncFireworks": True},
        ),
        "cerebras.cloud.sdk": ("cerebras", "cerebras", {"Cerebras": False, "AsyncCerebras": True}),
        "mistralai": ("mistral", "mistral", {"Mistral": False}),
        "cohere": (
            "cohere",
            "cohere",
            {"Client": False, "ClientV2": False, "AsyncClient": True, "AsyncClientV2": True},
        ),
        "google.genai": ("google_genai", "gemini", {"Client": False}),
        "ollama": ("ollama", "ollama", {"Client": False, "AsyncClient": True}),
    }
    for module, (sdk, provider, classes) in others.items():
        for name, is_async in classes.items():
            table[f"{module}.{name}"] = ClientClass(sdk, name, is_async, provider)
    return table


CLIENT_CLASSES: dict[str, ClientClass] = _clients()

# API methods per SDK, as paths below the client with ``beta``, ``with_raw_response`` and
# ``with_streaming_response`` removed. Anything else below a client (``count_tokens``,
# ``batches``, ``beta.threads.messages``, ``files``, ``models``) is not a generation call.
_OPENAI_SHAPED = frozenset({"chat.completions.create", "completions.create"})
CLIENT_APIS: dict[str, frozenset[str]] = {
    "groq": _OPENAI_SHAPED,
    "together": _OPENAI_SHAPED,
    "fireworks": _OPENAI_SHAPED,
    "cerebras": _OPENAI_SHAPED,
    "mistral": frozenset(
        {"chat.complete", "chat.stream", "chat.complete_async", "chat.stream_async"}
    ),
    "cohere": frozenset({"chat", "chat_stream"}),
    "google_genai": frozenset({"models.generate_content", "models.generate_content_stream"}),
    "ollama": frozenset({"chat", "generate"}),
    "bedrock_runtime": frozenset(
        {"converse", "converse_stream", "invoke_model", "invoke_model_with_response_stream"}
    ),
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
    "aio": "aio",  # google.genai: client.aio.models… is the async twin
    "with_raw_response": "raw_response",
    "with_streaming_response": "streaming_response",
}

# boto3's Bedrock runtime client: ``boto3.client("bedrock-runtime")`` (or a session's).
BEDROCK_RUNTIME = ClientClass("bedrock_runtime", "bedrock-runtime", False, "bedrock")
BOTO3_CLIENT_FACTORIES = frozenset(
    {"boto3.client", "boto3.Session.client", "boto3.session.Session.client"}
)
# Module-level functions backed by a default client: qualified name → (client class, method).
MODULE_FUNCTIONS: dict[str, tuple[ClientClass, str]] = {
    "ollama.chat": (CLIENT_CLASSES["ollama.Client"], "chat"),
    "ollama.generate": (CLIENT_CLASSES["ollama.Client"], "generate"),
}
# ``OpenAI(base_url=…)`` pointed at another vendor: host fragment → pricing provider.
BASE_URL_PROVIDERS: dict[str, str] = {
    "api.deepseek.com": "deepseek",
    "openrouter.ai": "openrouter",
    "api.groq.com": "groq",
    "api.together.xyz": "together",
    "api.fireworks.ai": "fireworks",
    "api.cerebras.ai": "cerebras",
    "api.mistral.ai": "mistral",
    "api.x.ai": "xai",
    "generativelanguage.googleapis.com": "gemini",
    ":11434": "ollama",
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

# LlamaIndex LLM classes → pricing provider; their calls → (async, streaming).
LLAMA_INDEX_LLMS: dict[str, str] = {
    "llama_index.llms.openai.OpenAI": "openai",
    "llama_index.llms.azure_openai.AzureOpenAI": "azure",
    "llama_index.llms.anthropic.Anthropic": "anthropic",
    "llama_index.llms.gemini.Gemini": "gemini",
    "llama_index.llms.google_genai.GoogleGenAI": "gemini",
    "llama_index.llms.mistralai.MistralAI": "mistral",
    "llama_index.llms.groq.Groq": "groq",
    "llama_index.llms.ollama.Ollama": "ollama",
    "llama_index.llms.bedrock_converse.BedrockConverse": "bedrock",
    "llama_index.llms.cohere.Cohere": "cohere",
}
LLAMA_INDEX_CALLS: dict[str, tuple[bool, bool]] = {
    "complete": (False, False),
    "acomplete": (True, False),
    "chat": (False, False),
    "achat": (True, False),
    "stream_complete": (False, True),
    "astream_complete": (True, True),
    "stream_chat": (False, True),
    "astream_chat": (True, True),
}
# pydantic-ai agents built on a literal ``"provider:model"`` string, and their runs.
PYDANTIC_AI_AGENTS = frozenset({"pydantic_ai.Agent", "pydantic_ai.agent.Agent"})
PYDANTIC_AI_CALLS: dict[str, tuple[bool, bool]] = {
    "run": (True, False),
    "run_sync": (False, False),
    "run_stream": (True, True),
}
# pydantic-ai's provider prefixes that price under another name.
PYDANTIC_AI_PROVIDERS = {"google-gla": "gemini", "google-vertex": "vertex_ai"}

# Keyword names that cap the output (``max_tokens_to_sample``: Anthropic text completions).
OUTPUT_CAP_KWARGS = frozenset(
    {"max_tokens", "max_completion_tokens", "max_output_tokens", "max_tokens_to_sample"}
)
TIMEOUT_KWARGS = frozenset({"timeout", "request_timeout", "default_timeout", "timeout_ms"})
RETRY_KWARGS = frozenset({"max_retries", "num_retries"})
