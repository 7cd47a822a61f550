"""The generated call API is typed the way the official SDKs type theirs (a user's mypy catches
a misspelt option), and its vocabularies are aiinfra's own, rendered from one definition."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, get_args

import pytest
from fakeprovider import FakeProvider
from init.init_support import RUNTIME_PACKAGE, USER, matrix_config

from aiinfra_cli.config import ERROR_CLASSES
from aiinfra_cli.usage._schema import STATUSES

GOOD = f"""
from {RUNTIME_PACKAGE} import Message, complete
messages: list[Message] = [{{"role": "user", "content": "hi"}}]
answer = complete("main", messages, max_tokens=300, feature="search", tags={{"a": "b"}})
print(answer.text)
"""
BAD = f"""
from {RUNTIME_PACKAGE} import complete
complete("main", [{{"role": "user", "content": "hi"}}], max_tokns=300)
complete("main", [{{"role": "robot", "content": "hi"}}])
complete("main", [{{"role": "user", "content": "hi"}}], temperature="hot")
"""


def test_the_runtime_renders_the_clis_vocabularies(rt: ModuleType) -> None:
    assert rt.vocabulary.ERROR_CLASSES == ERROR_CLASSES
    assert get_args(rt.vocabulary.EventStatus) == STATUSES


@pytest.mark.parametrize("python", ["3.10", "3.13"])
def test_a_users_mypy_catches_misspelt_options_and_roles(
    runtime_repo: Path, tmp_path: Path, python: str
) -> None:
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "bad.py").write_text(BAD)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-version",
         python, "good.py", "bad.py"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
        env={"MYPYPATH": str(runtime_repo / "src"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert {line.split(":")[0] for line in errors} == {"bad.py"}, result.stdout
    assert {int(line.split(":")[1]) for line in errors} == {3, 4, 5}, result.stdout


def test_an_unknown_option_is_refused_at_run_time_too(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path
) -> None:
    settings = rt.Settings.from_dict(matrix_config(fake_provider, tmp_path), root=tmp_path)
    ai: Any = rt.Orchestrator(settings)
    with pytest.raises(TypeError, match=r"unknown option.*max_tokns"):
        ai.complete("main", USER, max_tokns=300)


def test_skips_are_values_and_decide_the_error(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path
) -> None:
    config = matrix_config(fake_provider, tmp_path)
    for model in config["models"]:
        model["context_window"] = 2000
    settings = rt.Settings.from_dict(config, root=tmp_path)
    ai: Any = rt.Orchestrator(settings)
    long = [{"role": "user", "content": "word " * 4000}]
    with pytest.raises(rt.ContextWindowError) as raised:
        ai.complete("main", long)
    assert raised.value.largest_window == 2000
    skip = rt.vocabulary.Skip("circuit_open", "claude", "circuit open")
    failed = rt.AllModelsFailedError("main", [], [skip], None)
    assert "claude: skipped (circuit open)" in str(failed)
    assert failed.skipped[0].kind == "circuit_open"


def test_budget_statuses_carry_scope_and_subject(
    rt: ModuleType, fake_provider: FakeProvider, keys: str, tmp_path: Path
) -> None:
    config = matrix_config(fake_provider, tmp_path)
    config["budgets"] = {"monthly_usd": 10, "per_model": {"claude": "0.000001"}}
    ai: Any = rt.Orchestrator(rt.Settings.from_dict(config, root=tmp_path))
    ai.complete("main", USER)  # spends claude's tiny budget
    statuses = {(s.scope, s.subject): s.name for s in ai.budgets()}
    assert statuses == {("monthly", None): "monthly", ("model", "claude"): "model 'claude'"}
    answer = ai.complete("main", USER)  # claude is skipped (its budget), gpt answers
    assert answer.model_id == "gpt"
