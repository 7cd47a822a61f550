"""Docs show only what exists: every Python example of ``docs/`` and of the generated runtime's
docstrings is checked against the code.

* A ```` ```python ```` block of ``docs/**/*.md`` runs as written, offline (outbound connections
  refused), in a fresh temporary directory.
* A block that cannot run on its own (a fragment of a larger program, or a call to a provider)
  says so, visibly in the Markdown source, with an HTML comment on the line just before its
  fence, giving the reason::

      <!-- example: not runnable (a fragment: `client` and `messages` are the app's) -->

  Such a block is still compiled (top-level ``await`` allowed), and every name it imports from
  ``aiinfra_cli`` or from the generated runtime (``ai`` in the docs) must exist, as must every
  attribute it reads from an imported name (``CostTracker.from_settings``).
* The generated runtime's docstrings (``::`` literal blocks and ```` ```python ```` blocks that
  read as Python) are compiled and import-checked the same way; they call providers, so they
  never run.
"""

from __future__ import annotations

import ast
import importlib
import re
import socket
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from init.init_support import import_runtime, render_repo

DOCS = Path(__file__).resolve().parents[1] / "docs"
RUNTIME = "docs_examples_rt"  # the rendered runtime's package name in this test
MARKER = re.compile(r"<!--\s*example:\s*not runnable\s*\((?P<reason>[^)]+)\)\s*-->")
FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
# A ``::`` block of a docstring that reads as Python (not a tree, a shell line or JSON).
PYTHONIC = re.compile(r"^(from|import)\s|^\w[\w.]*\s*=[^=]|^\w[\w.]*\(|^(with|async|await)\b")


@dataclass(frozen=True)
class Example:
    where: str  # file:line of the block's first line
    code: str
    runnable: bool


def _markdown_examples(path: Path) -> Iterator[Example]:
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() != "```python":
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        before = lines[index - 1] if index else ""
        where = f"{path.relative_to(DOCS.parent)}:{index + 2}"
        code = textwrap.dedent("\n".join(lines[index + 1 : end]))
        yield Example(where, code, runnable=MARKER.search(before) is None)
        index = end + 1


def _doc_examples() -> list[Example]:
    return [e for path in sorted(DOCS.rglob("*.md")) for e in _markdown_examples(path)]


def _docstring_blocks(docstring: str) -> Iterator[tuple[int, str]]:
    """(line offset, code) of each ``::`` literal block and ```python block of a docstring."""
    lines = docstring.splitlines()
    for number, line in enumerate(lines):
        fenced = line.strip() == "```python"
        if not (fenced or line.rstrip().endswith("::")):
            continue
        indent = len(line) - len(line.lstrip())
        body: list[str] = []
        for following in lines[number + 1 :]:
            if fenced and following.strip() == "```":
                break
            deeper = len(following) - len(following.lstrip()) > indent
            if not fenced and following.strip() and not deeper:
                break
            body.append(following)
        yield number + 1, textwrap.dedent("\n".join(body)).strip("\n")


def _runtime_examples(package: Path) -> list[Example]:
    found = []
    for module in sorted(package.glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        nodes = [
            tree,
            *(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef | ast.FunctionDef)),
        ]
        for node in nodes:
            docstring = ast.get_docstring(node)
            for offset, code in _docstring_blocks(docstring or ""):
                first = code.lstrip().splitlines()[0] if code.strip() else ""
                if PYTHONIC.match(first):
                    name = getattr(node, "name", "(module)")
                    found.append(Example(f"{module.name}:{name}+{offset}", code, runnable=False))
    return found


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ModuleType]:
    """The runtime ``aiinfra init`` writes, rendered into a real repo and imported."""
    root = render_repo(tmp_path_factory.mktemp("rt") / "repo", package_dir=f"src/{RUNTIME}")
    return root / "src" / RUNTIME, import_runtime(root, RUNTIME)


def _module(name: str) -> str | None:
    """The module to import for ``name`` as the docs write it; None when it is not ours."""
    top, _, rest = name.partition(".")
    if top == "aiinfra_cli":
        return name
    if top in ("ai", RUNTIME):
        return RUNTIME + (f".{rest}" if rest else "")
    return None


def _missing_names(code: str, where: str) -> list[str]:
    """What ``code`` imports from aiinfra_cli or the runtime, or reads from those names, and
    does not exist."""
    tree = ast.parse(code, filename=where)
    problems: list[str] = []
    bound: dict[str, Any] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _module(alias.name)
                if target is not None:
                    try:
                        importlib.import_module(target)
                    except ImportError as exc:
                        problems.append(f"import {alias.name}: {exc}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            target = _module(node.module)
            if target is None:
                continue
            try:
                module = importlib.import_module(target)
            except ImportError as exc:
                problems.append(f"from {node.module}: {exc}")
                continue
            for alias in node.names:
                if hasattr(module, alias.name):
                    bound[alias.asname or alias.name] = getattr(module, alias.name)
                else:
                    problems.append(f"from {node.module} import {alias.name}: no such name")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner = bound.get(node.value.id)
            if owner is not None and not hasattr(owner, node.attr):
                problems.append(f"{node.value.id}.{node.attr}: no such attribute")
    return problems


def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: socket.socket, address: Any) -> None:
        raise OSError(f"doc examples run offline: connection to {address!r} refused")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    for name in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


DOC_EXAMPLES = _doc_examples()


def test_docs_hold_examples_and_some_run() -> None:
    # The collection itself must see the docs: an empty list would make the checks vacuous.
    assert len(DOC_EXAMPLES) >= 10
    assert any(e.runnable for e in DOC_EXAMPLES)


@pytest.mark.parametrize("example", DOC_EXAMPLES, ids=[e.where for e in DOC_EXAMPLES])
def test_doc_example_shows_only_what_exists(
    example: Example,
    runtime: tuple[Path, ModuleType],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled = compile(example.code, example.where, "exec", flags=FLAGS)
    assert _missing_names(example.code, example.where) == [], example.where
    if example.runnable:
        monkeypatch.chdir(tmp_path)
        _offline(monkeypatch)
        exec(compiled, {"__name__": "__doc_example__"})  # our own docs, run on purpose


def test_runtime_docstring_examples_show_only_what_exists(
    runtime: tuple[Path, ModuleType],
) -> None:
    package, _ = runtime
    examples = _runtime_examples(package)
    # The package docstring and the orchestrator's, at least, show how to call it.
    assert {e.where.split(":")[0] for e in examples} >= {"__init__.py", "model_orchestrator.py"}
    problems = []
    for example in examples:
        try:
            compile(example.code, example.where, "exec", flags=FLAGS)
        except SyntaxError as exc:
            problems.append(f"{example.where}: does not compile: {exc.msg}")
            continue
        problems += [f"{example.where}: {p}" for p in _missing_names(example.code, example.where)]
    assert problems == []
