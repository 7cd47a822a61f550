"""A hostile or careless prompt is one named error in the CLI and in the generated runtime
alike, and the rest of the library keeps working: templates nested deeper than Python
compiles, powers and repetitions of gigabytes, loops that would run for hours, widths of a
billion characters. Both sides enforce one budget module (the runtime carries it verbatim)."""

from __future__ import annotations

import time
from pathlib import Path
from types import ModuleType

import pytest
from _support import run_cli

from aiinfra_cli.prompts import PromptError, load_library, render
from aiinfra_cli.scaffold._render import prompt_budget_source

GOOD = "---\nname: good\nversion: 1.0.0\ninputs:\n  who: {type: string}\n---\nHello {{ who }}.\n"
ATTACKS = {
    "deep": "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
    "blocks": "{% for i in [1] %}" * 200 + "x" + "{% endfor %}" * 200,
    "power": "{{ (10 ** 10000000)|string }}",
    "loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "strings": "{% for a in 'x' * 900000 %}{% for b in 'y' * 900000 %}{% endfor %}{% endfor %}",
    "center": "{{ 'a'|center(10**9) }}",
    "repeat": "{{ 'a' * 10**9 }}",
    "percent": "{{ '%999999999s' % 'a' }}",
    "format": "{{ '{:>999999999}'.format('a') }}",
    "format-filter": "{{ '%999999999s'|format('a') }}",
    "precision": "{{ '%.999999999f' % 1.5 }}",
    "brace-precision": "{{ '{:.999999999f}'.format(1.5) }}",
    "star": "{{ '%*s' % (10**9, 'a') }}",
    "star-filter": "{{ '%*s'|format(10**9, 'a') }}",
    "nested": "{{ '{:>{}}'.format('a', 10**9) }}",
    "nested-keyword": "{{ '{:>{w}}'.format('a', w=10**9) }}",
    "output": "{% for i in range(20) %}{{ 'x' * 900000 }}{% endfor %}",
}
# Each attack fails on a specific guard: the message says which.
EXPECTED = {
    "deep": "nested too deeply",
    "blocks": "nested too deeply",
    "power": "too large to compute",
    "loops": "longer than its budget of 0.5 s",
    "strings": "longer than its budget of 0.5 s",
    "center": "width or count would exceed",
    "repeat": "repetition would exceed",
    "percent": "formatted width would exceed",
    "format": "formatted width would exceed",
    "format-filter": "formatted width would exceed",
    "precision": "formatted width would exceed",
    "brace-precision": "formatted width would exceed",
    "star": "formatted width would exceed",
    "star-filter": "formatted width would exceed",
    "nested": "formatted width would exceed",
    "nested-keyword": "formatted width would exceed",
    "output": "rendered text would exceed",
}
INDEX = """version: 1
render_budget: {seconds: 0.5, characters: 1000000}
prompts:
  good: {file: prompts/user/good.prompty}
  bad: {file: prompts/user/bad.prompty}
"""


def _library(root: Path, body: str) -> Path:
    (root / "config").mkdir(exist_ok=True)
    (root / "config" / "prompt-library.yaml").write_text(INDEX)
    user = root / "prompts" / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "good.prompty").write_text(GOOD)
    (user / "bad.prompty").write_text(f"---\nname: bad\nversion: 1.0.0\n---\n{body}\n")
    return root


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_each_attack_is_one_named_error_on_both_sides(
    rt: ModuleType, tmp_path: Path, attack: str
) -> None:
    root = _library(tmp_path, ATTACKS[attack])
    started = time.monotonic()
    library = load_library(root)
    parse_problems = [str(p) for p in library.problems]
    if parse_problems:  # refused when the library is read: named, and the rest loads
        assert any("bad.prompty" in p and EXPECTED[attack] in p for p in parse_problems)
    else:
        with pytest.raises(PromptError, match=EXPECTED[attack]):
            render(library.resolve("bad"), {}, budget=library.index.budget)
    assert render(library.resolve("good"), {"who": "you"}).messages[0].content == "Hello you."
    generated = rt.PromptLibrary(root)
    with pytest.raises(rt.PromptError, match=EXPECTED[attack]) as caught:
        generated.render("bad")
    assert "bad.prompty" in str(caught.value)
    assert generated.render("good", who="you").messages[0]["content"] == "Hello you."
    # Well inside the suite's patience: the 0.5 s budget, twice, plus parsing.
    assert time.monotonic() - started < 20


def test_the_cli_names_the_bad_prompt_and_checks_the_rest(tmp_path: Path, git_repo: Path) -> None:
    root = _library(git_repo, ATTACKS["deep"])
    result = run_cli("prompt-library", "render", "good", "--var", "who=you", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "Hello you." in result.stdout
    result = run_cli("prompt-library", "render", "bad", cwd=root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "bad.prompty" in result.stderr and "nested too deeply" in result.stderr


def test_the_runtime_carries_the_clis_budget_module_verbatim(runtime_repo: Path) -> None:
    copies = list(runtime_repo.rglob("prompt_budget.py"))
    assert len(copies) == 1
    assert copies[0].read_text(encoding="utf-8") == prompt_budget_source()


# Digits in text are text: only real format specs of real format strings hold widths.
HARMLESS = {
    "{{ '12345678901'|center(20) }}": "    12345678901     ",
    "{{ 'Order 12345678901: %s' % 'shipped' }}": "Order 12345678901: shipped",
    "{{ '%d items'|format(5000000) }}": "5000000 items",
    "{{ '{} of 123456789'.format(5) }}": "5 of 123456789",
    "{{ '%08.3f'|format(3.14159) }}": "0003.142",
    "{{ '{:>6}|{:.2f}'.format('ab', 2.5) }}": "    ab|2.50",
    "{{ '%*d' % (4, 7) }}": "   7",
    "{{ 'call 5551234567'|truncate(30) }}": "call 5551234567",
    "{{ 'call 5551234567 now'|wordwrap(10) }}": "call\n5551234567\nnow",
}


@pytest.mark.parametrize("body", sorted(HARMLESS))
def test_digits_in_text_and_small_widths_render_on_both_sides(
    rt: ModuleType, tmp_path: Path, body: str
) -> None:
    root = _library(tmp_path, f"[{body}]")  # brackets: padding is kept, not stripped
    library = load_library(root)
    assert library.problems == []
    rendered = render(library.resolve("bad"), {}, budget=library.index.budget)
    assert rendered.messages[0].content == f"[{HARMLESS[body]}]"
    generated = rt.PromptLibrary(root).render("bad")
    assert generated.messages[0]["content"] == f"[{HARMLESS[body]}]"
