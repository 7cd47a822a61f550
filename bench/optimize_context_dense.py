"""optimize-context on an LLM-dense corpus: whole-process wall against semgrep (-j 1), all rules
on, and a profile of where the time goes (parse, resolve, rules, tokenizer, pricing).

The corpus is generated: every file is one of the test corpora's modules (real-world-shaped
service code calling OpenAI, Anthropic, LiteLLM, LangChain, Groq, Gemini, Mistral, Cohere,
Bedrock, Ollama, LlamaIndex, pydantic-ai, plus look-alikes) followed by ~130 lines of ordinary
application code, so every file holds LLM calls: the realistic worst case for the scanner,
unlike a site-packages corpus where the byte prefilter skips almost everything.

Usage::

    python bench/optimize_context_dense.py [--files 2400] [--runs 3] [--semgrep PATH]
        [--semgrep-jobs 1] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from optimize_context_bench import (
    SEMGREP_RULE,
    aiinfra_command,
    bench_env,
    count_lines,
    cpu,
    find_semgrep,
    median_time,
    semgrep_command,
)

REPO = Path(__file__).resolve().parents[1]
SOURCES = (
    REPO / "tests" / "optimize_context" / "corpus",
    REPO / "tests" / "optimize_context" / "corpus_sdks",
)
# The other SDKs' uncapped calls, so semgrep's rule covers what aiinfra's AIC001 covers.
EXTRA_PATTERNS = """\
          - pattern: $C.chat.complete(...)
          - pattern: $C.models.generate_content(...)
          - pattern: $C.converse(...)
          - pattern: $C.chat(model=$M, ...)
