"""Versions, labels, the lock and ``check``, on real files in real git repositories."""

from __future__ import annotations

import json

import pytest

from aiinfra_cli.errors import UsageError
from aiinfra_cli.prompts import PromptError, bump, check_library, load_library, parse_ref


def problems(root) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in check_library(load_library(root))]


def test_a_recorded_library_checks_clean(library) -> None:  # type: ignore[no-untyped-def]
    assert problems(library.root) == []
    assert json.loads(library.read("config/prompt-library.lock.json"))["prompts"][
        "summarize"
    ].keys() == {"1.0.0"}
    assert library.read("prompts/versions/summarize/1.0.0.prompty") == library.read(
        "prompts/user/summarize.prompty"
    )


def test_edit_without_bump_fails_check_and_bump_records_it(library) -> None:  # type: ignore[no-untyped-def]
    library.commit("first")
    text = library.read("prompts/user/summarize.prompty").replace(
        "Use simple words.", "Use short words."
    )
    library.write("prompts/user/summarize.prompty", text)
    assert problems(library.root) == [
        "prompts/user/summarize.prompty:3: content changed since summarize@1.0.0 was recorded but"
        " the version was not bumped (run 'aiinfra prompt-library bump summarize')"
    ]
    result = bump(load_library(library.root), "summarize", "minor", ["staging"])
    assert (result.before, result.recorded, result.changed) == ("1.0.0", "1.1.0", True)
    assert problems(library.root) == []
    assert "version: 1.1.0\n" in library.read("prompts/user/summarize.prompty")
    # The recorded 1.0.0 is untouched and still loadable, by version and by label.
    loaded = load_library(library.root)
    assert "Use simple words." in loaded.resolve("summarize@1.0.0").body
    assert "Use short words." in loaded.resolve("summarize:staging").body
    assert loaded.resolve("summarize").version == "1.1.0"
    assert loaded.resolve("summarize:latest").version == "1.1.0"


def test_bump_without_change_refuses_unless_asked(library) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PromptError) as caught:
        bump(load_library(library.root), "summarize", None)
    assert str(caught.value) == (
        "nothing to bump: 'summarize' is unchanged since 1.0.0 (pass --patch, --minor or --major"
        " to record a new version anyway)"
    )
    moved = bump(load_library(library.root), "summarize", None, ["production"])
    assert (moved.recorded, moved.labels) == (None, ("production",))
    assert "production: 1.0.0" in library.read("config/prompt-library.yaml")
    major = bump(load_library(library.root), "summarize", "major")
    assert major.recorded == "2.0.0"
    assert load_library(library.root).resolve("summarize:production").version == "1.0.0"


def test_label_pointing_nowhere_fails_check(library) -> None:  # type: ignore[no-untyped-def]
    library.write(
        "config/prompt-library.yaml",
        "version: 1\nprompts:\n  summarize:\n    file: prompts/user/summarize.prompty\n"
        "    labels:\n      production: 0.9.0\n",
    )
    assert problems(library.root) == [
        "config/prompt-library.yaml:6: label 'production' of 'summarize' points to 0.9.0, which is"
        " not a recorded version (recorded: 1.0.0)"
    ]
    with pytest.raises(PromptError) as caught:
        load_library(library.root).resolve("summarize:production")
    assert str(caught.value) == (
        "config/prompt-library.yaml:6: prompt 'summarize' has no version 0.9.0 (versions: 1.0.0)"
    )


def test_edited_or_missing_snapshot_fails_check(library) -> None:  # type: ignore[no-untyped-def]
    snapshot = "prompts/versions/summarize/1.0.0.prompty"
    library.write(snapshot, library.read(snapshot).replace("engineers", "managers"))
    assert problems(library.root) == [
        f"{snapshot}: recorded version summarize@1.0.0 was edited (its hash no longer matches"
        " config/prompt-library.lock.json); restore it and change the working copy instead"
    ]
    (library.root / snapshot).unlink()
    assert problems(library.root) == [
        f"config/prompt-library.lock.json: summarize@1.0.0 is recorded but {snapshot} is missing"
        f" (restore it from git history: git log -- {snapshot})"
    ]


def test_variables_used_but_undeclared_and_declared_but_unused(library) -> None:  # type: ignore[no-untyped-def]
    text = library.read("prompts/user/summarize.prompty")
    text = text.replace("{{ article }}", "{{ artcle }}").replace(
        "{{ sentences }}-sentence", "short"
    )
    library.write("prompts/user/summarize.prompty", text)
    found = problems(library.root)
    assert found == [
        "prompts/user/summarize.prompty:3: content changed since summarize@1.0.0 was recorded but"
        " the version was not bumped (run 'aiinfra prompt-library bump summarize')",
        "prompts/user/summarize.prompty:13: input 'article' is declared but the template never uses it",
        "prompts/user/summarize.prompty:19: input 'sentences' is declared but the template never uses it",
        "prompts/user/summarize.prompty:35: variable 'artcle' is used but not declared in inputs"
        " (did you mean 'article'?)",
    ]


