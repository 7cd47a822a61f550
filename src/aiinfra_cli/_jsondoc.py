"""Typed JSON documents: frozen dataclasses declared once give the JSON value and its JSON Schema.

A document is a tree of frozen dataclasses. Leaf values carry their JSON Schema in an
``Annotated`` alias (``Money = Annotated[str, Leaf(MONEY)]``), so mypy sees plain Python types
and the schema cannot drift from the fields. Field metadata (``field(metadata=FLAT)``; see
:data:`FLAT`, :data:`OPTIONAL`, :data:`HIDDEN`, :func:`keyed`, :func:`groups`, :func:`described`)
says how a field is laid out:

- ``flat``: the nested dataclass's keys are merged into the parent object;
- ``optional``: the key is left out while the value is None, and is not required;
- ``keyed(name, leaf)``: a list of :class:`Keyed`-like rows whose ``key`` field is written under
  ``name`` (``{"provider": "openai", "requests": 3, ...}``);
- ``groups(prefix, names)``: a mapping ``{name: rows}`` written as ``prefix + name`` keys, each
  optional, rows keyed by ``name``;
- ``spread``: a mapping ``{name: value}`` whose entries are written as keys of the parent
  object next to its fixed fields (schema: ``additionalProperties``);
- ``hidden``: excluded from :func:`to_json` with ``view="agent"`` (what an agent may be sent).

:func:`to_json` writes keys in field order, so the JSON text is stable.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

__all__ = [
    "COUNT",
    "FLAT",
    "HIDDEN",
    "OPTIONAL",
    "SPREAD",
    "Count",
    "DateTime",
    "Leaf",
    "described",
    "groups",
    "json_object",
    "json_schema_of",
    "keyed",
    "to_json",
]


@dataclass(frozen=True, eq=False)  # hashed by identity: ``Annotated`` metadata must hash
class Leaf:
    """The JSON Schema of a leaf value, attached to its type with ``Annotated``."""

    schema: Mapping[str, Any]


View = Literal["all", "agent"]
COUNT: Mapping[str, Any] = {"type": "integer", "minimum": 0}
Count = Annotated[int, Leaf(COUNT)]
DateTime = Annotated[str, Leaf({"type": "string", "format": "date-time"})]


# Field metadata: ``field(metadata=FLAT)``, ``field(default=None, metadata=OPTIONAL)``, ...
FLAT: Mapping[str, Any] = {"flat": True}
HIDDEN: Mapping[str, Any] = {"hidden": True}
OPTIONAL: Mapping[str, Any] = {"optional": True}
SPREAD: Mapping[str, Any] = {"spread": True}


def described(description: str) -> Mapping[str, Any]:
    """Metadata of a field with a description in the schema."""
    return {"doc": description}


def keyed(name: str, key: Leaf, *, hide: bool = False) -> Mapping[str, Any]:
    """Metadata of rows (dataclasses whose first field is ``key``) with ``key`` written as
    ``name``; ``hide``: left out of the agent's view."""
    return {"key": (name, key.schema), "hidden": hide}


def groups(
    prefix: str, names: Sequence[str], key: Leaf, *, visible: Sequence[str]
) -> Mapping[str, Any]:
    """Metadata of ``{name: rows}`` written as optional ``prefix + name`` keys (rows keyed by
    ``name``); ``visible``: the names the agent's view keeps."""
    return {"groups": (prefix, tuple(names), key.schema, frozenset(visible))}


# --- JSON values -----------------------------------------------------------------------------


def to_json(value: Any, *, view: View = "all") -> Any:
    """The JSON value of a document (dicts in field order, tuples as lists, Decimals as
    decimal strings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_object(value, view=view)
    if isinstance(value, list | tuple):
        return [to_json(item, view=view) for item in value]
    if isinstance(value, Mapping):
        return {str(k): to_json(v, view=view) for k, v in value.items()}
    if isinstance(value, Decimal):
        return format(value, "f")  # money is exact: a decimal string, never a float
    return value


def json_object(value: Any, *, view: View = "all") -> dict[str, Any]:
    """The JSON object of one dataclass: its ``as_dict``, derived rather than hand-written."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        raise TypeError(f"json_object takes a dataclass instance, not {type(value).__name__}")
    out: dict[str, Any] = {}
    _object_into(out, value, view)
    return out


