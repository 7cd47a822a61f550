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
* filters that take a width or count are refused above it, and so is a width or
  precision written into a format string (``%999999999s``, ``{:>999999999}``) or
  taken from an argument (``%*s``, ``{:>{}}``): only real format specs of real
  format strings (``%``, ``str.format``, the ``format`` filter) are read, so digits
  in text (``"12345678901"|center(20)``) are just text;
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
import functools
import re
import string
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range

DEFAULT_SECONDS = 2.0
DEFAULT_CHARACTERS = 1_000_000
MAX_POWER_BITS = 100_000
_CHECK_EVERY = 1024
# A ``%`` conversion: flags, width and precision (digits, or ``*``: from an argument).
_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[a-zA-Z%]")
# A ``str.format`` spec: [[fill]align][sign][z][#][0][width][,][.precision][type].
_SPEC = re.compile(r"(?:.?[<>=^])?[+\- ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?[a-zA-Z%]?")
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
    elif operator == "%" and isinstance(left, str) and check_percent(left):
        check_widths(right)


def _check_width(meter: _Meter, digits: str | None) -> None:
    if digits and digits.isdigit():
        meter.check_size(int(digits), "a formatted width")


def check_percent(text: str) -> bool:
    """Refuse a ``%`` format string that pads beyond the budget (``%999999999s``);
    True when a width or precision comes from the arguments (``%*s``)."""
    meter = _meter()
    starred = False
    for width, precision in _PERCENT.findall(text):
        _check_width(meter, width)
        _check_width(meter, precision)
        starred = starred or "*" in (width, precision)
    return starred


def check_brace(text: str) -> bool:
    """Refuse a ``str.format`` string that pads beyond the budget
    (``{:>999999999}``); True when a spec takes a value from the arguments
    (``{:>{}}``)."""
    meter = _meter()
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:  # malformed: str.format refuses it before any padding
        return False
    nested = False
    for _, _, spec, _ in fields:
        if not spec:
            continue
        if "{" in spec:
            nested = True
            continue
        match = _SPEC.fullmatch(spec)
        if match is not None:
            _check_width(meter, match.group(1))
            _check_width(meter, match.group(2))
    return nested


def check_widths(values: Any) -> None:
    """Refuse any integer among ``values`` (and one level inside them) above the
    budget: the arguments a format string takes its widths from."""
    meter = _meter()
    items = values if isinstance(values, (tuple, list)) else (values,)
    for item in items:
        inner: Any = (item,)
        if isinstance(item, Mapping):
            inner = item.values()
        elif isinstance(item, (tuple, list)):
            inner = item
        for value in inner:
            if isinstance(value, int) and not isinstance(value, bool):
                meter.check_size(value, "a formatted width")


def sized(filter_function: Callable[..., Any]) -> Callable[..., Any]:
    """``filter_function`` with every integer argument held to the character budget
    (for ``format``: the format string's widths, and its arguments when it takes
    widths from them)."""
    formats = getattr(filter_function, "__name__", "") == "do_format"

    def guarded(*args: Any, **kwargs: Any) -> Any:
        if formats:
            if args and isinstance(args[0], str) and check_percent(args[0]):
                check_widths((*args[1:], kwargs))
            return filter_function(*args, **kwargs)
        meter = _meter()
        for value in (*args[1:], *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool):
                meter.check_size(value, "a filter's width or count")
        return filter_function(*args, **kwargs)

    # Keeps ``jinja_pass_arg``: ``truncate`` and ``wordwrap`` take the environment.
    return functools.update_wrapper(guarded, filter_function)


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
        owner = getattr(value, "__self__", None)
        if wrapped is None or not isinstance(owner, str) or not check_brace(owner):
            return wrapped
        call = wrapped

        def guarded(*args: Any, **kwargs: Any) -> str:
            check_widths((*args, kwargs))
            return call(*args, **kwargs)

        return guarded

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
