"""``check``: everything CI and pre-commit should refuse, as located problems.

Bad files, unindexed files, content changed without a version bump, unrecorded versions, edited
or missing snapshots, labels pointing nowhere, variables used but undeclared or declared but
unused, test cases that cannot render, routes the config does not have.
"""

from __future__ import annotations

from pathlib import Path

from aiinfra_cli._schema import did_you_mean
from aiinfra_cli.errors import ConfigError
from aiinfra_cli.prompts._errors import Problem
from aiinfra_cli.prompts._library import SUFFIX, VERSIONS_DIR, Library, sort_problems
from aiinfra_cli.prompts._model import PromptFile
from aiinfra_cli.prompts._parse import describe_value, type_matches
from aiinfra_cli.prompts._runner import cases_for
from aiinfra_cli.prompts._semver import version_key
from aiinfra_cli.prompts._write import holds_placeholder


def _bump_hint(name: str) -> str:
    return f"run 'aiinfra prompt-library bump {name}'"


def _variables(prompt: PromptFile) -> list[Problem]:
    problems: list[Problem] = []
    declared = {v.name for v in prompt.inputs}
    for name, line in sorted(prompt.used.items(), key=lambda item: item[1]):
        if name not in declared:
            problems.append(
                Problem(
                    prompt.display,
                    line,
                    f"variable '{name}' is used but not declared in inputs"
                    f"{did_you_mean(name, sorted(declared))}",
                )
            )
    for variable in prompt.inputs:
        if variable.name not in prompt.used:
            problems.append(
                Problem(
                    prompt.display,
                    variable.line,
                    f"input '{variable.name}' is declared but the template never uses it",
                )
            )
    return problems


def _cases(prompt: PromptFile, grader: str | None) -> list[Problem]:
    problems: list[Problem] = []
    declared = {v.name: v for v in prompt.inputs}
    for case in cases_for(prompt):
        where = case.file or prompt.display
        for name, value in case.vars.items():
            variable = declared.get(name)
            if variable is None:
                problems.append(
                    Problem(
                        where,
                        case.line,
                        f"test '{case.name}': prompt '{prompt.name}' has no input named"
                        f" '{name}'{did_you_mean(name, list(declared))}",
                    )
                )
            elif value is not None and not type_matches(value, variable.type):
                problems.append(
                    Problem(
                        where,
                        case.line,
                        f"test '{case.name}': '{name}' must be {variable.type},"
                        f" got {describe_value(value)}",
                    )
                )
        for variable in prompt.inputs:
            if variable.required and variable.name not in case.vars:
                problems.append(
                    Problem(
                        where,
                        case.line,
                        f"test '{case.name}': required input '{variable.name}' has no value",
                    )
                )
        for assertion in case.asserts:
            if assertion.type == "llm-rubric" and not (assertion.grader or grader):
                problems.append(
                    Problem(
                        where,
                        assertion.line,
                        f"test '{case.name}': llm-rubric needs a grader (grader: on the assertion,"
                        " or grader: in config/prompt-library.yaml)",
                    )
                )
    return problems


