"""The scanner's result types: call sites, findings, their estimates, and per-file diagnostics.

Everything here is plain data that survives a round trip through JSON (the file cache) and
pickling (worker processes); dollars are added later, in the main process, from the price table.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from operator import attrgetter
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    # U+DC80..U+DCFF: a byte of a non-UTF-8 file name (surrogateescape) → ``\xNN``.
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def scrub(text: str) -> str:
    """``text`` as valid Unicode: lone surrogates (a ``'\\ud800'`` literal, the undecodable
    bytes of a file name) are spelled as escapes, so every output format can encode it."""
    return text if text.isascii() else _SURROGATE.sub(_escape_surrogate, text)


class _Positional:
    """Pickled as its dataclass fields in order, rebuilt by calling the class: a dense scan's
    workers send tens of thousands of these to the main process, and unpickling them this way
    takes less than half the time of the default (one ``__dict__`` per object)."""

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        cls = type(self)
        getter = _GETTERS.get(cls)
        if getter is None:
            getter = _GETTERS[cls] = attrgetter(*(f.name for f in fields(self)))  # type: ignore[arg-type]
        return cls, getter(self)


_GETTERS: dict[type, attrgetter[Any]] = {}


@dataclass
class CallSite(_Positional):
    """One LLM API call found in the code (the fields of ``call_sites[]`` in the JSON report)."""

    file: str
    line: int
    end_line: int
    column: int
    end_column: int
    api: str
    sdk: str
    is_async: bool
    streaming: bool | None
    model: str | None
    has_max_tokens: bool | None
    has_timeout: bool | None
    instrumented: bool
    beta: bool = False
    raw_response: bool = False
    streaming_response: bool = False
    client: str | None = None
    provider: str | None = None
    function: str | None = None
    resolution: str = "resolved"
    max_tokens: int | None = None
    static_input_tokens: int = 0
    traffic: dict[str, Any] | None = None
    route: str | None = None

    @property
    def key(self) -> str:
        """``file:line``, the spelling of a usage event's ``call_site``."""
        return f"{self.file}:{self.line}"

    def to_json(self) -> dict[str, Any]:
        """The JSON report's object for this call site."""
        data: dict[str, Any] = {
            "file": self.file,
            "line": self.line,
            "end_line": self.end_line,
            "column": self.column,
            "api": self.api,
            "sdk": self.sdk,
            "async": self.is_async,
            "streaming": self.streaming,
            "model": self.model,
            "has_max_tokens": self.has_max_tokens,
            "has_timeout": self.has_timeout,
            "instrumented": self.instrumented,
            "beta": self.beta,
            "raw_response": self.raw_response,
            "streaming_response": self.streaming_response,
            "client": self.client,
            "function": self.function,
            "resolution": self.resolution,
            "max_tokens": self.max_tokens,
            "static_input_tokens": self.static_input_tokens,
            "route": self.route,
        }
        if self.traffic is not None:
            data["traffic"] = self.traffic
        return data


@dataclass
class Estimate(_Positional):
    """What a finding costs (or would save) per call, in tokens and, once priced, dollars.

    ``kind`` says how the tokens are priced: ``"output"`` and ``"input"`` at those rates,
    ``"cache_saving"`` at the difference between the input and cache-read rates, ``"call"`` as
    the whole call (``input_tokens`` + ``output_tokens``). ``bound`` asks the pricer to take the
    tokens from the price table (``"max_output"`` or ``"context_window"``) when ``tokens`` is None.
    """

    kind: str
    tokens: int | None
    basis: str
    input_tokens: int = 0
    output_tokens: int = 0
    bound: str | None = None
    exact: bool = False
    usd_per_call: Decimal | None = None
    model: str | None = None
    unpriced_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON report's ``estimate`` object."""
        return {
            "kind": self.kind,
            "tokens": self.tokens,
            "usd_per_call": None if self.usd_per_call is None else format(self.usd_per_call, "f"),
            "model": self.model,
            "basis": self.basis,
            "unpriced_reason": self.unpriced_reason,
        }


