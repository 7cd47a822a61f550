"""The generated prompt loader and ``aiinfra prompt-library`` follow the same format rules
(docs/prompt-format.md): the same references resolve to the same files, render to the same
messages, and fail with the same located messages."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from aiinfra_cli.prompts import PromptError, load_library, render

PROMPTS = {
    "user/chat.prompty": """---
name: chat
version: 1.1.0
inputs:
  question: {type: string}
  history: {type: array, default: []}
  tone: {type: string, required: false}
  n: {type: integer, default: 2}
---
# System:
You answer {{ n }} ways{% if tone %}, in a {{ tone }} tone{% endif %}.

Developer:
{% for turn in history %}
- {{ turn }}
{% endfor %}

user:
{{ question }}
assistant:
""",
    "system/rules.prompty": """---
name: rules
version: 2.0.0
inputs:
  product: {type: string, default: Widget}
---

Never promise refunds for {{ product }}.
   Indented lines stay.
""",
    "templates/wrap.prompty": "---\r\nname: wrap\r\nversion: 1.0.0\r\ninputs:\r\n"
    "  body: {type: string}\r\n---\r\n<doc>\r\n{{ body }}\r\n</doc>\r\n",
}
SNAPSHOT = PROMPTS["user/chat.prompty"].replace("1.1.0", "1.0.0").replace("answer", "reply")
INDEX = """version: 1
prompts:
  chat:
    file: prompts/user/chat.prompty
    labels: {production: 1.0.0, staging: 1.1.0}
  rules: {file: prompts/system/rules.prompty}
  wrap: {file: prompts/templates/wrap.prompty}
"""


@pytest.fixture
def library_root(git_repo: Path) -> Path:
    (git_repo / "config").mkdir()
    (git_repo / "config" / "prompt-library.yaml").write_text(INDEX)
    for rel, text in PROMPTS.items():
        path = git_repo / "prompts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(("\ufeff" if rel.startswith("templates") else "").encode() + text.encode())
    snapshot = git_repo / "prompts" / "versions" / "chat" / "1.0.0.prompty"
    snapshot.parent.mkdir(parents=True)
    snapshot.write_text(SNAPSHOT)
    return git_repo


CASES: list[tuple[str, dict[str, Any]]] = [
    ("chat", {"question": "Why?"}),
    ("chat", {"question": "Why?", "tone": "dry", "history": ["hi", "hello"], "n": 3}),
    ("chat", {"question": "Why?", "tone": None}),
    ("chat:production", {"question": "Why?"}),
    ("chat:staging", {"question": "Why?"}),
    ("chat@1.0.0", {"question": "Why?"}),
    ("chat@1.1.0", {"question": "Why?"}),
    ("chat:latest", {"question": "{{ not_code }}"}),
    ("rules", {}),
    ("rules", {"product": "Gadget"}),
    ("wrap", {"body": "line 1\nline 2"}),
]


@pytest.mark.parametrize(("ref", "values"), CASES)
def test_both_render_the_same_messages(
    rt: ModuleType, library_root: Path, ref: str, values: dict[str, Any]
) -> None:
    ours = load_library(library_root)
    expected = render(ours.resolve(ref), values)
    generated = rt.PromptLibrary(library_root).render(ref, values)
    assert generated.messages == [m.as_dict() for m in expected.messages]
    assert generated.ref == expected.prompt.ref


@pytest.mark.parametrize(
    ("ref", "values"),
    [
        ("chat", {}),  # required variable missing
        ("chat", {"questoin": "x"}),  # undeclared: a typo
        ("chat", {"question": 3}),  # wrong type
        ("chat", {"question": "x", "n": True}),  # a boolean is not an integer
        ("chat:canary", {"question": "x"}),  # unknown label
        ("chat@9.0.0", {"question": "x"}),  # unknown version
        ("nope", {}),  # unknown prompt
    ],
)
def test_both_refuse_the_same_mistakes_at_the_same_place(
    rt: ModuleType, library_root: Path, ref: str, values: dict[str, Any]
) -> None:
    with pytest.raises(PromptError) as theirs:
        render(load_library(library_root).resolve(ref), values)
    with pytest.raises(rt.PromptError) as ours:
        rt.PromptLibrary(library_root).render(ref, values)
    expected = str(theirs.value).split(" (")[0]  # without the CLI's hint
    assert str(ours.value).split(" (")[0] == expected


def test_both_keep_templates_out_of_python_and_files(rt: ModuleType, library_root: Path) -> None:
    path = library_root / "prompts" / "system" / "rules.prompty"
    path.write_text(path.read_text().replace("{{ product }}", "{{ product.__class__.__mro__ }}"))
    with pytest.raises(PromptError, match="sandbox"):
        render(load_library(library_root).resolve("rules"), {})
    with pytest.raises(rt.PromptError, match="sandbox"):
        rt.PromptLibrary(library_root).render("rules")
    path.write_text(path.read_text() + "{% include 'config/ai-models.yaml' %}\n")
    problems = [str(p) for p in load_library(library_root).problems]
    with pytest.raises(rt.PromptError) as ours:
        rt.PromptLibrary(library_root).get("rules")
    assert any(str(ours.value).split(" a prompt")[0] in p for p in problems), problems


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("  n: {type: integer, default: 2}", "  n: {type: integer, default: two}"), "n.default"),
        (("  n: {type: integer, default: 2}", "  n: {type: integer, default: 2, required: true}"),
         "n.required"),
        (("version: 1.1.0", "version: 1.1.0\nsample: sample.json"), "sample"),
        (("version: 1.1.0", "version: 1.1.0\nverison: 2"), "verison"),
    ],
)  # fmt: skip
def test_both_refuse_the_same_bad_files(
    rt: ModuleType, library_root: Path, change: tuple[str, str], key: str
) -> None:
    path = library_root / "prompts" / "user" / "chat.prompty"
    path.write_text(path.read_text().replace(*change))
    problems = [str(p) for p in load_library(library_root).problems]
    assert any(key in problem for problem in problems), problems
    with pytest.raises(rt.PromptError, match=key.replace(".", r"\.")):
        rt.PromptLibrary(library_root).get("chat")