def _versions(library: Library, name: str, head: PromptFile | None) -> list[Problem]:
    problems: list[Problem] = []
    locked = library.lock.hashes.get(name, {})
    category = library.category_of(name)
    for version in sorted(set(locked) | set(library.snapshot_versions(name)), key=version_key):
        path = library.snapshot_path(name, version)
        shown = library.display(path)
        if version not in locked:
            problems.append(
                Problem(
                    shown,
                    None,
                    f"{name}@{version} has a snapshot but is not in {library.lock.display}",
                )
            )
            continue
        if not path.is_file():
            problems.append(
                Problem(
                    library.lock.display,
                    None,
                    f"{name}@{version} is recorded but {shown} is missing"
                    f" (restore it from git history: git log -- {shown})",
                )
            )
            continue
        snapshot, found = library.load_file(path, category)
        if snapshot is None:
            problems.extend(found)
            continue
        if snapshot.name != name or snapshot.version != version:
            problems.append(
                Problem(
                    shown,
                    snapshot.line_of("version"),
                    f"this snapshot says {snapshot.ref}; its path says {name}@{version}",
                )
            )
        elif snapshot.content_hash != locked[version]:
            problems.append(
                Problem(
                    shown,
                    None,
                    f"recorded version {name}@{version} was edited (its hash no longer matches"
                    f" {library.lock.display}); restore it and change the working copy instead",
                )
            )
    if head is not None:
        recorded = locked.get(head.version)
        line = head.line_of("version")
        if recorded is None:
            problems.append(
                Problem(
                    head.display,
                    line,
                    f"version {head.version} is not recorded ({_bump_hint(name)} to record it)",
                )
            )
        elif recorded != head.content_hash and holds_placeholder(library, name, head.version):
            problems.append(
                Problem(
                    head.display,
                    line,
                    f"{head.ref} was recorded with add's placeholder text ({_bump_hint(name)}"
                    f" to record your text as {head.version}, no new version needed)",
                )
            )
        elif recorded != head.content_hash:
            problems.append(
                Problem(
                    head.display,
                    line,
                    f"content changed since {head.ref} was recorded but the version was not bumped"
                    f" ({_bump_hint(name)})",
                )
            )
    return problems


def _labels(library: Library) -> list[Problem]:
    problems: list[Problem] = []
    for name, entry in library.index.entries.items():
        locked = library.lock.hashes.get(name, {})
        for label, version in entry.labels.items():
            if version not in locked:
                known = ", ".join(sorted(locked, key=version_key)) or "none"
                problems.append(
                    Problem(
                        library.index.display,
                        entry.label_lines.get(label),
                        f"label '{label}' of '{name}' points to {version}, which is not a recorded"
                        f" version (recorded: {known})",
                    )
                )
    return problems


def _routes(library: Library) -> list[Problem]:
    from aiinfra_cli.config import load_config

    needs = [p for p in library.prompts.values() if p.model and p.model.route]
    if not needs:
        return []
    try:
        config = load_config(start=library.root)
    except ConfigError as exc:
        return [Problem("config/ai-models.yaml", None, str(exc))]
    problems: list[Problem] = []
    for prompt in needs:
        assert prompt.model is not None and prompt.model.route is not None
        route = prompt.model.route
        if config is None or route not in config.routes:
            known = list(config.routes) if config else []
            problems.append(
                Problem(
                    prompt.display,
                    prompt.line_of("model", "configuration", "route"),
                    f"model.configuration.route: '{route}' is not a route of config/ai-models.yaml"
                    f"{did_you_mean(route, known)}",
                )
            )
    return problems


def check_library(library: Library) -> list[Problem]:
    """Every problem of the library, sorted by file and line."""
    problems = list(library.problems)
    for shown in library.unindexed:
        stem = Path(shown).name[: -len(SUFFIX)]
        problems.append(
            Problem(
                shown,
                None,
                f"not in {library.index.display} (register it: aiinfra prompt-library add {stem}"
                f" --from {shown})",
            )
        )
    for prompt in library.prompts.values():
        problems.extend(_variables(prompt))
        problems.extend(_cases(prompt, library.index.grader))
    names = set(library.index.entries) | set(library.lock.hashes)
    versions_dir = library.root / VERSIONS_DIR
    if versions_dir.is_dir():
        names |= {p.name for p in versions_dir.iterdir() if p.is_dir()}
    for name in sorted(names):
        if name not in library.index.entries:
            problems.append(
                Problem(
                    library.lock.display
                    if name in library.lock.hashes
                    else library.display(versions_dir / name),
                    None,
                    f"'{name}' has recorded versions but is not in {library.index.display}",
                )
            )
            continue
        problems.extend(_versions(library, name, library.prompts.get(name)))
    problems.extend(_labels(library))
    problems.extend(_routes(library))
    return sort_problems(problems)
