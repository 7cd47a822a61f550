"""Resolve names, attributes, calls and annotations of one module to :mod:`._values`.

Flow-insensitive on purpose (fast, and good enough for how clients are made in practice): a name
means whatever its assignments in the nearest scope that binds it can mean, the most
informative one winning. Imports from the scanned project are followed through
:class:`ProjectIndex`; SDK imports become qualified names matched against :mod:`._sdk`.
"""

from __future__ import annotations

import ast
import hashlib
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from aiinfra_cli.scan._index import Binding, ClassInfo, ModuleIndex, Scope
from aiinfra_cli.scan._sdk import (
    BASE_URL_PROVIDERS,
    BEDROCK_RUNTIME,
    BOTO3_CLIENT_FACTORIES,
    CLIENT_CLASSES,
    CLIENT_COPIES,
    LANGCHAIN_CHAT_MODELS,
    LANGCHAIN_DERIVED,
    LITELLM_ROUTER,
    LLAMA_INDEX_LLMS,
    OUTPUT_CAP_KWARGS,
    PATH_FLAGS,
    PYDANTIC_AI_AGENTS,
    PYDANTIC_AI_PROVIDERS,
    RETRY_KWARGS,
    TIMEOUT_KWARGS,
    ClientClass,
)
from aiinfra_cli.scan._values import (
    OTHER,
    ChatModel,
    Client,
    Func,
    Instance,
    Other,
    Ref,
    Resource,
    Value,
    best,
    rank,
)

MAX_DEPTH = 24
_MOCKISH = re.compile(r"(?i)(^|_)(mock|fake|stub|dummy|spy)|mock")
_WRAPPERISH = re.compile(r"^(wrap|instrument|patch|trace|observe|track|with_)", re.IGNORECASE)
_MOCK_FACTORIES = frozenset(
    {
        "MagicMock",
        "Mock",
        "AsyncMock",
        "NonCallableMock",
        "NonCallableMagicMock",
        "create_autospec",
        "patch",
        "patch.object",
        "patch.dict",
        "PropertyMock",
        "mocker.patch",
        "mocker.MagicMock",
        "mocker.Mock",
        "mocker.AsyncMock",
    }
)
_BUILTIN_VALUES = frozenset(
    {
        "dict",
        "list",
        "tuple",
        "set",
        "frozenset",
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "len",
        "print",
        "sorted",
        "object",
        "range",
        "enumerate",
        "zip",
        "map",
        "filter",
        "repr",
        "format",
        "getattr",
        "isinstance",
        "open",
        "super",
        "type",
    }
)
_NOT_PROJECT = frozenset(
    {
        "anthropic",
        "openai",
        "litellm",
        "langchain",
        "langchain_core",
        "langchain_anthropic",
        "langchain_openai",
        "langchain_community",
        "langchain_aws",
        "langchain_google_vertexai",
        "google",
        "pydantic",
        "fastapi",
        "starlette",
        "httpx",
        "requests",
        "typing",
        "typing_extensions",
        "unittest",
        "pytest",
        "numpy",
        "pandas",
        "django",
        "flask",
        *getattr(sys, "stdlib_module_names", ()),
    }
)


# Annotations that promise nothing: the function body says more.
_SAYS_NOTHING = frozenset({"typing.Any", "typing_extensions.Any", "builtins.object"})


def is_mockish(name: str) -> bool:
    """Names of test doubles (``mock_client``, ``fake_llm``): never an SDK client."""
    return bool(_MOCKISH.search(name))


def _is_mock_qual(qual: str) -> bool:
    tail = qual.rsplit(".", 1)[-1]
    short = ".".join(qual.split(".")[-2:])
    return (
        tail in _MOCK_FACTORIES
        or short in _MOCK_FACTORIES
        or qual.startswith(("unittest.mock.", "pytest_mock."))
    )


def tracked_match(qual: str, names: tuple[str, ...]) -> bool:
    """Whether ``qual`` names (a part of) one of the tracked wrappers ``names``.

    A tracked name matches as a run of whole dotted segments anywhere in ``qual``, so the
    default ``ai.cost_tracker`` matches ``ai.cost_tracker.track`` and
    ``myapp.ai.cost_tracker.CostTracker.track`` but not ``myapp.ai.cost_tracker_v2``.
    """
    padded = f".{qual}."
    return any(f".{name}." in padded for name in names if name)


