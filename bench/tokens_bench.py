"""Benchmark aiinfra's token counting: cold load time and counting throughput.

Prints, for o200k_base and cl100k_base:

* cold load: median over fresh interpreter processes of building the encoding from the shipped
  rank file (and its parts: importing tiktoken, reading + verifying, parsing, building), the
  wall time of a whole ``count_text`` process, and the same for stock tiktoken reading a warm
  cache and for bpe-openai (when installed);
* throughput: tokens/s and MB/s over the calibration corpus (20 small texts) and over one
  ~500 KB text, median of several runs, side by side with bpe-openai when importable;
* the cost of the Claude/Gemini estimate on top of the o200k count.

Usage: ``python bench/tokens_bench.py [--runs N] [--cold-runs N]``. Runs offline.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO_ROOT / "tests" / "tokens" / "corpus"
SRC_DIR = REPO_ROOT / "src"
ENCODINGS = ("o200k_base", "cl100k_base")
TIKTOKEN_URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}

_OURS = """
import json, time
t0 = time.perf_counter()
import tiktoken
t1 = time.perf_counter()
from aiinfra_cli.tokens import _bpe
_bpe.get_encoding({name!r})
t2 = time.perf_counter()
# The same steps again, one by one, for the breakdown.
raw = _bpe.read_rank_file({name!r})
t3 = time.perf_counter()
ranks = _bpe.parse_ranks(raw)
t4 = time.perf_counter()
spec = _bpe.SPECS[{name!r}]
tiktoken.Encoding(name=spec.name, pat_str=spec.pat_str, mergeable_ranks=ranks,
                  special_tokens=dict(spec.special_tokens))
t5 = time.perf_counter()
print(json.dumps({{"total": t2 - t0, "import tiktoken": t1 - t0, "read+verify": t3 - t2,
                  "parse": t4 - t3, "build": t5 - t4}}))
