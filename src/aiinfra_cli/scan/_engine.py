"""Run the analysis over many files: cache look-ups, the byte prefilter, worker processes.

Small scans (a pre-commit run) analyse every given file in this process. Large scans read,
prefilter and analyse files in worker processes; a second, cheap pass then analyses files that
name no SDK but import a module-level client or chat model that the first pass found (a
``from app.llm import llm`` followed by ``llm.invoke(...)``).
"""

from __future__ import annotations

import gc
import os
import re
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiinfra_cli.scan._analyze import (
    AnalysisSettings,
    analyze,
    content_hash,
    may_call_llm,
    module_name,
)
from aiinfra_cli.scan._baseline import line_text, source_lines
from aiinfra_cli.scan._cache import FileCache
from aiinfra_cli.scan._files import SkipFile, SourceFile, check_size, read_source
from aiinfra_cli.scan._model import Diagnostic, FileResult, SkippedFile
from aiinfra_cli.scan._resolve import ProjectIndex

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# Below this many files, worker processes cost more than they save.
PARALLEL_MIN_FILES = 200
# Up to this many files, every file is analysed (no prefilter): cross-module imports of chat
# models are then found without the second pass.
ANALYSE_ALL_MAX_FILES = 64


@dataclass
class EngineStats:
    """What the engine did, for the summary line and the benchmark."""

    files: int = 0
    analysed: int = 0
    cached: int = 0
    skipped: int = 0
    workers: int = 1
    not_read: list[SkippedFile] = field(default_factory=list)


@dataclass
class _Job:
    rel: str
    path: str
    data: bytes | None
    cached: dict[str, Any] | None
    force: bool = False


@dataclass
class _Outcome:
    rel: str
    sha: str | None = None
    result: FileResult | None = None
    exports: list[str] = field(default_factory=list)
    fresh: bool = False
    passed_prefilter: bool = False
    not_read: str | None = None


_STATE: dict[str, Any] = {}


def _project(root: Path, settings: AnalysisSettings) -> ProjectIndex:
    key = f"{root}\0{settings.digest()}"
    if _STATE.get("key") != key:
        _STATE["key"] = key
        _STATE["project"] = ProjectIndex(root, tracked=settings.tracked, module_name=module_name)
    project = _STATE["project"]
    assert isinstance(project, ProjectIndex)
    return project


def _deps_current(root: Path, deps: dict[str, str]) -> bool:
    for rel, digest in deps.items():
        try:
            if content_hash((root / rel).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True


@dataclass(frozen=True)
class _ImportFilter:
    """The second pass's prefilter: a file imports an exported name from a module of that name."""

    pattern: re.Pattern[bytes]
    modules: tuple[bytes, ...]

    def matches(self, data: bytes) -> bool:
        # The pattern (a few distinct names) first: one search, where the modules are a
        # substring test each.
        return (
            b"import" in data
            and self.pattern.search(data) is not None
            and any(m in data for m in self.modules)
        )


@contextmanager
def _young_collections() -> Iterator[None]:
    """Collect only young garbage, once per file, while files are analysed.

    A file's scopes and bindings refer to each other (and so keep its tree alive): they are
    freed by the cycle collector, not by reference counts. Left to itself, the collector also
    runs in the middle of each parse and keeps re-examining every result kept so far, which
    cost about a fifth of a dense scan. With automatic collection off, everything one file
    allocated is still in the youngest generation when it is done: one young collection frees
    its cycles and looks at nothing older.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def results_kept() -> Iterator[None]:
    """While the report is built from a scan's results: the collector leaves out everything
    that exists now (the results, kept to the end), instead of re-examining all of it on each
    full collection. Objects are still freed by reference counts; the freeze ends here."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _run_batch(
    jobs: list[_Job],
    root: Path,
    settings: AnalysisSettings,
    prefilter: bool,
    want_exports: bool,
    imports: _ImportFilter | None = None,
) -> list[_Outcome]:
    with _young_collections():
        return _run_jobs(jobs, root, settings, prefilter, want_exports, imports)


def _run_jobs(
    jobs: list[_Job],
    root: Path,
    settings: AnalysisSettings,
    prefilter: bool,
    want_exports: bool,
    imports: _ImportFilter | None,
) -> list[_Outcome]:
    project = _project(root, settings)
    out: list[_Outcome] = []
    for job in jobs:
        outcome = _Outcome(job.rel)
        try:
            if job.data is not None:
                check_size(len(job.data))
                data = job.data
            else:
                data = read_source(Path(job.path))
        except SkipFile as exc:
            outcome.not_read = str(exc)
            out.append(outcome)
            continue
        except OSError as exc:
            outcome.result = FileResult(
                job.rel,
                diagnostics=[Diagnostic(job.rel, 1, 1, f"cannot read: {exc.strerror or exc}")],
            )
            out.append(outcome)
            continue
        if prefilter and not job.force and not may_call_llm(data):
            out.append(outcome)
            continue
        if imports is not None and not imports.matches(data):
            out.append(outcome)
            continue
        outcome.passed_prefilter = True
        sha = content_hash(data)
        outcome.sha = sha
        cached = job.cached
        if (
            cached is not None
            and cached.get("sha") == sha
            and _deps_current(root, cached["result"].get("deps", {}))
        ):
            try:
                outcome.result = FileResult.from_json(cached["result"])
                outcome.exports = outcome.result.exports
                out.append(outcome)
                continue
            except (KeyError, TypeError, ValueError):
                pass
        outcome.result = analyze(
            data, job.rel, settings, project=project, root=root, want_exports=want_exports
        )
        outcome.result.scrub()
        _note_lines(outcome.result, data)
        outcome.exports = outcome.result.exports
        outcome.fresh = True
        out.append(outcome)
        gc.collect(0)
    return out


