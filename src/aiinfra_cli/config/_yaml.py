"""YAML loading that remembers where every key and list item came from (for file:line errors).

PyYAML is imported only when a document is parsed: a command that finds no config file (the
common case for cost-report) never pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiinfra_cli._schema import Path as KeyPath
from aiinfra_cli._schema import Problem

if TYPE_CHECKING:
    import yaml


@dataclass(frozen=True)
class LoadedYaml:
    """The parsed document, the 1-based line of each path, and structural problems found."""

    data: Any
    lines: dict[KeyPath, int]
    problems: list[Problem]

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


class YamlSyntaxError(Exception):
    """The text is not valid YAML; ``line`` is 1-based."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _index(
    node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], problems: list[Problem]
) -> None:
    import yaml

    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = (*path, key)
            if key in seen:
                # PyYAML keeps the last value silently; a duplicated key is almost always a mistake.
                problems.append(
                    Problem(child, "duplicate key (the later value would silently win)")
                )
            seen.add(key)
            lines[child] = key_node.start_mark.line + 1
            _index(value_node, child, lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index(item, (*path, index), lines, problems)


def load_yaml(text: str) -> LoadedYaml:
    """Parse one YAML document with the safe loader, indexing line numbers by key path."""
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark is not None:
            reason = f"{reason} ({exc.context} started on line {exc.context_mark.line + 1})"
        raise YamlSyntaxError(f"invalid YAML: {reason}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"invalid YAML: {exc}", None) from None
    lines: dict[KeyPath, int] = {}
    problems: list[Problem] = []
    if node is not None:
        _index(node, (), lines, problems)
    return LoadedYaml(data=data, lines=lines, problems=problems)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (BOM tolerated)."""
    return path.read_text(encoding="utf-8-sig")