"""
_TIKTOKEN_WARM = """
import json, time
t0 = time.perf_counter()
import tiktoken
tiktoken.get_encoding({name!r})
print(json.dumps({{"total": time.perf_counter() - t0}}))
"""
_BPE_OPENAI = """
import json, time
t0 = time.perf_counter()
import bpe_openai
bpe_openai.get_encoding({name!r}).encode_ordinary("warm up")
print(json.dumps({{"total": time.perf_counter() - t0}}))
"""
_WHOLE_PROCESS = "from aiinfra_cli.tokens import count_text; count_text('hi', {model!r})"


def _python(code: str, env: dict[str, str] | None = None) -> str:
    env = dict(os.environ if env is None else env)
    # Make the checkout importable even where aiinfra is not installed.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC_DIR), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    )
    return result.stdout


def _median_json(code: str, runs: int, env: dict[str, str] | None = None) -> dict[str, float]:
    samples = [json.loads(_python(code, env)) for _ in range(runs)]
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def _median_wall(code: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        _python(code)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _warm_tiktoken_cache(directory: Path) -> None:
    """Fill a private tiktoken cache with the shipped files, as a first download would."""
    from aiinfra_cli.tokens import _bpe

    for name, url in TIKTOKEN_URLS.items():
        key = hashlib.sha1(url.encode()).hexdigest()  # tiktoken's cache key
        (directory / key).write_bytes(_bpe.read_rank_file(name))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def cold_load(runs: int) -> None:
    print(f"== cold load (median of {runs} fresh processes) ==")
    have_bpe_openai = importlib.util.find_spec("bpe_openai") is not None
    with tempfile.TemporaryDirectory() as cache:
        _warm_tiktoken_cache(Path(cache))
        warm_env = {**os.environ, "TIKTOKEN_CACHE_DIR": cache}
        for name in ENCODINGS:
            ours = _median_json(_OURS.format(name=name), runs)
            parts = ", ".join(f"{k} {_ms(v).strip()}" for k, v in ours.items() if k != "total")
            print(f"{name:12} aiinfra (shipped .gz)      {_ms(ours['total'])}   ({parts})")
            warm = _median_json(_TIKTOKEN_WARM.format(name=name), runs, warm_env)
            print(f"{name:12} tiktoken, warm cache       {_ms(warm['total'])}")
            if have_bpe_openai:
                theirs = _median_json(_BPE_OPENAI.format(name=name), runs)
                print(f"{name:12} bpe-openai                 {_ms(theirs['total'])}")
    baseline = _median_wall("pass", runs)
    for model in ("gpt-4o", "gpt-4"):
        wall = _median_wall(_WHOLE_PROCESS.format(model=model), runs)
        print(
            f"whole process: python -c count_text('hi', {model!r}) {_ms(wall)} "
            f"(bare interpreter {_ms(baseline).strip()})"
        )
    print()


def _throughput(count: Callable[[str], int], texts: list[str], runs: int) -> tuple[float, float]:
    """Median (tokens/s, MB/s) of ``count`` over ``texts``."""
    size_mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    repeat = max(1, int(2.0 / size_mb))  # ~2 MB of text per run
    rates = []
    tokens = 0
    for _ in range(runs):
        start = time.perf_counter()
        tokens = 0
        for _ in range(repeat):
            for text in texts:
                tokens += count(text)
        elapsed = time.perf_counter() - start
        rates.append((tokens / elapsed, size_mb * repeat / elapsed))
    return statistics.median(r[0] for r in rates), statistics.median(r[1] for r in rates)


def _via_encoding(encoding: Any) -> Callable[[str], int]:
    def count(text: str) -> int:
        return len(encoding.encode_ordinary(text))

    return count


def _via_count_text(count_text: Callable[[str, str], Any], model: str) -> Callable[[str], int]:
    def count(text: str) -> int:
        tokens: int = count_text(text, model).tokens
        return tokens

    return count


def throughput(runs: int) -> None:
    from aiinfra_cli.tokens import _bpe, count_text

    corpus = [p.read_text(encoding="utf-8") for p in sorted(CORPUS_DIR.iterdir())]
    workloads = {"corpus (20 texts)": corpus, "one 500 KB text": ["\n".join(corpus) * 48]}
    bpe_openai: Any = None
    if importlib.util.find_spec("bpe_openai") is not None:
        bpe_openai = importlib.import_module("bpe_openai")

    print(f"== throughput (median of {runs} runs, ~2 MB of text per run) ==")
    for name in ENCODINGS:
        model = "gpt-4o" if name == "o200k_base" else "gpt-4"
        impls: dict[str, Callable[[str], int]] = {
            "aiinfra count_text": _via_count_text(count_text, model),
            "tiktoken encode_ordinary": _via_encoding(_bpe.get_encoding(name)),
        }
        if bpe_openai is not None:
            impls["bpe-openai encode_ordinary"] = _via_encoding(bpe_openai.get_encoding(name))
        for label, texts in workloads.items():
            rates = {impl: _throughput(fn, texts, runs) for impl, fn in impls.items()}
            base = rates["tiktoken encode_ordinary"][0]
            for impl, (tps, mbps) in rates.items():
                print(
                    f"{name:12} {label:18} {impl:28} {tps / 1e6:6.2f} M tok/s "
                    f"{mbps:6.2f} MB/s  x{tps / base:4.2f}"
                )
    print()
    print("== estimate overhead (o200k count + text features) ==")
    for model in ("gpt-4o", "claude-sonnet-4-5", "gemini-2.5-flash"):
        for label, texts in workloads.items():
            _, mbps = _throughput(_via_count_text(count_text, model), texts, runs)
            print(f"{model:18} {label:18} {mbps:6.2f} MB/s")


def run(argv: list[str]) -> int:
    """Entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="throughput runs")
    parser.add_argument("--cold-runs", type=int, default=7, help="fresh processes per load")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]} on {sys.platform}, {os.cpu_count()} CPUs")
    print()
    cold_load(args.cold_runs)
    throughput(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
