"""Inline suppression: ``# aiinfra: ignore[AIC001,AIC003]`` or a bare ``# aiinfra: ignore``."""

from __future__ import annotations

import io
import re
import tokenize

from aiinfra_cli.scan._model import Finding

_COMMENT = re.compile(r"#\s*aiinfra:\s*ignore\b(?:\[([A-Za-z0-9_,\s]*)\])?")


def suppressions(data: bytes) -> dict[int, list[str]]:
    """Line → the codes its suppression comment names (an empty list: every code)."""
    if b"aiinfra:" not in data:
        return {}
    found: dict[int, list[str]] = {}
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.type == tokenize.COMMENT:
                _add(found, token.start[0], token.string)
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        # A file tokenize gives up on: fall back to reading comments line by line.
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
            if "#" in line:
                _add(found, number, line[line.index("#") :])
    return found


def _add(found: dict[int, list[str]], line: int, comment: str) -> None:
    match = _COMMENT.search(comment)
    if match is None:
        return
    codes = [c.strip().upper() for c in (match.group(1) or "").split(",") if c.strip()]
    found[line] = codes


def is_suppressed(
    finding: Finding, table: dict[int, list[str]], call_span: tuple[int, int] | None
) -> bool:
    """Whether a comment on a line of the finding (or of its call) names the finding's code."""
    if not table:
        return False
    spans = [(finding.line, finding.end_line)]
    if call_span is not None:
        spans.append(call_span)
    for start, end in spans:
        for line in range(start, end + 1):
            codes = table.get(line)
            if codes is not None and (not codes or finding.code in codes):
                return True
    return False
