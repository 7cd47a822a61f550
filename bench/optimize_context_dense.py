"""optimize-context on an LLM-dense corpus: whole-process wall against semgrep (-j 1), all rules
on, and a profile of where the time goes (parse, resolve, rules, tokenizer, pricing).

The corpus is generated: every file is one of the test corpora's modules (real-world-shaped
service code calling OpenAI, Anthropic, LiteLLM, LangChain, Groq, Gemini, Mistral, Cohere,
Bedrock, Ollama, LlamaIndex, pydantic-ai, plus look-alikes) followed by ~130 lines of ordinary
application code, so every file holds LLM calls: the realistic worst case for the scanner,
unlike a site-packages corpus where the byte prefilter skips almost everything.

Usage::

    python bench/optimize_context_dense.py [--files 2400] [--runs 3] [--semgrep PATH]
        [--semgrep-jobs 1] [--profile] [--floor N]

The two tools run interleaved (aiinfra, semgrep, aiinfra, semgrep, ...); medians of wall and
CPU time (user + system of the whole process tree) and the load average are printed. On a
shared machine the CPU ratio is the steadier figure: wall time there includes waiting for a
core.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from optimize_context_bench import (
    SEMGREP_RULE,
    aiinfra_command,
    bench_env,
    count_lines,
    find_semgrep,
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


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, the process and its children) and stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, spent, result.stdout


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def bench_wall(target: Path, work: Path, runs: int, semgrep: str | None, jobs: int) -> None:
    """Both tools ``runs`` times, interleaved (A B A B ...): medians of wall and CPU."""
    env = bench_env(XDG_CACHE_HOME=str(work / "xdg-cache"))
    ours = [*aiinfra_command(), "optimize-context", str(target), "--format", "json"]
    ours += ["--exit-zero", "--no-cache"]
    theirs: list[str] | None = None
    sg_env = env
    if semgrep is not None:
        rule = work / "rule.yaml"
        marker = "      - pattern-not:"
        rule.write_text(SEMGREP_RULE.replace(marker, EXTRA_PATTERNS + marker, 1), encoding="utf-8")
        theirs, sg_env = semgrep_command(semgrep, rule, target, env, jobs)
    a_wall: list[float] = []
    a_cpu: list[float] = []
    b_wall: list[float] = []
    b_cpu: list[float] = []
    loads = [_load()]
    out = sg_out = ""
    for _ in range(runs):
        wall, spent, out = _timed(ours, work, env)
        a_wall.append(wall)
        a_cpu.append(spent)
        if theirs is not None:
            wall, spent, sg_out = _timed(theirs, work, sg_env)
            b_wall.append(wall)
            b_cpu.append(spent)
        loads.append(_load())
    summary = json.loads(out)["summary"]
    med = statistics.median
    print(f"load average (1 min) during the runs: {', '.join(f'{x:.1f}' for x in loads)}")
    print(
        f"aiinfra optimize-context, all rules, no cache: wall {med(a_wall):.2f} s,"
        f" CPU {med(a_cpu):.2f} s (medians of {runs});"
        f" {summary['call_sites']} call sites, {summary['findings']} findings"
    )
    if theirs is None:
        print("semgrep: not found (pass --semgrep PATH); no ratio")
        return
    results = len(json.loads(sg_out).get("results", [])) if sg_out else -1
    print(
        f"semgrep (one equivalent rule, -j {jobs}): wall {med(b_wall):.2f} s,"
        f" CPU {med(b_cpu):.2f} s; {results} results"
    )
    wall_ratios = [a / b for a, b in zip(a_wall, b_wall, strict=True)]
    cpu_ratios = [a / b for a, b in zip(a_cpu, b_cpu, strict=True)]
    print(
        f"ratio aiinfra / semgrep (target <= 0.3): wall {med(a_wall) / med(b_wall):.3f}"
        f" (per pair {', '.join(f'{r:.3f}' for r in wall_ratios)}),"
        f" CPU {med(a_cpu) / med(b_cpu):.3f} (per pair {', '.join(f'{r:.3f}' for r in cpu_ratios)})"
    )


_FLOOR = """
import ast, sys, time
from pathlib import Path
files = sorted(Path(sys.argv[1]).rglob("*.py"))
datas = [f.read_bytes() for f in files]
start = time.process_time()
for data in datas:
    ast.parse(data)
print(f"{time.process_time() - start:.3f}")
sample = datas[: int(sys.argv[2])]
import libcst
start = time.process_time()
for data in sample:
    libcst.parse_module(data)
