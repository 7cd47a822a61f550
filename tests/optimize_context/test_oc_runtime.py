"""The generated runtime as the scanner sees it: every documented way of wiring its cost tracker
around a direct SDK call counts as instrumented (AIC012 stays quiet)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from _support import EXAMPLE_CONFIG, REPO

if TYPE_CHECKING:
    from conftest import Project  # the fixture's type (tests/optimize_context/conftest.py)

WIRINGS = """\
from openai import OpenAI

import ai
from ai import CostTracker, get_orchestrator, load_settings
from ai.cost_tracker import CostTracker as Tracker

client = OpenAI(timeout=10)
tracker = CostTracker.from_settings(load_settings())


def module_tracker(msgs: list) -> None:
    with tracker.observe("openai", "gpt-4o-mini", feature="x") as call:
        call.set_response(client.chat.completions.create(model="gpt-4o-mini", messages=msgs))


def local_tracker(msgs: list) -> None:
    local = Tracker.from_settings(load_settings())
    with local.observe("openai", "gpt-4o-mini") as call:
        call.set_response(client.chat.completions.create(model="gpt-4o-mini", messages=msgs))


def orchestrator_tracker(msgs: list) -> None:
    with get_orchestrator().tracker.observe("openai", "gpt-4o-mini") as call:
        call.set_response(client.chat.completions.create(model="gpt-4o-mini", messages=msgs))


def package_attribute(msgs: list) -> None:
    with ai.get_orchestrator().tracker.observe("openai", "gpt-4o-mini") as call:
        call.set_response(client.chat.completions.create(model="gpt-4o-mini", messages=msgs))


def own_orchestrator(msgs: list) -> None:
    orchestrator = ai.Orchestrator.from_config()
    with orchestrator.tracker.observe("openai", "gpt-4o-mini") as call:
        call.set_response(client.chat.completions.create(model="gpt-4o-mini", messages=msgs))


def parameter(msgs: list, costs: CostTracker) -> None:
    with costs.observe("openai", "gpt-4o-mini") as call:
        call.set_response(client.chat.completions.create(model="gpt-4o-mini", messages=msgs))


class Service:
    def __init__(self, tracker: CostTracker) -> None:
        self.tracker = tracker

    def run(self, msgs: list) -> None:
        with self.tracker.observe("openai", "gpt-4o-mini", streaming=True) as call:
            stream = client.chat.completions.create(
                model="gpt-4o-mini",
                messages=msgs,
                stream=True,
                stream_options={"include_usage": True},
            )
            for chunk in stream:
                call.set_response(chunk)


class Unrelated:
    def observe(self, name: str) -> object: ...


def not_tracked(msgs: list) -> None:
    with Unrelated().observe("x"):
        client.chat.completions.create(model="gpt-4o-mini", messages=msgs)
    client.chat.completions.create(model="gpt-4o-mini", messages=msgs)
"""


def _lines(text: str, needle: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if needle in line]


def test_every_documented_tracker_wiring_is_instrumented(project: Project) -> None:
    project.write({"app/wired.py": WIRINGS})
    report = project.scan(select=("AIC012",))
    flagged = [f.line for f in report.findings]
    lines = _lines(WIRINGS, "client.chat.completions.create(")
    assert len(report.calls) == len(lines) == 9
    assert flagged == lines[-2:]  # only the two calls outside any tracker


def test_same_wirings_in_a_subpackage_runtime(project: Project) -> None:
    project.write(
        {
            "config/ai-models.yaml": EXAMPLE_CONFIG
            + "instrumentation: {tracker_module: myapp.ai.cost_tracker}\n",
            "src/myapp/service.py": WIRINGS.replace("import ai", "import myapp.ai as ai").replace(
                "from ai", "from myapp.ai"
            ),
        }
    )
    report = project.scan(select=("AIC012",))
    assert len(report.findings) == 2


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.DOTALL)


def test_aic012_page_examples_are_what_the_scanner_does(project: Project) -> None:
    """Every Python example on the rule's page: lines marked ``# AIC012`` are flagged, lines
    marked ``# tracked`` are not."""
    blocks = _python_blocks(REPO / "docs" / "rules" / "AIC012.md")
    assert blocks
    for number, block in enumerate(blocks):
        rel = f"app/example_{number}.py"
        project.write({rel: block})
        found = {f.line for f in project.scan(select=("AIC012",)).findings if f.file == rel}
        assert found == set(_lines(block, "# AIC012")), block
        assert not found & set(_lines(block, "# tracked")), block
