#!/usr/bin/env python3
"""Rebuild aiinfra's bundled price table from LiteLLM's price files.

    python scripts/build_price_table.py NEWEST.json [OLDER.json ...] \
        --litellm-version 1.109.1 --output src/aiinfra_cli/pricing/data/prices.json

Give the newest LiteLLM file first: its entries win; models only older files know are kept as
retired. Only file basenames and sha256 sums are recorded, never the paths given here.
``--litellm-version`` labels the first input (older inputs are labelled from names such as
``model_prices_litellm-1.77.0.json``). The conversion itself lives in
``aiinfra_cli.pricing._build`` because ``aiinfra prices update`` uses it too.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.errors import AiinfraError
from aiinfra_cli.pricing._build import convert, dump_table, read_source


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build the table, write it atomically; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "inputs", nargs="+", type=Path, help="LiteLLM price JSON files, newest first"
    )
    parser.add_argument("--output", required=True, type=Path, help="where to write prices.json")
    parser.add_argument("--litellm-version", help="LiteLLM release the first input comes from")
    parser.add_argument(
        "--as-of",
        default=datetime.datetime.now(datetime.timezone.utc).date().isoformat(),
        help="the table's date (default: today, UTC)",
    )
    args = parser.parse_args(argv)
    try:
        sources = [
            read_source(path, args.litellm_version if index == 0 else None)
            for index, path in enumerate(args.inputs)
        ]
        document = convert(sources, as_of=args.as_of, built_by="scripts/build_price_table.py")
        text = dump_table(document)
        write_atomic(args.output, text)
        # write_atomic's temporary file is private (0600); a packaged data file must be readable.
        args.output.chmod(0o644)
    except AiinfraError as exc:
        print(f"build_price_table: error: {exc}", file=sys.stderr)
        return exc.exit_code
    provenance = document["provenance"]
    print(
        f"wrote {args.output}: {provenance['models']} models ({provenance['retired']} retired),"
        f" as of {document['as_of']}, {len(text.encode('utf-8')):,} bytes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
