"""Render a TypeScript project the way ``aiinfra init --lang typescript`` does, wired to the
pinned npm packages of ``tests/typescript/fixture`` (``npm ci`` there first), and talk to the
node driver that runs the rendered runtime.

Also a script: ``python tests/typescript/ts_support.py DIR`` renders a fresh project into DIR
(what ``.ci/run`` type-checks, lints and tests).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixture"
DRIVER = HERE / "driver.mts"
FIXTURE_FILES = ("package.json", "tsconfig.json", "eslint.config.js")


def node_ready() -> str | None:
    """Why the TypeScript tests cannot run here (None when they can)."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (FIXTURE / "node_modules" / "tsx").is_dir():
        return "run `npm ci` in tests/typescript/fixture first (.ci/run does)"
    return None


def render_project(root: Path, **options: Any) -> Path:
    """A git repo at ``root`` with the fixture's package.json and everything init writes."""
    sys.path.insert(0, str(HERE.parents[1] / "src"))
    from aiinfra_cli.scaffold import apply_plan, plan_init

    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for name in FIXTURE_FILES:
        shutil.copy(FIXTURE / name, root / name)
    link = root / "node_modules"
    if not link.exists():
        link.symlink_to(FIXTURE / "node_modules", target_is_directory=True)
    plan, _ = plan_init(root, lang="typescript", **options)
    apply_plan(plan)
    return root


class Driver:
    """One node process running the rendered runtime: a JSON command in, a JSON answer out."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            ["node", "--import", "tsx", str(DRIVER), str(root / "src" / "ai")],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )

    def ask(self, **command: Any) -> dict[str, Any]:
        """Send one command; its answer (a crash in the driver fails loudly)."""
        stdin: IO[str] | None = self.process.stdin
        stdout: IO[str] | None = self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(json.dumps(command) + "\n")
        stdin.flush()
        line = stdout.readline()
        assert line, f"the node driver exited ({self.process.poll()})"
        answer: dict[str, Any] = json.loads(line)
        assert "crash" not in answer, answer["crash"]
        return answer

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":
    render_project(Path(sys.argv[1]))