def call_kwargs(call: ast.Call) -> tuple[dict[str, ast.expr], list[ast.expr]]:
    """Keyword arguments by name, and the ``**`` expressions (whose keys are not visible)."""
    named: dict[str, ast.expr] = {}
    star: list[ast.expr] = []
    for keyword in call.keywords:
        if keyword.arg is None:
            star.append(keyword.value)
        else:
            named[keyword.arg] = keyword.value
    return named, star


class Resolver:
    """Answers "what is this expression" for one module (see the module docstring)."""

    def __init__(
        self,
        index: ModuleIndex,
        *,
        project: ProjectIndex | None = None,
        tracked: tuple[str, ...] = (),
    ) -> None:
        self.index = index
        self.project = project
        self.tracked = tracked
        self._class_by_qual = {info.qual: info for info in index.classes.values()}
        self._active: set[int] = set()
        self._memo: dict[int, Value] = {}

    # -- names ------------------------------------------------------------------------------

    def lookup(self, name: str, scope: Scope) -> list[Binding]:
        """The bindings of ``name`` in the nearest enclosing scope that binds it."""
        current: Scope | None = scope
        first = True
        while current is not None:
            if (first or current.kind != "class") and name in current.bindings:
                return current.bindings[name]
            first = False
            current = current.parent
        return []

    def name_value(self, name: str, scope: Scope, depth: int = 0) -> Value:
        """What the name means at a use in ``scope``."""
        bindings = self.lookup(name, scope)
        if not bindings:
            if is_mockish(name):
                return Other("mock")
            if name in _BUILTIN_VALUES:
                return Ref(f"builtins.{name}")
            return None
        values = [self.binding_value(b, name, depth + 1) for b in bindings[-8:]]
        return best(values)

    def binding_value(self, binding: Binding, name: str, depth: int) -> Value:
        """What one binding makes the name mean."""
        if depth > MAX_DEPTH:
            return None
        kind = binding.kind
        scope = binding.scope or self.index.module_scope
        if kind == "value" and isinstance(binding.node, ast.expr):
            return self.value_of(binding.node, scope, depth)
        if kind == "annotation":
            typed = (
                self.type_of(binding.node, scope, depth)
                if isinstance(binding.node, ast.expr)
                else None
            )
            if binding.value is not None:
                assigned = self.value_of(binding.value, scope, depth)
                return best([typed, assigned]) if rank(assigned) >= rank(typed) else typed
            return typed
        if kind == "import":
            return Ref(binding.qual)
        if kind == "param":
            if is_mockish(name):
                return Other("mock")
            arg = binding.node
            if isinstance(arg, ast.arg) and arg.annotation is not None:
                typed = self.type_of(arg.annotation, scope, depth)
                if rank(typed) >= 3 or isinstance(typed, Other):
                    return typed
            if binding.value is not None:
                outer = scope.parent or scope
                default = self.value_of(binding.value, outer, depth)
                if rank(default) >= 3:
                    return default
            return Other("mock") if is_mockish(name) else None
        if kind == "self" and binding.cls is not None:
            return Instance(binding.cls.qual, binding.cls, self.index)
        if kind == "with" and isinstance(binding.node, ast.expr):
            entered = self.value_of(binding.node, scope, depth)
            if isinstance(entered, (Client, ChatModel, Other)):
                return entered
            if isinstance(entered, Resource):
                return Other("stream")
            return None
        if kind == "def" and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            owner = scope.cls if scope.kind == "class" else None
            prefix = owner.qual if owner else self.index.module
            return Func(f"{prefix}.{binding.node.name}", binding.node, self.index, owner)
        if kind == "class" and binding.cls is not None:
            return Ref(binding.cls.qual)
        return Other("mock") if is_mockish(name) else None

    def ref(self, qual: str, depth: int = 0) -> Value:
        """A qualified name (followed into the project only on demand: :meth:`deref`)."""
        return Ref(qual)

    def deref(self, value: Value, depth: int = 0) -> Value:
        """What a name imported from the scanned project really is (the value itself otherwise).

        Only called where an unresolved name would be a dead end (a call's receiver or callee),
        so a scan parses other project modules only when an import actually matters."""
        if not isinstance(value, Ref) or self.project is None:
            return value
        if value.qual.split(".")[0] in _NOT_PROJECT or value.qual in self._class_by_qual:
            return value
        found = self.project.lookup(value.qual, depth + 1)
        return value if found is None else found

    # -- expressions ------------------------------------------------------------------------

    def value_of(self, expr: ast.expr, scope: Scope, depth: int = 0) -> Value:
        """What ``expr`` evaluates to (None: unknown)."""
        if depth > MAX_DEPTH:
            return None
        key = id(expr)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return None
        self._active.add(key)
        try:
            value = self._value_of(expr, scope, depth)
        finally:
            self._active.discard(key)
        self._memo[key] = value
        return value

    def _value_of(self, expr: ast.expr, scope: Scope, depth: int) -> Value:
        if isinstance(expr, ast.Name):
            return self.name_value(expr.id, scope, depth)
        if isinstance(expr, ast.Attribute):
            base = self.value_of(expr.value, scope, depth + 1)
            return self.attr_value(base, expr.attr, depth + 1)
        if isinstance(expr, ast.Call):
            return self.call_value(expr, scope, depth + 1)
        if isinstance(expr, ast.Await):
            return self.value_of(expr.value, scope, depth + 1)
        if isinstance(expr, ast.IfExp):
            return best(
                [
                    self.value_of(expr.body, scope, depth + 1),
                    self.value_of(expr.orelse, scope, depth + 1),
                ]
            )
        if isinstance(expr, ast.BoolOp):
            return best([self.value_of(v, scope, depth + 1) for v in expr.values])
        if isinstance(expr, ast.NamedExpr):
            return self.value_of(expr.value, scope, depth + 1)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
            # LangChain pipes: ``prompt | llm | parser`` is still backed by the chat model.
            sides = [
                self.value_of(expr.left, scope, depth + 1),
                self.value_of(expr.right, scope, depth + 1),
            ]
            chat = [v for v in sides if isinstance(v, ChatModel)]
            return chat[0] if chat else None
        if isinstance(
            expr,
            (
                ast.Constant,
                ast.Dict,
                ast.List,
                ast.Tuple,
                ast.Set,
                ast.JoinedStr,
                ast.ListComp,
                ast.DictComp,
                ast.SetComp,
                ast.Compare,
                ast.Lambda,
            ),
        ):
            return OTHER
        if isinstance(expr, ast.Subscript):
            return self._item_of(expr.value, scope, depth + 1)
        return None

    def _item_of(self, container: ast.expr, scope: Scope, depth: int) -> Value:
        """``container[key]``: a mock's item is a mock; a literal's item is one of its values."""
        base = self.value_of(container, scope, depth)
        if isinstance(base, Other) and base.why == "mock":
            return base
        literal: ast.expr | None = container
        if isinstance(container, ast.Name):
            bindings = [b for b in self.lookup(container.id, scope) if b.kind == "value"]
            literal = (
                bindings[-1].node if bindings and isinstance(bindings[-1].node, ast.expr) else None
            )
            scope = (bindings[-1].scope or scope) if bindings else scope
        if isinstance(literal, ast.Dict):
            return best([self.value_of(v, scope, depth + 1) for v in literal.values][:16])
        if isinstance(literal, (ast.List, ast.Tuple)):
            return best([self.value_of(v, scope, depth + 1) for v in literal.elts][:16])
        return None

    def attr_value(self, base: Value, attr: str, depth: int = 0) -> Value:
        """``base.attr``."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(base, Client):
            flag = PATH_FLAGS.get(attr)
            if flag:
                return Resource(base, (), frozenset({flag}))
            return Resource(base, (attr,))
        if isinstance(base, Resource):
            flag = PATH_FLAGS.get(attr)
            if flag:
                return Resource(base.client, base.path, base.flags | {flag})
            return Resource(base.client, (*base.path, attr), base.flags)
        if isinstance(base, Ref):
            if base.qual in self._class_by_qual:
                return self._class_attr(self._class_by_qual[base.qual], attr, depth, self)
            return self.ref(f"{base.qual}.{attr}", depth)
        if isinstance(base, Instance):
            if base.local is not None:
                resolver = self
                if base.index is not None and base.index is not self.index and self.project:
                    resolver = self.project.resolver_for(base.index) or self
                found = resolver._class_attr(base.local, attr, depth, resolver)
                if found is not None:
                    return found
            return Ref(f"{base.qual}.{attr}")
        if isinstance(base, Other):
            return base if base.why == "mock" else OTHER
        return None

    def _class_attr(
        self, info: ClassInfo, attr: str, depth: int, resolver: Resolver, seen: int = 0
    ) -> Value:
        if seen > 8:
            return None
        bindings = info.attrs.get(attr)
        if bindings:
            return best([resolver.binding_value(b, attr, depth + 1) for b in bindings[-8:]])
        method = info.methods.get(attr)
        if method is not None:
            func = Func(f"{info.qual}.{attr}", method, resolver.index, info)
            if any(
                _decorator_id(d) in ("property", "cached_property") for d in method.decorator_list
            ):
                return resolver.returns_of(func, depth + 1)
            return func
        for base_expr in info.node.bases:
            base = resolver.value_of(base_expr, info.scope.parent or info.scope, depth + 1)
            if isinstance(base, Ref) and base.qual in resolver._class_by_qual:
                found = resolver._class_attr(
                    resolver._class_by_qual[base.qual], attr, depth + 1, resolver, seen + 1
                )
                if found is not None:
                    return found
        return None

    def call_value(self, call: ast.Call, scope: Scope, depth: int = 0) -> Value:
        """What ``call`` returns."""
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr in CLIENT_COPIES:
                base = self.value_of(func.value, scope, depth + 1)
                if isinstance(base, Client):
                    return self._with_options(base, call)
            if func.attr in LANGCHAIN_DERIVED:
                base = self.value_of(func.value, scope, depth + 1)
                if isinstance(base, ChatModel):
                    return self._bind(base, call) if func.attr == "bind" else base
        callee = self.value_of(func, scope, depth + 1)
        return self.call_result(callee, call, scope, depth + 1)

    def call_result(self, callee: Value, call: ast.Call | None, scope: Scope, depth: int) -> Value:
        """What calling ``callee`` (with ``call``'s arguments, when given) returns."""
        if isinstance(callee, Ref):
            result = self._call_ref(callee.qual, call, scope, depth)
            if result is None or (isinstance(result, Instance) and result.local is None):
                # A name imported from the project (``from app import make_client``, or a class
                # re-exported by a package's __init__): call what it really is.
                target = self.deref(callee, depth + 1)
                if isinstance(target, Ref) and target.qual != callee.qual:
                    return self._call_ref(target.qual, call, scope, depth + 1)
                if target is not callee and target is not None and not isinstance(target, Ref):
                    return self.call_result(target, call, scope, depth + 1)
            return result
        if isinstance(callee, Func):
            resolver = self
            if callee.index is not self.index and self.project is not None:
                resolver = self.project.resolver_for(callee.index) or self
            return resolver.returns_of(callee, depth + 1)
        if isinstance(callee, Other):
            return callee if callee.why == "mock" else OTHER
        if isinstance(callee, (Resource, ChatModel)):
            return OTHER
        return None

    def _call_ref(self, qual: str, call: ast.Call | None, scope: Scope, depth: int) -> Value:
        if qual in CLIENT_CLASSES:
            return self._client(CLIENT_CLASSES[qual], call, scope)
        if qual in BOTO3_CLIENT_FACTORIES:
            return self._boto3_client(call, scope)
        if qual in LLAMA_INDEX_LLMS:
            return self._chat_model(qual, LLAMA_INDEX_LLMS[qual], call, scope)
        if qual in PYDANTIC_AI_AGENTS:
            return self._agent(qual, call, scope)
        if qual in LANGCHAIN_CHAT_MODELS:
            return self._chat_model(qual, LANGCHAIN_CHAT_MODELS[qual], call, scope)
        if qual in (
            "langchain.chat_models.init_chat_model",
            "langchain.chat_models.base.init_chat_model",
        ):
            return self._chat_model(qual, "", call, scope)
        if qual == LITELLM_ROUTER:
            return Instance(LITELLM_ROUTER)
        if qual in self._class_by_qual:
            return Instance(qual, self._class_by_qual[qual], self.index)
        tail = qual.rsplit(".", 1)[-1]
        if _is_mock_qual(qual):
            return Other("mock")
        if qual.startswith("builtins."):
            return OTHER
        owner, _, _ = qual.rpartition(".")
        if tail.startswith("from_") and owner.rsplit(".", 1)[-1][:1].isupper():
            # An alternate constructor: ``CostTracker.from_settings(...)``, ``X.from_config()``.
            return Instance(owner)
        if tail == "get_orchestrator" and tracked_match(f"{owner}.Orchestrator", self.tracked):
            # The generated runtime's process-wide orchestrator (``ai.get_orchestrator()``).
            return Instance(f"{owner}.Orchestrator")
        if call is not None:
            if tail == "Depends" and call.args:
                dependency = self.value_of(call.args[0], scope, depth + 1)
                return self.call_result(dependency, None, scope, depth + 1)
            wrapped = self._wrapped(qual, call, scope, depth)
            if wrapped is not None:
                return wrapped
        if tail[:1].isupper():
            return Instance(qual)
        return None

    def _wrapped(self, qual: str, call: ast.Call, scope: Scope, depth: int) -> Value:
        """``wrap(client)``: the same client, tracked when the wrapper is a tracked one."""
        tracked = tracked_match(qual, self.tracked)
        if not (tracked or _WRAPPERISH.match(qual.rsplit(".", 1)[-1])):
            return None
        for arg in call.args[:1]:
            inner = self.value_of(arg, scope, depth + 1)
            if isinstance(inner, Client):
                return Client(inner.cls, inner.timeout, inner.retries, inner.tracked or tracked)
            if isinstance(inner, ChatModel):
                return _replace_chat(inner, tracked=inner.tracked or tracked)
        return None

    def _client(
        self, cls: ClientClass, call: ast.Call | None, scope: Scope | None = None
    ) -> Client:
        if call is None:
            return Client(cls, None, None, node=None)
        named, star = call_kwargs(call)
        base_url = self.const_str(named.get("base_url"), scope) if scope is not None else None
        if base_url:
            # ``OpenAI(base_url="https://api.deepseek.com")``: the OpenAI SDK, another vendor.
            host = next((p for h, p in BASE_URL_PROVIDERS.items() if h in base_url), None)
            if host is not None:
                cls = replace(cls, provider=host)
        unknown = bool(star) or "http_client" in named
        timeout: bool | None = (
            True if TIMEOUT_KWARGS & named.keys() else (None if unknown else False)
        )
        retries: bool | None = True if RETRY_KWARGS & named.keys() else (None if star else False)
        return Client(cls, timeout, retries, node=call)

    def _boto3_client(self, call: ast.Call | None, scope: Scope) -> Value:
        """``boto3.client("bedrock-runtime", config=…)``; any other service is not an LLM."""
        if call is None:
            return None
        named, _star = call_kwargs(call)
        service_expr = named.get("service_name") or (call.args[0] if call.args else None)
        service = self.const_str(service_expr, scope)
        if service != "bedrock-runtime":
            return None if service is None else OTHER
        # botocore always has a read timeout (60 s); ``config=`` may set its own.
        return Client(BEDROCK_RUNTIME, True if "config" in named else None, None, node=call)

    def _agent(self, qual: str, call: ast.Call | None, scope: Scope) -> Value:
        """A pydantic-ai ``Agent("provider:model", model_settings={…})``; an agent whose model
        is not a literal string is not reported."""
        if call is None:
            return None
        named, star = call_kwargs(call)
        model_expr = named.get("model") or (call.args[0] if call.args else None)
        model = self.const_str(model_expr, scope)
        if model is None:
            return OTHER
        provider, _, name = model.rpartition(":")
        settings = named.get("model_settings")
        capped = settings_cap(settings)
        return ChatModel(
            qual,
            PYDANTIC_AI_PROVIDERS.get(provider, provider),
            model=name,
            model_literal=True,
            max_tokens=capped if capped is not None else (None if star else False),
            timeout=None,
            streaming=False,
            node=call,
        )

    def _with_options(self, base: Client, call: ast.Call) -> Client:
        named, star = call_kwargs(call)
        timeout = base.timeout
        if TIMEOUT_KWARGS & named.keys():
            timeout = True
        elif star and not timeout:
            timeout = None
        retries = True if RETRY_KWARGS & named.keys() else base.retries
        return Client(base.cls, timeout, retries, base.tracked, node=base.node)

    def _chat_model(
        self, qual: str, provider: str, call: ast.Call | None, scope: Scope
    ) -> ChatModel:
        if call is None:
            return ChatModel(qual, provider)
        named, star = call_kwargs(call)
        model_expr = named.get("model") or named.get("model_name")
        if model_expr is None and call.args:
            model_expr = call.args[0]
        model = self.const_str(model_expr, scope) if model_expr is not None else None
        if not provider and model and ":" in model:
            # init_chat_model("anthropic:claude-…"): the provider, then the model id.
            provider, model = model.split(":", 1)
        if not provider:
            named_provider = self.const_str(named.get("model_provider"), scope)
            provider = named_provider or ""
        caps = OUTPUT_CAP_KWARGS & named.keys()
        cap_value = self.const_int(named[sorted(caps)[0]], scope) if caps else None
        stream_expr = named.get("streaming")
        streaming: bool | None = False
        if stream_expr is not None:
            streaming = _const_bool(stream_expr)
        return ChatModel(
            qual,
            provider,
            model=model,
            model_literal=model is not None,
            max_tokens=True if caps else (None if star else False),
            max_tokens_value=cap_value,
            timeout=True if TIMEOUT_KWARGS & named.keys() else (None if star else False),
            streaming=streaming,
            node=call,
        )

    def _bind(self, base: ChatModel, call: ast.Call) -> ChatModel:
        named, _star = call_kwargs(call)
        if OUTPUT_CAP_KWARGS & named.keys():
            return _replace_chat(base, max_tokens=True)
        return base

    # -- functions and annotations ---------------------------------------------------------

    def returns_of(self, func: Func, depth: int = 0) -> Value:
        """What calling a function defined in this module returns (its annotation or returns)."""
        if depth > MAX_DEPTH or id(func.node) in self._active:
            return None
        self._active.add(id(func.node))
        try:
            inner = self.index.scopes.get(func.node)
            if inner is None:
                return None
            if func.node.returns is not None:
                typed = self.type_of(func.node.returns, inner, depth + 1)
                if rank(typed) >= 3:
                    return typed
            values = [self.value_of(expr, inner, depth + 1) for expr in _returned(func.node)]
            return best(values)
        finally:
            self._active.discard(id(func.node))

    def type_of(self, annotation: ast.expr, scope: Scope, depth: int = 0) -> Value:
        """The value an annotation promises (a client whose options are unknowable)."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                parsed = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
            return self.type_of(parsed, scope, depth + 1)
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return best(
                [
                    self.type_of(annotation.left, scope, depth + 1),
                    self.type_of(annotation.right, scope, depth + 1),
                ]
            )
        if isinstance(annotation, ast.Subscript):
            head = annotation.value
            head_name = head.attr if isinstance(head, ast.Attribute) else getattr(head, "id", "")
            if head_name in ("Optional", "Union", "Annotated", "ClassVar", "Final"):
                inner = annotation.slice
                elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
                if head_name == "Annotated":
                    elts = elts[:1]
                return best([self.type_of(e, scope, depth + 1) for e in elts])
            return None
        if isinstance(annotation, (ast.Name, ast.Attribute)):
            named = self.value_of(annotation, scope, depth + 1)
            if isinstance(named, Ref):
                qual = named.qual
                if qual in _SAYS_NOTHING:
                    return None
                if _is_mock_qual(qual):
                    return Other("mock")
                if qual in CLIENT_CLASSES:
                    return Client(CLIENT_CLASSES[qual], None, None)
                if qual in LANGCHAIN_CHAT_MODELS:
                    return ChatModel(qual, LANGCHAIN_CHAT_MODELS[qual])
                if qual in LLAMA_INDEX_LLMS:
                    return ChatModel(qual, LLAMA_INDEX_LLMS[qual])
                if qual in self._class_by_qual:
                    return Instance(qual, self._class_by_qual[qual], self.index)
                return Instance(qual)
            return None
        return None

    # -- constants --------------------------------------------------------------------------

    def const_str(self, expr: ast.expr | None, scope: Scope, depth: int = 0) -> str | None:
        """The string ``expr`` always has (a literal or a name bound once to one), else None."""
        if expr is None or depth > 8:
            return None
        if isinstance(expr, ast.Constant):
            return expr.value if isinstance(expr.value, str) else None
        if isinstance(expr, ast.Name):
            bindings = self.lookup(expr.id, scope)
            values = [b for b in bindings if b.kind in ("value", "annotation")]
            if len(values) != len(bindings) or not values:
                return None
            found = {
                self.const_str(
                    b.node if b.kind == "value" else b.value,  # type: ignore[arg-type]
                    b.scope or scope,
                    depth + 1,
                )
                for b in values
            }
            return found.pop() if len(found) == 1 else None
        if isinstance(expr, ast.JoinedStr):
            parts: list[str] = []
            for value in expr.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                elif isinstance(value, ast.FormattedValue) and value.format_spec is None:
                    inner = self.const_str(value.value, scope, depth + 1)
                    if inner is None:
                        return None
                    parts.append(inner)
                else:
                    return None
            return "".join(parts)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self.const_str(expr.left, scope, depth + 1)
            right = self.const_str(expr.right, scope, depth + 1)
            return left + right if left is not None and right is not None else None
        return None

    def const_int(self, expr: ast.expr | None, scope: Scope, depth: int = 0) -> int | None:
        """The integer ``expr`` always has, else None."""
        if expr is None or depth > 8:
            return None
        if isinstance(expr, ast.Constant):
            value = expr.value
            return value if isinstance(value, int) and not isinstance(value, bool) else None
        if isinstance(expr, ast.Name):
            bindings = self.lookup(expr.id, scope)
            if len(bindings) == 1 and bindings[0].kind in ("value", "annotation"):
                b = bindings[0]
                node = b.node if b.kind == "value" else b.value
                return self.const_int(
                    node if isinstance(node, ast.expr) else None, b.scope or scope, depth + 1
                )
            return None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Mult, ast.Add)):
            left = self.const_int(expr.left, scope, depth + 1)
            right = self.const_int(expr.right, scope, depth + 1)
            if left is None or right is None:
                return None
            return left * right if isinstance(expr.op, ast.Mult) else left + right
        return None

    def qual_of(self, expr: ast.expr, scope: Scope) -> str | None:
        """A qualified name for a callable expression (for matching tracked wrappers)."""
        value = self.value_of(expr, scope)
        if isinstance(value, (Ref, Func, Instance)):
            return value.qual
        return None


def settings_cap(expr: ast.expr | None) -> bool | None:
    """Whether a settings dict literal (``model_settings={"max_tokens": 500}``) caps the output:
    None when absent or not a literal."""
    if isinstance(expr, ast.Dict):
        keys = {k.value for k in expr.keys if isinstance(k, ast.Constant)}
        if None in expr.keys:
            return None
        return bool(OUTPUT_CAP_KWARGS & keys)
    if isinstance(expr, ast.Call) and not expr.args:
        # ``ModelSettings(max_tokens=500)`` / ``dict(max_tokens=500)``
        names = {k.arg for k in expr.keywords}
        return True if OUTPUT_CAP_KWARGS & names else (None if None in names else False)
    return None


def _replace_chat(base: ChatModel, **changes: object) -> ChatModel:
    from dataclasses import replace

    return replace(base, **changes)  # type: ignore[arg-type]


def _const_bool(expr: ast.expr) -> bool | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, bool):
        return expr.value
    return None


def _decorator_id(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _returned(func: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.expr]:
    """The expressions a function returns or yields (not those of nested functions)."""
    stack: list[ast.AST] = list(func.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)) and node.value is not None:
            yield node.value
        stack.extend(ast.iter_child_nodes(node))


class ProjectIndex:
    """The scanned project's other modules, parsed on demand when an import points into them.

    ``used`` collects the files (relative path → content hash) that answered a lookup, so a
    cached result can be invalidated when one of them changes.
    """

    def __init__(
        self,
        root: Path,
        *,
        tracked: tuple[str, ...] = (),
        module_name: Callable[[str], tuple[str, bool]],
    ) -> None:
        self.root = root
        self.tracked = tracked
        self._module_name = module_name
        self._bases = [root, *([root / "src"] if (root / "src").is_dir() else [])]
        self._modules: dict[str, Resolver | None] = {}
        self._by_index: dict[int, Resolver] = {}
        self._loading: set[str] = set()
        self.used: dict[str, str] = {}
        self._hashes: dict[str, str] = {}

    def _find(self, module: str) -> Path | None:
        rel = Path(*module.split("."))
        for base in self._bases:
            for candidate in (base / rel.with_suffix(".py"), base / rel / "__init__.py"):
                if candidate.is_file():
                    return candidate
        return None

    def module(self, module: str) -> Resolver | None:
        """The resolver of a project module, or None if no file of the project is that module."""
        if module in self._modules:
            resolver = self._modules[module]
            if resolver is not None:
                self._note(module)
            return resolver
        if module in self._loading:
            return None
        path = self._find(module)
        resolver = None
        if path is not None:
            self._loading.add(module)
            try:
                data = path.read_bytes()
                tree = ast.parse(data)
                rel = path.relative_to(self.root).as_posix()
                name, is_package = self._module_name(rel)
                index = ModuleIndex(tree, name or module, is_package=is_package)
                resolver = Resolver(index, project=self, tracked=self.tracked)
                self._by_index[id(index)] = resolver
                self._hashes[module] = (
                    rel + "\0" + hashlib.blake2b(data, digest_size=16).hexdigest()
                )
            except (OSError, SyntaxError, ValueError, RecursionError):
                resolver = None
            finally:
                self._loading.discard(module)
        self._modules[module] = resolver
        if resolver is not None:
            self._note(module)
        return resolver

    def _note(self, module: str) -> None:
        rel, _, digest = self._hashes[module].partition("\0")
        self.used[rel] = digest

    def resolver_for(self, index: ModuleIndex) -> Resolver | None:
        """The resolver that owns ``index`` (for values that came from another module)."""
        return self._by_index.get(id(index))

    def assigned(self, qual: str) -> tuple[ast.expr, Scope] | None:
        """The expression a project module assigns to ``pkg.mod.NAME`` (once), and its scope:
        how a prompt kept in ``prompts.py`` is read where it is used."""
        module, _, name = qual.rpartition(".")
        if not module or module.split(".")[0] in _NOT_PROJECT:
            return None
        resolver = self.module(module)
        if resolver is None:
            return None
        scope = resolver.index.module_scope
        bindings = scope.bindings.get(name, [])
        if len(bindings) != 1:
            return None
        binding = bindings[0]
        if binding.kind == "value" and isinstance(binding.node, ast.expr):
            return binding.node, scope
        if binding.kind == "annotation" and binding.value is not None:
            return binding.value, scope
        if binding.kind == "import":
            return self.assigned(binding.qual)
        return None

    def lookup(self, qual: str, depth: int = 0) -> Value:
        """``pkg.mod.name[.attr…]`` resolved inside the project, or None if not a project name."""
        if depth > MAX_DEPTH:
            return None
        parts = qual.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            resolver = self.module(".".join(parts[:cut]))
            if resolver is None:
                continue
            value = resolver.name_value(parts[cut], resolver.index.module_scope, depth + 1)
            value = resolver.deref(value, depth + 1)
            if value is None:
                return None
            for attr in parts[cut + 1 :]:
                value = resolver.attr_value(value, attr, depth + 1)
            return value
        return None
