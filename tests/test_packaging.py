"""The wheel ships what the product reads at run time, and finds its templates once installed."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from _support import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("aiinfra-*.whl")
    return built


def test_wheel_carries_runtime_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "aiinfra_cli/templates/README.md",
        "aiinfra_cli/data/demo-ai-models.yaml",
        "aiinfra_cli/data/demo_app/summarize.py.txt",
        "aiinfra_cli/pricing/data/prices.json",
        "aiinfra_cli/tokens/data/o200k_base.tiktoken.gz",
        "aiinfra_cli/tokens/data/cl100k_base.tiktoken.gz",
    }
    assert expected <= names
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def test_installed_wheel_finds_its_templates(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # Install the files by unpacking: the check is about layout, and needs no index or network.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    zipfile.ZipFile(wheel).extractall(site)
    probe = "from aiinfra_cli.paths import templates_dir; print(templates_dir())"
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    found = subprocess.run(
        [str(python), "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=clean_env,
    ).stdout.strip()
    assert Path(found) == Path(site) / "aiinfra_cli" / "templates"
    assert (Path(found) / "README.md").is_file()
