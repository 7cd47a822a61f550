"""What a call sends as its prompt, in the order the provider caches it, split into segments.

A segment is ``static`` (text fixed in the code: literals, constants, f-string parts),
``dynamic`` (known to vary per call: interpolated values, parameters, loop variables, file reads)
or ``unknown`` (the scanner cannot tell). Provider prefix caches match the prompt from its first
token, so the order matters: Anthropic caches tools → system → messages, OpenAI the messages (or
``instructions`` → ``input``) from the start.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from aiinfra_cli.scan._discovery import Detected
from aiinfra_cli.scan._index import Scope
from aiinfra_cli.scan._resolve import Resolver
from aiinfra_cli.scan._runtime import SDK as RUNTIME_SDK

_FORMAT_FIELD = re.compile(r"\{[^{}]*\}")
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx]")
_MESSAGE_CLASSES = frozenset(
    {"SystemMessage", "HumanMessage", "AIMessage", "ChatMessage", "ToolMessage"}
)
_TEXT_WRAPPERS = frozenset({"dedent", "cleandoc", "strip", "lstrip", "rstrip"})
MAX_DEPTH = 10


@dataclass
class Segment:
    """One piece of the prompt. ``read`` is the whole-file read it comes from, if any."""

    kind: str
    text: str
    node: ast.AST
    where: str
    read: ast.Call | None = None


@dataclass
class Prompt:
    """The prompt of one call: segments in cache order and what is known about caching."""

    segments: list[Segment] = field(default_factory=list)
    cache_control: bool | None = False
    system: ast.expr | None = None

    def static_prefix(self) -> str:
        """The static text before the first non-static segment (what a prefix cache can hold)."""
        parts: list[str] = []
        for segment in self.segments:
            if segment.kind != "static":
                break
            parts.append(segment.text)
        return "".join(parts)

    def static_after_dynamic(self) -> tuple[Segment | None, str]:
        """The first dynamic segment, and the static text that follows it."""
        first: Segment | None = None
        parts: list[str] = []
        for segment in self.segments:
            if first is None:
                if segment.kind == "dynamic":
                    first = segment
            elif segment.kind == "static":
                parts.append(segment.text)
        return first, "".join(parts)

    def static_text(self) -> str:
        """All static text of the prompt."""
        return "".join(s.text for s in self.segments if s.kind == "static")

    def reads(self) -> list[Segment]:
        """Segments that are whole-file reads."""
        return [s for s in self.segments if s.read is not None]


class PromptReader:
    """Builds a :class:`Prompt` for a detected call (see the module docstring)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def read(self, item: Detected) -> Prompt:
        """The prompt of ``item`` (an empty prompt for APIs whose prompt is not in keywords)."""
        prompt = Prompt()
        named = item.named
        scope = item.scope
        if item.keys_unknown:
            prompt.cache_control = None
        if "cache_control" in named:
            prompt.cache_control = True
        if item.sdk == RUNTIME_SDK:
            # The runtime adds cache_control itself when the route sets prompt_cache.
            facts = item.route_facts
            prompt.cache_control = None if facts is None else facts.prompt_cache
        if item.sdk in ("langchain", "llama_index", "pydantic_ai"):
            if item.call.args:
                self._messages(item.call.args[0], scope, prompt, "input")
            return prompt
        if "system" in named:
            prompt.system = named["system"]
            self._blocks_or_text(named["system"], scope, prompt, "system", 0)
        if "instructions" in named:
            self._text(named["instructions"], scope, prompt, "instructions")
        if "messages" in named:
            self._messages(named["messages"], scope, prompt, "messages")
        elif item.sdk in ("litellm", RUNTIME_SDK) and len(item.call.args) > 1:
            self._messages(item.call.args[1], scope, prompt, "messages")
        if "input" in named:
            self._messages(named["input"], scope, prompt, "input")
        if "prompt" in named:
            self._text(named["prompt"], scope, prompt, "prompt")
        return prompt

    # -- structure --------------------------------------------------------------------------

    def _messages(
        self, expr: ast.expr, scope: Scope, prompt: Prompt, where: str, depth: int = 0
    ) -> None:
        if depth > MAX_DEPTH:
            prompt.segments.append(Segment("unknown", "", expr, where))
            return
        if isinstance(expr, (ast.List, ast.Tuple)):
            for i, element in enumerate(expr.elts):
                self._message(element, scope, prompt, f"{where}[{i}]", depth + 1)
            return
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            prompt.segments.append(Segment("static", expr.value, expr, where))
            return
        if isinstance(expr, ast.Name):
            bound = self._single_value(expr, scope)
            if bound is not None and isinstance(bound[0], (ast.List, ast.Tuple)):
                self._messages(bound[0], bound[1], prompt, where, depth + 1)
                if _grows(expr.id, bound[1]):
                    prompt.segments.append(Segment("dynamic", "", expr, f"{where} (appended)"))
                return
            if bound is not None and _is_texty(bound[0]):
                self._text(expr, scope, prompt, where)
                return
        if isinstance(expr, (ast.JoinedStr, ast.BinOp)):
            self._text(expr, scope, prompt, where)
            return
        prompt.segments.append(Segment(self._kind_of_opaque(expr, scope), "", expr, where))
        prompt.cache_control = None if prompt.cache_control is False else prompt.cache_control

    def _message(
        self, element: ast.expr, scope: Scope, prompt: Prompt, where: str, depth: int
    ) -> None:
        if isinstance(element, ast.Dict):
            content: ast.expr | None = None
            for key, value in zip(element.keys, element.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in ("content", "text"):
                    content = value
                elif isinstance(key, ast.Constant) and key.value == "cache_control":
                    prompt.cache_control = True
                elif key is None:
                    prompt.cache_control = (
                        None if prompt.cache_control is False else prompt.cache_control
                    )
            if content is not None:
                self._blocks_or_text(content, scope, prompt, where, depth + 1)
            return
        if isinstance(element, ast.Tuple) and len(element.elts) == 2:
            self._text(element.elts[1], scope, prompt, where)
            return
        if isinstance(element, ast.Call):
            name = (
                element.func.attr
                if isinstance(element.func, ast.Attribute)
                else getattr(element.func, "id", "")
            )
            if name in _MESSAGE_CLASSES:
                content_expr = element.args[0] if element.args else None
                for keyword in element.keywords:
                    if keyword.arg == "content":
                        content_expr = keyword.value
                if content_expr is not None:
                    self._blocks_or_text(content_expr, scope, prompt, where, depth + 1)
                return
        if isinstance(element, ast.Name):
            bound = self._single_value(element, scope)
            if bound is not None and isinstance(bound[0], (ast.Dict, ast.Tuple, ast.Call)):
                self._message(bound[0], bound[1], prompt, where, depth + 1)
                return
        prompt.segments.append(Segment(self._kind_of_opaque(element, scope), "", element, where))
        prompt.cache_control = None if prompt.cache_control is False else prompt.cache_control

    def _blocks_or_text(
        self, expr: ast.expr, scope: Scope, prompt: Prompt, where: str, depth: int
    ) -> None:
        if isinstance(expr, (ast.List, ast.Tuple)):
            for i, block in enumerate(expr.elts):
                self._message(block, scope, prompt, f"{where}[{i}]", depth + 1)
            return
        if isinstance(expr, ast.Name):
            bound = self._single_value(expr, scope)
            if bound is not None and isinstance(bound[0], (ast.List, ast.Tuple)):
                self._blocks_or_text(bound[0], bound[1], prompt, where, depth + 1)
                return
        self._text(expr, scope, prompt, where)

    # -- text -------------------------------------------------------------------------------

    def _text(self, expr: ast.expr, scope: Scope, prompt: Prompt, where: str) -> None:
        prompt.segments.extend(self._text_segments(expr, scope, where, 0, top=True))

    def _text_segments(
        self, expr: ast.expr, scope: Scope, where: str, depth: int, *, top: bool = False
    ) -> list[Segment]:
        if depth > MAX_DEPTH:
            return [Segment("unknown", "", expr, where)]
        if isinstance(expr, ast.Constant):
            if isinstance(expr.value, str):
                return [Segment("static", expr.value, expr, where)]
            return [Segment("unknown", "", expr, where)]
        if isinstance(expr, ast.JoinedStr):
            out: list[Segment] = []
            for value in expr.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    out.append(Segment("static", value.value, value, where))
                elif isinstance(value, ast.FormattedValue):
                    out.extend(self._interpolated(value.value, scope, where, depth + 1))
            return out
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return [
                *self._interpolated(expr.left, scope, where, depth + 1),
                *self._interpolated(expr.right, scope, where, depth + 1),
            ]
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
            template = self.resolver.const_str(expr.left, scope)
            if template is not None:
                return _split_template(template, _PERCENT_FIELD, expr, where)
        if isinstance(expr, ast.Call):
            read = _whole_file_read(expr, scope, self.resolver)
            if read is not None:
                return [Segment("dynamic", "", expr, where, read=read)]
            func = expr.func
            if isinstance(func, ast.Attribute):
                if func.attr == "format":
                    template = self.resolver.const_str(func.value, scope)
                    if template is not None:
                        return _split_template(template, _FORMAT_FIELD, expr, where)
                if (
                    func.attr == "join"
                    and expr.args
                    and isinstance(expr.args[0], (ast.List, ast.Tuple))
                ):
                    separator = self.resolver.const_str(func.value, scope)
                    if separator is not None:
                        out = []
                        for i, item in enumerate(expr.args[0].elts):
                            if i:
                                out.append(Segment("static", separator, func.value, where))
                            out.extend(self._interpolated(item, scope, where, depth + 1))
                        return out
                if func.attr in _TEXT_WRAPPERS:
                    inner = (
                        expr.args[0]
                        if expr.args and func.attr in ("dedent", "cleandoc")
                        else func.value
                    )
                    return self._text_segments(inner, scope, where, depth + 1)
            elif isinstance(func, ast.Name) and func.id in _TEXT_WRAPPERS and expr.args:
                return self._text_segments(expr.args[0], scope, where, depth + 1)
        if isinstance(expr, ast.Name):
            bound = self._single_value(expr, scope)
            if bound is not None:
                return self._text_segments(bound[0], bound[1], where, depth + 1, top=top)
            return [Segment(self._kind_of_opaque(expr, scope), "", expr, where)]
        return [
            Segment("dynamic" if not top else self._kind_of_opaque(expr, scope), "", expr, where)
        ]

    def _interpolated(self, expr: ast.expr, scope: Scope, where: str, depth: int) -> list[Segment]:
        """A part of a formatted string: static if it resolves to a constant, else dynamic."""
        segments = self._text_segments(expr, scope, where, depth)
        return [
            Segment("dynamic", "", s.node, s.where, s.read) if s.kind == "unknown" else s
            for s in segments
        ]

    def _single_value(self, name: ast.Name, scope: Scope) -> tuple[ast.expr, Scope] | None:
        bindings = self.resolver.lookup(name.id, scope)
        if len(bindings) != 1:
            values = [b for b in bindings if b.kind == "value"]
            # ``messages = [...]`` followed by re-assignments: take the first literal.
            if not values or len(values) != len(bindings):
                return None
            bindings = values[:1]
        binding = bindings[0]
        if binding.kind == "value" and isinstance(binding.node, ast.expr):
            return binding.node, binding.scope or scope
        if binding.kind == "annotation" and binding.value is not None:
            return binding.value, binding.scope or scope
        if binding.kind == "import" and self.resolver.project is not None:
            return self.resolver.project.assigned(binding.qual)
        return None

    def _kind_of_opaque(self, expr: ast.expr, scope: Scope) -> str:
        if isinstance(expr, ast.Name):
            bindings = self.resolver.lookup(expr.id, scope)
            if bindings and all(b.kind in ("param", "opaque", "with") for b in bindings):
                return "dynamic"
        return "unknown"


def _split_template(
    template: str, pattern: re.Pattern[str], node: ast.AST, where: str
) -> list[Segment]:
    out: list[Segment] = []
    position = 0
    for match in pattern.finditer(template):
        if match.start() > position:
            out.append(Segment("static", template[position : match.start()], node, where))
        out.append(Segment("dynamic", "", node, where))
        position = match.end()
    if position < len(template):
        out.append(Segment("static", template[position:], node, where))
    return out


def _is_texty(expr: ast.expr) -> bool:
    return isinstance(expr, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.Call))