def test_loop_and_set_variables_are_not_inputs(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write(
        "prompts/templates/list.prompty",
        "---\nname: list\nversion: 1.0.0\ninputs:\n  items: {type: array}\n---\n"
        "{% set sep = ', ' %}{% for item in items %}{{ loop.index }}. {{ item }}{{ sep }}{% endfor %}\n",
    )
    repo.write(
        "config/prompt-library.yaml",
        "version: 1\nprompts:\n  list: {file: prompts/templates/list.prompty}\n",
    )
    bump(load_library(repo.root), "list", None)
    assert problems(repo.root) == []


def test_bad_files_unindexed_files_and_test_cases(library) -> None:  # type: ignore[no-untyped-def]
    library.write("prompts/system/broken.prompty", "---\nname: broken\nversion: [1\n---\nhi\n")
    library.write("prompts/user/stray.prompty", "---\nname: stray\nversion: 1.0.0\n---\nhi\n")
    library.write(
        "prompts/user/summarize.tests.yaml",
        "tests:\n  - name: typo\n    vars: {article: x, audiance: kids}\n  - name: short\n    vars: {article: y}\n",
    )
    library.write(
        "config/prompt-library.yaml",
        "version: 1\nprompts:\n  summarize: {file: prompts/user/summarize.prompty}\n"
        "  broken: {file: prompts/system/broken.prompty}\n  gone: {file: prompts/user/gone.prompty}\n",
    )
    assert problems(library.root) == [
        "config/prompt-library.yaml:5: prompts.gone.file: prompts/user/gone.prompty does not exist",
        "prompts/system/broken.prompty:3: invalid YAML: expected ',' or ']', but got '<stream end>'"
        " (while parsing a flow sequence started on line 3) (check indentation and quoting on that"
        " line)",
        "prompts/user/stray.prompty: not in config/prompt-library.yaml (register it: aiinfra"
        " prompt-library add stray --from prompts/user/stray.prompty)",
        "prompts/user/summarize.tests.yaml:2: test 'typo': prompt 'summarize' has no input named"
        " 'audiance' (did you mean 'audience'?)",
        "prompts/user/summarize.tests.yaml:4: test case 'short' is defined twice (also"
        " prompts/user/summarize.prompty:23)",
    ]


def test_route_not_in_config_and_rubric_without_grader(library) -> None:  # type: ignore[no-untyped-def]
    text = library.read("prompts/user/summarize.prompty")
    text = text.replace("    name: fast\n", "    route: summarise\n").replace(
        '      - {type: contains, value: "12%"}',
        "      - {type: llm-rubric, value: Mentions growth}",
    )
    library.write("prompts/user/summarize.prompty", text)
    found = problems(library.root)
    assert found[1:] == [
        "prompts/user/summarize.prompty:9: model.configuration.route: 'summarise' is not a route of"
        " config/ai-models.yaml (did you mean 'summarize'?)",
        "prompts/user/summarize.prompty:26: test 'short': llm-rubric needs a grader (grader: on the"
        " assertion, or grader: in config/prompt-library.yaml)",
    ]


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("summarize", ("summarize", None, None)),
        ("summarize@1.2.0", ("summarize", "1.2.0", None)),
        ("summarize:production", ("summarize", None, "production")),
        ("summarize:latest", ("summarize", None, None)),
    ],
)
def test_references(text: str, parsed: tuple[str, str | None, str | None]) -> None:
    ref = parse_ref(text)
    assert (ref.name, ref.version, ref.label) == parsed


@pytest.mark.parametrize(
    "text", ["summarize@1.2", "summarize@v1.0.0", "sum marize", "@1.0.0", "a:b:c"]
)
def test_bad_references_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="is not a prompt reference"):
        parse_ref(text)


def test_unknown_prompt_and_version(library) -> None:  # type: ignore[no-untyped-def]
    loaded = load_library(library.root)
    with pytest.raises(PromptError) as caught:
        loaded.resolve("sumarize")
    assert str(caught.value) == (
        "no prompt named 'sumarize' in config/prompt-library.yaml (did you mean 'summarize'?)"
        " (see 'aiinfra prompt-library list')"
    )
    with pytest.raises(PromptError) as caught:
        loaded.resolve("summarize@3.0.0")
    assert str(caught.value) == "prompt 'summarize' has no version 3.0.0 (versions: 1.0.0)"
