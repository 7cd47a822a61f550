"""Errors and located problems of the prompt library."""

from __future__ import annotations

from dataclasses import dataclass

from aiinfra_cli._jsondoc import json_object
from aiinfra_cli.errors import AiinfraError


class PromptError(AiinfraError):
    """A prompt cannot be found, read, rendered or recorded (one line: where, what, how to fix)."""


class SandboxViolation(PromptError):
    """A template tried something the sandbox refuses (Python internals, files, imports)."""


@dataclass(frozen=True)
class Problem:
    """One problem in one library file; ``line`` is 1-based, None when the whole file is meant."""

    file: str
    line: int | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The problem as a JSON-ready mapping."""
        return json_object(self)
