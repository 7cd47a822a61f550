"""The library on disk: index, working copies, snapshots, lock; and reference resolution.

Resolution follows ``docs/prompt-format.md`` exactly (the runtime loader implements the same
rules): ``NAME`` is the working copy, ``NAME:LABEL`` reads the label's version from the index,
``NAME@VERSION`` is the snapshot ``prompts/versions/NAME/VERSION.prompty`` or else the working copy
if it has that version.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

from aiinfra_cli._schema import did_you_mean
from aiinfra_cli.errors import UsageError
from aiinfra_cli.paths import find_repo_root
from aiinfra_cli.prompts._errors import Problem, PromptError
from aiinfra_cli.prompts._index import INDEX_RELPATH, Index, read_index
from aiinfra_cli.prompts._lock import Lock, read_lock
from aiinfra_cli.prompts._model import CATEGORIES, PromptFile, TestCase
from aiinfra_cli.prompts._parse import (
    NAME_PATTERN,
    SEMVER_PATTERN,
    parse_prompt_text,
    parse_tests_text,
)
from aiinfra_cli.prompts._semver import version_key

PROMPTS_DIR = Path("prompts")
VERSIONS_DIR = PROMPTS_DIR / "versions"
SUFFIX = ".prompty"
TESTS_SUFFIX = ".tests.yaml"
_REF = re.compile(
    rf"(?P<name>{NAME_PATTERN})(?:@(?P<version>{SEMVER_PATTERN})|:(?P<label>[A-Za-z0-9][A-Za-z0-9_-]*))?"
)


@dataclass(frozen=True)
class Ref:
    """A parsed reference: ``name``, ``name@version`` or ``name:label``."""

    name: str
    version: str | None = None
    label: str | None = None

    def __str__(self) -> str:
        if self.version:
            return f"{self.name}@{self.version}"
        if self.label:
            return f"{self.name}:{self.label}"
        return self.name


def parse_ref(text: str) -> Ref:
    """Parse ``NAME[@VERSION|:LABEL]``; a UsageError says what is wrong with anything else."""
    match = _REF.fullmatch(text.strip())
    if match is None:
        raise UsageError(
            f"'{text}' is not a prompt reference",
            hint="use NAME, NAME@1.2.0 or NAME:production",
        )
    label = match["label"]
    if label == "latest":
        label = None
    return Ref(match["name"], match["version"], label)


def find_library_root(start: Path | None = None) -> Path:
    """The directory holding ``config/prompt-library.yaml`` (searched upward to the repo root),
    else the repo root, else ``start``."""
    here = (start or Path.cwd()).resolve()
    repo = find_repo_root(here)
    for candidate in (here, *here.parents):
        if (candidate / INDEX_RELPATH).is_file():
            return candidate
        if candidate == repo:
            break
    return repo or here


@dataclass
class Library:
    """Everything the library holds, loaded once per command; ``problems`` lists every bad file."""

    root: Path
    index: Index
    lock: Lock
    prompts: dict[str, PromptFile] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unindexed: list[str] = field(default_factory=list)
    bad_names: set[str] = field(default_factory=set)

    def display(self, path: Path) -> str:
        """``path`` relative to the root, with forward slashes."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def snapshot_path(self, name: str, version: str) -> Path:
        """Where the snapshot of ``name@version`` lives."""
        return self.root / VERSIONS_DIR / name / f"{version}{SUFFIX}"

    def snapshot_versions(self, name: str) -> list[str]:
        """Versions that have a snapshot file, oldest first."""
        folder = self.root / VERSIONS_DIR / name
        if not folder.is_dir():
            return []
        return sorted((p.name[: -len(SUFFIX)] for p in folder.glob(f"*{SUFFIX}")), key=version_key)

    def versions(self, name: str) -> list[str]:
        """Every version loadable as ``name@version``: recorded, snapshot, or working copy."""
        found = set(self.lock.versions(name)) | set(self.snapshot_versions(name))
        prompt = self.prompts.get(name)
        if prompt is not None:
            found.add(prompt.version)
        return sorted(found, key=version_key)

    def category_of(self, name: str) -> str:
        """The category of a prompt, from the directory of its working copy."""
        entry = self.index.entries.get(name)
        if entry is not None:
            parent = Path(entry.file).parent.name
            if parent in CATEGORIES:
                return parent
        prompt = self.prompts.get(name)
        return prompt.category if prompt else "user"

    def load_file(self, path: Path, category: str) -> tuple[PromptFile | None, list[Problem]]:
        """Parse one prompt file (working copy or snapshot)."""
        display = self.display(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None, [Problem(display, None, "file not found")]
        except (OSError, UnicodeDecodeError) as exc:
            return None, [Problem(display, None, f"cannot read: {exc}")]
        return parse_prompt_text(text, path=path, display=display, category=category)

    def resolve(self, ref: Ref | str) -> PromptFile:
        """The prompt file a reference names (tests of the working copy attached)."""
        if isinstance(ref, str):
            ref = parse_ref(ref)
        entry = self.index.entries.get(ref.name)
        if entry is None:
            known = sorted(self.index.entries)
            raise PromptError(
                f"no prompt named '{ref.name}' in {self.index.display}"
                + did_you_mean(ref.name, known),
                hint="see 'aiinfra prompt-library list'",
            )
        head = self.prompts.get(ref.name)
        version = ref.version
        if ref.label:
            version = entry.labels.get(ref.label)
            if version is None:
                labels = ", ".join(sorted(entry.labels)) or "none"
                raise PromptError(
                    f"prompt '{ref.name}' has no label '{ref.label}' (labels: {labels})",
                    where=f"{self.index.display}:{entry.line}"
                    if entry.line
                    else self.index.display,
                    hint=f"set it: aiinfra prompt-library bump {ref.name} --label {ref.label}",
                )
        if version is None:
            if head is None:
                raise self._head_error(ref.name)
            return head
        snapshot = self.snapshot_path(ref.name, version)
        if snapshot.is_file():
            prompt, problems = self.load_file(snapshot, self.category_of(ref.name))
            if prompt is None:
                raise PromptError(str(problems[0]), hint="a recorded version must stay loadable")
            tests = head.tests if head is not None else ()
            return dataclasses.replace(prompt, tests=tests)
        if head is not None and head.version == version:
            return head
        if head is None and self._head_bad(ref.name):
            raise self._head_error(ref.name)
        listed = ", ".join(self.versions(ref.name)) or "none"
        raise PromptError(
            f"prompt '{ref.name}' has no version {version} (versions: {listed})",
            where=f"{self.index.display}:{entry.label_lines[ref.label]}"
            if ref.label and ref.label in entry.label_lines
            else None,
        )

    def _head_bad(self, name: str) -> bool:
        return name in self.bad_names

    def _head_error(self, name: str) -> PromptError:
        entry = self.index.entries[name]
        for problem in self.problems:
            if problem.file == entry.file:
                return PromptError(str(problem))
        return PromptError(
            f"{entry.file}: file not found (indexed as '{name}' in {self.index.display})"
        )


def _tests_for(library: Library, prompt: PromptFile) -> tuple[TestCase, ...]:
    sibling = prompt.path.with_name(prompt.name + TESTS_SUFFIX)
    cases = list(prompt.tests)
    if sibling.is_file():
        display = library.display(sibling)
        try:
            text = sibling.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            library.problems.append(Problem(display, None, f"cannot read: {exc}"))
            return tuple(cases)
        found, problems = parse_tests_text(text, display=display)
        library.problems.extend(problems)
        cases.extend(found)
    seen: dict[str, TestCase] = {}
    for case in cases:
        if case.name in seen:
            library.problems.append(
                Problem(
                    case.file,
                    case.line,
                    f"test case '{case.name}' is defined twice (also {seen[case.name].file}:"
                    f"{seen[case.name].line})",
                )
            )
        else:
            seen[case.name] = case
    return tuple(seen.values())


def load_library(root: Path | None = None) -> Library:
    """Load the index, the lock and every working copy under ``root`` (default: discovered)."""
    root = (root or find_library_root()).resolve()
    library = Library(root=root, index=read_index(root), lock=read_lock(root))
    library.problems.extend(library.index.problems)
    library.problems.extend(library.lock.problems)
    indexed: set[Path] = set()
    for name, entry in library.index.entries.items():
        path = (root / entry.file).resolve()
        indexed.add(path)
        category = path.parent.name
        where = f"{library.index.display}:{entry.line}" if entry.line else library.index.display
        if category not in CATEGORIES or path.parent.parent != (root / PROMPTS_DIR).resolve():
            library.problems.append(
                Problem(
                    library.index.display,
                    entry.line,
                    f"prompts.{name}.file: must be in prompts/system/, prompts/user/ or"
                    " prompts/templates/",
                )
            )
            library.bad_names.add(name)
            continue
        if not path.is_file():
            library.problems.append(
                Problem(
                    library.index.display,
                    entry.line,
                    f"prompts.{name}.file: {entry.file} does not exist",
                )
            )
            library.bad_names.add(name)
            continue
        prompt, problems = library.load_file(path, category)
        library.problems.extend(problems)
        if prompt is None:
            library.bad_names.add(name)
            continue
        if prompt.name != name or path.name != f"{prompt.name}{SUFFIX}":
            library.problems.append(
                Problem(
                    prompt.display,
                    prompt.line_of("name"),
                    f"name: '{prompt.name}' must match the file name ({path.name}) and the index"
                    f" key ('{name}', {where})",
                )
            )
            library.bad_names.add(name)
            continue
        library.prompts[name] = dataclasses.replace(prompt, tests=_tests_for(library, prompt))
    for category in CATEGORIES:
        folder = root / PROMPTS_DIR / category
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            if path.resolve() not in indexed:
                library.unindexed.append(library.display(path))
    return library


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in file order, then line order; duplicates dropped."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.file, p.line or 0))
