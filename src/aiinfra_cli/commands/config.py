"""``aiinfra config validate`` and ``aiinfra config schema``."""

from __future__ import annotations

import sys
from pathlib import Path

from aiinfra_cli import output
from aiinfra_cli.config import Config, check_text, display_path, json_schema, load_yaml, read_config
from aiinfra_cli.errors import EXIT_FAILURE, EXIT_OK, PriceError
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
    for line in _unpriced(config, text, path):
        output.warn(line)
    return EXIT_OK


def _unpriced(config: Config, text: str, path: Path) -> list[str]:
    """One warning per routed model that nothing prices (its calls would record no cost)."""
    from aiinfra_cli.pricing import unpriced_routed_models
    from aiinfra_cli.scaffold import runtime_unpriced, snapshot_paths

    try:
        unpriced = unpriced_routed_models(config)
    except PriceError as exc:
        return [str(exc)]
    loaded = load_yaml(text)

    def where(index: int) -> str:
        line = loaded.line_of(("models", index))
        return f"{display_path(path)}:{line}" if line else display_path(path)

    lines = []
    for found in unpriced:
        used = ", ".join(found.routes)
        lines.append(
            f"{where(found.index)}: model '{found.model.id}' ({found.model.model}, in routes:"
            f" {used}) has no price: add a pricing: override or use a model from the price"
            " snapshot (its calls record no cost)"
        )
    flagged = {found.index for found in unpriced}
    for snapshot in snapshot_paths(config.root):
        for index in [i for i in runtime_unpriced(config, snapshot) or () if i not in flagged]:
            model = config.models[index]
            lines.append(
                f"{where(index)}: model '{model.id}' ({model.model}) is not in the runtime's"
                f" price snapshot ({display_path(snapshot)}): re-run `aiinfra init`, or add a"
                " pricing: override with input_per_mtok and output_per_mtok (until then the"
                " runtime records no cost for it)"
            )
    return lines


def schema() -> int:
    """Print the JSON Schema of config/ai-models.yaml on stdout."""
    output.print_json(json_schema())
    return EXIT_OK
