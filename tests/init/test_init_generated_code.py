"""The generated code as its owner gets it: lint-clean, type-clean, self-contained, priced like
aiinfra prices, and its own tests pass in the user's repo with no network and no key."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from _support import run_cli
from init.init_support import RUNTIME_PACKAGE

from aiinfra_cli.config import load_config
from aiinfra_cli.pricing import TokenUsage, cost, load_price_table, overrides_from_config

RULES = "E,F,W,I,B,BLE,UP,SIM,RUF"  # a strict selection, checked besides ruff's own defaults


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("target", ["py310", "py313"])
def test_ruff_format_and_check_leave_it_unchanged(runtime_repo: Path, target: str) -> None:
    paths = ["src", "tests"]
    formatted = ruff("format", "--isolated", "--target-version", target, "--check", *paths,
                     cwd=runtime_repo)  # fmt: skip
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    checked = ruff("check", "--isolated", "--target-version", target, "--select", RULES, *paths,
                   cwd=runtime_repo)  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # What a user who has no ruff config of their own sees (ruff 0.17's defaults are broad).
    default = ruff("check", "--isolated", "--target-version", target, *paths, cwd=runtime_repo)
    assert default.returncode == 0, default.stdout + default.stderr


def test_mypy_strict_passes(runtime_repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", RUNTIME_PACKAGE],
        cwd=runtime_repo / "src",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_imports_nothing_from_aiinfra(runtime_repo: Path) -> None:
    generated = [*runtime_repo.glob("src/**/*.py"), *runtime_repo.glob("tests/**/*.py")]
    assert generated
    for path in generated:
        assert "aiinfra_cli" not in path.read_text(), path
    probe = (
        "import sys; sys.modules['aiinfra_cli'] = None\n"
        f"import {RUNTIME_PACKAGE}, {RUNTIME_PACKAGE}.prompt_loader\n"
        f"print({RUNTIME_PACKAGE}.Orchestrator.__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=runtime_repo / "src",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "Orchestrator", result.stderr


def test_its_own_tests_pass_offline_without_keys(runtime_repo: Path) -> None:
    # aiinfra is unimportable, and a dead proxy catches any attempt to leave loopback.
    runner = (
        "import sys; sys.modules['aiinfra_cli'] = None\n"
        "import pytest\n"
        f"sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', 'tests/{RUNTIME_PACKAGE}']))"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(
        {
            "HTTP_PROXY": "http://127.0.0.1:9",
            "HTTPS_PROXY": "http://127.0.0.1:9",
            "ALL_PROXY": "http://127.0.0.1:9",
            "NO_PROXY": "127.0.0.1,localhost",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", runner],
        cwd=runtime_repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in summary and "failed" not in summary and "error" not in summary


def test_the_prompt_library_checks_clean(runtime_repo: Path) -> None:
    result = run_cli("prompt-library", "check", cwd=runtime_repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 prompt OK" in result.stdout + result.stderr


def test_the_snapshot_prices_exactly_like_aiinfra(runtime_repo: Path, rt: ModuleType) -> None:
    config = load_config(runtime_repo / "config" / "ai-models.yaml", required=True)
    assert config is not None
    table = load_price_table().with_overrides(overrides_from_config(config))
    book = rt.PriceBook.load()
    rng = random.Random(7)
    for model in config.models:
        price = table.lookup(model.id, model.provider_kind)
        assert price is not None, model.id
        for _ in range(50):
            input_tokens = rng.randint(0, 400_000)
            read = rng.randint(0, input_tokens)
            write = rng.randint(0, input_tokens - read)
            write_1h = rng.randint(0, write)
            output = rng.randint(0, 20_000)
            reasoning = rng.randint(0, output)
            usage = (input_tokens, output, read, write, write_1h, reasoning)
            expected = cost(price, TokenUsage(*usage)).total
            got = book.cost(rt.Usage(*usage), model.id)
            assert got == expected, (model.id, usage)
    assert isinstance(got, Decimal)


# The runtime's core needs only the standard library: SDKs, httpx, PyYAML and jinja2 load
# on first use. Run it on every other Python version that is on PATH.
CORE = """
import sys, tempfile
from pathlib import Path
import {package} as rt
from {package}.providers import Reply
root = Path(tempfile.mkdtemp())
settings = rt.Settings.from_dict({{
    "version": 1,
    "providers": {{"p": {{"kind": "openai-compatible", "base_url": "http://127.0.0.1:9/v1"}}}},
    "models": [{{"id": "m", "provider": "p", "model": "local"}}],
    "routes": {{"r": {{"chain": ["m"], "cache": {{"enabled": True}}}}}},
    "usage_log": {{"path": str(root)}},
}}, root=root)
ai = rt.Orchestrator(settings)
ai._candidate(settings.models["m"]).provider.complete = (
    lambda model, request, timeout: Reply(text="ok", usage=rt.Usage(3, 2)))
first = ai.complete("r", [{{"role": "user", "content": "x"}}], temperature=0)
second = ai.complete("r", [{{"role": "user", "content": "x"}}], temperature=0)
ai.close()
fitted = rt.ContextManager().fit([{{"role": "user", "content": "a " * 5000}}],
                                 context_window=1000, reserve_output=100)
lines = sum(len(p.read_text().splitlines()) for p in root.glob("*.jsonl"))
print(sys.version_info[:2], first.text, second.cache_hit, lines, fitted.fits)
"""


def _interpreter(version: str) -> str | None:
    """``pythonX.Y`` from PATH; through a pyenv shim, the interpreter it stands for (a shim
    needs the real $HOME, which the tests hide)."""
    found = shutil.which(f"python{version}")
    if found is not None and "/shims/" in found:
        versions = Path(found).parents[1] / "versions"
        real = sorted(versions.glob(f"{version}*/bin/python{version}"))
        return str(real[-1]) if real else None
    return found


@pytest.mark.parametrize("version", ["3.10", "3.12", "3.13"])
def test_the_core_runs_on_other_pythons_with_the_standard_library_only(
    runtime_repo: Path, version: str
) -> None:
    python = _interpreter(version)
    if python is None or f"{sys.version_info[0]}.{sys.version_info[1]}" == version:
        pytest.skip(f"python{version} is not on PATH (or is this interpreter)")
    result = subprocess.run(
        [python, "-s", "-c", CORE.format(package=RUNTIME_PACKAGE)],
        cwd=runtime_repo / "src",
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(runtime_repo / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    major, minor = version.split(".")
    assert result.stdout.strip() == f"({major}, {minor}) ok True 2 True", result.stderr
