"""The full usage-event contract, every field of every line: what ``aiinfra usage validate``
checks for producers of the tracker's JSONL.

A cost report is lenient where no money is at stake (a malformed field it does not read is a
warning); this check is not: every problem of every field is listed, one per line of output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiinfra_cli.usage._event import check_event
from aiinfra_cli.usage._reader import (
    READ_ERRORS,
    Reject,
    UnreadableLine,
    expand_log_paths,
    iter_lines,
    parse_line,
    read_failure,
)


@dataclass
class Validation:
    """What a validation found: files and lines checked, and every problem (file, line, field)."""

    files: int = 0
    lines: int = 0
    invalid_lines: int = 0
    problems: list[Reject] = field(default_factory=list)


def validate_logs(specs: Sequence[str | Path]) -> Validation:
    """Check every line of the logs under ``specs`` (files, directories, globs) against the
    whole usage-event contract."""
    paths, missing = expand_log_paths(specs)
    result = Validation(problems=list(missing))
    for path in paths:
        _validate_file(path, result)
    return result


def _validate_file(path: Path, result: Validation) -> None:
    shown = str(path)
    result.files += 1
    number = 0
    try:
        for number, raw in iter_lines(path):
            result.lines += 1
            try:
                read, other = check_event(parse_line(raw))
            except UnreadableLine as exc:
                read, other = [str(exc)], []
            if read or other:
                result.invalid_lines += 1
                result.problems += [Reject(shown, number, reason) for reason in [*read, *other]]
    except READ_ERRORS as exc:
        result.problems.append(Reject(shown, number + 1, read_failure(exc)))