def _note_lines(result: FileResult, data: bytes) -> None:
    """Keep the text of the lines the result points at: the main process then fingerprints
    findings without reading every file again."""
    wanted = {f.line for f in result.findings} | {c.line for c in result.calls}
    if not wanted:
        result.line_text = {}
        return
    lines = source_lines(data)
    result.line_text = {line: line_text(lines, line) for line in wanted}


def _chunks(jobs: list[_Job], count: int) -> list[list[_Job]]:
    buckets: list[list[_Job]] = [[] for _ in range(count)]
    for i, job in enumerate(jobs):
        buckets[i % count].append(job)
    return [b for b in buckets if b]


def _batch_count(files: int, workers: int) -> int:
    """Batches small enough that the last ones end close together (a worker left idle while
    the other finishes a long batch is wall time lost), large enough to pay their round trip:
    8 per worker, up to 32 per worker for large scans (~16 files or more per batch)."""
    return max(workers * 8, min(workers * 32, files // 16))


def _pool(workers: int) -> ProcessPoolExecutor:
    # Imported here: a pre-commit run never starts workers and should not pay for the import.
    from concurrent.futures import ProcessPoolExecutor

    if sys.platform.startswith("linux"):
        import multiprocessing

        # fork: the workers start with this process's imports, in milliseconds, and with its
        # tokenizer. A scan this large almost always counts some prompt of 1 KB or more: the
        # tokenizer is loaded here once (~0.35 s CPU) rather than once in every worker. The
        # workers are forked on the first submit, after this.
        from aiinfra_cli.tokens import preload

        preload()
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    return ProcessPoolExecutor(workers)


def run(
    files: list[SourceFile],
    root: Path,
    settings: AnalysisSettings,
    *,
    cache: FileCache | None,
    jobs: int | None = None,
) -> tuple[list[FileResult], EngineStats]:
    """Analyse ``files``; results for files that may hold LLM calls, sorted by path."""
    stats = EngineStats(files=len(files))
    _STATE.clear()  # other modules may have changed since the last scan in this process
    prefilter = len(files) > ANALYSE_ALL_MAX_FILES
    workers = max(1, min(jobs or os.cpu_count() or 1, 8))
    parallel = workers > 1 and len(files) >= PARALLEL_MIN_FILES
    work = [_Job(f.rel, str(f.path), f.data, cache.get(f.rel) if cache else None) for f in files]
    with ExitStack() as stack:
        # Results arriving from workers are all kept: no use examining them for garbage.
        stack.enter_context(_young_collections())
        # One pool for both passes: its workers are forked once.
        pool = stack.enter_context(_pool(workers)) if parallel else None
        outcomes = _execute(work, root, settings, prefilter, pool, workers, want_exports=prefilter)
        if prefilter:
            outcomes = _second_pass(work, outcomes, root, settings, pool, workers)
    stats.workers = workers if parallel else 1
    results: list[FileResult] = []
    for outcome in outcomes:
        if outcome.not_read is not None:
            stats.not_read.append(SkippedFile(outcome.rel, outcome.not_read))
            continue
        if outcome.result is None:
            stats.skipped += 1
            continue
        results.append(outcome.result)
        if outcome.fresh:
            stats.analysed += 1
            if cache is not None and outcome.sha is not None:
                cache.put(outcome.rel, {"sha": outcome.sha, "result": outcome.result.to_json()})
        else:
            stats.cached += 1
    results.sort(key=lambda r: r.file)
    return results, stats


def _second_pass(
    work: list[_Job],
    outcomes: list[_Outcome],
    root: Path,
    settings: AnalysisSettings,
    pool: ProcessPoolExecutor | None,
    workers: int,
) -> list[_Outcome]:
    """Analyse the files the prefilter skipped that import a name the first pass exported."""
    by_rel = {o.rel: o for o in outcomes}
    exported = {
        (module_name(o.rel)[0].rsplit(".", 1)[-1], name) for o in outcomes for name in o.exports
    }
    if exported:
        second = [
            _Job(j.rel, j.path, j.data, j.cached, force=True)
            for j in work
            if not by_rel[j.rel].passed_prefilter
            and by_rel[j.rel].result is None
            and by_rel[j.rel].not_read is None
        ]
        imports = _import_filter(exported)
        again = _execute(
            second, root, settings, False, pool, workers, want_exports=False, imports=imports
        )
        for o in again:
            if o.result is not None and (o.result.calls or o.result.diagnostics):
                by_rel[o.rel] = o
    return list(by_rel.values())


def _import_filter(exported: set[tuple[str, str]]) -> _ImportFilter:
    # Each distinct name once: a large scan exports the same few names (``client``, ``llm``)
    # from thousands of modules, and the pattern is compiled again in every worker.
    names = b"|".join(re.escape(name.encode()) for name in sorted({n for _m, n in exported}))
    pattern = re.compile(rb"\bimport\b(?:[^\n;]*|\s*\([^)]*)\b(?:" + names + rb")\b")
    return _ImportFilter(pattern, tuple(sorted({m.encode() for m, _n in exported})))


def _execute(
    work: list[_Job],
    root: Path,
    settings: AnalysisSettings,
    prefilter: bool,
    pool: ProcessPoolExecutor | None,
    workers: int,
    *,
    want_exports: bool,
    imports: _ImportFilter | None = None,
) -> list[_Outcome]:
    if pool is None:
        return _run_batch(work, root, settings, prefilter, want_exports, imports)
    batches = _chunks(work, _batch_count(len(work), workers))
    futures = [
        pool.submit(_run_batch, b, root, settings, prefilter, want_exports, imports)
        for b in batches
    ]
    outcomes: list[_Outcome] = []
    for future in futures:
        outcomes.extend(future.result())
    return outcomes
