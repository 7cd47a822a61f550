"""The fast indented JSON writer gives the standard library's text exactly."""

from __future__ import annotations

import json
import os
from datetime import date
from enum import Enum, IntEnum
from pathlib import Path
from typing import Any

import pytest

from aiinfra_cli._jsonsplit import SPLIT_MIN_ITEMS
from aiinfra_cli._jsontext import dumps_indented
from aiinfra_cli.redact import redact


class Colour(str, Enum):
    RED = "red"


class Level(IntEnum):
    HIGH = 3


def _reference(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, default=str)


@pytest.mark.parametrize(
    "document",
    [
        {},
        [],
        "plain",
        0,
        None,
        {"a": 1, "b": [1, 2.5, None, True, False], "c": {"d": {}, "e": [], "f": [[], {}]}},
        {"unicode": 'héllo ✓ \u2028 \x00 "quoted" \\ tab\t', "ñ": "ß"},
        {1: "int key", 2.5: "float key", False: "bool", None: "none", "x": (1, 2)},
        [float("nan"), float("inf"), -float("inf"), 1e16, -0.0, 1 / 3, 10**30],
        {"enum": Colour.RED, "level": Level.HIGH, "date": date(2026, 1, 2), "path": Path("a/b")},
        [[[[{"deep": [1, {"deeper": "x"}]}]]]],
        {"tuple": (), "nested": ({"a": ()},)},
    ],
)
def test_same_text_as_the_standard_library(document: Any) -> None:
    assert dumps_indented(document) == _reference(document)


def test_shared_objects_are_written_each_time() -> None:
    shared = {"k": [1, 2]}
    document = {"a": shared, "b": shared, "c": [shared, shared]}
    assert dumps_indented(document) == _reference(document)


def test_a_circular_document_raises_the_standard_library_error() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented({"loop": loop})


def test_a_key_the_standard_library_refuses_raises_its_error() -> None:
    with pytest.raises(TypeError, match="keys must be"):
        dumps_indented({(1, 2): "tuple key"})


def _large(count: int) -> dict[str, Any]:
    return {
        "summary": {"files": count},
        "calls": [{"file": f"m{i}.py", "line": i} for i in range(count // 4)],
        "findings": [
            {"code": "AIC001", "line": i, "message": f"é{i}", "tags": [i, None, 0.5], "n": {}}
            for i in range(count)
        ],
        "errors": [],
    }


def test_a_large_report_written_by_two_processes_is_the_same_text() -> None:
    document = _large(SPLIT_MIN_ITEMS + 1)
    assert dumps_indented(document) == _reference(document)


class _OnlyHere:
    """Written by the process that made it; a forked child fails on it."""

    def __init__(self) -> None:
        self.pid = os.getpid()

    def __str__(self) -> str:
        if os.getpid() != self.pid:
            raise RuntimeError("not in the child")
        return "written here"


def test_a_failing_child_leaves_the_text_to_this_process() -> None:
    document = _large(SPLIT_MIN_ITEMS)
    document["findings"][-1]["odd"] = _OnlyHere()
    assert dumps_indented(document) == _reference(document)


def test_a_circular_entry_in_the_childs_half_raises_the_standard_library_error() -> None:
    document = _large(SPLIT_MIN_ITEMS)
    loop: list[Any] = []
    loop.append(loop)
    document["findings"][-1]["loop"] = loop
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented(document)


def test_a_refused_key_before_the_split_list_ends_the_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forked: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    document = {"bad": {(1, 2): "x"}, **_large(SPLIT_MIN_ITEMS)}
    with pytest.raises(TypeError, match="keys must be"):
        dumps_indented(document)
    assert forked, "the split writer did not fork: the test checks nothing"
    for pid in forked:  # the writer's child was waited for: not left behind as a zombie
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


_KEY = "sk-ant-" + "a1B2c3D4e5F6g7H8i9J0" * 2
_PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA"  # no end line: runs to the end


def _redacted_reference(document: Any) -> str:
    return redact(_reference(document) + "\n")


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("summary", _KEY),  # before the split list
        ("head", _KEY),  # in the part this process writes
        ("tail", _KEY),  # in the part the child writes
        ("summary", _PEM),
        ("tail", _PEM),
        ("after", _PEM),  # after the split list
        ("nowhere", ""),
    ],
)
def test_a_redacted_large_report_equals_the_whole_text_redacted(where: str, value: str) -> None:
    document = _large(SPLIT_MIN_ITEMS)
    findings = document["findings"]
    if where == "summary":
        document["summary"]["note"] = value
    elif where == "head":
        findings[1]["message"] = value
    elif where == "tail":
        findings[-2]["message"] = value
    elif where == "after":
        document["errors"] = [value]
    text = dumps_indented(document, end="\n", redacted=True)
    assert text == _redacted_reference(document)
    if value:
        assert value not in text