"""
FILLER = '''

@dataclass
class Record{i}:
    """An ordinary record of the application (no LLM here)."""

    key: str
    values: list[int] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)

    def total(self) -> int:
        return sum(v for v in self.values if v > 0)

    def describe(self) -> str:
        parts = [f"{{k}}={{v}}" for k, v in sorted(self.tags.items())]
        return f"{{self.key}}: {{self.total()}} ({{', '.join(parts)}})"


def parse_rows{i}(lines: list[str]) -> list[Record{i}]:
    rows: list[Record{i}] = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, rest = line.partition(":")
        try:
            values = [int(x) for x in rest.split(",") if x.strip()]
        except ValueError as exc:
            raise ValueError(f"line {{number}}: {{exc}}") from None
        rows.append(Record{i}(key.strip(), values))
    return rows


def summarise{i}(rows: list[Record{i}]) -> dict[str, int]:
    totals: dict[str, int] = {{}}
    for row in rows:
        totals[row.key] = totals.get(row.key, 0) + row.total()
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return dict(ranked[:20])


class Cache{i}:
    def __init__(self, size: int = 128) -> None:
        self.size = size
        self.items: dict[str, object] = {{}}
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> object | None:
        if key in self.items:
            self.hits += 1
            return self.items[key]
        self.misses += 1
        return None

    def put(self, key: str, value: object) -> None:
        if len(self.items) >= self.size:
            oldest = next(iter(self.items))
            del self.items[oldest]
        self.items[key] = value

    def ratio(self) -> float:
        seen = self.hits + self.misses
        return self.hits / seen if seen else 0.0


def retry{i}(attempts: int, delays: list[float]) -> list[float]:
    out = []
    for attempt in range(attempts):
        delay = delays[min(attempt, len(delays) - 1)]
        out.append(delay * (2 ** attempt))
    return out


def validate{i}(payload: dict[str, object]) -> list[str]:
    errors = []
    for name in ("id", "kind", "created"):
        if name not in payload:
            errors.append(f"missing {{name}}")
    if not isinstance(payload.get("id"), str):
        errors.append("id must be a string")
    return errors
'''


def make_corpus(target: Path, count: int) -> None:
    sources = sorted(p for root in SOURCES for p in root.rglob("*.py") if p.name != "__init__.py")
    for i in range(count):
        source = sources[i % len(sources)].read_text(encoding="utf-8")
        if "from dataclasses import" not in source:
            source = source.replace(
                "from __future__ import annotations\n",
                "from __future__ import annotations\n\nfrom dataclasses import dataclass, field\n",
                1,
            )
        path = target / f"pkg{i // 100:03d}" / f"module_{i:05d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source + FILLER.format(i=i), encoding="utf-8")


def bench_wall(target: Path, work: Path, runs: int, semgrep: str | None, jobs: int) -> None:
    env = bench_env(XDG_CACHE_HOME=str(work / "xdg-cache"))
    ours = [*aiinfra_command(), "optimize-context", str(target), "--format", "json", "--exit-zero"]
    wall, result = median_time([*ours, "--no-cache"], runs, work, env)
    ours_cpu = cpu()
    summary = json.loads(result.stdout)["summary"]
    print(
        f"aiinfra optimize-context, all rules, no cache: {wall:.2f} s (median of {runs}),"
        f" CPU {ours_cpu:.2f} s; {summary['call_sites']} call sites, {summary['findings']} findings"
    )
    if semgrep is None:
        print("semgrep: not found (pass --semgrep PATH); no ratio")
        return
    rule = work / "rule.yaml"
    rule.write_text(
        SEMGREP_RULE.replace("      - pattern-not:", EXTRA_PATTERNS + "      - pattern-not:", 1),
        encoding="utf-8",
    )
    theirs, sg_env = semgrep_command(semgrep, rule, target, env, jobs)
    sg_wall, sg_result = median_time(theirs, runs, work, sg_env)
    sg_cpu = cpu()
    results = len(json.loads(sg_result.stdout).get("results", [])) if sg_result.stdout else -1
    print(
        f"semgrep (one equivalent rule, -j {jobs}): {sg_wall:.2f} s, CPU {sg_cpu:.2f} s;"
        f" {results} results"
    )
    print(
        f"ratio aiinfra / semgrep wall: {wall / sg_wall:.3f} (target <= 0.3);"
        f" CPU: {ours_cpu / sg_cpu:.3f}"
    )


_STAGES = {
    "read files": ("_files.py", "read_source"),
    "parse (ast.parse)": ("<built-in method builtins.compile>", None),
    "index (scopes, bindings)": ("_index.py", "__init__"),
    "discover + resolve": ("_discovery.py", "discover"),
    "rules (static)": ("rules/__init__.py", "run_static_rules"),
    "prompt token counts": ("_base.py", "count"),
    "tokenizer load + exact counts": ("tokens", "count_text"),
    "pricing (price table, estimates)": ("_estimate.py", "price_estimate"),
    "AIC004 (price look-ups)": ("_estimate.py", "model_findings"),
    "price table load": ("pricing", "load_price_table"),
}


def profile(target: Path) -> None:
    sys.path.insert(0, str(REPO / "src"))
    from aiinfra_cli.scan import ScanOptions, scan

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    outcome = scan(ScanOptions(paths=[target], cwd=target, use_cache=False, jobs=1))
    profiler.disable()
    total = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    table = stats.stats  # type: ignore[attr-defined]
    print(f"profile, one process (jobs=1): {total:.2f} s for {outcome.stats.files} files")
    for label, (where, name) in _STAGES.items():
        seconds = sum(
            row[3]
            for (file, _line, func), row in table.items()
            if (where in file or where == func) and (name is None or func == name)
        )
        print(f"  {label:34} {seconds:6.2f} s cumulative ({seconds / total:5.1%})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=2400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--semgrep", default=None)
    parser.add_argument("--semgrep-jobs", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aiinfra-dense-") as tmp:
        work = Path(tmp)
        target = work / "corpus"
        make_corpus(target, args.files)
        files, lines = count_lines(target)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"LLM-dense corpus: {files} files, {lines:,} lines;"
            f" {os.cpu_count()} cores, load {load:.1f}"
        )
        bench_wall(target, work, args.runs, find_semgrep(args.semgrep), args.semgrep_jobs)
        if args.profile:
            profile(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
