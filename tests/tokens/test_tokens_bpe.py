"""Exact OpenAI counts from the shipped rank files: real encodings, no network, no mocks."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
from pathlib import Path

import pytest
import tiktoken
import tiktoken.load
from tiktoken_ext import openai_public

from aiinfra_cli.tokens import TokenizerDataError, _bpe, count_text

DATA_DIR = Path(_bpe.__file__).parent / "data"

# Token ids published in OpenAI's cookbook ("How to count tokens with tiktoken", section 5),
# plus "Hello, world!"; cross-checked with bpe-openai, an independent implementation.
KNOWN_IDS = {
    "o200k_base": {
        "Hello, world!": [13225, 11, 2375, 0],
        "antidisestablishmentarianism": [493, 129901, 376, 160388, 21203, 2367],
        "2 + 2 = 4": [17, 659, 220, 17, 314, 220, 19],
        "お誕生日おめでとう": [8930, 9697, 243, 128225, 8930, 17693, 4344, 48669],
    },
    "cl100k_base": {
        "Hello, world!": [9906, 11, 1917, 0],
        "antidisestablishmentarianism": [519, 85342, 34500, 479, 8997, 2191],
        "2 + 2 = 4": [17, 489, 220, 17, 284, 220, 19],
        "お誕生日おめでとう": [33334, 45918, 243, 21990, 9080, 33334, 62004, 16556, 78699],
    },
}

# (o200k_base, cl100k_base) token counts of every corpus file, computed with bpe-openai 0.1.4
# (a Rust implementation that shares no code with tiktoken). Update together with the corpus.
CORPUS_COUNTS = {
    "code-python.txt": (237, 240),
    "code-rust.txt": (165, 162),
    "code-sql.txt": (163, 162),
    "code-typescript.txt": (210, 208),
    "data-api-response-json.txt": (144, 143),
    "data-config-yaml.txt": (172, 172),
    "data-metrics-csv.txt": (252, 250),
    "data-server-log.txt": (300, 302),
    "mixed-prompt.txt": (130, 130),
    "multilingual-chinese.txt": (125, 189),
    "multilingual-german.txt": (98, 129),
    "multilingual-hindi.txt": (87, 295),
    "multilingual-japanese.txt": (137, 190),
    "multilingual-russian.txt": (110, 209),
    "multilingual-spanish.txt": (93, 119),
    "prose-essay.txt": (139, 140),
    "prose-support-email.txt": (122, 125),
    "prose-technical-markdown.txt": (162, 162),
    "whitespace-nested.txt": (88, 88),
    "whitespace-table.txt": (171, 171),
}

ENCODINGS = ("o200k_base", "cl100k_base")


@pytest.mark.parametrize("name", ENCODINGS)
def test_known_token_ids(name: str) -> None:
    enc = _bpe.get_encoding(name)
    for text, ids in KNOWN_IDS[name].items():
        assert enc.encode_ordinary(text) == ids, text
        assert enc.decode(ids) == text


def test_corpus_counts_match_recorded_values(corpus: dict[str, str]) -> None:
    assert set(corpus) == set(CORPUS_COUNTS), "corpus changed: update CORPUS_COUNTS"
    for file, text in corpus.items():
        o200k, cl100k = CORPUS_COUNTS[file]
        assert count_text(text, "gpt-4o").tokens == o200k, file
        assert count_text(text, "gpt-4").tokens == cl100k, file


@pytest.mark.parametrize("name", ENCODINGS)
def test_round_trip_over_corpus(name: str, corpus: dict[str, str]) -> None:
    enc = _bpe.get_encoding(name)
    for file, text in corpus.items():
        assert enc.decode(enc.encode_ordinary(text)) == text, file


@pytest.mark.parametrize("name", ENCODINGS)
def test_counts_agree_with_bpe_openai(name: str, corpus: dict[str, str]) -> None:
    bpe_openai = pytest.importorskip("bpe_openai")
    theirs = bpe_openai.get_encoding(name)
    ours = _bpe.get_encoding(name)
    texts = [*corpus.values(), *KNOWN_IDS[name], "", " ", "\n\n\n", "a" * 1000, "<|endoftext|>"]
    for text in texts:
        assert ours.encode_ordinary(text) == theirs.encode_ordinary(text), text[:40]


@pytest.mark.parametrize("name", ENCODINGS)
def test_construction_equals_tiktoken_registry(
    name: str, corpus: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Our hand-built Encoding equals what tiktoken_ext.openai_public would build.

    tiktoken's constructor would download the rank file; read_file_cached is replaced by one
    that serves our shipped bytes, and only after checking that tiktoken asked for the very
    hash we verify.
    """
    spec = _bpe.SPECS[name]
    requested: list[tuple[str, str | None]] = []

    def serve_shipped(blobpath: str, expected_hash: str | None = None) -> bytes:
        requested.append((blobpath, expected_hash))
        return _bpe.read_rank_file(name)

    monkeypatch.setattr(tiktoken.load, "read_file_cached", serve_shipped)
    params = getattr(openai_public, name)()

    assert len(requested) == 1
    assert requested[0][0].endswith(f"/{name}.tiktoken")
    assert requested[0][1] == spec.sha256
    assert params["name"] == spec.name
    assert params["pat_str"] == spec.pat_str
    assert params["special_tokens"] == dict(spec.special_tokens)
    assert params.get("explicit_n_vocab") is None
    assert set(params) == {"name", "pat_str", "mergeable_ranks", "special_tokens"}
    assert params["mergeable_ranks"] == _bpe.parse_ranks(_bpe.read_rank_file(name))

    reference = tiktoken.Encoding(**params)
    ours = _bpe.get_encoding(name)
    assert ours.special_tokens_set == reference.special_tokens_set
    assert ours.n_vocab == reference.n_vocab
    for text in corpus.values():
        assert ours.encode_ordinary(text) == reference.encode_ordinary(text)
        assert ours.encode(text, allowed_special="all") == reference.encode(
            text, allowed_special="all"
        )


