"""The render budget: what one prompt render may cost in time and output, enforced
inside the sandbox so a hostile or careless template is one named error, never a hang
or gigabytes.

Jinja's sandbox stops templates reaching Python internals but not from asking for
work: ``{% for %}`` over ``range(100000)`` nested twice, ``'a' * 10**9``,
``'a'|center(10**9)``, ``(10 ** 10000000)|string``. The budget closes each way in:

* ``**``, ``*`` and ``%`` are intercepted operators: a power whose result would exceed
  :data:`MAX_POWER_BITS`, a repetition or a ``%`` format longer than the character
  budget is refused before it is computed (Jinja then also stops folding them at
  compile time);
* filters and ``format`` calls that take a width or count are refused above the budget;
* every ``{% for %}`` loop's iterable passes through a counting filter (the template's
  syntax tree is rewritten before compiling), so loop iterations across the whole
  render are counted and the clock is read every :data:`_CHECK_EVERY` of them;
* blocks nested deeper than Python compiles are refused before compiling;
* the output is produced chunk by chunk and checked against both limits as it grows.

This one file serves both sides: aiinfra's prompt commands import it, and
``aiinfra init`` copies it verbatim into the generated runtime as ``prompt_budget.py``
(it imports only the standard library and Jinja), so the CLI and the app refuse
exactly the same templates.
"""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range

DEFAULT_SECONDS = 2.0
DEFAULT_CHARACTERS = 1_000_000
MAX_POWER_BITS = 100_000
_CHECK_EVERY = 1024
_WIDTH = re.compile(r"\d{4,}")  # a width or precision written into a format string
_SIZED_FILTERS = (
    "center",
    "indent",
    "wordwrap",
    "truncate",
    "batch",
    "slice",
    "format",
)


@dataclass(frozen=True)
class RenderBudget:
    """How long one render may take and how many characters it may produce."""

    seconds: float = DEFAULT_SECONDS
    characters: int = DEFAULT_CHARACTERS


DEFAULT_BUDGET = RenderBudget()


class BudgetExceeded(SecurityError):
    """The render asked for more time or output than its budget allows."""


@dataclass
class _Meter:
    budget: RenderBudget
    deadline: float
    steps: int = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps % _CHECK_EVERY == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceeded(
                f"render took longer than its budget of {self.budget.seconds:g} s"
                " (config/prompt-library.yaml: render_budget.seconds)"
            )

    def check_size(self, size: int, what: str) -> None:
        if size > self.budget.characters:
            raise BudgetExceeded(
                f"{what} would exceed the render budget of"
                f" {self.budget.characters:,} characters"
                " (config/prompt-library.yaml: render_budget.characters)"
            )


_METER: contextvars.ContextVar[_Meter | None]
_METER = contextvars.ContextVar("aiinfra_render_meter")


def _meter() -> _Meter:
    meter = _METER.get(None)
    if meter is None:  # outside a render (a direct call): the defaults, no clock
        meter = _Meter(DEFAULT_BUDGET, time.monotonic() + 3600)
    return meter


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``left operator right`` when its result would break the budget."""
    meter = _meter()
    integers = isinstance(left, int) and isinstance(right, int)
    if operator == "**" and integers and right > 0:
        if max(abs(left).bit_length(), 1) * right > MAX_POWER_BITS:
            too_large = f"{left} ** {right} is too large to compute in a prompt"
            raise BudgetExceeded(too_large)
    elif operator == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(count, int):
                meter.check_size(len(seq) * count, "a repetition")
    elif operator == "%" and isinstance(left, str):
        check_format(left)


def check_format(text: str) -> None:
    """Refuse a format string that pads beyond the budget (``%999999999s``)."""
    meter = _meter()
    for width in _WIDTH.findall(text):
        meter.check_size(int(width), "a formatted width")


def sized(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    """``filter_function`` with every integer argument held to the character budget."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        meter = _meter()
        for value in (*args[1:], *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool):
                meter.check_size(value, "a filter's width or count")
            elif isinstance(value, str):
                check_format(value)
        if args and isinstance(args[0], str):
            check_format(args[0])
        return filter_function(*args, **kwargs)

    guarded.__name__ = getattr(filter_function, "__name__", "filter")
    return guarded


def counted(iterable: Any) -> Iterator[Any]:
    """``iterable``, each item counted against the render's time budget."""
    meter = _meter()
    for value in iterable:
        meter.step()
        yield value


_LOOP_FILTER = "aiinfra_budget"  # a filter: templates cannot redefine or shadow it


class BudgetedEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox with the render budget's guards (see the module doc)."""

    intercepted_binops = frozenset({"**", "*", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = lambda *args: counted(safe_range(*args))
        self.filters[_LOOP_FILTER] = counted
        for name in _SIZED_FILTERS:
            self.filters[name] = sized(self.filters[name])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None and isinstance(getattr(value, "__self__", None), str):
            check_format(value.__self__)
        return wrapped

    def compile_budgeted(self, source: str, name: str, filename: str) -> Any:
        """``source`` compiled with every loop's iterable counted; raises
        ``TemplateSyntaxError``, and one of :data:`TOO_DEEP` for templates nested
        deeper than Python can compile."""
        tree = self.parse(source, name, filename)
        check_nesting(tree)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(
                loop.iter, _LOOP_FILTER, [], [], None, None, lineno=loop.lineno
            )
        code = self.compile(tree, name=name, filename=filename)
        return self.template_class.from_code(self, code, self.make_globals(None), None)


class NestedTooDeep(Exception):
    """Blocks nested deeper than Python compiles (it allows 20 nested blocks)."""


# What a template too deep or too large for Python raises when parsed or compiled.
TOO_DEEP = (NestedTooDeep, RecursionError, SyntaxError, MemoryError)
MAX_BLOCK_NESTING = 16
_BLOCKS = (
    nodes.For,
    nodes.If,
    nodes.Macro,
    nodes.CallBlock,
    nodes.FilterBlock,
    nodes.With,
)


def check_nesting(tree: nodes.Node) -> None:
    """Raise :class:`NestedTooDeep` when blocks nest deeper than
    :data:`MAX_BLOCK_NESTING` (checked before compiling: Jinja would spend seconds
    generating code that Python then refuses)."""
    stack: list[tuple[nodes.Node, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, _BLOCKS):
            depth += 1
            if depth > MAX_BLOCK_NESTING:
                raise NestedTooDeep(f"blocks nested more than {MAX_BLOCK_NESTING} deep")
        stack.extend((child, depth) for child in node.iter_child_nodes())


def render_within(template: Any, values: dict[str, Any], budget: RenderBudget) -> str:
    """Render ``template`` chunk by chunk, within ``budget`` (time and characters)."""
    meter = _Meter(budget, time.monotonic() + budget.seconds)
    token = _METER.set(meter)
    try:
        size = 0
        parts: list[str] = []
        for chunk in template.generate(values):
            size += len(chunk)
            meter.check_size(size, "the rendered text")
            meter.step()
            parts.append(chunk)
        meter.check_time()
        return "".join(parts)
    finally:
        _METER.reset(token)
