"""Which files a scan reads: paths walked (git-aware), excludes applied, or the git index."""

from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from aiinfra_cli.errors import UsageError
from aiinfra_cli.scan._analyze import path_matches
from aiinfra_cli.scan._model import scrub

# Files larger than this are skipped (named in the output): hand-written modules are far smaller,
# and parsing a 50 MB generated one costs tens of seconds and gigabytes.
MAX_FILE_BYTES = 4 * 1024 * 1024

# Directories never walked into (a path given explicitly is still scanned).
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".multiagent",
        "build",
        "dist",
        ".eggs",
    }
)


@dataclass(frozen=True)
class SourceFile:
    """A file to scan: its path relative to the root, where to read it, or its staged bytes."""

    rel: str
    path: Path
    data: bytes | None = None


class SkipFile(Exception):
    """A file the scan does not read; the message says why."""


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MiB"


def check_size(size: int) -> None:
    """Raise :class:`SkipFile` for content over :data:`MAX_FILE_BYTES`."""
    if size > MAX_FILE_BYTES:
        raise SkipFile(f"{_mib(size)}, over the {_mib(MAX_FILE_BYTES)} limit")


def read_source(path: Path) -> bytes:
    """The bytes of a regular file (symlinks followed) of at most :data:`MAX_FILE_BYTES`.

    Opened without blocking and checked on the open descriptor, so a FIFO, a device (a symlink to
    ``/dev/zero``) or a socket named ``*.py`` raises :class:`SkipFile` instead of hanging or
    reading forever; OSError for files that cannot be opened."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb", buffering=0) as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SkipFile("not a regular file")
        check_size(info.st_size)
        data = handle.read(MAX_FILE_BYTES + 1)
        check_size(len(data))  # grew while being read
        return data


def scan_root(paths: list[Path], cwd: Path) -> Path:
    """The root findings are reported relative to: the git work tree holding the first path, else
    the working directory when every path is below it, else the first path (or its parent)."""
    first = (cwd / paths[0]).resolve() if paths else cwd.resolve()
    probe = first if first.is_dir() else first.parent
    for candidate in (probe, *probe.parents):
        if (candidate / ".git").exists():
            return candidate
    resolved_cwd = cwd.resolve()
    targets = [(cwd / p).resolve() for p in paths] or [resolved_cwd]
    if all(t == resolved_cwd or resolved_cwd in t.parents for t in targets):
        return resolved_cwd
    return first if first.is_dir() else first.parent


def _rel(path: Path, root: Path) -> str:
    try:
        return scrub(path.relative_to(root).as_posix())
    except ValueError:
        return scrub(path.as_posix())


def collect(paths: list[Path], root: Path, cwd: Path, exclude: tuple[str, ...]) -> list[SourceFile]:
    """Python files under ``paths`` (files as given, directories walked), minus excludes."""
    found: dict[str, SourceFile] = {}
    for given in paths:
        target = (cwd / given).resolve() if not given.is_absolute() else given.resolve()
        if target.exists() and not target.is_dir():  # the reader skips what is not a regular file
            rel = _rel(target, root)
            if not path_matches(rel, exclude):
                found.setdefault(rel, SourceFile(rel, target))
            continue
        if not target.is_dir():
            raise UsageError(f"{given}: no such file or directory", hint="pass existing paths")
        for path in _walk(target, root):
            rel = _rel(path, root)
            if not path_matches(rel, exclude):
                found.setdefault(rel, SourceFile(rel, path))
    return [found[k] for k in sorted(found)]


def _walk(directory: Path, root: Path) -> list[Path]:
    listed = _git_listed(directory)
    if listed is not None:
        return listed
    out: list[Path] = []
    for current, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        for name in files:
            if name.endswith(".py"):
                out.append(Path(current, name))
    return out


def _git_listed(directory: Path) -> list[Path] | None:
    """Tracked and untracked-but-not-ignored ``.py`` files, when ``directory`` is in a work tree
    (so ``.gitignore`` is honoured exactly as git reads it); None outside git."""
    probe = directory
    inside = any((c / ".git").exists() for c in (probe, *probe.parents))
    if not inside:
        return None
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.py"],
            cwd=directory,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    paths = []
    for raw in done.stdout.split(b"\0"):
        if raw:
            path = directory / os.fsdecode(raw)
            if (
                path.exists()
                and not path.is_dir()
                and not any(part in SKIP_DIRS for part in path.relative_to(directory).parts[:-1])
            ):
                paths.append(path)
    return paths


def staged(root: Path, paths: list[Path], cwd: Path, exclude: tuple[str, ...]) -> list[SourceFile]:
    """The staged content (git index) of added, copied, modified or renamed ``.py`` files."""
    if not (root / ".git").exists():
        raise UsageError("--staged needs a git repository", hint=f"{root} is not a git work tree")
    specs = [str((cwd / p).resolve()) for p in paths] or [str(root)]
    done = subprocess.run(
        ["git", "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--", *specs],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git diff --cached failed: {message[0] if message else done.returncode}")
    names = [os.fsdecode(n) for n in done.stdout.split(b"\0") if n]
    names = [n for n in names if n.endswith(".py") and not path_matches(n, exclude)]
    if not names:
        return []
    request = b"".join(f":{name}\n".encode() for name in names)
    batch = subprocess.run(
        ["git", "cat-file", "--batch"], cwd=root, input=request, capture_output=True, check=False
    )
    blobs = _parse_batch(batch.stdout, len(names))
    return [
        SourceFile(scrub(name), root / name, data) for name, data in zip(names, blobs, strict=True)
    ]


def _parse_batch(stream: bytes, count: int) -> list[bytes]:
    out: list[bytes] = []
    position = 0
    for _ in range(count):
        end = stream.index(b"\n", position)
        header = stream[position:end].split()
        position = end + 1
        if len(header) < 3 or header[1] == b"missing":
            out.append(b"")
            continue
        size = int(header[2])
        out.append(stream[position : position + size])
        position += size + 1
    return out
