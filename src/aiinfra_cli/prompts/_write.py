"""Changing the library: add a prompt, bump a version, move labels. Every write is atomic.

Order matters for a crash half-way: the snapshot and the lock are written before the working copy
and the index, so a recorded version is always loadable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.prompts._errors import PromptError
from aiinfra_cli.prompts._index import IndexEntry, valid_label, write_index
from aiinfra_cli.prompts._library import PROMPTS_DIR, SUFFIX, Library
from aiinfra_cli.prompts._lock import write_lock
from aiinfra_cli.prompts._model import CATEGORIES, PromptFile
from aiinfra_cli.prompts._parse import normalize_text, parse_prompt_text, split_front_matter
from aiinfra_cli.prompts._sandbox import analyse, split_sections
from aiinfra_cli.prompts._semver import Version, parse_version, version_key

INITIAL_VERSION = "1.0.0"
_VERSION_LINE = re.compile(r"^version[ \t]*:[ \t]*(?P<value>\"[^\"]*\"|'[^']*'|[^\s#]+)?", re.M)
_NAME_LINE = re.compile(
    r"^name[ \t]*:[ \t]*(?P<value>\"[^\"]*\"|'[^']*'|[^#\n]*?)[ \t]*(#.*)?$", re.M
)


@dataclass(frozen=True)
class NewPrompt:
    """What ``add`` writes: everything a prompt file needs, from flags or answers."""

    name: str
    category: str
    description: str = ""
    target: Mapping[str, str] | None = None
    max_tokens: int | None = None
    variables: Sequence[tuple[str, str]] = ()
    body: str | None = None


def infer_variables(body: str) -> list[str]:
    """Variables a body reads, in order of first use (for ``add --from`` a plain text file)."""
    analysis = analyse(split_sections(body, 1, "user"))
    return [name for name, _ in sorted(analysis.used.items(), key=lambda item: item[1])]


# The body ``add`` writes when it is given none: a placeholder, not a prompt.
PLACEHOLDERS = ("You are a helpful assistant.", "Write the prompt here.")
_VARIABLE_LINE = re.compile(r"\{\{ [A-Za-z_][A-Za-z0-9_]* \}\}")


def holds_placeholder(library: Library, name: str, version: str) -> bool:
    """Whether the recorded snapshot ``name@version`` is the placeholder ``add`` wrote, so the
    first real text may be recorded as that same version instead of a bump."""
    path = library.snapshot_path(name, version)
    try:
        _, body, _ = split_front_matter(normalize_text(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    first, *rest = body.strip().split("\n\n")
    return first in PLACEHOLDERS and all(_VARIABLE_LINE.fullmatch(line) for line in rest)


def prompt_text(spec: NewPrompt) -> str:
    """The file text of a new prompt."""
    meta: dict[str, Any] = {"name": spec.name, "version": INITIAL_VERSION}
    if spec.description:
        meta["description"] = spec.description
    if spec.target:
        model: dict[str, Any] = {"api": "chat", "configuration": {"type": "aiinfra", **spec.target}}
        if spec.max_tokens:
            model["parameters"] = {"max_tokens": spec.max_tokens}
        meta["model"] = model
    if spec.variables:
        meta["inputs"] = {name: {"type": kind} for name, kind in spec.variables}
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False)
    body = spec.body
    if body is None:
        lines = [f"{{{{ {name} }}}}" for name, _ in spec.variables]
        intro = PLACEHOLDERS[0] if spec.category == "system" else PLACEHOLDERS[1]
        body = "\n\n".join([intro, *lines]) if lines else intro
    return f"---\n{front}---\n{body.rstrip()}\n"


def _set_key(front: str, pattern: re.Pattern[str], key: str, value: str, after: str | None) -> str:
    match = pattern.search(front)
    if match is not None:
        return front[: match.start()] + f"{key}: {value}" + front[match.end() :]
    if after is not None:
        anchor = re.search(rf"^{after}[ \t]*:.*$", front, re.M)
        if anchor is not None:
            return front[: anchor.end()] + f"\n{key}: {value}" + front[anchor.end() :]
    return f"{key}: {value}\n{front}"


def set_version(text: str, version: str) -> str:
    """``text`` with its front matter's top-level ``version`` set (formatting and comments kept)."""
    text = normalize_text(text)
    _, body, body_line = split_front_matter(text)
    lines = text.split("\n")
    front = "\n".join(lines[1 : body_line - 2])
    front = _set_key(front, _VERSION_LINE, "version", version, after="name")
    return "---\n" + front + "\n---\n" + body


def adopt_text(text: str, name: str) -> str:
    """An existing prompt file (e.g. Prompty) named ``name``; version 1.0.0 if it has none."""
    text = normalize_text(text)
    _, body, body_line = split_front_matter(text)
    lines = text.split("\n")
    front = "\n".join(lines[1 : body_line - 2])
    front = _set_key(front, _NAME_LINE, "name", name, after=None)
    version = re.search(r"^version[ \t]*:[ \t]*[\"']?(?P<v>[^\s#\"']+)", front, re.M)
    if version is None or parse_version(version["v"]) is None:
        front = _set_key(front, _VERSION_LINE, "version", INITIAL_VERSION, after="name")
    return "---\n" + front + "\n---\n" + body


