"""Sandbox escapes: every attempt is refused with one clear line, in-process and through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiinfra_cli.prompts import PromptError, SandboxViolation, render
from aiinfra_cli.prompts._parse import parse_prompt_text

HEAD = "---\nname: evil\nversion: 1.0.0\ninputs:\n  x: {type: string, default: a}\n---\n{{ x }}\n"

# Template payloads that try to reach Python internals, globals, files or imports.
RUNTIME_ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__.os }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ x.__class__.__base__ }}",
    "{{ (1).__class__ }}",
    "{{ dict.mro() }}",
    "{{ self.__init__.__globals__ }}",
    "{{ 'a'|attr('__class__') }}",
    "{{ '{0.__class__}'.format(1) }}",
    "{{ range.__self__ }}",
    "{{ x.__dict__ }}",
    "{% set l = [] %}{{ l.append(1) }}",
    "{% set d = {} %}{{ d.update(a=1) }}",
    "{{ lipsum.__globals__ }}",
    "{{ config.items() }}",
    "{{ request.application.__globals__ }}",
]
PARSE_ESCAPES = [
    ("{% include '/etc/passwd' %}", "{% include %}"),
    ("{% import 'os' as os %}", "{% import %}"),
    ("{% from 'os' import system %}", "{% from ... import %}"),
    ("{% extends '/etc/passwd' %}", "{% extends %}"),
]


def load(payload: str):  # type: ignore[no-untyped-def]
    return parse_prompt_text(
        HEAD + payload + "\n",
        path=Path("prompts/user/evil.prompty"),
        display="prompts/user/evil.prompty",
        category="user",
    )


@pytest.mark.parametrize("payload", RUNTIME_ESCAPES)
def test_runtime_escapes_are_refused_with_one_line(payload: str) -> None:
    prompt, problems = load(payload)
    assert problems == [] and prompt is not None
    with pytest.raises(PromptError) as caught:
        render(prompt, {})
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("prompts/user/evil.prompty:8: prompt 'evil@1.0.0': ")
    assert any(
        phrase in message
        for phrase in ("refused by the sandbox", "has no attribute", "is used but not declared")
    ), message


def test_internals_are_a_sandbox_violation() -> None:
    prompt, _ = load("{{ cycler.__init__.__globals__ }}")
    assert prompt is not None
    with pytest.raises(SandboxViolation) as caught:
        render(prompt, {})
    assert str(caught.value) == (
        "prompts/user/evil.prompty:8: prompt 'evil@1.0.0': refused by the sandbox: access to"
        " attribute '__init__' of 'type' object is unsafe. (templates cannot reach Python"
        " internals, files or imports)"
    )


@pytest.mark.parametrize(("payload", "tag"), PARSE_ESCAPES)
def test_file_and_import_tags_are_refused_when_read(payload: str, tag: str) -> None:
    prompt, problems = load(payload)
    assert prompt is None
    assert [str(p) for p in problems] == [
        f"prompts/user/evil.prompty:8: {tag} is not allowed: a prompt template cannot read other"
        " files (render the other prompt and pass its text as a variable)"
    ]


def test_cli_render_refuses_with_one_line_and_exit_1(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("prompts/user/evil.prompty", HEAD + "{{ ''.__class__.__mro__ }}\n")
    repo.write(
        "config/prompt-library.yaml",
        "version: 1\nprompts:\n  evil: {file: prompts/user/evil.prompty}\n",
    )
    result = repo.run("render", "evil")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "aiinfra: error: prompts/user/evil.prompty:8: prompt 'evil@1.0.0': refused by the sandbox:"
        " access to attribute '__class__' of 'str' object is unsafe. (templates cannot reach"
        " Python internals, files or imports)\n"
    )


def test_cli_include_is_reported_by_check_and_list(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("prompts/user/evil.prompty", HEAD + "{% include '/etc/passwd' %}\n")
    repo.write(
        "config/prompt-library.yaml",
        "version: 1\nprompts:\n  evil: {file: prompts/user/evil.prompty}\n",
    )
    line = (
        "prompts/user/evil.prompty:8: {% include %} is not allowed: a prompt template cannot read"
        " other files (render the other prompt and pass its text as a variable)"
    )
    checked = repo.run("check")
    assert checked.returncode == 1
    assert line in checked.stderr.splitlines()
    rendered = repo.run("render", "evil")
    assert rendered.returncode == 1
    assert rendered.stderr == f"aiinfra: error: {line}\n"
    assert "root:" not in rendered.stdout + rendered.stderr
