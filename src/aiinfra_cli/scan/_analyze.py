"""Analyse one file: parse with stdlib ``ast``, find the calls, run the static rules."""

from __future__ import annotations

import ast
import fnmatch
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from aiinfra_cli.scan._discovery import (
    Detected,
    discover,
    has_max_tokens,
    has_timeout,
    is_instrumented,
)
from aiinfra_cli.scan._index import ModuleIndex
from aiinfra_cli.scan._model import CallSite, Diagnostic, FileResult
from aiinfra_cli.scan._resolve import ProjectIndex, Resolver
from aiinfra_cli.scan._runtime import SDK as RUNTIME_SDK
from aiinfra_cli.scan._runtime import RouteFacts, runtime_cap
from aiinfra_cli.scan._sdk import ACTION_TOKENS, OUTPUT_CAP_KWARGS, PREFILTER_TOKENS
from aiinfra_cli.scan._suppress import suppressions
from aiinfra_cli.scan._values import ChatModel, Client, Func, Instance
from aiinfra_cli.scan.rules import CallContext, ModuleContext, TokenCounter, run_static_rules

MAX_READ_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class AnalysisSettings:
    """What the instrumentation check counts as tracked (from the config's ``instrumentation``).

    ``tracked``: dotted names whose calls, ``with`` blocks and decorators track the calls inside
    them; ``packages``: module prefixes whose own calls are the tracking layer; ``ignore_paths``:
    globs (relative to the root) the instrumentation check skips; ``routes``: the config's
    routes, to price and check calls through the generated runtime.
    """

    tracked: tuple[str, ...] = (
        "ai.cost_tracker",
        "ai.model_orchestrator",
        "ai.CostTracker",
        "ai.Orchestrator",
    )
    packages: tuple[str, ...] = ("ai",)
    ignore_paths: tuple[str, ...] = ()
    routes: tuple[RouteFacts, ...] = ()

    def digest(self) -> str:
        """A short stable digest, part of the cache key."""
        text = "\0".join(
            [
                "|".join(self.tracked),
                "|".join(self.packages),
                "|".join(self.ignore_paths),
                repr(self.routes),
            ]
        )
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def content_hash(data: bytes) -> str:
    """The cache's content key for a file."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def may_call_llm(data: bytes) -> bool:
    """The byte prefilter: False means the file cannot hold an LLM call (or key) the scanner
    reports: it names no SDK or API method chain, or it never calls a reportable method."""
    return any(token in data for token in PREFILTER_TOKENS) and any(
        token in data for token in ACTION_TOKENS
    )


def module_name(rel: str) -> tuple[str, bool]:
    """``src/app/deps.py`` → (``app.deps``, False); ``app/__init__.py`` → (``app``, True)."""
    parts = rel.removesuffix(".py").split("/")
    if len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def path_matches(rel: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``rel`` or one of its parent directories matches one of the globs."""
    if not patterns:
        return False
    parts = rel.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        clean = pattern.strip().rstrip("/").removeprefix("./")
        if not clean:
            continue
        for candidate in candidates:
            if fnmatch.fnmatchcase(candidate, clean) or fnmatch.fnmatchcase(
                candidate, clean + "/**"
            ):
                return True
    return False


def analyze(
    data: bytes,
    rel: str,
    settings: AnalysisSettings,
    *,
    project: ProjectIndex | None = None,
    root: Path | None = None,
    want_exports: bool = False,
) -> FileResult:
    """The call sites, static findings, suppressions and diagnostics of one file."""
    result = FileResult(file=rel)
    try:
        tree = ast.parse(data, filename=rel)
    except SyntaxError as exc:
        line = exc.lineno or 1
        column = exc.offset or 1
        result.diagnostics.append(
            Diagnostic(rel, line, column, f"syntax error: {exc.msg} (file not checked)")
        )
        return result
    except (ValueError, RecursionError, MemoryError) as exc:
        result.diagnostics.append(Diagnostic(rel, 1, 1, f"cannot parse: {exc} (file not checked)"))
        return result
    try:
        _analyze_tree(tree, data, result, settings, project, root, want_exports)
    except RecursionError:
        # Machine-generated code (long chains of operators) can nest deeper than the
        # interpreter's recursion limit: report the file instead of crashing the scan.
        return FileResult(
            rel,
            diagnostics=[Diagnostic(rel, 1, 1, "nested too deeply to analyse (file not checked)")],
        )
    return result


