"""Context-growth rules: conversation history grown without trimming, whole files in prompts."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from aiinfra_cli.scan._model import Estimate, Finding
from aiinfra_cli.scan._prompt import read_path
from aiinfra_cli.scan._runtime import SDK as RUNTIME_SDK
from aiinfra_cli.scan.rules._base import CallContext, Rule

UNBOUNDED_HISTORY = Rule(
    "AIC007",
    "unbounded-history",
    "Conversation history appended to on every turn and sent whole, never trimmed",
)
WHOLE_FILE = Rule(
    "AIC008",
    "whole-file-in-prompt",
    "A whole file read into the prompt",
)
RULES = (UNBOUNDED_HISTORY, WHOLE_FILE)

_TRIM_NAME = re.compile(
    r"(?i)trim|truncat|window|fit|prune|compact|summar|limit|shorten|budget|clip"
)
_GROW = frozenset({"append", "extend", "insert"})
_SHRINK = frozenset({"pop", "clear", "remove", "popleft"})

Matcher = Callable[[ast.AST], bool]


def check(ctx: CallContext) -> Iterator[Finding]:
    """AIC007 and AIC008 for one call."""
    yield from _history(ctx)
    for segment in ctx.prompt.reads():
        read = segment.read
        assert read is not None
        path = read_path(read, ctx.item.scope, ctx.resolver)
        text = ctx.root_text(path) if path else None
        if text is not None:
            tokens, exact = ctx.counter.count(text, ctx.site.model)
            estimate = Estimate(
                kind="input",
                tokens=tokens,
                exact=exact,
                basis=f"per call: {path} as it is now ({tokens:,} tokens); it grows with the file",
            )
        else:
            estimate = Estimate(
                kind="input",
                tokens=None,
                bound="context_window",
                basis="upper bound per call: the model's context window (the file's size is not"
                " known statically)",
            )
        where = f" '{path}'" if path else ""
        yield ctx.finding(
            WHOLE_FILE.code,
            f"the whole file{where} is read into the prompt of {ctx.site.api}: send the"
            " relevant part (search, chunk, or summarise) and bound its size",
            estimate,
            node=read,
        )


def _history(ctx: CallContext) -> Iterator[Finding]:
    item = ctx.item
    expr = item.named.get("messages") or item.named.get("input")
    if expr is None and item.sdk == "langchain" and item.call.args:
        expr = item.call.args[0]
    if expr is None and item.sdk == RUNTIME_SDK and len(item.call.args) > 1:
        expr = item.call.args[1]
    if expr is None:
        return
    scope = item.scope
    container: ast.AST | None = None
    matcher: Matcher | None = None
    label = ""
    if isinstance(expr, ast.Name):
        name = expr.id
        bindings = ctx.resolver.lookup(name, scope)
        if not bindings or any(b.kind not in ("value", "annotation") for b in bindings):
            return
        owner = bindings[0].scope
        if owner is None:
            return
        matcher = _name_matcher(name)
        label = name
        if owner.kind == "module" and scope.kind != "module":
            container = owner.node  # a module-level list kept across calls
        else:
            loop = _enclosing_loop(item.ancestors)
            if loop is None:
                return
            if not _grows(loop, matcher):
                return
            container = scope.node
            if _trimmed(container, matcher, name):
                return
            yield _finding(ctx, label, "inside a loop")
            return
    elif (
        isinstance(expr, ast.Attribute)
        and isinstance(expr.value, ast.Name)
        and scope.cls is not None
        and expr.value.id in scope.bindings
        and scope.bindings[expr.value.id][0].kind == "self"
    ):
        matcher = _self_matcher(expr.attr)
        container = scope.cls.node
        label = f"self.{expr.attr}"
    if container is None or matcher is None:
        return
    if _grows(container, matcher) and not _trimmed(container, matcher, label):
        yield _finding(ctx, label, "on every call and kept between calls")


def _finding(ctx: CallContext, label: str, how: str) -> Finding:
    return ctx.finding(
        UNBOUNDED_HISTORY.code,
        f"{label} is appended to {how} and sent whole to {ctx.site.api}, never trimmed:"
        " each turn resends every earlier one (cost grows with the square of the turns)",
        Estimate(
            kind="input",
            tokens=None,
            bound="context_window",
            basis="upper bound per call: the history grows until it fills the model's context"
            " window",
        ),
    )


def _enclosing_loop(ancestors: tuple[ast.AST, ...]) -> ast.AST | None:
    for node in reversed(ancestors):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return None
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            return node
    return None


def _name_matcher(name: str) -> Matcher:
    return lambda node: isinstance(node, ast.Name) and node.id == name


def _self_matcher(attr: str) -> Matcher:
    return lambda node: (
        isinstance(node, ast.Attribute) and node.attr == attr and isinstance(node.value, ast.Name)
    )


def _grows(container: ast.AST, is_history: Matcher) -> bool:
    for node in ast.walk(container):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _GROW
            and is_history(node.func.value)
        ):
            return True
        if isinstance(node, ast.AugAssign) and is_history(node.target):
            return True
        if isinstance(node, ast.Assign) and any(is_history(t) for t in node.targets):
            value = node.value
            if (
                isinstance(value, ast.BinOp)
                and isinstance(value.op, ast.Add)
                and (is_history(value.left) or is_history(value.right))
            ):
                return True
    return False


def _trimmed(container: ast.AST, is_history: Matcher, label: str) -> bool:
    """Any sign that the history is bounded: slicing, deleting, popping, a trim helper."""
    initialised = 0
    for node in ast.walk(container):
        if isinstance(node, ast.Delete) and any(
            isinstance(t, ast.Subscript) and is_history(t.value) for t in node.targets
        ):
            return True
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _SHRINK and is_history(func.value):
                return True
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if _TRIM_NAME.search(name) and any(is_history(a) for a in node.args):
                return True
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Subscript) and is_history(target.value):
                    return True  # history[:] = …
                if is_history(target):
                    value = node.value
                    if isinstance(value, ast.Subscript) and is_history(value.value):
                        return True  # history = history[-20:]
                    if isinstance(value, ast.Call):
                        callee = value.func
                        name = (
                            callee.attr
                            if isinstance(callee, ast.Attribute)
                            else getattr(callee, "id", "")
                        )
                        if _TRIM_NAME.search(name):
                            return True
                    if isinstance(value, (ast.List, ast.ListComp)) or (
                        isinstance(value, ast.Call)
                        and getattr(value.func, "id", "") in ("list", "deque")
                    ):
                        initialised += 1
                        if isinstance(value, ast.Call) and any(
                            k.arg == "maxlen" for k in value.keywords
                        ):
                            return True
    # Reset more than once (e.g. in __init__ and in reset()): the history is bounded by resets.
    return initialised > 1
