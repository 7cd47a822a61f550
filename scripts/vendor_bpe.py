"""Vendor OpenAI's o200k_base and cl100k_base BPE rank files into ``aiinfra_cli/tokens/data``.

tiktoken downloads these files on first use, which fails offline, so aiinfra ships them. The
gzip files are copied byte for byte from an installed ``bpe-openai`` wheel (or from paths given
on the command line), the decompressed bytes are checked against the sha256 that tiktoken
itself pins in ``tiktoken_ext/openai_public.py``, and ``PROVENANCE.md`` is rewritten.

``bpe-openai`` is only a source of the files here; it is never a runtime dependency.

Usage::

    python scripts/vendor_bpe.py                       # from the installed bpe-openai
    python scripts/vendor_bpe.py --o200k A.gz --cl100k B.gz --source "where they came from"
    python scripts/vendor_bpe.py --check               # verify what is vendored, write nothing
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import importlib.metadata
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path

# The sha256 of the *decompressed* rank files, as pinned by tiktoken (expected_hash in
# tiktoken_ext/openai_public.py). They must equal the constants in aiinfra_cli/tokens/_bpe.py.
EXPECTED_SHA256: dict[str, str] = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}
SOURCE_PACKAGE = "bpe-openai"
SOURCE_MODULE = "bpe_openai"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "src" / "aiinfra_cli" / "tokens" / "data"


class VendorError(Exception):
    """A source file is missing or does not hash to what tiktoken expects."""


@dataclass(frozen=True)
class Vendored:
    """One rank file as written to the data directory."""

    name: str
    gz_bytes: bytes
    raw_sha256: str
    gz_sha256: str
    raw_size: int
    source_file: str


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def locate_bpe_openai_data() -> tuple[Path, str]:
    """Return the data directory of the installed bpe-openai and its ``name==version`` label."""
    spec = importlib.util.find_spec(SOURCE_MODULE)
    if spec is None or spec.origin is None:
        raise VendorError(
            f"{SOURCE_PACKAGE} is not installed; install it (pip install {SOURCE_PACKAGE}) "
            "or pass --o200k and --cl100k"
        )
    version = importlib.metadata.version(SOURCE_PACKAGE)
    return Path(spec.origin).parent / "data", f"{SOURCE_PACKAGE}=={version}"


def check_against_installed_tiktoken() -> str | None:
    """Confirm our pinned hashes appear in the installed tiktoken's encoding registry.

    Reads the module source as text (importing it would be harmless, but calling its
    constructors downloads). Returns a note for the provenance file, or None if tiktoken_ext
    is not installed.
    """
    spec = importlib.util.find_spec("tiktoken_ext.openai_public")
    if spec is None or spec.origin is None:
        return None
    text = Path(spec.origin).read_text(encoding="utf-8")
    for name, digest in EXPECTED_SHA256.items():
        if digest not in text:
            raise VendorError(f"the installed tiktoken no longer pins {digest} for {name}")
    version = importlib.metadata.version("tiktoken")
    return f"hashes confirmed against tiktoken=={version} (tiktoken_ext/openai_public.py)"


def load_and_verify(name: str, gz_path: Path, source_file: str) -> Vendored:
    """Read one gzip rank file and check that it decompresses to tiktoken's expected bytes."""
    if not gz_path.is_file():
        raise VendorError(f"{gz_path}: not found")
    gz_bytes = gz_path.read_bytes()
    try:
        raw = gzip.decompress(gz_bytes)
    except (OSError, EOFError) as exc:
        raise VendorError(f"{gz_path}: not a valid gzip file ({exc})") from exc
    raw_sha = sha256_hex(raw)
    if raw_sha != EXPECTED_SHA256[name]:
        raise VendorError(
            f"{gz_path}: decompressed sha256 {raw_sha} != tiktoken's {EXPECTED_SHA256[name]}"
        )
    return Vendored(
        name=name,
        gz_bytes=gz_bytes,
        raw_sha256=raw_sha,
        gz_sha256=sha256_hex(gz_bytes),
        raw_size=len(raw),
        source_file=source_file,
    )


