"""JSON text with a two-space indent, byte-identical to ``json.dumps(document, indent=2,
ensure_ascii=False, default=str)`` and about twice as fast.

The standard library writes indented JSON with its pure-Python encoder (the C encoder has no
indent before Python 3.14): nested generators, one ``yield`` per token. A report of tens of
thousands of findings spent about a second there, serial work after the scan. This writer
appends to one list with plain recursion; strings, integers and floats are written by the same
functions the standard library uses, so the text is the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

from aiinfra_cli._jsonsplit import Split, close_split, split_largest
from aiinfra_cli.redact import redact, redacts_piecewise

__all__ = ["dumps_indented"]

_quote: Callable[[str], str] = encode_basestring
_INFINITY = float("inf")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: object) -> str | None:
    """A dict key as JSON writes it (None: a key the standard library refuses)."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    return None


def dumps_indented(document: Any, *, end: str = "", redacted: bool = False) -> str:
    """``json.dumps(document, indent=2, ensure_ascii=False, default=str) + end``, faster;
    ``redacted``: that text passed through :func:`aiinfra_cli.redact.redact`.

    A large report (a top-level list of :data:`SPLIT_MIN_ITEMS` entries or more) is written by
    two processes on Linux: a forked child writes (and redacts) the end of that list while this
    process writes the rest (see :mod:`aiinfra_cli._jsonsplit`).
    """
    out: list[str] = []
    split = split_largest(document, _items, redacted=redacted)
    try:
        _write(split, out, "\n", set())
    except _Fallback:
        # Something only the standard library handles the same way (a circular reference,
        # a key type it refuses): it writes the text, or raises its own error.
        text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + end
        return redact(text) if redacted else text
    finally:
        close_split(split)
    out.append(end)
    if not redacted:
        return "".join(out)
    return _redacted(out, split)


def _redacted(out: list[str], document: Any) -> str:
    """The redacted text of ``out``: the child's part as it redacted it, when that equals
    redacting the whole (:func:`aiinfra_cli.redact.redacts_piecewise`)."""
    parts = document.values() if isinstance(document, dict) else ()
    part = next((v for v in parts if isinstance(v, Split)), None)
    if part is None or part.index < 0:
        return redact("".join(out))
    head, tail = "".join(out[: part.index]), "".join(out[part.index + 1 :])
    if part.child.redacted and redacts_piecewise(head) and redacts_piecewise(tail):
        return redact(head) + out[part.index] + redact(tail)
    middle = part.child.write() if part.child.redacted else out[part.index]
    return redact(head + middle + tail)


class _Fallback(Exception):
    pass


def _write(value: Any, out: list[str], newline: str, seen: set[int]) -> None:
    if isinstance(value, str):
        out.append(_quote(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, (list, tuple)):
        _write_list(value, out, newline, seen)
    elif isinstance(value, Split):
        _write_list(value.head, out, newline, seen, value)
    elif isinstance(value, dict):
        _write_dict(value, out, newline, seen)
    else:
        _write(str(value), out, newline, seen)


def _enter(value: object, seen: set[int]) -> int:
    marker = id(value)
    if marker in seen:
        raise _Fallback
    seen.add(marker)
    return marker


def _scalar(value: Any) -> str | None:
    """The text of a string, number, boolean or null (None: a container or other object)."""
    kind = type(value)
    if kind is str:
        return _quote(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is float:
        return _float(value)
    return None


def _write_list(
    value: list[Any] | tuple[Any, ...],
    out: list[str],
    newline: str,
    seen: set[int],
    split: Split | None = None,
) -> None:
    if not value:
        out.append("[]")
        return
    marker = _enter(value, seen)
    inner = newline + "  "
    _write_entries(value, out, inner, seen, "[" + inner)
    if split is not None:
        split.index = len(out)
        out.append(split.child.tail())
    out.append(newline + "]")
    seen.discard(marker)


def _items(items: list[Any], newline: str) -> str:
    """The entries of a list whose brackets sit on ``newline``, each after its separator (the
    text that follows the list's first entries)."""
    out: list[str] = []
    inner = newline + "  "
    _write_entries(items, out, inner, set(), "," + inner)
    return "".join(out)


def _write_entries(
    items: list[Any] | tuple[Any, ...], out: list[str], inner: str, seen: set[int], lead: str
) -> None:
    """A list's entries at indent ``inner``: the first after ``lead``, the others after a comma."""
    separator = "," + inner
    for item in items:
        text = _scalar(item)
        if text is not None:
            out.append(lead + text)
        else:
            out.append(lead)
            _write(item, out, inner, seen)
        lead = separator


def _write_dict(value: dict[Any, Any], out: list[str], newline: str, seen: set[int]) -> None:
    if not value:
        out.append("{}")
        return
    marker = _enter(value, seen)
    inner = newline + "  "
    separator = "," + inner
    lead = "{" + inner
    for key, item in value.items():
        name = key if type(key) is str else _key(key)
        if name is None:
            raise _Fallback
        text = _scalar(item)
        if text is not None:
            out.append(lead + _quote(name) + ": " + text)
        else:
            out.append(lead + _quote(name) + ": ")
            _write(item, out, inner, seen)
        lead = separator
    out.append(newline + "}")
    seen.discard(marker)
