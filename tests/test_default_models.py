"""The models we put in front of a user (init's config, the demo) are current ones.

A retired default would make ``aiinfra init`` write a config whose calls fail, and every scan
of the demo flag its own sample code. Judged against the bundled table's own date, not the
clock, so this test changes only when the price table does.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from aiinfra_cli.demo import DEMO_CONFIG_FILE
from aiinfra_cli.pricing import load_price_table

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "config" / "ai-models.yaml.j2"
# A default must outlive the table it ships with by this much.
MARGIN = timedelta(days=365)


def _template_models() -> list[tuple[str, str]]:
    # The template is Jinja; its example models are plain one-line flow mappings.
    found = re.findall(
        r"^  - \{id: \w+, provider: (\w+), model: ([\w.:-]+)", TEMPLATE.read_text(), re.M
    )
    assert found, "no example models found in the config template"
    return found


def _demo_models() -> list[tuple[str, str]]:
    config = yaml.safe_load(DEMO_CONFIG_FILE.read_text(encoding="utf-8"))
    return [(m["provider"], m["model"]) for m in config["models"] if "pricing" not in m]


@pytest.mark.parametrize(
    ("where", "models"),
    [("init's config template", _template_models()), ("the demo config", _demo_models())],
)
def test_default_models_are_not_retiring(where: str, models: list[tuple[str, str]]) -> None:
    table = load_price_table()
    horizon = (date.fromisoformat(table.as_of) + MARGIN).isoformat()
    # The demo's sample app also calls o4-mini and gemini-2.5-flash on purpose: a retired
    # model is one of the findings it shows. Its config's defaults must still be current.
    allowed = {"o4-mini", "gemini-2.5-flash"} if where == "the demo config" else set()
    stale = []
    for provider, model in models:
        price = table.lookup(model, provider)
        assert price is not None, f"{where}: {model} is not in the price table"
        if model in allowed:
            continue
        if price.retired or (price.deprecation_date and price.deprecation_date <= horizon):
            stale.append(f"{model} ({price.deprecation_date or 'retired'})")
    assert not stale, f"{where} defaults to models retiring before {horizon}: {stale}"