def _grows(name: str, scope: Scope) -> bool:
    for node in ast.walk(scope.node):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
            and node.func.attr in ("append", "extend", "insert")
        ):
            return True
        if (
            isinstance(node, ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            return True
    return False


def _whole_file_read(expr: ast.Call, scope: Scope, resolver: Resolver) -> ast.Call | None:
    """``open(p).read()``, ``Path(p).read_text()``, ``f.read()`` on ``with open(p) as f``."""
    func = expr.func
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr in ("read_text", "read_bytes") and not expr.args:
        return expr
    if func.attr == "decode" and isinstance(func.value, ast.Call):
        return _whole_file_read(func.value, scope, resolver)
    if func.attr != "read" or expr.args or expr.keywords:
        return None
    target = func.value
    if isinstance(target, ast.Call) and _is_open(target):
        return expr
    if isinstance(target, ast.Name):
        for binding in resolver.lookup(target.id, scope):
            if (
                binding.kind in ("with", "value")
                and isinstance(binding.node, ast.Call)
                and _is_open(binding.node)
            ):
                return expr
    return None


def _is_open(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id == "open"
    return isinstance(func, ast.Attribute) and func.attr == "open"


def read_path(read: ast.Call, scope: Scope, resolver: Resolver) -> str | None:
    """The literal path a whole-file read reads, when the code spells it."""
    func = read.func
    target: ast.expr | None = func.value if isinstance(func, ast.Attribute) else None
    if isinstance(target, ast.Name):
        for binding in resolver.lookup(target.id, scope):
            if isinstance(binding.node, ast.Call):
                target = binding.node
                break
    if isinstance(target, ast.Call) and target.args:
        return resolver.const_str(target.args[0], scope)
    return None
