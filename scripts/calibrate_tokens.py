"""Measure the error of aiinfra's Claude and Gemini token estimates against a real reference.

References, one per subcommand:

* ``anthropic``: Anthropic's count_tokens endpoint (needs ANTHROPIC_API_KEY);
* ``gemini``: the Gemini API countTokens endpoint (needs GEMINI_API_KEY or GOOGLE_API_KEY);
* ``spm``: a SentencePiece model run locally, e.g. Google's Gemma 3 tokenizer that Google's own
  SDK uses to count Gemini 2.x/3.0 tokens offline. Give ``--model-file`` (a ``.model`` file) or
  ``--gguf`` (a GGUF file whose tokenizer metadata is rebuilt into a SentencePiece model).
  Needs the ``sentencepiece`` package (and ``protobuf`` for ``--gguf``), which aiinfra itself
  does not depend on.

Texts: the calibration corpus in ``tests/tokens/corpus`` (kind = file name up to the first
"-"), plus any ``--extra`` files or directories. For each text it prints the o200k count, the
reference count, aiinfra's estimate and the error, then the median, p90 and max absolute
percentage error overall and per kind, and the reference/o200k ratio per kind, from which the
factors in ``aiinfra_cli/tokens/_estimate.py`` can be re-derived.

This script talks to the network for ``anthropic`` and ``gemini``; it is never run by the tests.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import statistics
import struct
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO_ROOT / "tests" / "tokens" / "corpus"
EXTRA_SUFFIXES = frozenset({".py", ".md", ".txt", ".rst", ".json", ".js", ".ts", ".rs", ".go"})


@dataclass(frozen=True)
class Sample:
    """One text to measure."""

    name: str
    kind: str
    text: str


@dataclass(frozen=True)
class Row:
    """The measurement of one sample."""

    sample: Sample
    o200k: int
    reference: int
    estimate: int

    @property
    def error_pct(self) -> float:
        return 100.0 * (self.estimate - self.reference) / self.reference


def load_samples(corpus: Path, extras: list[Path], max_chars: int) -> list[Sample]:
    """The corpus texts, then the extra files (each cut to ``max_chars``)."""
    samples = [
        Sample(p.name, p.name.split("-", 1)[0], p.read_text(encoding="utf-8"))
        for p in sorted(corpus.iterdir())
        if p.is_file()
    ]
    for extra in extras:
        files = sorted(extra.rglob("*")) if extra.is_dir() else [extra]
        for f in files:
            if not f.is_file() or (extra.is_dir() and f.suffix not in EXTRA_SUFFIXES):
                continue
            try:
                text = f.read_text(encoding="utf-8")[:max_chars]
            except (UnicodeDecodeError, OSError):
                continue
            if text.strip():
                samples.append(Sample(str(f), f"extra{f.suffix or ':none'}", text))
    return samples


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (0 < q <= 1)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summarize(rows: list[Row]) -> str:
    errors = [abs(r.error_pct) for r in rows]
    return (
        f"n={len(rows):3d}  median |err| {statistics.median(errors):5.1f}%  "
        f"p90 {percentile(errors, 0.9):5.1f}%  max {max(errors):5.1f}%  "
        f"reference/o200k {sum(r.reference for r in rows) / sum(r.o200k for r in rows):.3f}"
    )


def report(rows: list[Row], reference_label: str, model: str) -> None:
    print(f"reference: {reference_label}; estimate: aiinfra count_text(text, {model!r})")
    print(f"{'text':40} {'kind':12} {'chars':>6} {'o200k':>6} {'ref':>6} {'est':>6} {'err':>7}")
    for r in rows:
        name = r.sample.name if len(r.sample.name) <= 40 else "…" + r.sample.name[-39:]
        print(
            f"{name:40} {r.sample.kind:12} {len(r.sample.text):6d} {r.o200k:6d} "
            f"{r.reference:6d} {r.estimate:6d} {r.error_pct:+6.1f}%"
        )
    print()
    print(f"{'overall':14} {summarize(rows)}")
    for kind in sorted({r.sample.kind for r in rows}):
        print(f"{kind:14} {summarize([r for r in rows if r.sample.kind == kind])}")


def measure(samples: list[Sample], model: str, reference: Callable[[str], int]) -> list[Row]:
    try:
        from aiinfra_cli.tokens import count_text
    except ImportError:  # run from a checkout without aiinfra installed
        sys.path.insert(0, str(REPO_ROOT / "src"))
        from aiinfra_cli.tokens import count_text

    rows = []
    for s in samples:
        rows.append(
            Row(
                sample=s,
                o200k=count_text(s.text).tokens,
                reference=reference(s.text),
                estimate=count_text(s.text, model).tokens,
            )
        )
    return rows


# --- HTTP references -------------------------------------------------------------------------


class RequestFailed(Exception):
    """A count-tokens request failed: bad key, unknown model, network down."""


def _post_json(url: str, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    import httpx

    try:
        for attempt in range(5):  # bounded: a few retries on rate limits, then give up
            response = httpx.post(url, headers=headers, json=body, timeout=60.0)
            if response.status_code in (429, 529) and attempt < 4:
                time.sleep(2.0 * (attempt + 1))
                continue
            response.raise_for_status()
            result: dict[str, Any] = response.json()
            return result
    except httpx.HTTPError as exc:
        raise RequestFailed(str(exc)) from exc
    raise RequestFailed("rate limited on every attempt")


def anthropic_reference(model: str) -> tuple[Callable[[str], int], Callable[[], None]]:
    """Text tokens from Anthropic count_tokens, and a probe of the message overhead."""
    key = os.environ.get("ANTHROPIC_API_KEY")
    if not key:
        raise SystemExit("calibrate_tokens: ANTHROPIC_API_KEY is not set")
    headers = {"x-api-key": key, "anthropic-version": "2023-06-01"}

    def count(messages: list[dict[str, str]]) -> int:
        body = {"model": model, "messages": messages}
        url = "https://api.anthropic.com/v1/messages/count_tokens"
        return int(_post_json(url, headers, body)["input_tokens"])

    # "a" is one token in every Claude tokenizer, so this isolates the request overhead.
    overhead = count([{"role": "user", "content": "a"}]) - 1

    def text_tokens(text: str) -> int:
        return count([{"role": "user", "content": text}]) - overhead

    def probe() -> None:
        from aiinfra_cli.tokens import count_messages

        one = [{"role": "user", "content": "a"}]
        three = [*one, {"role": "assistant", "content": "a"}, {"role": "user", "content": "a"}]
        prefill = [*one, {"role": "assistant", "content": "a"}]
        for label, msgs in (("1 message", one), ("3 messages", three), ("prefill", prefill)):
            ours = count_messages(msgs, model).tokens
            print(f"overhead probe {label:10}: api {count(msgs):4d}  aiinfra {ours:4d}")

    return text_tokens, probe


def gemini_reference(model: str) -> Callable[[str], int]:
    """Text tokens from the Gemini API countTokens endpoint."""
    key = os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY")
    if not key:
        raise SystemExit("calibrate_tokens: GEMINI_API_KEY (or GOOGLE_API_KEY) is not set")
    name = model if model.startswith("models/") else f"models/{model}"
    url = f"https://generativelanguage.googleapis.com/v1beta/{name}:countTokens"
    headers = {"x-goog-api-key": key}

    def text_tokens(text: str) -> int:
        body = {"contents": [{"role": "user", "parts": [{"text": text}]}]}
        return int(_post_json(url, headers, body)["totalTokens"])

    return text_tokens


# --- local SentencePiece reference -----------------------------------------------------------

_GGUF_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_GGUF_STRING, _GGUF_ARRAY = 8, 9
_SPM_USER_DEFINED = 4


def _read(f: BinaryIO, fmt: str) -> Any:
    return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]


def _read_value(f: BinaryIO, kind: int) -> Any:
    if kind in _GGUF_SCALARS:
        return _read(f, _GGUF_SCALARS[kind])
    if kind == _GGUF_STRING:
        return f.read(_read(f, "<Q")).decode("utf-8", "surrogateescape")
    if kind == _GGUF_ARRAY:
        item_kind, n = _read(f, "<I"), _read(f, "<Q")
        return [_read_value(f, item_kind) for _ in range(n)]
    raise ValueError(f"unknown GGUF value type {kind}")


def read_gguf_metadata(path: Path) -> dict[str, Any]:
    """The key/value header of a GGUF file (the tokenizer lives there; tensors are not read)."""
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise SystemExit(f"calibrate_tokens: {path} is not a GGUF file")
        _read(f, "<I")  # version
        _read(f, "<Q")  # tensor count
        n_kv = _read(f, "<Q")
        meta: dict[str, Any] = {}
        for _ in range(n_kv):
            key = f.read(_read(f, "<Q")).decode("utf-8")
            meta[key] = _read_value(f, _read(f, "<I"))
        return meta


def spm_model_from_gguf(path: Path) -> bytes:
    """Rebuild a SentencePiece BPE model from the tokenizer metadata of a GGUF file.

    llama.cpp stores the pieces, scores and piece types of the original SentencePiece model;
    it writes user-defined pieces with real spaces, which SentencePiece expects as U+2581.
    """
    pb = importlib.import_module("sentencepiece.sentencepiece_model_pb2")
    meta = read_gguf_metadata(path)
    if meta.get("tokenizer.ggml.model") != "llama":
        raise SystemExit(f"calibrate_tokens: {path} does not hold a SentencePiece tokenizer")
    model = pb.ModelProto()
    tokens = meta["tokenizer.ggml.tokens"]
    scores = meta["tokenizer.ggml.scores"]
    types = meta["tokenizer.ggml.token_type"]
    for piece, score, kind in zip(tokens, scores, types, strict=True):
        entry = model.pieces.add()
        entry.piece = piece.replace(" ", "\u2581") if kind == _SPM_USER_DEFINED else piece
        entry.score = score
        entry.type = kind
    model.trainer_spec.model_type = pb.TrainerSpec.BPE
    model.trainer_spec.vocab_size = len(tokens)
    model.trainer_spec.byte_fallback = True
    model.trainer_spec.unk_id = int(meta.get("tokenizer.ggml.unknown_token_id", 3))
    model.trainer_spec.bos_id = int(meta.get("tokenizer.ggml.bos_token_id", 2))
    model.trainer_spec.eos_id = int(meta.get("tokenizer.ggml.eos_token_id", 1))
    model.trainer_spec.pad_id = int(meta.get("tokenizer.ggml.padding_token_id", 0))
    model.normalizer_spec.name = "identity"
    model.normalizer_spec.add_dummy_prefix = bool(meta.get("tokenizer.ggml.add_space_prefix"))
    model.normalizer_spec.remove_extra_whitespaces = False
    model.normalizer_spec.escape_whitespaces = True
    serialized: bytes = model.SerializeToString()
    return serialized


def spm_reference(model_file: Path | None, gguf: Path | None) -> Callable[[str], int]:
    """Token counts from a local SentencePiece model (no BOS/EOS added)."""
    try:
        spm = importlib.import_module("sentencepiece")
        if gguf is not None:
            importlib.import_module("google.protobuf")
    except ImportError as exc:
        raise SystemExit(
            f"calibrate_tokens: 'spm' needs 'pip install sentencepiece protobuf' ({exc})"
        ) from exc
    processor = spm.SentencePieceProcessor()
    if gguf is not None:
        processor.LoadFromSerializedProto(spm_model_from_gguf(gguf))
    elif model_file is not None:
        processor.Load(str(model_file))
    else:
        raise SystemExit("calibrate_tokens: give --model-file or --gguf")

    def text_tokens(text: str) -> int:
        return len(processor.EncodeAsIds(text))

    return text_tokens


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="reference", required=True)
    for name, default_model in (
        ("anthropic", "claude-sonnet-4-5"),
        ("gemini", "gemini-2.5-flash"),
        ("spm", "gemini-2.5-flash"),
    ):
        p = sub.add_parser(name)
        p.add_argument("--model", default=default_model, help="model to estimate for")
        p.add_argument("--corpus", type=Path, default=CORPUS_DIR)
        p.add_argument("--extra", type=Path, action="append", default=[], help="more texts")
        p.add_argument("--max-chars", type=int, default=12_000, help="cut extra texts")
        p.add_argument("--json", action="store_true", help="print rows as JSON lines instead")
        if name == "spm":
            p.add_argument("--model-file", type=Path, help="SentencePiece .model file")
            p.add_argument("--gguf", type=Path, help="GGUF file to take the tokenizer from")
    return parser.parse_args(argv)


def _rows_json(rows: list[Row]) -> Iterator[str]:
    for r in rows:
        yield json.dumps(
            {
                "text": r.sample.name,
                "kind": r.sample.kind,
                "chars": len(r.sample.text),
                "o200k": r.o200k,
                "reference": r.reference,
                "estimate": r.estimate,
                "error_pct": round(r.error_pct, 2),
            }
        )


def run(argv: list[str]) -> int:
    """Entry point; returns the process exit code."""
    args = parse_args(argv)
    samples = load_samples(args.corpus, args.extra, args.max_chars)
    probe: Callable[[], None] | None = None
    try:
        if args.reference == "anthropic":
            reference, probe = anthropic_reference(args.model)
            label = f"Anthropic count_tokens ({args.model}), request overhead subtracted"
        elif args.reference == "gemini":
            reference = gemini_reference(args.model)
            label = f"Gemini countTokens ({args.model})"
        else:
            reference = spm_reference(args.model_file, args.gguf)
            label = f"local SentencePiece ({args.gguf or args.model_file})"
        rows = measure(samples, args.model, reference)
        if args.json:
            for line in _rows_json(rows):
                print(line)
        else:
            report(rows, label, args.model)
        if probe is not None:
            probe()
    except RequestFailed as exc:
        print(f"calibrate_tokens: request failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
