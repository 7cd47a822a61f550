"""``config/prompt-library.yaml``: which prompts exist, where their working copies are, labels."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from aiinfra_cli._atomic import write_atomic
from aiinfra_cli._schema import Int, MapOf, Num, Obj, Str
from aiinfra_cli._schema import Problem as SchemaProblem
from aiinfra_cli.config._yaml import YamlSyntaxError, load_yaml, read_text
from aiinfra_cli.prompts._budget import DEFAULT_BUDGET, RenderBudget
from aiinfra_cli.prompts._errors import Problem
from aiinfra_cli.prompts._parse import NAME_PATTERN, SEMVER_PATTERN

INDEX_RELPATH = Path("config") / "prompt-library.yaml"
INDEX_VERSION = 1
RESERVED_LABELS = ("latest",)
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_NAME = re.compile(NAME_PATTERN)

_SCHEMA = Obj(
    {
        "version": Int(minimum=1),
        "grader": Str(min_length=1),
        "render_budget": Obj(
            {
                "seconds": Num("Longest one render may take.", exclusive_minimum=0),
                "characters": Int(minimum=1),
            },
            "What one prompt render may cost (defaults: 2 s, 1,000,000 characters).",
        ),
        "prompts": MapOf(
            Obj(
                {
                    "file": Str(min_length=1),
                    "labels": MapOf(
                        Str(pattern=SEMVER_PATTERN, pattern_hint=" (a version: MAJOR.MINOR.PATCH)")
                    ),
                },
                required=("file",),
            )
        ),
    },
    required=("version",),
)

_HEADER = (
    "# The prompt library index: see docs/prompt-format.md.\n"
    "# Written by `aiinfra prompt-library`; labels may be edited by hand (comments are not kept).\n"
)


@dataclass
class IndexEntry:
    """One indexed prompt: its working copy (relative to the root) and its labels."""

    name: str
    file: str
    labels: dict[str, str] = field(default_factory=dict)
    line: int | None = None
    label_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Index:
    """The parsed index; ``exists`` is False when there is no file yet (an empty library)."""

    path: Path
    display: str
    exists: bool = False
    grader: str | None = None
    budget: RenderBudget = DEFAULT_BUDGET
    entries: dict[str, IndexEntry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_index(root: Path) -> Index:
    """Read and validate the index under ``root``; problems are collected, never raised."""
    path = root / INDEX_RELPATH
    index = Index(path=path, display=INDEX_RELPATH.as_posix())
    if not path.is_file():
        return index
    index.exists = True
    try:
        loaded = load_yaml(read_text(path))
    except YamlSyntaxError as exc:
        index.problems.append(Problem(index.display, exc.line, exc.message))
        return index
    except (OSError, UnicodeDecodeError) as exc:
        index.problems.append(Problem(index.display, None, f"cannot read: {exc}"))
        return index

    def problem(path: tuple[str | int, ...], message: str) -> None:
        key = ".".join(str(p) for p in path)
        index.problems.append(
            Problem(index.display, loaded.line_of(path), f"{key}: {message}" if key else message)
        )

    if loaded.data is None:
        problem((), f"the file is empty (start with 'version: {INDEX_VERSION}')")
        return index
    found: list[SchemaProblem] = list(loaded.problems)
    _SCHEMA.check(loaded.data, (), found)
    for item in found:
        problem(item.path, item.message)
    data = loaded.data
    if not isinstance(data, dict):
        return index
    version = data.get("version")
    if isinstance(version, int) and version > INDEX_VERSION:
        problem(("version",), f"unsupported version {version}; this aiinfra reads {INDEX_VERSION}")
    grader = data.get("grader")
    index.grader = grader if isinstance(grader, str) else None
    index.budget = _budget(data.get("render_budget"))
    prompts = data.get("prompts") or {}
    if not isinstance(prompts, dict):
        return index
    for name, raw in prompts.items():
        if not isinstance(raw, dict) or not isinstance(raw.get("file"), str):
            continue
        if not _NAME.fullmatch(str(name)):
            problem(("prompts", str(name)), "not a valid prompt name")
            continue
        labels: dict[str, str] = {}
        label_lines: dict[str, int] = {}
        for label, version_text in (raw.get("labels") or {}).items():
            lpath = ("prompts", name, "labels", str(label))
            if not _LABEL.fullmatch(str(label)):
                problem(lpath, "a label is letters, digits, '-' and '_'")
            elif label in RESERVED_LABELS:
                problem(lpath, f"'{label}' is reserved (it always means the working copy)")
            elif isinstance(version_text, str):
                labels[label] = version_text
                label_lines[label] = loaded.line_of(lpath) or 0
        index.entries[name] = IndexEntry(
            name=name,
            file=raw["file"],
            labels=labels,
            line=loaded.line_of(("prompts", name)),
            label_lines=label_lines,
        )
    return index


def _budget(raw: object) -> RenderBudget:
    """``render_budget`` (already checked by the schema), over the defaults."""
    if not isinstance(raw, dict):
        return DEFAULT_BUDGET
    seconds, characters = raw.get("seconds"), raw.get("characters")
    return RenderBudget(
        seconds=float(seconds) if isinstance(seconds, (int, float)) else DEFAULT_BUDGET.seconds,
        characters=characters if isinstance(characters, int) else DEFAULT_BUDGET.characters,
    )


def write_index(index: Index) -> None:
    """Write the index atomically: prompts and labels sorted, so diffs stay small."""
    document: dict[str, object] = {"version": INDEX_VERSION}
    if index.grader:
        document["grader"] = index.grader
    prompts: dict[str, object] = {}
    for name in sorted(index.entries):
        entry = index.entries[name]
        item: dict[str, object] = {"file": entry.file}
        if entry.labels:
            item["labels"] = dict(sorted(entry.labels.items()))
        prompts[name] = item
    document["prompts"] = prompts
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False)
    write_atomic(index.path, _HEADER + text)


def valid_label(label: str) -> str | None:
    """Why ``label`` cannot be a label, or None if it can."""
    if label in RESERVED_LABELS:
        return f"'{label}' is reserved (it always means the working copy)"
    if not _LABEL.fullmatch(label):
        return f"'{label}' is not a valid label (letters, digits, '-' and '_')"
    return None