def _check_text(library: Library, text: str, path: Path, category: str) -> PromptFile:
    prompt, problems = parse_prompt_text(
        text, path=path, display=library.display(path), category=category
    )
    if prompt is None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PromptError(f"{problems[0]}{more}")
    return prompt


def _record(library: Library, prompt: PromptFile, text: str) -> None:
    snapshot = library.snapshot_path(prompt.name, prompt.version)
    write_atomic(snapshot, text)
    library.lock.record(prompt.name, prompt.version, prompt.content_hash)
    write_lock(library.lock)


def add_prompt(
    library: Library, spec: NewPrompt, *, text: str | None = None, source: Path | None = None
) -> PromptFile:
    """Write a new prompt (``text`` if given, else generated from ``spec``), index and record it."""
    if spec.category not in CATEGORIES:
        raise PromptError(f"unknown category '{spec.category}' (use {', '.join(CATEGORIES)})")
    if spec.name in library.index.entries:
        raise PromptError(
            f"a prompt named '{spec.name}' already exists"
            f" ({library.index.entries[spec.name].file})",
            hint=f"change it and run 'aiinfra prompt-library bump {spec.name}'",
        )
    path = library.root / PROMPTS_DIR / spec.category / f"{spec.name}{SUFFIX}"
    in_place = source is not None and source.resolve() == path.resolve()
    if path.exists() and not in_place:
        raise PromptError(
            f"{library.display(path)} already exists but is not in the index",
            hint=f"register it: aiinfra prompt-library add {spec.name}"
            f" --from {library.display(path)}",
        )
    content = text if text is not None else prompt_text(spec)
    prompt = _check_text(library, content, path, spec.category)
    if library.snapshot_path(prompt.name, prompt.version).exists():
        raise PromptError(
            f"{library.display(library.snapshot_path(prompt.name, prompt.version))} already exists",
            hint="remove the old versions of that name first, or pick another name",
        )
    _record(library, prompt, content)
    write_atomic(path, content)
    library.index.entries[spec.name] = IndexEntry(name=spec.name, file=library.display(path))
    write_index(library.index)
    return prompt


@dataclass(frozen=True)
class BumpResult:
    """What ``bump`` did: the version before, the version recorded (None: none), labels moved."""

    name: str
    before: str
    recorded: str | None
    labels: tuple[str, ...]
    changed: bool


def bump(library: Library, name: str, level: str | None, labels: Sequence[str] = ()) -> BumpResult:
    """Record a new version of ``name`` (``level``, or patch if content changed); move labels."""
    for label in labels:
        reason = valid_label(label)
        if reason:
            raise PromptError(reason)
    if name not in library.index.entries:
        raise PromptError(f"no prompt named '{name}' in {library.index.display}")
    prompt = library.prompts.get(name)
    if prompt is None:
        raise PromptError(
            next(
                (str(p) for p in library.problems if p.file == library.index.entries[name].file),
                f"prompt '{name}' cannot be read",
            ),
            hint="fix the file before bumping it",
        )
    recorded = library.lock.hashes.get(name, {})
    was = recorded.get(prompt.version)
    changed = was is not None and was != prompt.content_hash
    # The first real text replaces add's placeholder as the same version (no bump).
    first_text = level is None and changed and holds_placeholder(library, name, prompt.version)
    if level is None and changed and not first_text:
        level = "patch"
    new_version: str | None = None
    if first_text:
        new_version = prompt.version
        _record(library, prompt, normalize_text(prompt.path.read_text(encoding="utf-8")))
    elif level is not None:
        head = parse_version(prompt.version) or Version(0, 0, 0)
        newest = max([head, *(v for v in map(parse_version, recorded) if v is not None)])
        new_version = str(newest.bump(level))
        text = set_version(prompt.path.read_text(encoding="utf-8"), new_version)
        updated = _check_text(library, text, prompt.path, prompt.category)
        if library.snapshot_path(name, new_version).exists():
            raise PromptError(
                f"{library.display(library.snapshot_path(name, new_version))} already exists"
            )
        _record(library, updated, text)
        write_atomic(prompt.path, text)
    elif was is None:
        new_version = prompt.version
        _record(library, prompt, normalize_text(prompt.path.read_text(encoding="utf-8")))
    elif not labels:
        raise PromptError(
            f"nothing to bump: '{name}' is unchanged since {prompt.version}",
            hint="pass --patch, --minor or --major to record a new version anyway",
        )
    target = new_version or prompt.version
    if labels:
        entry = library.index.entries[name]
        for label in labels:
            entry.labels[label] = target
        write_index(library.index)
    return BumpResult(name, prompt.version, new_version, tuple(labels), changed)


def sorted_versions(versions: Sequence[str]) -> list[str]:
    """Versions oldest first."""
    return sorted(versions, key=version_key)