def _analyze_tree(
    tree: ast.Module,
    data: bytes,
    result: FileResult,
    settings: AnalysisSettings,
    project: ProjectIndex | None,
    root: Path | None,
    want_exports: bool,
) -> None:
    rel = result.file
    module, is_package = module_name(rel)
    index = ModuleIndex(tree, module, is_package=is_package)
    if project is not None:
        project.used = {}
    resolver = Resolver(index, project=project, tracked=settings.tracked)
    in_tracker = any(module == p or module.startswith(p + ".") for p in settings.packages)
    check_instrumentation = not path_matches(rel, settings.ignore_paths)
    counter = TokenCounter()
    module_ctx = ModuleContext(index, resolver, rel)

    def root_text(path: str) -> str | None:
        if root is None:
            return None
        try:
            target = (root / path).resolve()
            if root.resolve() not in target.parents or not target.is_file():
                return None
            if target.stat().st_size > MAX_READ_BYTES:
                return None
            return target.read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            return None

    for item in discover(index, resolver, settings.routes):
        if in_tracker and item.sdk == RUNTIME_SDK:
            continue  # the runtime calling itself
        call = item.call
        site = CallSite(
            file=rel,
            line=call.lineno,
            end_line=call.end_lineno or call.lineno,
            column=call.col_offset + 1,
            end_column=(call.end_col_offset or 0) + 1,
            api=item.api,
            sdk=item.sdk,
            is_async=item.is_async,
            streaming=_streaming(item),
            model=item.model,
            has_max_tokens=has_max_tokens(item),
            has_timeout=has_timeout(item),
            instrumented=is_instrumented(item, resolver, in_tracker_package=in_tracker),
            beta="beta" in item.flags,
            raw_response="raw_response" in item.flags,
            streaming_response="streaming_response" in item.flags,
            client=item.client_name,
            provider=item.provider,
            function=_function_name(item.ancestors),
            resolution=item.resolution,
            max_tokens=_max_tokens_value(item, resolver),
            route=item.route,
        )
        ctx = CallContext(
            item,
            site,
            resolver,
            counter,
            rel,
            root_text,
            check_instrumentation=check_instrumentation,
        )
        static = ctx.prompt.static_text()
        site.static_input_tokens = counter.count(static, site.model)[0]
        result.calls.append(site)
        module_ctx.calls.append(ctx)
    result.findings = run_static_rules(module_ctx)
    result.suppressed = suppressions(data)
    if want_exports:
        result.exports = _exports(index, resolver)
    if not data.isascii():
        _character_columns(result, data)
    if project is not None:
        result.deps = dict(project.used)


def _character_columns(result: FileResult, data: bytes) -> None:
    """``ast`` columns count UTF-8 bytes; reports (and libcst) count characters."""
    lines = re.split(rb"\r\n|\r|\n", data)

    def convert(line: int, column: int) -> int:
        if not 1 <= line <= len(lines):
            return column
        raw = lines[line - 1]
        if raw.isascii():
            return column
        return len(raw[: column - 1].decode("utf-8", "replace")) + 1

    for site in result.calls:
        site.column = convert(site.line, site.column)
        site.end_column = convert(site.end_line, site.end_column)
    for finding in result.findings:
        finding.column = convert(finding.line, finding.column)
        finding.end_column = convert(finding.end_line, finding.end_column)


def _exports(index: ModuleIndex, resolver: Resolver) -> list[str]:
    """Module-level names bound to clients, chat models or routers, or functions returning
    one (for the engine's second pass: files that import them but name no SDK)."""
    names: list[str] = []
    for name, bindings in index.module_scope.bindings.items():
        interesting = any(
            (b.kind == "value" and isinstance(b.node, ast.Call))
            or b.kind == "annotation"
            or (b.kind == "def" and b.scope is index.module_scope)
            for b in bindings
        )
        if not interesting:
            continue
        value = resolver.name_value(name, index.module_scope)
        if isinstance(value, Func):
            value = resolver.returns_of(value)
        if isinstance(value, (Client, ChatModel)) or (
            isinstance(value, Instance) and value.qual == "litellm.Router"
        ):
            names.append(name)
    return names


def _streaming(item: Detected) -> bool | None:
    if "stream" in item.path.rsplit(".", 1)[-1]:
        return True
    if item.sdk == "langchain":
        method = item.path
        if method in ("stream", "astream"):
            return True
        return item.chat.streaming if item.chat is not None else None
    expr = item.named.get("stream")
    if expr is None:
        if item.star_keys and "stream" in item.star_keys:
            return None
        return None if item.keys_unknown else False
    if isinstance(expr, ast.Constant) and isinstance(expr.value, bool):
        return expr.value
    return None


def _max_tokens_value(item: Detected, resolver: Resolver) -> int | None:
    for name in sorted(OUTPUT_CAP_KWARGS):
        if name in item.named:
            return resolver.const_int(item.named[name], item.scope)
    if item.chat is not None:
        return item.chat.max_tokens_value
    if item.sdk == RUNTIME_SDK and not item.keys_unknown:
        return runtime_cap(item.route_facts)
    return None


def _function_name(ancestors: tuple[ast.AST, ...]) -> str | None:
    names = [
        node.name
        for node in ancestors
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    return ".".join(names) or None
