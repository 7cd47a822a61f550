"""``aiinfra config validate`` and ``aiinfra config schema``."""

from __future__ import annotations

import sys
from pathlib import Path

from aiinfra_cli import output
from aiinfra_cli.config import check_text, display_path, json_schema, read_config
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK
from aiinfra_cli.redact import redact


def validate(config_path: Path | None) -> int:
    """Print every problem of the config file, one line each; exit 1 if there is any."""
    path, text = read_config(config_path)
    config, problems = check_text(text, path)
    if config is None:
        for line in problems:
            print(redact(line), file=sys.stderr)
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"{display_path(path)}: {len(problems)} {noun}", file=sys.stderr)
        return EXIT_FAILURE
    output.info(
        f"{display_path(path)}: valid ({len(config.providers)} providers,"
        f" {len(config.models)} models, {len(config.routes)} routes)"
    )
    return EXIT_OK


def schema() -> int:
    """Print the JSON Schema of config/ai-models.yaml on stdout."""
    output.print_json(json_schema())
    return EXIT_OK
