"""``aiinfra prompt-library``: list, add, show, render, test, diff, bump and check prompts.

Each sub-command is a plain typed function returning an exit code; what they draw lives in
``_prompt_views`` (Rich, onto a console passed in).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiinfra_cli import output
from aiinfra_cli._schema import parse_usd_option
from aiinfra_cli.commands._agent_option import agent_cap
from aiinfra_cli.commands._prompt_live import agent_step, live_caller
from aiinfra_cli.commands._prompt_views import (
    esc,
    print_line,
    render_baseline,
    render_compare,
    render_details,
    render_diff,
    render_list,
    render_show,
    render_test,
    usd,
)
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK, UsageError
from aiinfra_cli.redact import redact

if TYPE_CHECKING:
    from rich.console import Console

    from aiinfra_cli.config import Config
    from aiinfra_cli.prompts import (
        CaseResult,
        Change,
        Library,
        Plan,
        Problem,
        PromptFile,
    )

TYPE_ALIASES = {
    "str": "string",
    "string": "string",
    "text": "string",
    "int": "integer",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "list": "array",
    "array": "array",
    "dict": "object",
    "object": "object",
}


# --------------------------------------------------------------------------- helpers


def _library(root: Path | None = None) -> Library:
    from aiinfra_cli.prompts import load_library

    return load_library(root)


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(redact(str(problem)), file=sys.stderr)


def _config(root: Path) -> Config | None:
    from aiinfra_cli.config import load_config

    return load_config(start=root)


def _tokenizer_model(prompt: PromptFile, config: Config | None) -> str | None:
    """The provider model name a prompt targets (for token counts), without loading prices."""
    spec = prompt.model
    if spec is None:
        return None
    if spec.route:
        route = config.routes.get(spec.route) if config else None
        first = config.model(route.chain[0]) if config and route else None
        return first.model if first else None
    if spec.name and config is not None:
        model = config.model(spec.name)
        if model is not None:
            return model.model
    return spec.name


# --------------------------------------------------------------------------- list


def list_rows(library: Library) -> list[dict[str, Any]]:
    """One JSON-ready row per readable prompt: what ``list`` shows."""
    from aiinfra_cli.prompts import last_changes, static_tokens

    config = _config(library.root)
    prompts = [library.prompts[name] for name in sorted(library.prompts)]
    changes = last_changes(library.root, [p.display for p in prompts])
    rows: list[dict[str, Any]] = []
    for prompt in prompts:
        entry = library.index.entries[prompt.name]
        model = _tokenizer_model(prompt, config)
        rows.append(
            {
                "name": prompt.name,
                "version": prompt.version,
                "category": prompt.category,
                "file": prompt.display,
                "description": prompt.description,
                "labels": dict(sorted(entry.labels.items())),
                "inputs": [
                    {"name": v.name, "type": v.type, "required": v.required} for v in prompt.inputs
                ],
                "model": prompt.model.target if prompt.model else None,
                "static_tokens": static_tokens(prompt.static_text, model),
                "tokenizer": model or "o200k_base",
                "versions": library.versions(prompt.name),
                "tags": list(prompt.tags),
                "last_change": changes.get(prompt.display),
                "tests": len(prompt.tests),
            }
        )
    return rows


def list_prompts(*, as_json: bool = False, root: Path | None = None) -> int:
    """``list``: every prompt with version, labels, variables, static tokens and last change."""
    library = _library(root)
    rows = list_rows(library)
    problems = _load_problems(library)
    if as_json:
        output.print_json(
            {
                "prompts": rows,
                "problems": [p.as_dict() for p in problems],
            }
        )
    else:
        render_list(output.out_console(), rows)
        _print_problems(problems)
    return EXIT_FAILURE if any(p.severity == "error" for p in problems) else EXIT_OK


def _load_problems(library: Library) -> list[Problem]:
    from aiinfra_cli.prompts import Problem, sort_problems

    problems = list(library.problems)
    problems.extend(
        Problem(
            shown,
            None,
            f"not in {library.index.display}: aiinfra prompt-library add"
            f" {Path(shown).name.removesuffix('.prompty')} --from {shown}",
            severity="warning",
        )
        for shown in library.unindexed
    )
    return sort_problems(problems)


# --------------------------------------------------------------------------- show


def show(ref: str, *, root: Path | None = None) -> int:
    """``show NAME[@VERSION|:LABEL]``."""
    library = _library(root)
    prompt = library.resolve(ref)
    render_show(output.out_console(), library, prompt)
    return EXIT_OK


# --------------------------------------------------------------------------- render


def collect_values(
    prompt: PromptFile, var_options: Sequence[str], vars_file: Path | None
) -> dict[str, Any]:
    """Variable values from ``--vars FILE`` then ``--var KEY=VALUE`` (which win)."""
    from aiinfra_cli.prompts import coerce_value, parse_var_options, read_vars_file

    values: dict[str, Any] = dict(read_vars_file(vars_file)) if vars_file else {}
    for name, text in parse_var_options(list(var_options)):
        values[name] = coerce_value(prompt, name, text)
    return values


def render(
    ref: str,
    *,
    var_options: Sequence[str] = (),
    vars_file: Path | None = None,
    as_json: bool = False,
    root: Path | None = None,
) -> int:
    """``render``: the messages a prompt produces with the given variables, on stdout."""
    from aiinfra_cli.prompts import render as render_prompt

    library = _library(root)
    prompt = library.resolve(ref)
    values = collect_values(prompt, var_options, vars_file)
    rendered = render_prompt(prompt, values, budget=library.index.budget)
    if as_json:
        output.print_json(
            {
                "prompt": prompt.name,
                "version": prompt.version,
                "messages": [m.as_dict() for m in rendered.messages],
                "parameters": dict(prompt.model.parameters) if prompt.model else {},
            }
        )
    else:
        sys.stdout.write(redact(rendered.text()) + "\n")
    return EXIT_OK


# --------------------------------------------------------------------------- diff


def diff(left: str, right: str, *, root: Path | None = None) -> int:
    """``diff NAME@A NAME@B``."""
    library = _library(root)
    render_diff(output.out_console(), library.resolve(left), library.resolve(right))
    return EXIT_OK


# --------------------------------------------------------------------------- bump


def bump(
    name: str, *, level: str | None = None, labels: Sequence[str] = (), root: Path | None = None
) -> int:
    """``bump NAME [--major|--minor|--patch] [--label L]...``."""
    from aiinfra_cli.prompts import bump as bump_prompt
    from aiinfra_cli.prompts import parse_ref

    ref = parse_ref(name)
    if ref.version or ref.label:
        raise UsageError(f"bump takes a prompt name, not '{name}'")
    library = _library(root)
    result = bump_prompt(library, ref.name, level, labels)
    console = output.err_console()
    if result.recorded and result.recorded != result.before:
        snapshot = library.display(library.snapshot_path(result.name, result.recorded))
        console.print(
            esc(f"{result.name}: {result.before} → {result.recorded} (snapshot {snapshot})")
        )
    elif result.recorded:
        print_line(console, f"{result.name}: recorded {result.recorded}")
    target = result.recorded or result.before
    for label in result.labels:
        print_line(console, f"{result.name}: label {label} → {target}")
    return EXIT_OK


# --------------------------------------------------------------------------- check


def check(*, as_json: bool = False, root: Path | None = None) -> int:
    """``check``: every problem CI should fail on; exit 1 if there is any."""
    from aiinfra_cli.prompts import check_library

    library = _library(root)
    problems = check_library(library)
    errors = [p for p in problems if p.severity == "error"]
    if as_json:
        output.print_json(
            {
                "ok": not errors,
                "prompts": len(library.index.entries),
                "problems": [p.as_dict() for p in problems],
            }
        )
    else:
        _print_problems(problems)
        count = len(library.index.entries)
        noun = "prompt" if count == 1 else "prompts"
        if errors:
            word = "problem" if len(errors) == 1 else "problems"
            output.info(f"prompt-library check: {len(errors)} {word} in {count} {noun}")
        else:
            output.info(f"prompt-library check: {count} {noun} OK")
    return EXIT_FAILURE if errors else EXIT_OK


# --------------------------------------------------------------------------- add


def parse_var_specs(specs: Sequence[str]) -> list[tuple[str, str]]:
    """``["text", "n:int"]`` → ``[("text", "string"), ("n", "integer")]``."""
    import re

    pairs: list[tuple[str, str]] = []
    for spec in specs:
        for part in [p.strip() for p in spec.split(",") if p.strip()]:
            name, _, kind = part.partition(":")
            name = name.strip()
            kind = kind.strip().lower() or "string"
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise UsageError(f"--var {part!r}: '{name}' is not a variable name (NAME:TYPE)")
            if kind not in TYPE_ALIASES:
                raise UsageError(
                    f"--var {part!r}: unknown type '{kind}'",
                    hint="use string, integer, number, boolean, array or object",
                )
            if any(existing == name for existing, _ in pairs):
                raise UsageError(f"--var {part!r}: '{name}' is given twice")
            pairs.append((name, TYPE_ALIASES[kind]))
    return pairs


def _model_target(model: str | None, config: Config | None) -> dict[str, str] | None:
    if not model:
        return None
    if config is not None and model in config.routes:
        return {"route": model}
    return {"name": model}


def is_interactive() -> bool:
    """Whether a person can answer questions: stdin is a terminal."""
    stdin = sys.stdin
    try:
        return stdin is not None and not stdin.closed and stdin.isatty()
    except (ValueError, OSError):
        return False


def add(
    name: str,
    *,
    category: str | None = None,
    source: Path | None = None,
    variables: Sequence[str] = (),
    description: str | None = None,
    model: str | None = None,
    yes: bool = False,
    root: Path | None = None,
    interactive: bool | None = None,
) -> int:
    """``add NAME``: ask in a terminal for what the flags leave out; without one, use defaults."""
    from aiinfra_cli.prompts import (
        CATEGORIES,
        NewPrompt,
        add_prompt,
        adopt_text,
        infer_variables,
        parse_ref,
        prompt_text,
        read_option_file,
    )

    ref = parse_ref(name)
    if ref.version or ref.label:
        raise UsageError(f"add takes a new prompt's name, not '{name}'")
    if category is not None and category not in CATEGORIES:
        raise UsageError(f"--category {category}: use one of {', '.join(CATEGORIES)}")
    library = _library(root)
    config = _config(library.root)
    declared = parse_var_specs(variables)
    text: str | None = None
    body: str | None = None
    if source is not None:
        raw = read_option_file(source, "--from")
        if raw.startswith("---\n") or raw.startswith("---"):
            text = adopt_text(raw, ref.name)
        else:
            body = raw
            if not declared:
                declared = [(v, "string") for v in infer_variables(raw)]
    ask = (is_interactive() if interactive is None else interactive) and not yes
    if ask:
        category, description, model, declared = _ask(
            category, description, model, declared, config, text is not None
        )
    spec = NewPrompt(
        name=ref.name,
        category=category or "user",
        description=description or "",
        target=_model_target(model, config),
        variables=declared,
        body=body,
    )
    if text is None:
        text = prompt_text(spec)
    if ask:
        from rich.prompt import Confirm

        console = output.err_console()
        path = f"prompts/{spec.category}/{spec.name}.prompty"
        console.rule(esc(path), style="dim")
        console.print(esc(text.rstrip("\n")), highlight=False, soft_wrap=True)
        console.rule(style="dim")
        if not Confirm.ask(f"Write {path}?", default=True, console=console):
            output.info("cancelled: nothing written")
            return EXIT_FAILURE
    prompt = add_prompt(library, spec, text=text, source=source)
    output.info(
        esc(f"added {prompt.ref} ({prompt.display}); recorded in config/prompt-library.lock.json")
    )
    return EXIT_OK


def _ask(
    category: str | None,
    description: str | None,
    model: str | None,
    declared: list[tuple[str, str]],
    config: Config | None,
    has_front_matter: bool,
) -> tuple[str, str, str | None, list[tuple[str, str]]]:
    """Ask (Rich prompts, on stderr) for everything the flags left out."""
    from rich.prompt import Prompt

    from aiinfra_cli.prompts import CATEGORIES

    console = output.err_console()
    if category is None:
        category = Prompt.ask("Category", choices=list(CATEGORIES), default="user", console=console)
    if has_front_matter:
        return category, description or "", model, declared
    if description is None:
        description = Prompt.ask("Description", default="", console=console)
    if model is None:
        choices = (
            [*(config.routes if config else ()), *(m.id for m in config.models)] if config else []
        )
        hint = f" ({', '.join(choices)})" if choices else ""
        model = (
            Prompt.ask(
                f"Model: a route or model id{hint}, empty for none", default="", console=console
            )
            or None
        )
    if not declared:
        while True:
            answer = Prompt.ask(
                "Variables as NAME:TYPE, comma-separated (empty for none)",
                default="",
                console=console,
            )
            try:
                declared = parse_var_specs([answer]) if answer.strip() else []
                break
            except UsageError as exc:
                print_line(console, str(exc))
    return category, description, model, declared


# --------------------------------------------------------------------------- test


def _select(library: Library, refs: Sequence[str]) -> list[PromptFile]:
    if refs:
        return [library.resolve(ref) for ref in refs]
    return [library.prompts[name] for name in sorted(library.prompts)]


def test(
    refs: Sequence[str] = (),
    *,
    live: bool = False,
    compare: tuple[str, str] | None = None,
    max_cost: str | None = None,
    as_json: bool = False,
    save_baseline: bool = False,
    agent: bool = False,
    agent_max_cost: str | None = None,
    root: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """``test``: offline (renders, fits, estimate) or ``--live`` (calls, assertions, cost);
    ``agent``: written recommendations on the results (the exit code never depends on them)."""
    from aiinfra_cli.prompts import (
        compare as compare_baseline,
    )
    from aiinfra_cli.prompts import (
        load_baseline,
        load_environment,
        plan,
        results,
        run_live,
    )
    from aiinfra_cli.prompts import (
        save_baseline as store_baseline,
    )

    cap = agent_cap(agent, agent_max_cost)
    limit = parse_usd_option(max_cost, "--max-cost", "0.50")
    library = _library(root)
    problems = list(library.problems)
    prompts, shared = _prompts_to_test(library, refs, compare, save_baseline=save_baseline)
    env = load_environment(library.root)
    grader, budget = library.index.grader, library.index.budget
    plans: list[Plan] = (
        [plan([p], env, grader=grader, cases_from=shared, budget=budget) for p in prompts]
        if compare
        else [plan(prompts, env, grader=grader, budget=budget)]
    )
    mode = "live" if live else "offline"
    if live:
        bound, unpriced = _bound(plans, limit, max_cost)
        caller = live_caller(env, environ)
        if not as_json:
            count = sum(1 for p in plans for row in results(p) if row.status != "error")
            bounded = f"at most {usd(bound)}" if not unpriced else "not bounded: unpriced models"
            output.info(esc(f"calling models for {count} cases (cost {bounded})"))
        for item in plans:
            run_live(item, env, caller, grader=grader)
    sides = [results(p) for p in plans]
    rows = [row for side in sides for row in side]
    baseline = load_baseline(library.root, mode) if compare is None else None
    changes = compare_baseline(baseline, rows) if baseline is not None else None
    step = (
        agent_step(rows, problems, live=live, config=env.config, cap=cap, environ=environ)
        if agent
        else None
    )
    if as_json:
        document = _test_document(mode, rows, problems, compare, changes)
        output.print_json(step.attach(document) if step is not None else document)
    else:
        console = output.out_console()
        _show_results(console, sides, changes, live=live, compared=compare is not None)
        if step is not None:
            step.show(console)
        _print_problems(problems)
    if step is not None:
        step.notice()
    if save_baseline:
        path = store_baseline(library.root, mode, rows)
        output.info(esc(f"baseline saved: {library.display(path)}"))
    failed = any(row.status != "pass" for row in rows) or bool(problems)
    return EXIT_FAILURE if failed else EXIT_OK


def _prompts_to_test(
    library: Library,
    refs: Sequence[str],
    compare: tuple[str, str] | None,
    *,
    save_baseline: bool,
) -> tuple[list[PromptFile], dict[str, Any] | None]:
    """The prompts a run tests, and (``--compare``) the cases both versions share."""
    if compare is None:
        return _select(library, refs), None
    if save_baseline:
        raise UsageError("--save-baseline saves one run: leave out --compare")
    if refs:
        raise UsageError("--compare takes the two versions itself: give no other prompt")
    left, right = (library.resolve(ref) for ref in compare)
    if left.name != right.name:
        raise UsageError(
            f"--compare needs two versions of one prompt, got {left.name} and {right.name}"
        )
    suite = library.prompts.get(left.name) or right
    from aiinfra_cli.prompts import cases_for

    return [left, right], {left.name: cases_for(suite)}


def _bound(
    plans: Sequence[Plan], limit: Decimal | None, max_cost: str | None
) -> tuple[Decimal, list[str]]:
    """A live run's upper-bound cost and its unpriced models; UsageError past ``--max-cost``."""
    bound = sum((p.bound for p in plans), Decimal(0))
    unpriced = [item for p in plans for item in p.unpriced]
    if limit is not None:
        if unpriced:
            raise UsageError(
                f"--max-cost {max_cost}: cannot bound the cost: {unpriced[0]} has no price",
                hint="give that model, or the grader, a price in config/ai-models.yaml",
            )
        if bound > limit:
            raise UsageError(
                f"refusing to start: this run could cost up to {usd(bound)},"
                f" more than --max-cost {usd(limit)}",
                hint="test fewer prompts, lower max_tokens, or raise --max-cost",
            )
    return bound, unpriced


