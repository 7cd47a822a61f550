"""What every rule is (metadata with a stable code) and what it is given to look at."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from aiinfra_cli.scan._discovery import Detected
from aiinfra_cli.scan._index import ModuleIndex
from aiinfra_cli.scan._model import CallSite, Estimate, Finding
from aiinfra_cli.scan._prompt import Prompt, PromptReader
from aiinfra_cli.scan._resolve import Resolver

DOCS_BASE = "docs/rules"


@dataclass(frozen=True)
class Rule:
    """A rule: stable ``code``, kebab-case ``name``, one-line ``summary``, default ``severity``.

    ``stage`` is ``"static"`` (decided from the code alone, in the worker that parsed the file)
    or ``"priced"`` (needs the price table; decided in the main process).
    """

    code: str
    name: str
    summary: str
    severity: str = "warning"
    fixable: bool = False
    stage: str = "static"

    @property
    def help_uri(self) -> str:
        """The rule's documentation page, relative to the repository root."""
        return f"{DOCS_BASE}/{self.code}.md"


@dataclass
class TokenCounter:
    """Counts prompt tokens; short texts are estimated (4 characters a token) so that a scan
    with no large prompt never loads a tokenizer. One counter serves one file: a large prompt
    is counted once however many rules ask (the call site's static tokens, then its cached
    prefix are often the same text)."""

    exact_from_bytes: int = 1024
    _count: Callable[[str, str | None], tuple[int, bool]] | None = None
    _known: dict[tuple[str, str | None], tuple[int, bool]] = field(default_factory=dict)

    def count(self, text: str, model: str | None) -> tuple[int, bool]:
        """(tokens, exact) for ``text`` as ``model`` tokenizes it."""
        if not text:
            return 0, True
        if len(text.encode("utf-8", "surrogatepass")) < self.exact_from_bytes:
            return max(1, (len(text) + 3) // 4), False
        if self._count is None:
            from aiinfra_cli.tokens import count_text

            def _count(value: str, name: str | None) -> tuple[int, bool]:
                result = count_text(value, name)
                return result.tokens, result.exact

            self._count = _count
        key = (text, model)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = self._count(text, model)
        return known


@dataclass
class CallContext:
    """One detected call, its JSON call site, and lazily, its prompt."""

    item: Detected
    site: CallSite
    resolver: Resolver
    counter: TokenCounter
    file: str
    root_text: Callable[[str], str | None]
    check_instrumentation: bool = True

    @cached_property
    def prompt(self) -> Prompt:
        """The call's prompt segments."""
        return PromptReader(self.resolver).read(self.item)

    def finding(
        self,
        code: str,
        message: str,
        estimate: Estimate | None,
        *,
        node: ast.AST | None = None,
        fixable: bool = False,
    ) -> Finding:
        """A finding at ``node`` (default: the whole call)."""
        target = node if node is not None else self.item.call
        return Finding(
            code=code,
            file=self.file,
            line=getattr(target, "lineno", self.site.line),
            end_line=getattr(target, "end_lineno", None) or self.site.end_line,
            column=getattr(target, "col_offset", 0) + 1,
            end_column=(getattr(target, "end_col_offset", None) or 0) + 1,
            message=message,
            estimate=estimate,
            call=self.site.key,
            fixable=fixable,
        )

    def call_estimate(self, basis: str = "") -> Estimate:
        """The whole call: its static prompt tokens plus its output cap (what each call costs)."""
        output = self.site.max_tokens or 0
        text = "static prompt tokens" + (f" + max_tokens {output:,}" if output else "")
        total = self.site.static_input_tokens + output
        return Estimate(
            kind="call",
            tokens=total or None,
            basis=basis or f"per call: {text} (a lower bound when the prompt has dynamic parts)",
            input_tokens=self.site.static_input_tokens,
            output_tokens=output,
        )


@dataclass
class ModuleContext:
    """A whole module, for rules that are not about one call (hard-coded keys)."""

    index: ModuleIndex
    resolver: Resolver
    file: str
    calls: list[CallContext] = field(default_factory=list)

    def finding(
        self, code: str, message: str, node: ast.AST, estimate: Estimate | None = None
    ) -> Finding:
        """A finding at ``node``."""
        line: int = getattr(node, "lineno", 1)
        end_line: int | None = getattr(node, "end_lineno", None)
        return Finding(
            code=code,
            file=self.file,
            line=line,
            end_line=end_line or line,
            column=getattr(node, "col_offset", 0) + 1,
            end_column=(getattr(node, "end_col_offset", None) or 0) + 1,
            message=message,
            estimate=estimate,
        )
