"""Safe rewrites with libcst (formatting-preserving), only for findings marked fixable.

Fixable today: AIC005 on Anthropic calls whose ``system=`` is one static string. The fix turns
``system=X`` into ``system=[{"type": "text", "text": X, "cache_control": {"type": "ephemeral"}}]``:
the model receives exactly the same system prompt (a string and a single text block are the
same input to the Messages API), so answers do not change; only the provider starts caching the
prefix. Other rules change what the model does (an output cap truncates, a timeout aborts, a
reordered prompt is a different prompt) and are left to the author (docs/rules/README.md).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from aiinfra_cli.scan._model import Finding

_CACHED_BLOCK = '[{{"type": "text", "text": {text}, "cache_control": {{"type": "ephemeral"}}}}]'


@dataclass
class FileFix:
    """The new text of one file and how many findings it fixes."""

    file: str
    before: str
    after: str
    fixed: int

    def diff(self) -> str:
        """A unified diff (``a/`` and ``b/`` prefixes, like git)."""
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                fromfile=f"a/{self.file}",
                tofile=f"b/{self.file}",
            )
        )


def fix_source(source: str, file: str, findings: list[Finding]) -> FileFix | None:
    """Apply the fixes of ``findings`` (fixable ones, in this file) to ``source``."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    targets = {(f.line, f.column) for f in findings if f.fixable and f.code == "AIC005"}
    if not targets:
        return None
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return None
    wrapper = MetadataWrapper(module)
    positions = wrapper.resolve(PositionProvider)

    class CacheSystemPrompt(cst.CSTTransformer):
        def __init__(self) -> None:
            self.fixed = 0

        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
            where = positions.get(original)
            if where is None or (where.start.line, where.start.column + 1) not in targets:
                return updated
            args = []
            changed = False
            for arg in updated.args:
                if arg.keyword is not None and arg.keyword.value == "system" and not changed:
                    text = module.code_for_node(arg.value)
                    block = cst.parse_expression(_CACHED_BLOCK.format(text=text))
                    args.append(arg.with_changes(value=block))
                    changed = True
                else:
                    args.append(arg)
            if changed:
                self.fixed += 1
                return updated.with_changes(args=args)
            return updated

    transformer = CacheSystemPrompt()
    result = wrapper.module.visit(transformer)
    if not transformer.fixed or result.code == source:
        return None
    return FileFix(file, source, result.code, transformer.fixed)