def _show_results(
    console: Console,
    sides: Sequence[Sequence[CaseResult]],
    changes: Sequence[Change] | None,
    *,
    live: bool,
    compared: bool,
) -> None:
    """The test table (or the two versions side by side) and the baseline's changes."""
    if compared:
        render_compare(console, sides[0], sides[1], live=live)
        for side in sides:
            render_details(console, side)
    else:
        render_test(console, [row for side in sides for row in side], live=live)
    if changes is not None:
        render_baseline(console, changes)


def _test_document(
    mode: str,
    rows: Sequence[CaseResult],
    problems: Sequence[Problem],
    compare: tuple[str, str] | None,
    changes: Sequence[Change] | None,
) -> dict[str, Any]:
    """The ``--json`` document of a test run (without the agent's section)."""
    from aiinfra_cli.prompts import summary_dict

    document: dict[str, Any] = {
        "mode": mode,
        "cases": [row.as_dict() for row in rows],
        "summary": summary_dict(rows, live=mode == "live"),
        "problems": [p.as_dict() for p in problems],
    }
    if compare is not None:
        document["compare"] = [str(c) for c in compare]
    if changes is not None:
        document["baseline"] = {
            "regressions": [c.key for c in changes if c.regression],
            "fixed": [c.key for c in changes if c.fixed],
        }
    return document


