"""Benchmark ``aiinfra optimize-context`` against semgrep, and a pre-commit-sized run.

Prints, for one corpus and in one run: the full-scan wall time of both tools (whole processes,
median of ``--runs``), their ratio, the warm-cache time, a five-file pre-commit run, and the
stdlib-``ast`` versus libcst ``MetadataWrapper`` cost on a sample of the files the prefilter
keeps. Nothing here is a test; figures go to docs/benchmarks.md.

Usage::

    python bench/optimize_context_bench.py [--corpus DIR] [--runs 3] [--semgrep PATH]

The default corpus is the site-packages directory of the running interpreter (a virtualenv
holding the SDKs and their dependencies), copied to a temporary directory together with the
discovery corpus of the tests, so both tools read identical files and nothing is written into
the virtualenv. semgrep is not a dependency of aiinfra: install it in a separate virtualenv and
pass its path (or put it on PATH, or set ``AIINFRA_BENCH_SEMGREP``).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DISCOVERY_CORPUS = REPO / "tests" / "optimize_context" / "corpus"
SEMGREP_RULE = """\
rules:
  - id: llm-call-missing-output-cap
    languages: [python]
    severity: WARNING
    message: LLM call without an output-token cap
    patterns:
      - pattern-either:
          - pattern: $C.messages.create(...)
          - pattern: $C.messages.stream(...)
          - pattern: $C.chat.completions.create(...)
          - pattern: $C.responses.create(...)
          - pattern: litellm.completion(...)
          - pattern: litellm.acompletion(...)
      - pattern-not: $F(..., max_tokens=$X, ...)
      - pattern-not: $F(..., max_completion_tokens=$X, ...)
      - pattern-not: $F(..., max_output_tokens=$X, ...)
"""
PRE_COMMIT_FILES = (
    "app/main.py",
    "app/routes.py",
    "services/summarizer.py",
    "helpers/llm_utils.py",
    "jobs/nightly.py",
)


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: bytecode caching on (a session may have it off)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(NO_COLOR="1", **extra)
    return env


CPU: list[float] = []  # CPU seconds (user + system) of the runs of the last median_time call


def median_time(
    command: Sequence[str], runs: int, cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Median wall seconds of ``runs`` whole-process runs, and the last run's result.

    The CPU time of each run is kept in ``CPU``: on a shared machine wall time includes
    waiting for a core, CPU time does not."""
    times: list[float] = []
    CPU.clear()
    result: subprocess.CompletedProcess[str] | None = None
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    assert result is not None
    return statistics.median(times), result


def cpu() -> float:
    """Median CPU seconds of the last :func:`median_time` runs."""
    return statistics.median(CPU)


def count_lines(root: Path) -> tuple[int, int]:
    files = lines = 0
    for path in root.rglob("*.py"):
        files += 1
        with path.open("rb") as handle:
            lines += sum(1 for _ in handle)
    return files, lines


def aiinfra_command() -> list[str]:
    script = Path(sys.executable).with_name("aiinfra")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aiinfra_cli"]


def find_semgrep(given: str | None) -> str | None:
    candidate = given or os.environ.get("AIINFRA_BENCH_SEMGREP") or shutil.which("semgrep")
    return candidate if candidate and Path(candidate).exists() else None


def prepare(corpus: Path, work: Path) -> Path:
    target = work / "corpus"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.dist-info")
    shutil.copytree(corpus, target, ignore=ignore, symlinks=True)
    shutil.copytree(DISCOVERY_CORPUS, target / "_aiinfra_discovery_corpus", ignore=ignore)
    return target


def semgrep_command(
    semgrep: str, rule: Path, target: Path, env: dict[str, str], jobs: int | None = None
) -> tuple[list[str], dict[str, str]]:
    """semgrep's command line (one rule, JSON, no metrics) and environment."""
    command = [semgrep, "scan", "--config", str(rule), "--metrics", "off"]
    command += ["--disable-version-check", "--json", "--quiet"]
    if jobs is not None:
        command += ["-j", str(jobs)]
    sg_env = dict(env, SEMGREP_SEND_METRICS="off", SEMGREP_ENABLE_VERSION_CHECK="0")
    return [*command, str(target)], sg_env