@dataclass
class Finding(_Positional):
    """One rule violation at one place, with its estimate and (with usage logs) observed spend."""

    code: str
    file: str
    line: int
    end_line: int
    column: int
    end_column: int
    message: str
    estimate: Estimate | None = None
    call: str | None = None
    fixable: bool = False
    observed: dict[str, Any] | None = None
    fingerprint: str | None = None
    baseline: bool = False

    def to_json(self, *, name: str, severity: str) -> dict[str, Any]:
        """The JSON report's object for this finding."""
        return {
            "code": self.code,
            "name": name,
            "severity": severity,
            "file": self.file,
            "line": self.line,
            "end_line": self.end_line,
            "column": self.column,
            "message": self.message,
            "call_site": self.call,
            "fixable": self.fixable,
            "estimate": None if self.estimate is None else self.estimate.to_json(),
            "observed": self.observed,
            "fingerprint": self.fingerprint,
            "baseline": self.baseline,
        }


@dataclass(frozen=True)
class Diagnostic:
    """A file the scanner could not check (syntax error, unreadable): reported, never fatal."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True)
class SkippedFile:
    """A file the scan did not read (not a regular file, or over the size limit)."""

    file: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: skipped: {self.reason}"


@dataclass
class FileResult:
    """Everything one file contributed: call sites, findings (before selection), diagnostics.

    ``suppressed`` maps a line to the codes its ``# aiinfra: ignore[...]`` comment names (an
    empty list: every code); ``deps`` holds the project files whose exports the result used,
    with their content hashes, so the cache can tell when it went stale; ``exports`` names the
    module-level clients and chat models other files may import.
    """

    file: str
    calls: list[CallSite] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressed: dict[int, list[str]] = field(default_factory=dict)
    deps: dict[str, str] = field(default_factory=dict)
    exports: list[str] = field(default_factory=list)
    # The whitespace-collapsed text of each line a finding or call site points at, for the
    # baseline fingerprints ("" past the end); None when not known (read the file then).
    line_text: dict[int, str] | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict for the cache."""
        return {
            "file": self.file,
            "calls": [asdict(c) for c in self.calls],
            "findings": [_finding_dict(f) for f in self.findings],
            "diagnostics": [asdict(d) for d in self.diagnostics],
            "suppressed": {str(k): v for k, v in self.suppressed.items()},
            "deps": self.deps,
            "exports": self.exports,
            "line_text": (
                None if self.line_text is None else {str(k): v for k, v in self.line_text.items()}
            ),
        }

    def scrub(self) -> None:
        """Make every string this result reports valid Unicode (see :func:`scrub`)."""
        for site in self.calls:
            for name in ("model", "function", "client"):
                value = getattr(site, name)
                if isinstance(value, str):
                    setattr(site, name, scrub(value))
        for finding in self.findings:
            finding.message = scrub(finding.message)
            if finding.estimate is not None and finding.estimate.model is not None:
                finding.estimate.model = scrub(finding.estimate.model)
        self.diagnostics = [
            Diagnostic(d.file, d.line, d.column, scrub(d.message)) for d in self.diagnostics
        ]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileResult:
        """Rebuild a result from :meth:`to_json` output (raises KeyError/TypeError if foreign)."""
        return cls(
            file=data["file"],
            calls=[CallSite(**c) for c in data["calls"]],
            findings=[_finding_from(f) for f in data["findings"]],
            diagnostics=[Diagnostic(**d) for d in data["diagnostics"]],
            suppressed={int(k): list(v) for k, v in data["suppressed"].items()},
            deps=dict(data["deps"]),
            exports=list(data.get("exports", [])),
            line_text=_line_text_from(data.get("line_text")),
        )


def _line_text_from(data: Any) -> dict[int, str] | None:
    if data is None:
        return None
    return {int(k): str(v) for k, v in dict(data).items()}


def _finding_dict(finding: Finding) -> dict[str, Any]:
    data = {f.name: getattr(finding, f.name) for f in fields(finding) if f.name != "estimate"}
    if finding.estimate is not None:
        est = asdict(finding.estimate)
        est["usd_per_call"] = None
        data["estimate"] = est
    else:
        data["estimate"] = None
    return data


def _finding_from(data: dict[str, Any]) -> Finding:
    est = data.get("estimate")
    values = {k: v for k, v in data.items() if k != "estimate"}
    return Finding(**values, estimate=None if est is None else Estimate(**est))