def _object_into(out: dict[str, Any], value: Any, view: View) -> None:
    for f in dataclasses.fields(value):
        meta = f.metadata
        if view == "agent" and meta.get("hidden"):
            continue
        item = getattr(value, f.name)
        if meta.get("flat"):
            _object_into(out, item, view)
        elif meta.get("optional") and item is None:
            continue
        elif meta.get("spread"):
            out.update({str(k): to_json(v, view=view) for k, v in item.items()})
        elif "key" in meta:
            out[f.name] = [_keyed_row(row, meta["key"][0], view) for row in item]
        elif "groups" in meta:
            prefix, _names, _schema, visible = meta["groups"]
            for name, rows in item.items():
                if view == "agent" and name not in visible:
                    continue
                out[prefix + name] = [_keyed_row(row, name, view) for row in rows]
        else:
            out[f.name] = to_json(item, view=view)


def _keyed_row(row: Any, name: str, view: View) -> dict[str, Any]:
    data = to_json(row, view=view)
    return {name: data.pop("key"), **data}


# --- JSON Schema -----------------------------------------------------------------------------


def json_schema_of(tp: Any) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12 subset) of a type used in a document."""
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return copy.deepcopy(_object_schema(tp))
    origin = get_origin(tp)
    if origin is Annotated:
        leaves = [m for m in tp.__metadata__ if isinstance(m, Leaf)]
        return dict(leaves[0].schema) if leaves else json_schema_of(get_args(tp)[0])
    if origin is Literal:
        values = list(get_args(tp))
        return {"const": values[0]} if len(values) == 1 else {"enum": values}
    if origin in (Union, types.UnionType):
        return _nullable(tp)
    if origin in (tuple, list, Sequence):
        return {"type": "array", "items": json_schema_of(get_args(tp)[0])}
    if origin in (dict, Mapping):
        return {"type": "object", "additionalProperties": json_schema_of(get_args(tp)[1])}
    simple = {str: "string", bool: "boolean", int: "integer", float: "number"}
    if tp in simple:
        return {"type": simple[tp]}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _nullable(tp: Any) -> dict[str, Any]:
    options = [a for a in get_args(tp) if a is not type(None)]
    if len(options) != 1 or len(options) == len(get_args(tp)):
        raise TypeError(f"only 'X | None' unions are supported, got {tp!r}")
    inner = json_schema_of(options[0])
    if set(inner) == {"type"} and isinstance(inner["type"], str):
        return {"type": [inner["type"], "null"]}
    return {"anyOf": [inner, {"type": "null"}]}


@functools.cache
def _object_schema(cls: type) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    _properties_into(cls, schema)
    return schema


def _properties_into(cls: type, out: dict[str, Any]) -> None:
    props: dict[str, Any] = out["properties"]
    hints = get_type_hints(cls, include_extras=True)
    for f in dataclasses.fields(cls):
        meta = f.metadata
        tp = hints[f.name]
        if meta.get("flat"):
            _properties_into(tp, out)
            continue
        if meta.get("spread"):
            out["additionalProperties"] = json_schema_of(get_args(tp)[1])
            continue
        if "key" in meta:
            name, key_schema = meta["key"]
            props[f.name] = {"type": "array", "items": _keyed_schema(tp, name, key_schema)}
        elif "groups" in meta:
            prefix, names, key_schema, _visible = meta["groups"]
            row = get_args(get_args(tp)[1])[0]
            for name in names:
                props[prefix + name] = {
                    "type": "array",
                    "items": _keyed_schema(row, name, key_schema),
                }
            continue
        else:
            schema = json_schema_of(_without_none(tp) if meta.get("optional") else tp)
            if meta.get("doc"):
                schema["description"] = meta["doc"]
            props[f.name] = schema
        if not meta.get("optional"):
            out["required"].append(f.name)


def _keyed_schema(rows: Any, name: str, key_schema: Mapping[str, Any]) -> dict[str, Any]:
    row = get_args(rows)[0] if get_origin(rows) in (tuple, list, Sequence) else rows
    inner = json_schema_of(row)
    props = {name: dict(key_schema)}
    props.update({k: v for k, v in inner["properties"].items() if k != "key"})
    required = [name if k == "key" else k for k in inner["required"]]
    return {"type": "object", "properties": props, "required": required}


def _without_none(tp: Any) -> Any:
    if get_origin(tp) in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        return options[0] if len(options) == 1 else typing.Union[tuple(options)]  # noqa: UP007
    return tp
