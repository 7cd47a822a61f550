"""Reading prompt files: front matter, Prompty keys, located problems, sections, content hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiinfra_cli.prompts._parse import content_hash, parse_prompt_text, parse_tests_text


def parse(text: str, category: str = "user"):  # type: ignore[no-untyped-def]
    return parse_prompt_text(text, path=Path("p.prompty"), display="p.prompty", category=category)


def problems_of(text: str) -> list[str]:
    prompt, problems = parse(text)
    assert prompt is None
    return [str(p) for p in problems]


def test_reference_file_parses_with_prompty_keys(summarize_text: str) -> None:
    prompt, problems = parse(summarize_text)
    assert problems == []
    assert prompt is not None
    assert (prompt.name, prompt.version, prompt.description) == (
        "summarize",
        "1.0.0",
        "Summarise an article.",
    )
    assert (
        prompt.model is not None and prompt.model.name == "fast" and prompt.model.max_tokens == 300
    )
    assert [(v.name, v.type, v.required, v.default) for v in prompt.inputs] == [
        ("article", "string", True, None),
        ("audience", "string", False, "engineers"),
        ("sentences", "integer", False, 3),
    ]
    assert [(s.role, s.line) for s in prompt.sections] == [("system", 29), ("user", 35)]
    assert prompt.used == {"sentences": 29, "audience": 29, "article": 35}
    assert [c.name for c in prompt.tests] == ["short"]
    assert prompt.tests[0].asserts[0].line == 26


def test_a_plain_prompty_file_reads() -> None:
    text = (
        "---\nname: basic\nversion: 0.1.0\ndescription: A basic prompt\nauthors: [someone]\n"
        "model:\n  api: chat\n  configuration:\n    type: azure_openai\n"
        "    azure_deployment: gpt-4o\n    azure_endpoint: ${env:AZURE_OPENAI_ENDPOINT}\n"
        "    api_key: ${env:AZURE_OPENAI_API_KEY}\n"
        "  parameters:\n    max_tokens: 128\n    temperature: 0.2\n"
        "inputs:\n  question:\n    type: string\n"
        "sample:\n  question: Who is the most famous person in the world?\n"
        "template: jinja2\n---\nsystem:\nYou answer briefly.\nuser:\n{{question}}\n"
    )
    prompt, problems = parse(text)
    assert problems == []
    assert prompt is not None
    assert prompt.model is not None and prompt.model.name == "gpt-4o"
    assert prompt.sample == {"question": "Who is the most famous person in the world?"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "---\nname: x\nversion: 1.0.0\ninputs: {a: {type: string}\n---\n{{ a }}\n",
            "p.prompty:4: invalid YAML: expected ',' or '}', but got '<stream end>' (while parsing"
            " a flow mapping started on line 4) (check indentation and quoting on that line)",
        ),
        ("---\nversion: 1.0.0\n---\nhello\n", "p.prompty:2: name: is required"),
        (
            "---\nname: x\nversion: 1.0\n---\nhello\n",
            'p.prompty:3: version: expected a string, got a number (quote it: version: "1.0.0")',
        ),
        (
            "---\nname: x\nversion: 1.0.0\ninputs:\n  n: {type: int}\n---\n{{ n }}\n",
            "p.prompty:5: inputs.n.type: 'int' is not one of: string, integer, number, boolean,"
            " array, object (did you mean 'integer'?)",
        ),
        (
            "name: x\n",
            "p.prompty:1: a prompt file starts with a '---' line, then YAML front matter,"
            " a closing '---' line, and the template",
        ),
        (
            "---\nname: x\nversion: 1.0.0\nhello\n",
            "p.prompty:1: the front matter is never closed: add a '---' line after it",
        ),
        (
            "---\nname: x\nversion: 1.0.0\n---\n{% if a %}\nhello\n",
            "p.prompty:6: template syntax error: Unexpected end of template.",
        ),
        (
            "---\nname: x\nversion: 1.0.0\nmodel:\n  configuration:\n    api_key: sk-proj-abcdefghijklmnopqrstuvwxyz\n---\nhi\n",
            "p.prompty:6: model.configuration.api_key: this looks like a literal OpenAI API key: keys"
            " come from environment variables only (remove api_key; the provider entry in"
            " config/ai-models.yaml names the variable)",
        ),
        (
            "---\nname: x\nversion: 1.0.0\ninputs:\n  n: {type: integer, default: many}\n---\n{{ n }}\n",
            "p.prompty:5: inputs.n.default: must be integer, got string 'many'",
        ),
        (
            "---\nname: x\nversion: 1.0.0\ntests:\n  - name: a\n    assert:\n      - {type: regex, value: '('}\n---\nhi\n",
            "p.prompty:7: tests[0].assert[0].value: invalid regular expression: missing ), unterminated"
            " subpattern at position 0",
        ),
        (
            "---\nname: x\nversion: 1.0.0\ntests:\n  - name: a\n    assert:\n      - {type: json-schema, value: {$ref: '#/x'}}\n---\nhi\n",
            "p.prompty:7: tests[0].assert[0].value: .$ref: keyword not supported (supported:"
            " additionalProperties, allOf, anyOf, const, enum, exclusiveMaximum, exclusiveMinimum,"
            " items, maxItems, maxLength, maximum, minItems, minLength, minimum, not, oneOf, pattern,"
            " patternProperties, properties, propertyNames, required, type, uniqueItems)",
        ),
    ],
)
def test_bad_files_get_one_line_with_file_and_line(text: str, expected: str) -> None:
    first = problems_of(text)[0]
    # Jinja lists the tags it expected in set order: compare up to there.
    assert first.startswith(expected) if "end of template" in expected else first == expected


def test_every_problem_of_a_file_is_reported_in_line_order() -> None:
    assert problems_of("---\nname: x\nverison: 1.0.0\n---\nhello\n") == [
        "p.prompty:2: version: is required",
        "p.prompty:3: verison: unknown key (did you mean 'version'?)",
    ]


def test_role_markers_split_only_when_the_body_starts_with_one() -> None:
    text = "---\nname: x\nversion: 1.0.0\n---\nExamples:\nuser:\nhi\n"
    prompt, _ = parse(text, category="system")
    assert prompt is not None
    assert [(s.role, s.line) for s in prompt.sections] == [("system", 5)]
    marked = (
        "---\nname: x\nversion: 1.0.0\n---\n\n# System:\nBe brief.\nassistant:\nOK.\nUSER:\nhi\n"
    )
    prompt, _ = parse(marked)
    assert prompt is not None
    assert [(s.role, s.source, s.line) for s in prompt.sections] == [
        ("system", "Be brief.", 7),
        ("assistant", "OK.", 9),
        ("user", "hi\n", 11),
    ]


def test_include_import_extends_are_refused_when_read() -> None:
    text = "---\nname: x\nversion: 1.0.0\n---\nhi\n{% include 'other.prompty' %}\n{% extends 'base' %}\n"
    assert problems_of(text) == [
        "p.prompty:6: {% include %} is not allowed: a prompt template cannot read other files"
        " (render the other prompt and pass its text as a variable)",
        "p.prompty:7: {% extends %} is not allowed: a prompt template cannot read other files"
        " (render the other prompt and pass its text as a variable)",
    ]


def test_content_hash_ignores_yaml_layout_version_and_tests(summarize_text: str) -> None:
    prompt, _ = parse(summarize_text)
    assert prompt is not None
    reformatted = (
        summarize_text.replace(
            "  parameters:\n    max_tokens: 300\n", "  parameters: {max_tokens: 300}\n"
        )
        .replace("version: 1.0.0", "version: 2.0.0")
        .replace('value: "12%"', 'value: "13%"')
    )
    other, _ = parse(reformatted)
    assert other is not None
    assert other.content_hash == prompt.content_hash
    changed, _ = parse(summarize_text.replace("Use simple words.", "Use short words."))
    assert changed is not None and changed.content_hash != prompt.content_hash
    assert prompt.content_hash == content_hash(prompt.meta, prompt.body)
    assert prompt.content_hash.startswith("sha256:") and len(prompt.content_hash) == 71


def test_crlf_and_bom_read_like_lf(summarize_text: str) -> None:
    plain, _ = parse(summarize_text)
    windows, _ = parse("\ufeff" + summarize_text.replace("\n", "\r\n"))
    assert plain is not None and windows is not None
    assert windows.content_hash == plain.content_hash


def test_sibling_tests_file_forms() -> None:
    listed, problems = parse_tests_text("- name: a\n  vars: {x: 1}\n", display="t.tests.yaml")
    assert problems == [] and [c.name for c in listed] == ["a"]
    mapped, problems = parse_tests_text(
        "tests:\n  - name: b\n    assert:\n      - type: is-json\n", display="t.tests.yaml"
    )
    assert problems == [] and mapped[0].asserts[0].type == "is-json"
    _, problems = parse_tests_text(
        "tests:\n  - name: c\n    assert:\n      - {type: contain, value: x}\n",
        display="t.tests.yaml",
    )
    assert [str(p) for p in problems] == [
        "t.tests.yaml:4: tests[0].assert[0].type: 'contain' is not one of: contains, icontains,"
        " not-contains, not-icontains, regex, not-regex, equals, is-json, json-schema, max-tokens,"
        " latency, cost, llm-rubric (did you mean 'contains'?)"
    ]
