"""Exact OpenAI BPE counts from the rank files shipped in ``aiinfra_cli/tokens/data``.

tiktoken's own ``get_encoding`` downloads the rank files on first use and so fails offline.
Here the files come from the package itself (gzip, see ``data/PROVENANCE.md``), their
decompressed sha256 is checked against the value tiktoken pins, and the ``tiktoken.Encoding``
is built directly with the same regex and special tokens as ``tiktoken_ext/openai_public.py``.

tiktoken is imported inside functions only: importing this module must stay cheap because the
CLI imports it on paths that never count a token.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

# Special tokens and regexes copied verbatim from tiktoken_ext/openai_public.py (tiktoken 0.14);
# tests/tokens/test_bpe.py proves they equal what tiktoken itself would build.
ENDOFTEXT = "<|endoftext|>"
FIM_PREFIX = "<|fim_prefix|>"
FIM_MIDDLE = "<|fim_middle|>"
FIM_SUFFIX = "<|fim_suffix|>"
ENDOFPROMPT = "<|endofprompt|>"

CL100K_PAT_STR = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
O200K_PAT_STR = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)


@dataclass(frozen=True)
class EncodingSpec:
    """Everything needed to build one encoding from its shipped rank file."""

    name: str
    filename: str
    sha256: str  # of the decompressed file, as pinned by tiktoken (expected_hash)
    n_ranks: int
    pat_str: str
    special_tokens: Mapping[str, int]


SPECS: Mapping[str, EncodingSpec] = {
    "o200k_base": EncodingSpec(
        name="o200k_base",
        filename="o200k_base.tiktoken.gz",
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        n_ranks=199_998,
        pat_str=O200K_PAT_STR,
        special_tokens={ENDOFTEXT: 199999, ENDOFPROMPT: 200018},
    ),
    "cl100k_base": EncodingSpec(
        name="cl100k_base",
        filename="cl100k_base.tiktoken.gz",
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        n_ranks=100_256,
        pat_str=CL100K_PAT_STR,
        special_tokens={
            ENDOFTEXT: 100257,
            FIM_PREFIX: 100258,
            FIM_MIDDLE: 100259,
            FIM_SUFFIX: 100260,
            ENDOFPROMPT: 100276,
        },
    ),
}


class TokenizerDataError(RuntimeError):
    """A shipped rank file is missing or corrupt.

    This is a packaging bug, not a user mistake, so it is deliberately not an ``AiinfraError``:
    the top-level handler reports it as an internal error with a crash log.
    """


def _spec(name: str) -> EncodingSpec:
    try:
        return SPECS[name]
    except KeyError:
        raise ValueError(f"unknown encoding {name!r}; expected one of {sorted(SPECS)}") from None


def read_rank_file(name: str) -> bytes:
    """The decompressed rank file for ``name``, verified against tiktoken's pinned sha256."""
    # Imported here, not at module level, to keep ``import aiinfra_cli.tokens`` cheap.
    import gzip
    import hashlib
    from importlib import resources

    spec = _spec(name)
    resource = resources.files("aiinfra_cli.tokens") / "data" / spec.filename
    try:
        raw = gzip.decompress(resource.read_bytes())
    except (OSError, EOFError) as exc:
        raise TokenizerDataError(f"cannot read shipped rank file {spec.filename}: {exc}") from exc
    digest = hashlib.sha256(raw).hexdigest()
    if digest != spec.sha256:
        raise TokenizerDataError(
            f"shipped rank file {spec.filename} is corrupt: sha256 {digest}, expected {spec.sha256}"
        )
    return raw


def parse_ranks(raw: bytes) -> dict[bytes, int]:
    """Parse tiktoken's rank format: one ``<base64 token> <rank>`` pair per line."""
    # Whitespace-split and pair up rather than parse line by line: ~25 % faster on the cold
    # path, and the sha256 check has already pinned the exact bytes, so no per-line validation
    # is lost. binascii.a2b_base64 is what base64.b64decode calls underneath.
    from binascii import a2b_base64

    fields = raw.split()
    if len(fields) % 2:
        raise TokenizerDataError("rank file has an odd number of fields")
    return dict(zip(map(a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))


@functools.cache
def get_encoding(name: str) -> tiktoken.Encoding:
    """The ``tiktoken.Encoding`` for ``o200k_base`` or ``cl100k_base``, built once per process.

    Never touches the network or tiktoken's download cache.
    """
    spec = _spec(name)
    ranks = parse_ranks(read_rank_file(name))
    if len(ranks) != spec.n_ranks:
        raise TokenizerDataError(f"{spec.filename}: {len(ranks)} ranks, expected {spec.n_ranks}")
    import tiktoken

    return tiktoken.Encoding(
        name=spec.name,
        pat_str=spec.pat_str,
        mergeable_ranks=ranks,
        special_tokens=dict(spec.special_tokens),
    )


def count_bpe(text: str, name: str) -> int:
    """Exact number of tokens in ``text`` under encoding ``name``.

    Special-token strings such as ``<|endoftext|>`` are counted as the plain text they are:
    an API receiving them in a message does not turn them into control tokens.
    """
    if not text:
        return 0
    return len(get_encoding(name).encode_ordinary(text))