def test_special_token_text_counts_as_plain_text() -> None:
    # An API does not turn "<|endoftext|>" inside a message into a control token.
    assert count_text("<|endoftext|>").tokens == 7
    assert count_text("<|endoftext|>", "gpt-4").tokens == 7


def test_encoding_is_cached() -> None:
    assert _bpe.get_encoding("o200k_base") is _bpe.get_encoding("o200k_base")


def test_unknown_encoding_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown encoding"):
        _bpe.get_encoding("p50k_base")


def test_shipped_files_match_provenance() -> None:
    provenance = (DATA_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    for spec in _bpe.SPECS.values():
        gz = (DATA_DIR / spec.filename).read_bytes()
        assert hashlib.sha256(gzip.decompress(gz)).hexdigest() == spec.sha256
        assert spec.sha256 in provenance
        assert hashlib.sha256(gz).hexdigest() in provenance


def test_hash_mismatch_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = dataclasses.replace(_bpe.SPECS["cl100k_base"], sha256="0" * 64)
    monkeypatch.setattr(_bpe, "SPECS", {**_bpe.SPECS, "cl100k_base": bad})
    with pytest.raises(TokenizerDataError, match="corrupt"):
        _bpe.read_rank_file("cl100k_base")


def test_unreadable_file_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    not_gzip = dataclasses.replace(_bpe.SPECS["cl100k_base"], filename="PROVENANCE.md")
    monkeypatch.setattr(_bpe, "SPECS", {**_bpe.SPECS, "cl100k_base": not_gzip})
    with pytest.raises(TokenizerDataError, match="cannot read"):
        _bpe.read_rank_file("cl100k_base")


def test_internal_error_is_not_a_user_error() -> None:
    from aiinfra_cli.errors import AiinfraError

    assert not issubclass(TokenizerDataError, AiinfraError)


def test_parse_ranks_reads_tiktoken_format() -> None:
    assert _bpe.parse_ranks(b"YQ== 0\nYg== 1\n\nYWI= 2\n") == {b"a": 0, b"b": 1, b"ab": 2}
    with pytest.raises(TokenizerDataError, match="odd number"):
        _bpe.parse_ranks(b"YQ== 0\nYg==\n")