def render_provenance(
    files: list[Vendored], source: str, date: str, tiktoken_note: str | None
) -> str:
    """The text of PROVENANCE.md."""
    lines = [
        "# Provenance of the BPE rank files",
        "",
        "Written by `scripts/vendor_bpe.py`; do not edit by hand (re-run the script instead).",
        "",
        f"- Source: `{source}`",
        f"- Vendored on: {date}",
        "- Verification: the decompressed bytes hash to the sha256 that tiktoken pins for each",
        "  encoding (`expected_hash` in `tiktoken_ext/openai_public.py`); `aiinfra_cli.tokens`",
        "  checks the same hash every time it loads a file.",
    ]
    if tiktoken_note:
        lines.append(f"- Cross-check: {tiktoken_note}")
    lines += [
        "",
        "| file | source file | sha256 of decompressed bytes | decompressed size | "
        "sha256 of .gz | .gz size |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in files:
        lines.append(
            f"| `{f.name}.tiktoken.gz` | `{f.source_file}` | `{f.raw_sha256}` | {f.raw_size} | "
            f"`{f.gz_sha256}` | {len(f.gz_bytes)} |"
        )
    lines += [
        "",
        "## License",
        "",
        "The rank files are OpenAI's, published under the MIT License together with tiktoken",
        "(https://github.com/openai/tiktoken; see the LICENSE file there). The gzip containers",
        "come unchanged from the source above, itself MIT-licensed. No other data from that",
        "package is included.",
        "",
    ]
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--o200k", type=Path, help="path to o200k_base.tiktoken.gz")
    parser.add_argument("--cl100k", type=Path, help="path to cl100k_base.tiktoken.gz")
    parser.add_argument(
        "--source",
        help="label for PROVENANCE.md when paths are given (default: the paths themselves)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="data directory to write")
    parser.add_argument(
        "--date",
        default=None,
        help="vendoring date for PROVENANCE.md, YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument(
        "--check", action="store_true", help="verify the files already in --out; write nothing"
    )
    return parser.parse_args(argv)


def run(argv: list[str]) -> int:
    """Entry point; returns the process exit code."""
    args = parse_args(argv)
    out: Path = args.out
    try:
        tiktoken_note = check_against_installed_tiktoken()
        if args.check:
            for name in EXPECTED_SHA256:
                load_and_verify(name, out / f"{name}.tiktoken.gz", "")
            print(f"ok: {out} holds both rank files with tiktoken's hashes")
            return 0

        if (args.o200k is None) != (args.cl100k is None):
            raise VendorError("give both --o200k and --cl100k, or neither")
        if args.o200k is not None and args.cl100k is not None:
            paths = {"o200k_base": Path(args.o200k), "cl100k_base": Path(args.cl100k)}
            source = args.source or "explicit paths"
            labels = {name: path.name for name, path in paths.items()}
        else:
            data_dir, source = locate_bpe_openai_data()
            paths = {name: data_dir / f"{name}.tiktoken.gz" for name in EXPECTED_SHA256}
            labels = {name: f"{SOURCE_MODULE}/data/{name}.tiktoken.gz" for name in paths}

        files = [load_and_verify(name, paths[name], labels[name]) for name in EXPECTED_SHA256]
    except VendorError as exc:
        print(f"vendor_bpe: error: {exc}", file=sys.stderr)
        return 1

    date = args.date or dt.datetime.now(dt.timezone.utc).date().isoformat()
    out.mkdir(parents=True, exist_ok=True)
    for f in files:
        (out / f"{f.name}.tiktoken.gz").write_bytes(f.gz_bytes)
        print(f"wrote {f.name}.tiktoken.gz ({len(f.gz_bytes)} bytes, raw sha256 {f.raw_sha256})")
    (out / "PROVENANCE.md").write_text(
        render_provenance(files, source, date, tiktoken_note), encoding="utf-8"
    )
    print(f"wrote {out / 'PROVENANCE.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
