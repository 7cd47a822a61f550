"""The two sides of a cost diff: BASE (a git ref) materialised in a temporary directory."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from aiinfra_cli.errors import UsageError


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)


def repo_root(cwd: Path) -> Path:
    """The work tree holding ``cwd``."""
    done = _git(cwd, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        raise UsageError("cost-diff needs a git repository", hint=f"{cwd} is not a git work tree")
    return Path(done.stdout.decode().strip())


def default_base(root: Path) -> tuple[str, str]:
    """(commit, label): the merge base of HEAD with the default branch (``origin/HEAD``, else
    ``origin/main``, ``main``, ``origin/master``, ``master``)."""
    candidates = []
    head = _git(root, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if head.returncode == 0:
        candidates.append(head.stdout.decode().strip())
    candidates += ["origin/main", "main", "origin/master", "master"]
    for ref in candidates:
        done = _git(root, "merge-base", "HEAD", ref)
        if done.returncode == 0:
            return done.stdout.decode().strip(), f"merge base with {ref}"
    raise UsageError(
        "no default branch to compare with (tried origin/HEAD, main, master)",
        hint="pass BASE, e.g. aiinfra cost-diff origin/main",
    )


def resolve(root: Path, ref: str) -> str:
    """The commit ``ref`` names."""
    done = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if done.returncode != 0:
        raise UsageError(f"unknown git ref '{ref}'", hint="pass a branch, tag or commit")
    return done.stdout.decode().strip()


def extract(root: Path, commit: str, target: Path) -> None:
    """Write the tree of ``commit`` (Python files, configs, pyproject) into ``target``."""
    done = _git(root, "archive", "--format=tar", commit)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git archive {commit[:12]} failed: {message[0] if message else ''}")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        wanted = [
            m
            for m in archive.getmembers()
            if m.isfile()
            and (m.name.endswith((".py", ".yaml", ".yml")) or m.name == "pyproject.toml")
        ]
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12+ / 3.11.4+: refuse unsafe paths
            archive.extractall(target, members=wanted, filter="data")
        else:  # pragma: no cover - older patch releases; git archive writes no unsafe paths
            archive.extractall(target, members=wanted)
