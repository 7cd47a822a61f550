"""Read usage-event JSONL: validate every line, keep going past bad ones, report each reject.

Never a crash on bad input and never a silent drop: each line is either an event or a
:class:`Reject` naming its file, line and reason; fields this version does not know are counted.
"""

from __future__ import annotations

import errno
import glob
import gzip
import json
import os
import re
import stat
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from aiinfra_cli.usage._event import InvalidEvent, UsageEvent, parse_event_lenient
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
    """What a read produced: events, rejects, warnings, unknown-field counts, the files read."""

    events: list[UsageEvent] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    unknown_fields: Counter[str] = field(default_factory=Counter)
    # Lines that count, with a malformed field no report reads (named, never dropped).
    warnings: list[Reject] = field(default_factory=list)
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
    plus a reject for each spec that matched nothing and for each thing under a directory that
    could not be looked at (an unreadable directory, a symlink loop, a FIFO named like a log).
    ``resolve`` makes the paths absolute."""
    found: dict[Path, None] = {}
    problems: list[Reject] = []
    for spec in specs:
        text = str(spec)
        path = Path(text).expanduser()
        kind, error = _kind(path)
        candidates: list[Path] = []
        if kind == "file":
            candidates = [path]
        elif kind == "dir":
            candidates = _walk(path, include, problems)
        elif kind is None and error is None and glob.has_magic(text):
            candidates = sorted(
                Path(p) for p in glob.glob(str(path), recursive=True) if _kind(Path(p))[0] == "file"
            )
        for candidate in candidates:
            found.setdefault(_absolute(candidate) if resolve else candidate, None)
        if candidates:
            continue
        if error is not None:
            reason = error
        elif kind == "dir":
            reason = f"directory holds no usage logs ({kinds})"
        elif kind == "other":
            reason = "not a regular file (a FIFO, socket or device): not read"
        elif glob.has_magic(text):
            reason = "pattern matched no files"
        else:
            reason = "no such file or directory"
        problems.append(Reject(text, 0, reason))
    return list(found), problems


def _absolute(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a loop further up: the path as given, made absolute
        return path.absolute()


def _kind(path: Path) -> tuple[str | None, str | None]:
    """("file" | "dir" | "other" | None when absent, the reason it cannot be looked at)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, "symlink loop (a link that leads back to itself): fix or remove it"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None, None
        return None, f"cannot read: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return "file", None
    return ("dir" if stat.S_ISDIR(mode) else "other"), None


def _walk(root: Path, include: Callable[[Path], bool], problems: list[Reject]) -> list[Path]:
    """The files under ``root`` that ``include`` accepts (symlinked directories are not
    followed, as in ``Path.rglob``); what cannot be looked at becomes a reject, never a silent
    skip: unreadable directories, symlink loops, and FIFOs, sockets or devices named like logs."""
    files: list[Path] = []
    pending = [root]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as entries:
                listed = [Path(entry.path) for entry in entries]
        except OSError as exc:
            problems.append(
                Reject(str(directory), 0, f"cannot read directory: {exc.strerror or exc}")
            )
            continue
        for path in listed:
            kind, error = _kind(path)
            if kind == "dir" and not path.is_symlink():
                pending.append(path)
            elif kind == "file" and include(path):
                files.append(path)
            elif error is not None and (path.is_symlink() or _named_like_log(path)):
                problems.append(Reject(str(path), 0, error))
            elif kind == "other" and _named_like_log(path):
                problems.append(
                    Reject(str(path), 0, "not a regular file (a FIFO, socket or device): not read")
                )
    return sorted(files)


def _named_like_log(path: Path) -> bool:
    return path.name.endswith((*LOG_SUFFIXES, ".json"))


def open_log(path: Path) -> IO[bytes] | gzip.GzipFile:
    """A log file opened for reading bytes (gunzipped when it ends in .gz)."""
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


# What reading a log can raise: I/O errors, a gzip stream that ends early (EOFError) or whose
# body is corrupt (zlib.error, not an OSError).
READ_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error)
_BOM = b"\xef\xbb\xbf"


def iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, raw bytes) for each non-blank line; raises one of
    :data:`READ_ERRORS` on I/O failure. A byte-order mark opening the file is not part of line 1.

    Lines are split as bytes so that one undecodable line is one reject, not a lost file."""
    with open_log(path) as handle:
        for number, raw in enumerate(handle, start=1):
            text = raw.strip()
            if number == 1 and text.startswith(_BOM):
                text = text[len(_BOM) :].strip()
            if text:
                yield number, text


class UnreadableLine(ValueError):
    """A line that is not JSON text; ``str()`` is the reject reason."""


def loads(text: str | bytes) -> Any:
    """``json.loads`` that raises only ValueError (a value nested deeper than the parser's
    recursion limit is one), and where a repeated key keeps its first value, as DuckDB's reader
    does: both readers of a log must see the same line the same way."""
    if isinstance(text, bytes):
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    if text.startswith("\ufeff"):  # json.loads refuses it; the decoder alone would not say why
        return json.loads(text)
    decoder, keys = _counting_decoder()
    keys[0] = 0
    try:
        value = decoder.decode(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if isinstance(value, dict) and _repeats(text, value, keys[0]):
        value = json.loads(text, object_pairs_hook=_first_wins)
    return value


_local = threading.local()


def _counting_decoder() -> tuple[json.JSONDecoder, list[int]]:
    """This thread's JSON decoder, and the count of keys in the objects it built last."""
    found: tuple[json.JSONDecoder, list[int]] | None = getattr(_local, "decoder", None)
    if found is None:
        keys = [0]

        def count(obj: dict[str, Any]) -> dict[str, Any]:
            keys[0] += len(obj)
            return obj

        found = _local.decoder = (json.JSONDecoder(object_hook=count), keys)
    return found


def _repeats(text: str, value: dict[str, Any], keys: int) -> bool:
    """Whether a key of ``value`` (or of the objects nested in it) may occur twice in ``text``
    (``keys``: how many keys the parsed objects hold, lists' objects included).

    Every key in the text ends in ``":`` unless a space precedes the colon, so when the text
    holds no more ``":`` than the parsed objects hold keys, no key repeats: that settles the
    common line. Otherwise a key repeats if its quoted name occurs more often than the parsed
    objects hold it."""
    if text.count('":') <= keys and not _SPACED_COLON.search(text):
        return False
    names: Counter[str] = Counter()
    _key_names(value, names)
    return any(text.count(f'"{name}"') > n for name, n in names.items())


_SPACED_COLON = re.compile(r'"\s+:')


def _key_names(value: dict[str, Any], names: Counter[str]) -> None:
    for key, item in value.items():
        names[key] += 1
        if isinstance(item, dict):
            _key_names(item, names)


def _first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, item in pairs:
        found.setdefault(key, item)
    return found


def parse_line(raw: bytes) -> Any:
    """The JSON value of one line, or :class:`UnreadableLine` naming why it has none.

    A ``\\uD800``–``\\uDFFF`` escape outside a surrogate pair decodes to no character: Python's
    JSON reader lets it through, but no text column can hold it, so it is refused here."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnreadableLine("not UTF-8 text") from None
    try:
        value = loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableLine(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    except ValueError as exc:
        raise UnreadableLine(f"not valid JSON: {exc}") from None
    if b"\\u" in raw and (b"\\ud" in raw or b"\\uD" in raw):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise UnreadableLine(
                "not valid JSON: a \\uD800-\\uDFFF escape outside a surrogate pair is no character"
            ) from None
    return value


def read_file(path: Path, result: ReadResult, *, display: str | None = None) -> None:
    """Append the events, rejects and warnings of one file to ``result``."""
    shown = display or str(path)
    result.files.append(path)
    number = 0
    try:
        for number, raw in iter_lines(path):
            result.lines += 1
            try:
                obj = parse_line(raw)
                event, problems = parse_event_lenient(obj)
            except (UnreadableLine, InvalidEvent) as exc:
                result.rejects.append(Reject(shown, number, str(exc)))
                continue
            result.events.append(event)
            if problems:
                result.warnings.append(Reject(shown, number, "; ".join(problems)))
            for key in obj.keys() - KNOWN_FIELDS:
                result.unknown_fields[key] += 1
    except READ_ERRORS as exc:
        result.rejects.append(Reject(shown, number + 1, read_failure(exc)))


def read_failure(exc: BaseException) -> str:
    """The reject reason of a log that fails part-way (the lines before it count)."""
    if isinstance(exc, zlib.error):
        return f"cannot read: corrupt gzip data ({exc}); the rest of the file was skipped"
    return f"cannot read: {exc}; the rest of the file was skipped"


def read_events(specs: Sequence[str | Path]) -> ReadResult:
    """Read every usage event under ``specs`` (files, directories, globs)."""
    files, missing = expand_log_paths(specs)
    result = ReadResult(rejects=list(missing))
    for path in files:
        read_file(path, result)
    return result
