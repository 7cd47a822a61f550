"""``aiinfra usage validate``: the usage-event contract, checked in full for log producers."""

from __future__ import annotations

from collections.abc import Sequence

from aiinfra_cli import output
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK


def validate(paths: Sequence[str]) -> int:
    """Print every problem of every line under ``paths``, one line each; exit 1 if any."""
    from aiinfra_cli.usage import validate_logs

    result = validate_logs(paths)
    for problem in result.problems:
        output.print_line(str(problem))
    summary = (
        f"{result.files} file(s), {result.lines} line(s) checked:"
        f" {result.invalid_lines} invalid line(s), {len(result.problems)} problem(s)"
    )
    if result.problems:
        output.warn(summary)
        return EXIT_FAILURE
    output.info(summary.split(":", 1)[0] + ": every line is a valid usage event")
    return EXIT_OK