def bench_full(target: Path, runs: int, semgrep: str | None, work: Path) -> None:
    env = bench_env(XDG_CACHE_HOME=str(work / "xdg-cache"))
    ours = [
        *aiinfra_command(),
        "optimize-context",
        str(target),
        "--select",
        "AIC001",
        "--format",
        "json",
        "--exit-zero",
    ]
    cold, result = median_time([*ours, "--no-cache"], runs, work, env)
    cold_cpu = cpu()
    document = json.loads(result.stdout)
    subprocess.run(ours, cwd=work, env=env, capture_output=True, check=False)  # fill the cache
    warm, warm_result = median_time(ours, runs, work, env)
    warm_engine = json.loads(warm_result.stdout)["engine"]
    print(
        f"aiinfra optimize-context, full scan, no cache: {cold:.2f} s (median of {runs});"
        f" CPU {cold_cpu:.2f} s"
    )
    print(
        f"  call sites {document['summary']['call_sites']},"
        f" AIC001 findings {document['summary']['findings']}, engine {document['engine']}"
    )
    print(
        f"aiinfra optimize-context, full scan, warm cache: {warm:.2f} s (median of {runs});"
        f" engine {warm_engine}"
    )
    if semgrep is None:
        print("semgrep: not found (pass --semgrep PATH); no ratio")
        return
    rule = work / "semgrep-rule.yaml"
    rule.write_text(SEMGREP_RULE, encoding="utf-8")
    theirs, sg_env = semgrep_command(semgrep, rule, target, env)
    sg_time, sg_result = median_time(theirs, runs, work, sg_env)
    sg_cpu = cpu()
    try:
        sg = json.loads(sg_result.stdout)
        scanned = len(sg.get("paths", {}).get("scanned", []))
        print(
            f"semgrep (equivalent rule): {sg_time:.2f} s (median of {runs}),"
            f" {len(sg['results'])} results, {scanned} paths scanned"
        )
    except (ValueError, KeyError):
        print(
            f"semgrep: {sg_time:.2f} s but its output could not be read: {sg_result.stderr[-300:]}"
        )
    print(f"ratio aiinfra / semgrep (no cache): {cold / sg_time:.3f}  (target <= 0.3)")
    print(
        f"ratio of CPU time, aiinfra / semgrep: {cold_cpu / sg_cpu:.3f}"
        f" (semgrep CPU {sg_cpu:.2f} s)"
    )
    print(f"ratio aiinfra / semgrep (warm cache): {warm / sg_time:.3f}")


def bench_pre_commit(work: Path, runs: int) -> None:
    repo = work / "precommit-repo"
    shutil.copytree(DISCOVERY_CORPUS, repo, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    env = bench_env(XDG_CACHE_HOME=str(work / "xdg-cache-pc"))
    command = [*aiinfra_command(), "optimize-context", *PRE_COMMIT_FILES]
    subprocess.run([*command, "--no-cache"], cwd=repo, env=env, capture_output=True, check=False)
    cold, result = median_time([*command, "--no-cache"], runs, repo, env)
    cold_cpu = cpu()
    warm, _ = median_time(command, runs, repo, env)
    warm_cpu = cpu()
    uninstrumented, _ = median_time([*command, "--select", "AIC012"], runs, repo, env)
    version, _ = median_time([*aiinfra_command(), "--version"], runs, repo, env)
    clean_files = [
        "jobs/__init__.py",
        "app/__init__.py",
        "services/__init__.py",
        "helpers/__init__.py",
        "ai/__init__.py",
    ]
    clean, _ = median_time([*aiinfra_command(), "optimize-context", *clean_files], runs, repo, env)
    print(
        f"pre-commit run, 5 files, whole process: {cold:.3f} s no cache, {warm:.3f} s cached,"
        f" {uninstrumented:.3f} s --select AIC012"
        f" (median of {runs}; exit {result.returncode}; target <= 0.3 s)"
    )
    print(f"pre-commit run, 5 files without LLM calls: {clean:.3f} s")
    print(
        f"  CPU time (user + system, not waiting for a core): {cold_cpu:.3f} s no cache,"
        f" {warm_cpu:.3f} s cached; 'aiinfra --version' alone: {version:.3f} s wall"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"  load average during the run: {load:.2f} on {os.cpu_count()} cores")


def bench_engines(target: Path, sample: int) -> None:
    sys.path.insert(0, str(REPO / "src"))
    from aiinfra_cli.scan._analyze import may_call_llm
    from aiinfra_cli.scan._index import ModuleIndex

    files: list[bytes] = []
    for path in sorted(target.rglob("*.py")):
        data = path.read_bytes()
        if may_call_llm(data):
            try:
                ast.parse(data)
            except (SyntaxError, ValueError):
                continue
            files.append(data)
        if len(files) >= sample:
            break

    def with_ast() -> None:
        for data in files:
            ModuleIndex(ast.parse(data), "m")

    def with_libcst() -> None:
        import libcst as cst
        from libcst.metadata import MetadataWrapper, PositionProvider, ScopeProvider

        class Calls(cst.CSTVisitor):
            METADATA_DEPENDENCIES = (PositionProvider, ScopeProvider)

            def visit_Call(self, node: cst.Call) -> None:
                self.get_metadata(PositionProvider, node)

        for data in files:
            MetadataWrapper(cst.parse_module(data)).visit(Calls())

    def timed(fn: Callable[[], None]) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    a = statistics.median(timed(with_ast) for _ in range(3))
    b = timed(with_libcst)
    size = sum(len(d) for d in files)
    print(
        f"engine on {len(files)} prefiltered files ({size / 1e6:.1f} MB):"
        f" stdlib ast parse + index {a:.2f} s,"
        f" libcst parse + MetadataWrapper(Position, Scope) visitor {b:.2f} s: {b / a:.1f}x"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=Path(sysconfig.get_paths()["purelib"]))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--semgrep", default=None)
    parser.add_argument("--libcst-sample", type=int, default=150)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aiinfra-bench-") as tmp:
        work = Path(tmp)
        target = prepare(args.corpus, work)
        files, lines = count_lines(target)
        print(
            f"corpus: {files} Python files, {lines:,} lines"
            f" (a copy of {args.corpus.name} + the discovery corpus)"
        )
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        bench_full(target, args.runs, find_semgrep(args.semgrep), work)
        bench_pre_commit(work, max(args.runs, 5))
        if args.libcst_sample:
            bench_engines(target, args.libcst_sample)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
