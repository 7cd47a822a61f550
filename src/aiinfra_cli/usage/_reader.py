"""Read usage-event JSONL: validate every line, keep going past bad ones, report each reject.

Never a crash on bad input and never a silent drop: each line is either an event or a
:class:`Reject` naming its file, line and reason; fields this version does not know are counted.
"""

from __future__ import annotations

import glob
import gzip
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from aiinfra_cli.usage._event import InvalidEvent, UsageEvent, parse_event
from aiinfra_cli.usage._schema import KNOWN_FIELDS

LOG_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")


@dataclass(frozen=True)
class Reject:
    """A line that was not accepted, and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.reason}"
            if self.line
            else f"{self.file}: {self.reason}"
        )


@dataclass
class ReadResult:
    """What a read produced: events, rejects, unknown-field counts, and the files read."""

    events: list[UsageEvent] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    unknown_fields: Counter[str] = field(default_factory=Counter)
    files: list[Path] = field(default_factory=list)
    lines: int = 0


def _is_jsonl(path: Path) -> bool:
    return path.name.endswith(LOG_SUFFIXES)


def expand_log_paths(
    specs: Sequence[str | Path],
    *,
    include: Callable[[Path], bool] = _is_jsonl,
    kinds: str = "*.jsonl, *.jsonl.gz, *.ndjson",
    resolve: bool = False,
) -> tuple[list[Path], list[Reject]]:
    """Files, directories (searched recursively for files ``include`` accepts, described by
    ``kinds``) and globs → a de-duplicated file list (in the order given, each directory sorted),
    plus a reject for each spec that matched nothing. ``resolve`` makes the paths absolute."""
    found: dict[Path, None] = {}
    missing: list[Reject] = []
    for spec in specs:
        text = str(spec)
        path = Path(text).expanduser()
        candidates: Iterable[Path]
        if path.is_file():
            candidates = [path]
        elif path.is_dir():
            candidates = sorted(p for p in path.rglob("*") if p.is_file() and include(p))
        elif glob.has_magic(text):
            candidates = sorted(
                Path(p) for p in glob.glob(str(path), recursive=True) if Path(p).is_file()
            )
        else:
            candidates = []
        matched = False
        for candidate in candidates:
            matched = True
            found.setdefault(candidate.resolve() if resolve else candidate, None)
        if not matched:
            if path.is_dir():
                reason = f"directory holds no usage logs ({kinds})"
            elif glob.has_magic(text):
                reason = "pattern matched no files"
            else:
                reason = "no such file or directory"
            missing.append(Reject(text, 0, reason))
    return list(found), missing


def open_log(path: Path) -> IO[bytes] | gzip.GzipFile:
    """A log file opened for reading bytes (gunzipped when it ends in .gz)."""
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, raw bytes) for each non-blank line; raises OSError on I/O failure.

    Lines are split as bytes so that one undecodable line is one reject, not a lost file."""
    with open_log(path) as handle:
        for number, raw in enumerate(handle, start=1):
            text = raw.strip()
            if text:
                yield number, text


class UnreadableLine(ValueError):
    """A line that is not JSON text; ``str()`` is the reject reason."""


def parse_line(raw: bytes) -> Any:
    """The JSON value of one line, or :class:`UnreadableLine` naming why it has none.

    A ``\\uD800``–``\\uDFFF`` escape outside a surrogate pair decodes to no character: Python's
    JSON reader lets it through, but no text column can hold it, so it is refused here."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableLine("not UTF-8 text") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableLine(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    if b"\\ud" in raw or b"\\uD" in raw:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise UnreadableLine(
                "not valid JSON: a \\uD800-\\uDFFF escape outside a surrogate pair is no character"
            ) from None
    return value


def read_file(path: Path, result: ReadResult, *, display: str | None = None) -> None:
    """Append the events and rejects of one file to ``result``."""
    shown = display or str(path)
    result.files.append(path)
    number = 0
    try:
        for number, raw in iter_lines(path):
            result.lines += 1
            try:
                obj = parse_line(raw)
            except UnreadableLine as exc:
                result.rejects.append(Reject(shown, number, str(exc)))
                continue
            try:
                event = parse_event(obj)
            except InvalidEvent as exc:
                result.rejects.append(Reject(shown, number, str(exc)))
                continue
            result.events.append(event)
            for key in obj.keys() - KNOWN_FIELDS:
                result.unknown_fields[key] += 1
    except (OSError, EOFError) as exc:
        result.rejects.append(
            Reject(shown, number + 1, f"cannot read: {exc}; the rest of the file was skipped")
        )


def read_events(specs: Sequence[str | Path]) -> ReadResult:
    """Read every usage event under ``specs`` (files, directories, globs)."""
    files, missing = expand_log_paths(specs)
    result = ReadResult(rejects=list(missing))
    for path in files:
        read_file(path, result)
    return result
