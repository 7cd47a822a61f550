"""Baselines: findings already present when a project adopts the scanner are reported but do
not fail the run (the way ruff and semgrep users adopt a linter on an old codebase).

A finding is identified by its code, its file and the text of the line it points at (whitespace
collapsed), plus its rank among equal ones, so it keeps matching when lines above it move. The
file (``--write-baseline FILE``) is JSON, meant to be committed::

    {"schema_version": 1, "tool": "aiinfra optimize-context",
     "findings": [{"code": "AIC003", "file": "app/ask.py", "line": 12, "fingerprint": "…"}]}
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from aiinfra_cli.errors import UsageError
from aiinfra_cli.scan._model import Finding

BASELINE_SCHEMA = 1
TOOL = "aiinfra optimize-context"


def line_text(lines: list[str], line: int) -> str:
    """Line ``line`` (1-based) of ``lines`` as a fingerprint sees it: whitespace collapsed,
    "" past the end."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return " ".join(text.split())


def source_lines(data: bytes) -> list[str]:
    """A file's lines, as the fingerprints number them."""
    return data.decode("utf-8", "replace").splitlines()


def fingerprints(findings: list[Finding], text_of: Callable[[str, int], str]) -> list[str]:
    """One fingerprint per finding (same order); ``text_of(file, line)`` gives that line's
    :func:`line_text`."""
    seen: Counter[tuple[str, str, str]] = Counter()
    out: list[str] = []
    for finding in findings:
        key = (finding.code, finding.file, text_of(finding.file, finding.line))
        rank = seen[key]
        seen[key] += 1
        raw = "\0".join((*key, str(rank)))
        out.append(hashlib.blake2b(raw.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest())
    return out


def baseline_document(findings: list[Finding], prints: list[str]) -> str:
    """The baseline file's text for ``findings``."""
    entries = [
        {"code": f.code, "file": f.file, "line": f.line, "fingerprint": p}
        for f, p in zip(findings, prints, strict=True)
    ]
    document = {"schema_version": BASELINE_SCHEMA, "tool": TOOL, "findings": entries}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_baseline(path: Path, shown: str) -> Counter[tuple[str, str, str]]:
    """The (code, file, fingerprint) entries of a baseline file; one-line errors otherwise."""
    hint = "write one with: aiinfra optimize-context --write-baseline FILE"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"baseline {shown}: no such file", hint=hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"baseline {shown}: cannot read: {exc}", hint=hint) from None
    try:
        document = json.loads(text)
        if document.get("schema_version") != BASELINE_SCHEMA:
            raise ValueError(f"schema_version must be {BASELINE_SCHEMA}")
        entries = Counter(
            (str(e["code"]), str(e["file"]), str(e["fingerprint"])) for e in document["findings"]
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"baseline {shown}: not an aiinfra baseline ({exc})", hint=hint) from None
    return entries


def mark_baselined(
    findings: list[Finding], prints: list[str], known: Counter[tuple[str, str, str]]
) -> int:
    """Set ``finding.baseline`` for findings the baseline holds; how many it held."""
    remaining = Counter(known)
    count = 0
    for finding, fingerprint in zip(findings, prints, strict=True):
        key = (finding.code, finding.file, fingerprint)
        if remaining[key] > 0:
            remaining[key] -= 1
            finding.baseline = True
            count += 1
    return count
