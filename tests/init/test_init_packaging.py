"""The runtime goes inside the app's own package (read from its build backend's config), and
a real wheel of the app carries it: installed into a fresh virtualenv outside the repository,
it imports and completes a call against the loopback fake provider."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
import yaml
from fakeprovider import FakeProvider
from fakeprovider.fixtures import TEST_KEY
from init.init_support import matrix_config

from aiinfra_cli.errors import UsageError
from aiinfra_cli.scaffold import apply_plan, find_packages, packaging_advice, plan_init
from aiinfra_cli.usage import read_events

HATCH = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
SETUPTOOLS = '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
POETRY = '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n'
PDM = '[build-system]\nrequires = ["pdm-backend"]\nbuild-backend = "pdm.backend"\n'
FLIT = '[build-system]\nrequires = ["flit_core"]\nbuild-backend = "flit_core.buildapi"\n'
UV = '[build-system]\nrequires = ["uv_build"]\nbuild-backend = "uv_build"\n'
PROJECT = '[project]\nname = "myapp"\nversion = "0.1.0"\n'


def make_app(root: Path, pyproject: str, *packages: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "pyproject.toml").write_text(pyproject)
    for package in packages:
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text('"""The app."""\n')
    return root


@pytest.mark.parametrize(
    ("pyproject", "packages", "expected"),
    [
        (HATCH + PROJECT, ["src/myapp", "tests"], "src/myapp"),
        (HATCH + PROJECT + '[tool.hatch.build.targets.wheel]\npackages = ["src/shop"]\n',
         ["src/shop", "src/other"], "src/shop"),
        (SETUPTOOLS + PROJECT + '[tool.setuptools.packages.find]\nwhere = ["lib"]\n',
         ["lib/myapp", "src/decoy"], "lib/myapp"),
        (SETUPTOOLS + PROJECT + '[tool.setuptools]\npackages = ["shop"]\n', ["shop", "tools"],
         "shop"),
        (POETRY + '[tool.poetry]\npackages = [{include = "shop", from = "src"}]\n',
         ["src/shop", "src/other"], "src/shop"),
        (PDM + PROJECT + '[tool.pdm.build]\npackage-dir = "lib"\n', ["lib/myapp"], "lib/myapp"),
        (FLIT + PROJECT + '[tool.flit.module]\nname = "shop"\n', ["shop", "other"], "shop"),
        (UV + PROJECT + '[tool.uv.build-backend]\nmodule-name = "shop"\n',
         ["src/shop", "src/other"], "src/shop"),
        (UV + PROJECT, ["myapp", "docs"], "myapp"),
    ],
)  # fmt: skip
def test_the_package_comes_from_the_build_config(
    git_repo: Path, pyproject: str, packages: list[str], expected: str
) -> None:
    make_app(git_repo, pyproject, *packages)
    plan, notes = plan_init(git_repo, read_code=False)
    assert plan.layout.package_dir == f"{expected}/ai"
    assert plan.layout.package_import == expected.removeprefix("src/").replace("/", ".") + ".ai"
    assert any("so the wheel ships the runtime" in n for n in notes)


def test_several_packages_need_a_choice(git_repo: Path) -> None:
    make_app(git_repo, HATCH + PROJECT, "src/shop", "src/admin")
    with pytest.raises(UsageError, match=r"ships 2 packages \(src/admin, src/shop\)") as caught:
        plan_init(git_repo, read_code=False)
    assert "--package-dir src/admin/ai" in str(caught.value)
    chosen, _ = plan_init(git_repo, read_code=False, choose=lambda offered, why: offered[1])
    assert chosen.layout.package_dir == "src/shop/ai"


def test_a_build_without_a_package_is_refused(git_repo: Path) -> None:
    make_app(git_repo, HATCH + PROJECT)
    with pytest.raises(UsageError, match="no package of it was found"):
        plan_init(git_repo, read_code=False)


def test_without_a_build_backend_the_runtime_is_its_own_package(git_repo: Path) -> None:
    make_app(git_repo, PROJECT, "src/myapp")
    plan, _ = plan_init(git_repo, read_code=False)
    assert plan.layout.package_dir == "src/ai"
    assert packaging_advice(git_repo, "src/ai", "ai") == []


def test_the_advice_names_the_lines_to_add(git_repo: Path) -> None:
    make_app(git_repo, SETUPTOOLS + PROJECT, "src/myapp")
    advice = packaging_advice(git_repo, "src/myapp/ai", "myapp.ai")
    assert advice[0] == (
        'add [tool.setuptools.package-data] "myapp.ai" = ["_prices.json"] (setuptools leaves'
        " data files out of the wheel)"
    )
    assert "AI_MODELS_CONFIG" in advice[-1]
    outside = packaging_advice(git_repo, "src/ai", "ai")
    assert outside[0].startswith("src/ai is not inside a package your wheel ships: add")
    hatch = make_app(git_repo.parent / "hatch", HATCH + PROJECT, "src/myapp")
    assert packaging_advice(hatch, "src/myapp/ai", "myapp.ai")[0] == (
        "no packaging lines to add: hatch ships src/myapp/ai/ with its _prices.json"
    )
    assert find_packages(hatch).packages == ("src/myapp",)


CALL = """\
import json, myapp.ai
from myapp.ai import Orchestrator
answer = Orchestrator.from_config().complete("main", [{"role": "user", "content": "Say hello"}])
print(json.dumps({"file": myapp.ai.__file__, "text": answer.text, "model": answer.model_id}))
"""


def test_a_wheel_of_the_app_ships_a_working_runtime(tmp_path: Path) -> None:
    """The one slow end-to-end test: init, pip wheel, a fresh venv, one call."""
    app = make_app(tmp_path / "repo", HATCH + PROJECT, "src/myapp")
    plan, _ = plan_init(app)
    apply_plan(plan)
    assert plan.layout.package_dir == "src/myapp/ai"
    out = tmp_path / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*build, "-w", str(out), str(app)], check=True, capture_output=True)
    (wheel,) = out.glob("myapp-*.whl")
    assert {"myapp/ai/model_orchestrator.py", "myapp/ai/_prices.json"} <= set(
        zipfile.ZipFile(wheel).namelist()
    )

    env = tmp_path / "deploy" / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # The runtime's dependencies (httpx, PyYAML, the SDKs) come from this test environment,
    # as --system-site-packages would give them; nothing of the repository is on the path.
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    subprocess.run([*install, "--no-deps", "--no-index", str(wheel)], check=True)

    logs = tmp_path / "deploy" / "logs"
    with FakeProvider(api_key=TEST_KEY, max_lifetime=120) as server:
        config = tmp_path / "deploy" / "ai-models.yaml"
        config.write_text(yaml.safe_dump(matrix_config(server, logs)))
        environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        environ |= {"AI_MODELS_CONFIG": str(config), "ANTHROPIC_API_KEY": TEST_KEY}
        result = subprocess.run(
            [str(python), "-c", CALL], cwd=tmp_path / "deploy", env=environ,
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert Path(answer["file"]).is_relative_to(site)
    assert answer["text"] == "Hello from the fake provider." and answer["model"] == "claude"
    (event,) = read_events([logs]).events
    assert event.status == "ok" and event.cost_usd is not None  # the price snapshot shipped