# --------------------------------------------------------------------------- demo


def demo_section(root: Path, console: Console) -> None:
    """For ``aiinfra demo``: write a sample prompt into ``root``, then list, render, test it."""
    from aiinfra_cli.demo import DEMO_PROMPT
    from aiinfra_cli.prompts import (
        NewPrompt,
        add_prompt,
        load_environment,
        load_library,
        plan,
        results,
    )
    from aiinfra_cli.prompts import bump as bump_prompt
    from aiinfra_cli.prompts import render as render_prompt

    library = load_library(root)
    if "summarize-ticket" not in library.index.entries:
        add_prompt(library, NewPrompt(name="summarize-ticket", category="user"), text=DEMO_PROMPT)
        bump_prompt(load_library(root), "summarize-ticket", None, ["production"])
        library = load_library(root)
    ticket = "Login fails with error 403."
    console.rule("prompt library")
    console.print("$ aiinfra prompt-library list", style="bold", soft_wrap=True)
    render_list(console, list_rows(library))
    console.print(
        f"$ aiinfra prompt-library render summarize-ticket --var ticket='{ticket}'",
        style="bold",
        soft_wrap=True,
        markup=False,
    )
    prompt = library.resolve("summarize-ticket")
    print_line(console, render_prompt(prompt, {"ticket": ticket}).text())
    console.print("$ aiinfra prompt-library test", style="bold", soft_wrap=True)
    env = load_environment(library.root)
    render_test(
        console,
        results(plan([prompt], env, grader=library.index.grader, budget=library.index.budget)),
        live=False,
    )
