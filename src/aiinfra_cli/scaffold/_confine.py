"""Every file ``init`` and ``upgrade`` read or write stays inside the project.

A cloned repository can hold a directory symlink (``src/ai -> /somewhere``): following it, a
write meant for the project would land wherever the link points. :func:`confined` refuses any
target whose directory resolves outside the root, or which is itself a link out of it, and
:func:`read_inside` / :func:`write_inside` turn the OS's errors into one line each.
"""

from __future__ import annotations

from pathlib import Path

from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.errors import AiinfraError


class OutsideProjectError(AiinfraError):
    """A target whose real location is outside the project."""


def _within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def confined(root: Path, rel: str) -> Path:
    """``root / rel``, after checking that writing it stays inside ``root``."""
    target = root / rel
    try:
        real_root = root.resolve()
        parent = target.parent.resolve()
        real = target.resolve() if target.is_symlink() else parent / target.name
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise AiinfraError(f"cannot resolve {rel}: {exc}", hint="fix the symlink") from None
    if not _within(parent, real_root) or not _within(real, real_root):
        shown = real if not _within(real, real_root) else parent
        raise OutsideProjectError(
            f"{rel} resolves to {shown}, outside the project: a symlink points out of it",
            hint="replace the symlink with a real directory; nothing was written",
        )
    return target


def read_inside(root: Path, rel: str) -> bytes | None:
    """The bytes of ``rel`` (None when missing; b"" for a directory in its place)."""
    path = confined(root, rel)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        return b""
    except OSError as exc:
        raise AiinfraError(
            f"cannot read {rel}: {exc.strerror or exc}",
            hint="fix its permissions (or the path) and re-run; nothing was written",
        ) from None


def write_inside(root: Path, rel: str, data: str | bytes, *, written: int = 0) -> None:
    """Write ``rel`` atomically; an OS error is one line saying how many files went before."""
    path = confined(root, rel)
    try:
        write_atomic(path, data)
    except OSError as exc:
        before = f"{written} file(s) were written before it" if written else "nothing was written"
        raise AiinfraError(
            f"cannot write {rel}: {exc.strerror or exc}",
            hint=f"{before}; fix the permissions (or free the path) and re-run",
        ) from None
