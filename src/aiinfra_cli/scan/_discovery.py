"""Find the LLM API calls of one module: resolve each candidate call's receiver, name its API.

A call is reported when its receiver resolves to an SDK client resource and the path below the
client is a generation API (:data:`._sdk.CLIENT_APIS`), or when it calls LiteLLM, a LangChain
chat model, or the legacy module-level OpenAI API. A receiver the resolver cannot see at all
(a parameter without annotation, ``request.app.state.llm``) is reported only when the call has
the unmistakable shape of one (``.chat.completions.create(model=…, messages=…)``), marked
``resolution: "inferred"``. Everything else (mocks, ``count_tokens``, batches, thread messages,
``db["x"].create(…)``, references that are not calls) is not a call site.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from aiinfra_cli.scan._index import Candidate, ModuleIndex, Scope
from aiinfra_cli.scan._resolve import Resolver, call_kwargs, settings_cap, tracked_match
from aiinfra_cli.scan._runtime import (
    DEFAULT_ROUTE,
    FUNCTIONS,
    METHODS,
    RouteFacts,
    is_orchestrator,
    is_runtime_function,
)
from aiinfra_cli.scan._runtime import SDK as RUNTIME_SDK
from aiinfra_cli.scan._sdk import (
    CLIENT_APIS,
    LANGCHAIN_CALLS,
    LEGACY_OPENAI,
    LITELLM_FUNCTIONS,
    LLAMA_INDEX_CALLS,
    MODULE_FUNCTIONS,
    OUTPUT_CAP_KWARGS,
    PATH_FLAGS,
    PYDANTIC_AI_AGENTS,
    PYDANTIC_AI_CALLS,
    TIMEOUT_KWARGS,
    ClientClass,
)
from aiinfra_cli.scan._values import ChatModel, Client, Instance, Other, Ref, Resource, Value

_OPENAI_MODULE_CLIENT = ClientClass("openai", "openai", False, "openai")
_ROUTER_METHODS = {"completion": False, "acompletion": True, "text_completion": False}
# Shapes accepted for a receiver that cannot be resolved: path → (sdk, required keywords).
_INFERRED: dict[tuple[str, ...], tuple[str, frozenset[str]]] = {
    ("chat", "completions", "create"): ("openai", frozenset({"model", "messages"})),
    ("chat", "completions", "parse"): ("openai", frozenset({"model", "messages"})),
    ("chat", "completions", "stream"): ("openai", frozenset({"model", "messages"})),
    ("responses", "create"): ("openai", frozenset({"model", "input"})),
    ("responses", "parse"): ("openai", frozenset({"model", "input"})),
    ("responses", "stream"): ("openai", frozenset({"model", "input"})),
    ("messages", "create"): ("anthropic", frozenset({"model", "messages"})),
    ("messages", "stream"): ("anthropic", frozenset({"model", "messages"})),
    ("messages", "parse"): ("anthropic", frozenset({"model", "messages"})),
}


@dataclass
class Detected:
    """A call site as the rules see it: the ``ast`` call plus everything resolved about it."""

    call: ast.Call
    scope: Scope
    ancestors: tuple[ast.AST, ...]
    api: str
    sdk: str
    path: str
    is_async: bool
    provider: str | None
    client: Client | None = None
    chat: ChatModel | None = None
    flags: frozenset[str] = frozenset()
    resolution: str = "resolved"
    client_name: str | None = None
    named: dict[str, ast.expr] = field(default_factory=dict)
    star: list[ast.expr] = field(default_factory=list)
    star_keys: set[str] | None = field(default_factory=set)
    model: str | None = None
    model_node: ast.expr | None = None
    instrumented: bool = False
    module_timeout: bool = False
    route: str | None = None
    route_facts: RouteFacts | None = None

    @property
    def keys_unknown(self) -> bool:
        """Whether ``**kwargs`` may hold keywords the scanner cannot see."""
        return self.star_keys is None

    def has_kwarg(self, names: frozenset[str] | set[str]) -> bool | None:
        """True if one of ``names`` is passed, None if unknowable (``**kwargs``), else False."""
        if names & self.named.keys() or (self.star_keys and names & self.star_keys):
            return True
        return None if self.keys_unknown else False


def discover(
    index: ModuleIndex, resolver: Resolver, routes: tuple[RouteFacts, ...] = ()
) -> list[Detected]:
    """Every LLM call site of the module, in source order (``routes``: the config's, to
    resolve calls through the generated runtime)."""
    found: list[Detected] = []
    for candidate in index.candidates:
        detected = _classify_attribute_call(candidate, resolver)
        if detected is not None:
            found.append(detected)
    for candidate in index.name_calls:
        detected = _classify_name_call(candidate, resolver)
        if detected is not None:
            found.append(detected)
    by_name = {route.name: route for route in routes}
    for item in found:
        _fill(item, resolver)
        if item.sdk == RUNTIME_SDK:
            _fill_route(item, resolver, by_name)
    found.sort(key=lambda d: (d.call.lineno, d.call.col_offset))
    return found


def _awaited(candidate: Candidate) -> bool:
    parents = candidate.ancestors
    if parents and isinstance(parents[-1], ast.Await):
        return True
    for parent in reversed(parents[-3:]):
        if isinstance(parent, (ast.AsyncWith, ast.AsyncFor)):
            return True
    return False


def _classify_attribute_call(candidate: Candidate, resolver: Resolver) -> Detected | None:
    call = candidate.call
    func = call.func
    assert isinstance(func, ast.Attribute)
    receiver = resolver.value_of(func.value, candidate.scope)
    return _classify_receiver(candidate, receiver, func.attr, resolver)


def _classify_receiver(
    candidate: Candidate, receiver: Value, method: str, resolver: Resolver
) -> Detected | None:
    call = candidate.call
    if isinstance(receiver, Resource):
        return _client_call(candidate, receiver, method)
    if isinstance(receiver, Client):  # a method right on the client: ``co.chat(...)``
        return _client_call(candidate, Resource(receiver, ()), method)
    if isinstance(receiver, ChatModel) and not receiver.qual.startswith("langchain"):
        return _framework_call(candidate, receiver, method)
    if isinstance(receiver, ChatModel):
        if method in LANGCHAIN_CALLS:
            is_async, _streams = LANGCHAIN_CALLS[method]
            return Detected(
                call,
                candidate.scope,
                candidate.ancestors,
                api=f"{_langchain_name(receiver.qual)}.{method}",
                sdk="langchain",
                path=method,
                is_async=is_async,
                provider=receiver.provider or None,
                chat=receiver,
                client_name=receiver.qual.rsplit(".", 1)[-1],
            )
        return None
    if isinstance(receiver, Instance) and is_orchestrator(receiver.qual, resolver.tracked):
        if method not in METHODS:
            return None
        is_async, _streams = METHODS[method]
        return _runtime_call(candidate, f"Orchestrator.{method}", is_async)
    if isinstance(receiver, Instance) and receiver.qual == "litellm.Router":
        if method in _ROUTER_METHODS:
            return Detected(
                call,
                candidate.scope,
                candidate.ancestors,
                api=f"litellm.Router.{method}",
                sdk="litellm",
                path=f"Router.{method}",
                is_async=_ROUTER_METHODS[method],
                provider=None,
                client_name="Router",
            )
        return None
    if isinstance(receiver, Ref):
        found = _ref_call(candidate, f"{receiver.qual}.{method}", resolver.tracked)
        if found is not None:
            return found
        target = resolver.deref(receiver)
        if target is not receiver and target is not None and not isinstance(target, Ref):
            return _classify_receiver(candidate, target, method, resolver)
        # An attribute of something known only by name (request.app.state.llm): judge by shape.
        return _inferred_call(candidate, resolver)
    if receiver is None or (isinstance(receiver, Instance) and receiver.local is None):
        return _inferred_call(candidate, resolver)
    return None


def _framework_call(candidate: Candidate, receiver: ChatModel, method: str) -> Detected | None:
    """A LlamaIndex LLM's ``complete`` / ``chat`` / ``stream_*``, a pydantic-ai agent's run."""
    if receiver.qual in PYDANTIC_AI_AGENTS:
        sdk, calls, api = "pydantic_ai", PYDANTIC_AI_CALLS, f"pydantic_ai.Agent.{method}"
    else:
        name = receiver.qual.rsplit(".", 1)[-1]
        sdk, calls, api = "llama_index", LLAMA_INDEX_CALLS, f"llama_index.{name}.{method}"
    if method not in calls:
        return None
    is_async, _streams = calls[method]
    return Detected(
        candidate.call,
        candidate.scope,
        candidate.ancestors,
        api=api,
        sdk=sdk,
        path=method,
        is_async=is_async,
        provider=receiver.provider or None,
        chat=receiver,
        client_name=receiver.qual.rsplit(".", 1)[-1],
    )


def _langchain_name(qual: str) -> str:
    """``langchain_anthropic.chat_models.ChatAnthropic`` → ``langchain_anthropic.ChatAnthropic``."""
    parts = qual.split(".")
    return f"{parts[0]}.{parts[-1]}" if len(parts) > 1 else qual


def _client_call(candidate: Candidate, receiver: Resource, method: str) -> Detected | None:
    client = receiver.client
    path = ".".join((*receiver.path, method))
    if path not in CLIENT_APIS.get(client.cls.sdk, frozenset()):
        return None
    return Detected(
        candidate.call,
        candidate.scope,
        candidate.ancestors,
        api=f"{client.cls.sdk}.{path}",
        sdk=client.cls.sdk,
        path=path,
        is_async=client.cls.is_async or "aio" in receiver.flags or method.endswith("_async"),
        provider=client.cls.provider,
        client=client,
        flags=receiver.flags,
        client_name=client.cls.name,
    )


def _strip_flags(parts: list[str]) -> tuple[list[str], frozenset[str]]:
    flags = frozenset(PATH_FLAGS[p] for p in parts if p in PATH_FLAGS)
    return [p for p in parts if p not in PATH_FLAGS], flags


def _runtime_call(candidate: Candidate, path: str, is_async: bool) -> Detected:
    return Detected(
        candidate.call,
        candidate.scope,
        candidate.ancestors,
        api=f"{RUNTIME_SDK}.{path}",
        sdk=RUNTIME_SDK,
        path=path,
        is_async=is_async,
        provider=None,
        instrumented=True,
    )


def _ref_call(candidate: Candidate, qual: str, tracked: tuple[str, ...] = ()) -> Detected | None:
    call = candidate.call
    if qual in MODULE_FUNCTIONS:
        cls, method = MODULE_FUNCTIONS[qual]
        return _client_call(candidate, Resource(Client(cls, False, False), ()), method)
    if is_runtime_function(qual, tracked):
        name = qual.rsplit(".", 1)[-1]
        return _runtime_call(candidate, name, FUNCTIONS[name])
    if qual.startswith("litellm."):
        name = qual.removeprefix("litellm.")
        if name in LITELLM_FUNCTIONS:
            return Detected(
                call,
                candidate.scope,
                candidate.ancestors,
                api=f"litellm.{name}",
                sdk="litellm",
                path=name,
                is_async=LITELLM_FUNCTIONS[name],
                provider=None,
            )
        if name.startswith("Router.") and name.removeprefix("Router.") in _ROUTER_METHODS:
            method = name.removeprefix("Router.")
            return Detected(
                call,
                candidate.scope,
                candidate.ancestors,
                api=f"litellm.Router.{method}",
                sdk="litellm",
                path=name,
                is_async=_ROUTER_METHODS[method],
                provider=None,
            )
        return None
    if qual.startswith("openai."):
        rest = qual.removeprefix("openai.")
        if rest in LEGACY_OPENAI:
            return Detected(
                call,
                candidate.scope,
                candidate.ancestors,
                api=LEGACY_OPENAI[rest],
                sdk="openai",
                path=rest,
                is_async=rest.endswith("acreate"),
                provider="openai",
                client=Client(_OPENAI_MODULE_CLIENT, False, False),
                client_name="openai (module, < 1.0)",
            )
        parts, flags = _strip_flags(rest.split("."))
        path = ".".join(parts)
        if path in CLIENT_APIS["openai"]:
            return Detected(
                call,
                candidate.scope,
                candidate.ancestors,
                api=f"openai.{path}",
                sdk="openai",
                path=path,
                is_async=False,
                provider="openai",
                client=Client(_OPENAI_MODULE_CLIENT, False, False),
                flags=flags,
                client_name="openai (module client)",
            )
    return None


def _inferred_call(candidate: Candidate, resolver: Resolver) -> Detected | None:
    call = candidate.call
    parts: list[str] = []
    node: ast.expr = call.func
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    parts.reverse()
    stripped, flags = _strip_flags(parts)
    for size in (3, 2):
        tail = tuple(stripped[-size:])
        shape = _INFERRED.get(tail)
        if shape is None:
            continue
        # The part before the API path is the client; if the resolver knows it is something
        # else (a mock, a dict, a resource of another API) this is a look-alike.
        receiver_parts = stripped[:-size]
        if receiver_parts and receiver_parts[-1] in ("threads", "batches", "beta"):
            return None
        if _receiver_known_other(call.func, size, resolver, candidate.scope):
            return None
        sdk, required = shape
        named, _star = call_kwargs(call)
        if not required <= named.keys():
            return None
        path = ".".join(tail)
        return Detected(
            call,
            candidate.scope,
            candidate.ancestors,
            api=f"{sdk}.{path}",
            sdk=sdk,
            path=path,
            is_async=_awaited(candidate),
            provider=None,
            flags=flags,
            resolution="inferred",
        )
    return None


def _receiver_known_other(func: ast.expr, size: int, resolver: Resolver, scope: Scope) -> bool:
    node = func
    steps = 0
    while isinstance(node, ast.Attribute):
        if node.attr not in PATH_FLAGS:
            steps += 1
        node = node.value
        if steps >= size:
            break
    while isinstance(node, ast.Attribute) and node.attr in PATH_FLAGS:
        node = node.value
    # Walk from the receiver down to its root: any part known to be a mock or plain data
    # means the whole chain is.
    probe: ast.expr = node
    while True:
        value: Value = resolver.value_of(probe, scope)
        if isinstance(value, Other):
            return True
        if isinstance(probe, (ast.Attribute, ast.Subscript)):
            probe = probe.value
        else:
            return False


_NAME_CALLABLE = frozenset(
    {*LITELLM_FUNCTIONS, *FUNCTIONS, "create", "acreate", "stream", "parse", "chat", "generate"}
)


def _classify_name_call(candidate: Candidate, resolver: Resolver) -> Detected | None:
    func = candidate.call.func
    assert isinstance(func, ast.Name)
    bindings = resolver.lookup(func.id, candidate.scope)
    # Most name calls are local functions, classes and builtins: skip them unresolved.
    if not any(
        b.kind == "value"
        or (
            b.kind == "import"
            and (b.qual.startswith("litellm") or b.qual.rsplit(".", 1)[-1] in _NAME_CALLABLE)
        )
        for b in bindings
    ):
        return None
    named = resolver.name_value(func.id, candidate.scope)
    if isinstance(named, Ref) and is_runtime_function(named.qual, resolver.tracked):
        return _ref_call(candidate, named.qual, resolver.tracked)
    value = resolver.deref(named)
    if isinstance(value, Ref):
        return _ref_call(candidate, value.qual, resolver.tracked)
    if isinstance(value, Resource):
        # ``create = client.messages.create`` … ``create(...)``: still a call of the API.
        if not value.path:
            return None
        return _client_call(
            candidate, Resource(value.client, value.path[:-1], value.flags), value.path[-1]
        )
    return None


def _fill(item: Detected, resolver: Resolver) -> None:
    """Keyword facts, model and async-ness that every rule needs."""
    call = item.call
    item.named, item.star = call_kwargs(call)
    keys: set[str] = set()
    known = True
    for expr in item.star:
        found = _dict_keys(expr, item.scope, resolver)
        if found is None:
            known = False
            break
        keys |= found
    item.star_keys = keys if known else None
    model_expr = item.named.get("model") or item.named.get("engine") or item.named.get("modelId")
    if model_expr is None and item.sdk in ("litellm", "ollama") and call.args:
        model_expr = call.args[0]
    if model_expr is not None:
        item.model_node = model_expr
        item.model = resolver.const_str(model_expr, item.scope)
    elif item.chat is not None:
        item.model = item.chat.model
        item.model_node = None
    if not item.is_async and _awaited_call(item):
        item.is_async = True
    module_level = item.sdk == "litellm" or (
        item.client is not None and item.client.cls is _OPENAI_MODULE_CLIENT
    )
    if module_level:
        item.module_timeout = _module_timeout(item, resolver)


def _fill_route(item: Detected, resolver: Resolver, routes: dict[str, RouteFacts]) -> None:
    """A runtime call's route (a literal, or ``default`` when none is passed) and its first
    model: the call is priced as that model."""
    expr = item.named.get("route") or (item.call.args[0] if item.call.args else None)
    if expr is None:
        # ``prompt=`` may name the route; without it the runtime uses the default route.
        unknown = "prompt" in item.named or item.keys_unknown
        item.route = None if unknown else DEFAULT_ROUTE
    else:
        item.route = resolver.const_str(expr, item.scope)
    facts = routes.get(item.route or "")
    item.route_facts = facts
    item.model = None if facts is None else facts.model
    item.provider = None if facts is None else facts.provider
    item.model_node = None


def _module_timeout(item: Detected, resolver: Resolver) -> bool:
    """``litellm.request_timeout = 30`` / ``openai.timeout = 30`` set in the module."""
    root = "litellm" if item.sdk == "litellm" else "openai"
    for dotted_name in resolver.index.assigned_attrs:
        head, _, attr = dotted_name.rpartition(".")
        if attr not in ("request_timeout", "timeout") or "." in head or not head:
            continue
        value = resolver.name_value(head, resolver.index.module_scope)
        if isinstance(value, Ref) and value.qual == root:
            return True
    return False


def _awaited_call(item: Detected) -> bool:
    parents = item.ancestors
    return (
        bool(parents)
        and isinstance(parents[-1], (ast.Await, ast.withitem))
        and any(isinstance(p, (ast.AsyncWith, ast.Await)) for p in parents[-2:])
    )


def _dict_keys(expr: ast.expr, scope: Scope, resolver: Resolver) -> set[str] | None:
    """The keys a ``**expr`` surely passes: a dict literal (or a name bound once to one)."""
    node: ast.expr | None = expr
    if isinstance(expr, ast.Name):
        bindings = resolver.lookup(expr.id, scope)
        if len(bindings) != 1 or bindings[0].kind != "value":
            return None
        bound = bindings[0].node
        node = bound if isinstance(bound, ast.expr) else None
        if node is not None and _mutated(expr.id, bindings[0].scope or scope):
            return None
    if isinstance(node, ast.Dict):
        keys: set[str] = set()
        for key in node.keys:
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return None
            keys.add(key.value)
        return keys
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        if node.args or any(k.arg is None for k in node.keywords):
            return None
        return {k.arg for k in node.keywords if k.arg}
    return None


def _mutated(name: str, scope: Scope) -> bool:
    for node in ast.walk(scope.node):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Subscript)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == name
                ):
                    return True
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
            and node.func.attr in ("update", "setdefault", "__setitem__")
        ):
            return True
    return False


def has_timeout(item: Detected) -> bool | None:
    """A timeout on the call, its client or its chat model (None: unknowable)."""
    if item.sdk == RUNTIME_SDK:
        return True  # the runtime always sets a deadline
    on_call = item.has_kwarg(TIMEOUT_KWARGS)
    if on_call or item.module_timeout:
        return True
    if item.chat is not None:
        return True if item.chat.timeout else (None if on_call is None else item.chat.timeout)
    if item.client is not None:
        if item.client.timeout:
            return True
        if item.client.timeout is None or on_call is None:
            return None
        return False
    return None if item.resolution == "inferred" or on_call is None else False


def has_max_tokens(item: Detected) -> bool | None:
    """An output cap on the call (or the chat model); None when unknowable."""
    if item.sdk == RUNTIME_SDK:
        return True  # the runtime always caps the output
    if item.sdk in SDK_CAPS:
        return SDK_CAPS[item.sdk](item)
    on_call = item.has_kwarg(OUTPUT_CAP_KWARGS)
    if on_call:
        return True
    if item.chat is not None:
        if item.chat.max_tokens:
            return True
        return None if (item.chat.max_tokens is None or on_call is None) else False
    return on_call


def _in_option(item: Detected, option: str, keys: frozenset[str]) -> bool | None:
    """Whether the dict-like ``option=`` of the call holds one of ``keys`` (absent: False)."""
    expr = item.named.get(option)
    if expr is None:
        return None if item.keys_unknown else False
    if isinstance(expr, ast.Call) and not expr.args:  # types.GenerateContentConfig(...)
        names = {k.arg for k in expr.keywords}
        return True if keys & names else (None if None in names else False)
    if isinstance(expr, ast.Dict):
        if None in expr.keys:
            return None
        return bool(keys & {k.value for k in expr.keys if isinstance(k, ast.Constant)})
    return None


_BODY_CAPS = frozenset(
    {
        "max_tokens",
        "max_gen_len",
        "maxTokenCount",
        "max_new_tokens",
        "maxTokens",
        "max_tokens_to_sample",
    }
)


def _bedrock_cap(item: Detected) -> bool | None:
    if item.path.startswith("converse"):
        return _in_option(item, "inferenceConfig", frozenset({"maxTokens"}))
    body = item.named.get("body")
    # ``body=json.dumps({...})``: look for a cap anywhere in the literal request.
    if isinstance(body, ast.Call) and body.args and isinstance(body.args[0], ast.Dict):
        found = {
            k.value
            for node in ast.walk(body.args[0])
            if isinstance(node, ast.Dict)
            for k in node.keys
            if isinstance(k, ast.Constant)
        }
        return bool(_BODY_CAPS & found)
    return None


def _chat_model_cap(item: Detected) -> bool | None:
    on_call = item.has_kwarg(OUTPUT_CAP_KWARGS)
    if on_call or (item.chat is not None and item.chat.max_tokens):
        return True
    if settings_cap(item.named.get("model_settings")):
        return True
    if item.chat is not None and item.chat.max_tokens is False and on_call is False:
        return False
    return None


SDK_CAPS: dict[str, Callable[[Detected], bool | None]] = {
    "google_genai": lambda item: _in_option(item, "config", frozenset({"max_output_tokens"})),
    "bedrock_runtime": _bedrock_cap,
    "ollama": lambda item: _in_option(item, "options", frozenset({"num_predict"})),
    "pydantic_ai": _chat_model_cap,
    "llama_index": _chat_model_cap,
}


def is_instrumented(item: Detected, resolver: Resolver, *, in_tracker_package: bool) -> bool:
    """Whether the call goes through the cost tracker / orchestrator (see docs/rules/AIC012)."""
    if in_tracker_package or item.sdk == RUNTIME_SDK:
        return True
    if (item.client is not None and item.client.tracked) or (
        item.chat is not None and item.chat.tracked
    ):
        return True
    names = resolver.tracked
    if not names:
        return False
    scope = item.scope
    for parent in reversed(item.ancestors):
        callees: list[ast.expr] = []
        if isinstance(parent, ast.Call) and parent is not item.call:
            callees.append(parent.func)
        elif isinstance(parent, (ast.With, ast.AsyncWith)):
            for with_item in parent.items:
                expr = with_item.context_expr
                callees.append(expr.func if isinstance(expr, ast.Call) else expr)
        elif isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef)):
            callees.extend(d.func if isinstance(d, ast.Call) else d for d in parent.decorator_list)
        for callee in callees:
            qual = resolver.qual_of(callee, scope)
            if qual and tracked_match(qual, names):
                return True
    return False
