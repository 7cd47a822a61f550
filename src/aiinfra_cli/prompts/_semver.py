"""Semantic versions ``MAJOR.MINOR.PATCH``: parsing, ordering, bumping."""

from __future__ import annotations

import re
from typing import NamedTuple

_SEMVER = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")
LEVELS = ("major", "minor", "patch")


class Version(NamedTuple):
    """A parsed version; tuples order the way versions do."""

    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    def bump(self, level: str) -> Version:
        """The next version at ``level`` (``major``, ``minor`` or ``patch``)."""
        if level == "major":
            return Version(self.major + 1, 0, 0)
        if level == "minor":
            return Version(self.major, self.minor + 1, 0)
        if level == "patch":
            return Version(self.major, self.minor, self.patch + 1)
        raise ValueError(f"unknown level {level!r}")


def parse_version(text: str) -> Version | None:
    """``"1.2.3"`` → ``Version(1, 2, 3)``; None for anything else (``"1.2"``, ``"01.0.0"``)."""
    match = _SEMVER.fullmatch(text)
    if match is None:
        return None
    return Version(int(match[1]), int(match[2]), int(match[3]))


def version_key(text: str) -> tuple[int, int, int]:
    """A sort key for version strings; unparseable ones sort first."""
    parsed = parse_version(text)
    return (parsed.major, parsed.minor, parsed.patch) if parsed else (-1, -1, -1)
