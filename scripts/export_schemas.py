"""Write the JSON Schemas of the config file, a usage event and a billing bucket into
docs/schemas/.

Run after changing either schema; a test fails while the committed files are stale.
Usage: python scripts/export_schemas.py [--check]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aiinfra_cli import billing, config, usage

DOCS = Path(__file__).resolve().parents[1] / "docs" / "schemas"
SCHEMAS = {
    "ai-models.schema.json": config.json_schema,
    "usage-event.schema.json": usage.json_schema,
    "billing-bucket.schema.json": billing.json_schema,
}


def render(name: str) -> str:
    """The exact text of one schema file."""
    return json.dumps(SCHEMAS[name](), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name in SCHEMAS:
        path = DOCS / name
        text = render(name)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for name in stale:
        print(
            f"docs/schemas/{name} is stale: run python scripts/export_schemas.py", file=sys.stderr
        )
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
