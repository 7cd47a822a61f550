"""What an expression can evaluate to, as far as the scanner needs to know.

The resolver maps every expression it is asked about to one of these (or to ``None``: unknown).
"Unknown" and "known to be something else" are different on purpose: an unknown receiver of
``.chat.completions.create(model=…, messages=…)`` is still reported (inferred from its shape),
while a ``MagicMock()`` or a plain dict never is.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiinfra_cli.scan._sdk import ClientClass

if TYPE_CHECKING:
    from aiinfra_cli.scan._index import ClassInfo, ModuleIndex


@dataclass(frozen=True)
class Client:
    """An SDK client instance and what is known about its options (None: unknowable)."""

    cls: ClientClass
    timeout: bool | None = False
    retries: bool | None = False
    tracked: bool = False
    node: ast.AST | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Resource:
    """An attribute path below a client (``client.beta.messages``), flags stripped from it."""

    client: Client
    path: tuple[str, ...]
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ChatModel:
    """A framework chat model (LangChain) and its construction options."""

    qual: str
    provider: str
    model: str | None = None
    model_literal: bool = False
    max_tokens: bool | None = None
    max_tokens_value: int | None = None
    timeout: bool | None = None
    streaming: bool | None = None
    tracked: bool = False
    node: ast.AST | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Ref:
    """Something known only by its qualified name: a module, class, function or attribute."""

    qual: str


@dataclass(frozen=True)
class Instance:
    """An instance of a class that is not an SDK client (``local``: defined in this module)."""

    qual: str
    local: ClassInfo | None = field(default=None, compare=False)
    index: ModuleIndex | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Func:
    """A function or method defined in a scanned module."""

    qual: str
    node: ast.FunctionDef | ast.AsyncFunctionDef = field(compare=False)
    index: ModuleIndex = field(compare=False)
    owner: ClassInfo | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Other:
    """A value known not to be an LLM client (a literal, a container, a mock)."""

    why: str = ""


Value = Client | Resource | ChatModel | Ref | Instance | Func | Other | None

OTHER = Other()


def rank(value: Value) -> int:
    """How informative a value is when several assignments disagree (higher wins)."""
    if isinstance(value, (Client, Resource, ChatModel)):
        return 4
    if isinstance(value, Instance) and value.qual == "litellm.Router":
        return 4
    if isinstance(value, (Func, Ref, Instance)):
        return 3
    if value is None:
        return 2
    return 1


def best(values: list[Value]) -> Value:
    """The most informative of several candidate values (None if there are none)."""
    chosen: Value = None
    top = 0
    for value in values:
        r = rank(value)
        if r > top:
            chosen, top = value, r
    return chosen
