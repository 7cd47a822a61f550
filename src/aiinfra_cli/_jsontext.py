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


def dumps_indented(document: Any) -> str:
    """``json.dumps(document, indent=2, ensure_ascii=False, default=str)``, faster."""
    out: list[str] = []
    try:
        _write(document, out, "\n", set())
    except _Fallback:
        # Something only the standard library handles the same way (a circular reference,
        # a key type it refuses): it writes the text, or raises its own error.
        return json.dumps(document, indent=2, ensure_ascii=False, default=str)
    return "".join(out)


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
    value: list[Any] | tuple[Any, ...], out: list[str], newline: str, seen: set[int]
) -> None:
    if not value:
        out.append("[]")
        return
    marker = _enter(value, seen)
    inner = newline + "  "
    separator = "," + inner
    lead = "[" + inner
    for item in value:
        text = _scalar(item)
        if text is not None:
            out.append(lead + text)
        else:
            out.append(lead)
            _write(item, out, inner, seen)
        lead = separator
    out.append(newline + "]")
    seen.discard(marker)


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
