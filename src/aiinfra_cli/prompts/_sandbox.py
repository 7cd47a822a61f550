"""The sandboxed Jinja environment, body sections, template analysis and located render errors.

The environment is the one ``docs/prompt-format.md`` specifies, so the runtime loader written by
``aiinfra init`` renders exactly what ``aiinfra prompt-library render`` shows.
"""

from __future__ import annotations

import functools
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Template, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, UndefinedError

from aiinfra_cli.prompts._budget import (
    DEFAULT_BUDGET,
    TOO_DEEP,
    BudgetedEnvironment,
    BudgetExceeded,
    RenderBudget,
    check_nesting,
    render_within,
)
from aiinfra_cli.prompts._errors import PromptError, SandboxViolation
from aiinfra_cli.prompts._model import Section

_MARKER = re.compile(r"[ \t]*#?[ \t]*(system|user|assistant|developer)[ \t]*:[ \t]*", re.I)
_FORBIDDEN: tuple[tuple[type[nodes.Node], str], ...] = (
    (nodes.Include, "{% include %}"),
    (nodes.Import, "{% import %}"),
    (nodes.FromImport, "{% from ... import %}"),
    (nodes.Extends, "{% extends %}"),
)

_env: BudgetedEnvironment | None = None
_TOO_DEEP_TEXT = (
    "template nested too deeply to compile (split it, or move the logic into the variables"
    " the caller passes)"
)


def _finalize(value: Any) -> Any:
    return "" if value is None else value


def environment() -> BudgetedEnvironment:
    """The one rendering environment (created once): sandboxed, budgeted, strict, no loader, no
    autoescape."""
    global _env
    if _env is None:
        from jinja2 import StrictUndefined

        env = BudgetedEnvironment(
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            finalize=_finalize,
            loader=None,
        )
        # Random filler text would make two renders of the same prompt differ.
        env.globals.pop("lipsum", None)
        _env = env
    return _env


def split_sections(body: str, body_line: int, default_role: str) -> tuple[Section, ...]:
    """Split a body at role markers if it starts with one; else one ``default_role`` message."""
    lines = body.split("\n")
    first = next((i for i, text in enumerate(lines) if text.strip()), None)
    if first is None or not _MARKER.fullmatch(lines[first]):
        return (Section(default_role, body, body_line),)
    sections: list[Section] = []
    role = ""
    start = 0
    chunk: list[str] = []
    for index in range(first, len(lines)):
        match = _MARKER.fullmatch(lines[index])
        if match:
            if role:
                sections.append(Section(role, "\n".join(chunk), body_line + start))
            role, start, chunk = match[1].lower(), index + 1, []
        else:
            chunk.append(lines[index])
    sections.append(Section(role, "\n".join(chunk), body_line + start))
    return tuple(sections)


@dataclass
class Analysis:
    """What the parsed template of a body reads and contains.

    ``used``: each variable read from outside the template, with the first file line reading it.
    ``problems``: (file line, message) for syntax errors and forbidden tags.
    """

    used: dict[str, int] = field(default_factory=dict)
    static_text: str = ""
    problems: list[tuple[int | None, str]] = field(default_factory=list)


def analyse(sections: tuple[Section, ...]) -> Analysis:
    """Parse every section; collect variables used (Jinja's own scoping), static text, problems."""
    env = environment()
    result = Analysis()
    static: list[str] = []
    for section in sections:
        try:
            _analyse_section(env, section, len(sections) > 1, result, static)
        except TOO_DEEP:
            result.problems.append((section.line, _TOO_DEEP_TEXT))
    result.static_text = "".join(static)
    return result


def _analyse_section(
    env: BudgetedEnvironment,
    section: Section,
    several: bool,
    result: Analysis,
    static: list[str],
) -> None:
    try:
        tree = env.parse(section.source)
    except TemplateSyntaxError as exc:
        line = section.line + (exc.lineno or 1) - 1
        hint = ""
        if several and "end of template" in (exc.message or ""):
            hint = (
                " (each role section is a template of its own:"
                " close blocks before the next role marker)"
            )
        result.problems.append((line, f"template syntax error: {exc.message}{hint}"))
        return
    check_nesting(tree)
    for node_type, label in _FORBIDDEN:
        for node in tree.find_all(node_type):
            result.problems.append(
                (
                    section.line + node.lineno - 1,
                    f"{label} is not allowed: a prompt template cannot read other files"
                    " (render the other prompt and pass its text as a variable)",
                )
            )
    free = meta.find_undeclared_variables(tree) - set(env.globals)
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name in free:
            result.used.setdefault(node.name, section.line + node.lineno - 1)
    for name in free:
        result.used.setdefault(name, section.line)
    static.extend(data.data for data in tree.find_all(nodes.TemplateData))


def _template_line(exc: BaseException, filename: str) -> int | None:
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    return line


@functools.lru_cache(maxsize=512)
def _compiled(source: str, label: str, filename: str) -> Template:
    # Compiling costs ~100x a render; test runs render each section once per case.
    template: Template = environment().compile_budgeted(source, label, filename)
    return template


def render_section(
    section: Section,
    values: Mapping[str, Any],
    *,
    label: str,
    file: str,
    index: int,
    budget: RenderBudget = DEFAULT_BUDGET,
) -> str:
    """Render one section with ``values`` within ``budget``; errors name ``label`` (the prompt)
    and the file line."""
    filename = f"<prompt {label} section {index}>"
    try:
        template = _compiled(section.source, label, filename)
    except TemplateSyntaxError as exc:
        line = section.line + (exc.lineno or 1) - 1
        raise PromptError(
            f"prompt '{label}': template syntax error: {exc.message}", where=f"{file}:{line}"
        ) from None
    except TOO_DEEP:
        raise PromptError(
            f"prompt '{label}': {_TOO_DEEP_TEXT}", where=_where(file, section, 1)
        ) from None
    try:
        return render_within(template, dict(values), budget)
    except BudgetExceeded as exc:
        where = _where(file, section, _template_line(exc, filename))
        raise PromptError(f"prompt '{label}': {exc}", where=where) from None
    except RecursionError:
        raise PromptError(
            f"prompt '{label}': render failed: recursion too deep (a macro or loop calling itself)",
            where=_where(file, section, None),
        ) from None
    except SecurityError as exc:
        where = _where(file, section, _template_line(exc, filename))
        raise SandboxViolation(
            f"prompt '{label}': refused by the sandbox: {exc}",
            where=where,
            hint="templates cannot reach Python internals, files or imports",
        ) from None
    except UndefinedError as exc:
        where = _where(file, section, _template_line(exc, filename))
        raise PromptError(f"prompt '{label}': {exc.message}", where=where) from None
    except TemplateSyntaxError as exc:
        raise PromptError(
            f"prompt '{label}': template syntax error: {exc.message}",
            where=_where(file, section, exc.lineno),
        ) from None
    except Exception as exc:
        # A template bug (1 + 'a', a filter given the wrong type): the user's mistake, one line.
        where = _where(file, section, _template_line(exc, filename))
        raise PromptError(
            f"prompt '{label}': render failed: {type(exc).__name__}: {exc}", where=where
        ) from None


def _where(file: str, section: Section, template_line: int | None) -> str:
    if template_line is None:
        return file
    return f"{file}:{section.line + template_line - 1}"