print(f"{(time.process_time() - start) * len(datas) / len(sample):.3f}")
"""


def floor(target: Path, sample: int) -> None:
    """What no Python scanner of these files avoids: parsing them (one fresh process, CPU)."""
    result = subprocess.run(
        [sys.executable, "-c", _FLOOR, str(target), str(sample)],
        capture_output=True,
        text=True,
        check=True,
    )
    ast_cpu, cst_cpu = (float(x) for x in result.stdout.split())
    print(f"floor: ast.parse of every file {ast_cpu:.2f} s CPU (one process)")
    print(f"floor: libcst.parse_module, {sample} files extrapolated to all: {cst_cpu:.2f} s CPU")


# (label, module, attribute): CPU time spent inside each, accumulated over one in-process scan
# with jobs=1 and the JSON output after it. Plain timers, not cProfile: a profiler's overhead
# inflates Python-heavy stages several times over compiled ones (parsing, the tokenizer).
_STAGES: tuple[tuple[str, str, str], ...] = (
    ("read files", "aiinfra_cli.scan._engine", "read_source"),
    ("parse (ast.parse)", "aiinfra_cli.scan._analyze", "ast.parse"),
    ("analysis after parsing, all of it:", "aiinfra_cli.scan._analyze", "_analyze_tree"),
    ("  module index (scopes, bindings)", "aiinfra_cli.scan._analyze", "ModuleIndex"),
    ("  static rules", "aiinfra_cli.scan._analyze", "run_static_rules"),
    ("  exports (for the second pass)", "aiinfra_cli.scan._analyze", "_exports"),
    ("  prompt tokens (tokenizer load + counts)", "aiinfra_cli.tokens", "count_text"),
    ("pricing (estimates)", "aiinfra_cli.scan._estimate", "Pricer.price_estimate"),
    ("AIC004 (price look-ups)", "aiinfra_cli.scan._estimate", "Pricer.model_findings"),
    ("fingerprints (baseline)", "aiinfra_cli.scan._run", "_apply_baseline"),
    ("JSON document", "aiinfra_cli.scan.formats", "render_json"),
    ("JSON text (json.dumps, indent 2)", "aiinfra_cli.output", "to_json"),
    ("redaction of the output", "aiinfra_cli.output", "redact"),
)


def _timer(totals: dict[str, float], label: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            totals[label] += time.process_time() - start

    return timed


def profile(target: Path) -> None:
    """Where one process's CPU time goes, stage by stage (see ``_STAGES``)."""
    import importlib

    sys.path.insert(0, str(REPO / "src"))
    from aiinfra_cli import output
    from aiinfra_cli.scan import ScanOptions, formats, scan

    totals = dict.fromkeys((label for label, _m, _a in _STAGES), 0.0)
    for label, module_name, attribute in _STAGES:
        owner: Any = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        if hasattr(owner, name):
            setattr(owner, name, _timer(totals, label, getattr(owner, name)))
        else:
            print(f"  (no {module_name}.{attribute} to time)")
    start = time.process_time()
    outcome = scan(ScanOptions(paths=[target], cwd=target, use_cache=False, jobs=1))
    scanned = time.process_time() - start
    stream = io.StringIO()
    output.print_json(formats.render_json(outcome.report), stream)
    text = stream.getvalue()
    total = time.process_time() - start
    print(
        f"CPU by stage, one process (jobs=1), {outcome.stats.files} files:"
        f" scan {scanned:.2f} s + JSON output {total - scanned:.2f} s"
        f" ({len(text) / 1e6:.0f} MB) = {total:.2f} s"
    )
    analysis = totals["analysis after parsing, all of it:"]
    parts = ("module index", "static rules", "exports", "prompt tokens")
    rest = analysis - sum(v for k, v in totals.items() if k.strip().startswith(parts))
    for label, seconds in totals.items():
        print(f"  {label:46} {seconds:6.2f} s ({seconds / total:5.1%})")
        if label.strip().startswith("prompt tokens"):
            label = "  the rest: discovery, resolution, call sites"
            print(f"  {label:46} {rest:6.2f} s ({rest / total:5.1%})")
    print("  (a static rule's token counts are in both its line and the tokens line)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=2400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--semgrep", default=None)
    parser.add_argument("--semgrep-jobs", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--floor", type=int, default=0, metavar="N", help="also time parsing (libcst on N files)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aiinfra-dense-") as tmp:
        work = Path(tmp)
        target = work / "corpus"
        make_corpus(target, args.files)
        files, lines = count_lines(target)
        print(
            f"LLM-dense corpus: {files} files, {lines:,} lines;"
            f" {os.cpu_count()} cores, load {_load():.1f}"
        )
        bench_wall(target, work, args.runs, find_semgrep(args.semgrep), args.semgrep_jobs)
        if args.floor:
            floor(target, args.floor)
        if args.profile:
            profile(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
