"""The generated runtime as the scanner sees it: every documented way of wiring its cost tracker
around a direct SDK call counts as instrumented (AIC012 stays quiet)."""

from __future__ import annotations

import json
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


ROUTES = EXAMPLE_CONFIG.replace(
    "summarize: {chain: [smart, fast, llama], timeout_s: 30, max_retries: 3}",
    "summarize: {chain: [smart, fast, llama], timeout_s: 30, max_retries: 3}\n"
    "  support: {chain: [smart], prompt_cache: true}\n"
    "  default: {chain: [fast]}",
)
SYSTEM = "You answer questions about the product manual. " * 300

RUNTIME_CALLS = f'''\
import json
from pathlib import Path

from ai import Orchestrator, acomplete, complete, get_orchestrator

PROMPT = "{SYSTEM}"


def chat_loop() -> None:
    messages = []
    while True:
        messages.append({{"role": "user", "content": input("> ")}})
        answer = complete("summarize", messages, system=PROMPT)
        messages.append({{"role": "assistant", "content": answer.text}})


def cached(question: str) -> str:
    return complete("support", [{{"role": "user", "content": question}}], system=PROMPT).text


def whole_file() -> None:
    for part in get_orchestrator().stream(
        "summarize", [{{"role": "user", "content": Path("manual.txt").read_text()}}]
    ):
        print(part)


async def defaulted(question: str) -> str:
    reply = await acomplete(messages=[{{"role": "user", "content": question}}], max_tokens=10000)
    return reply.text


def own(question: str) -> None:
    orchestrator = Orchestrator.from_config()
    orchestrator.complete("summarize", [{{"role": "user", "content": json.dumps(question)}}])
'''


def test_runtime_calls_are_call_sites_priced_by_their_route(project: Project) -> None:
    project.write({"config/ai-models.yaml": ROUTES, "app/chat.py": RUNTIME_CALLS})
    report = project.scan()
    sites = {c.line: c for c in report.calls}
    assert [(c.api, c.route, c.model, c.streaming, c.max_tokens) for c in report.calls] == [
        ("aiinfra.complete", "summarize", "claude-sonnet-4-5", False, 1024),
        ("aiinfra.complete", "support", "claude-sonnet-4-5", False, 1024),
        ("aiinfra.Orchestrator.stream", "summarize", "claude-sonnet-4-5", True, 1024),
        ("aiinfra.acomplete", "default", "gpt-4o-mini", False, 10000),
        ("aiinfra.Orchestrator.complete", "summarize", "claude-sonnet-4-5", False, 1024),
    ]
    assert all(c.instrumented and c.has_timeout and c.has_max_tokens for c in report.calls)
    assert all(c.sdk == "aiinfra" for c in report.calls)
    found = [(f.line, f.code) for f in report.findings]
    loop, support, stream, default, _own = sorted(sites)
    assert found == [
        (loop, "AIC005"),  # route summarize has no prompt_cache
        (loop, "AIC007"),  # messages grows in the loop
        (stream + 1, "AIC008"),  # the whole file in the message list
        (default, "AIC009"),  # 10,000 output tokens without streaming
    ]
    uncached = report.findings[0]
    assert "route 'summarize' has no prompt_cache" in uncached.message
    assert uncached.estimate is not None and uncached.estimate.model == "claude-sonnet-4-5"
    assert "priced as the first model of route 'summarize'" in uncached.estimate.basis
    assert uncached.estimate.usd_per_call is not None
    assert support not in {line for line, _ in found}


def test_dynamic_before_static_in_a_route_call(project: Project) -> None:
    source = f"""\
from ai import complete


def ask(user: str) -> str:
    prompt = f"Hello {{user}}. {SYSTEM}"
    return complete("support", [{{"role": "user", "content": prompt}}]).text
"""
    project.write({"config/ai-models.yaml": ROUTES, "app/ask.py": source})
    assert [f.code for f in project.scan().findings] == ["AIC006"]


def test_usage_logs_join_route_calls_by_the_callers_line(project: Project) -> None:
    project.write({"config/ai-models.yaml": ROUTES, "app/chat.py": RUNTIME_CALLS})
    line = _lines(RUNTIME_CALLS, 'complete("support"')[0]
    event = {
        "schema_version": 1,
        "timestamp": "2026-11-02T09:15:00Z",
        "provider": "anthropic",
        "status": "ok",
        "request_model": "claude-sonnet-4-5",
        "model_id": "smart",
        "route": "support",
        "input_tokens": 3000,
        "output_tokens": 200,
        "call_site": f"app/chat.py:{line}",
    }
    log = project.root / "logs" / "ai-usage.jsonl"
    log.parent.mkdir()
    log.write_text(json.dumps(event) + "\n" + json.dumps(event) + "\n", encoding="utf-8")
    report = project.scan(usage_logs=[log])
    assert report.usage is not None and report.usage["matched_call_sites"] == 1
    site = next(c for c in report.calls if c.line == line)
    assert site.traffic is not None and site.traffic["calls"] == 2


def test_runtime_package_itself_is_not_a_call_site(project: Project) -> None:
    project.write(
        {
            "src/ai/__init__.py": "from .model_orchestrator import Orchestrator\n\n"
            "def complete(route=None, messages=None, **options):\n"
            "    return get_orchestrator().complete(route, messages, **options)\n",
            "app/use.py": "from ai import complete\n\ncomplete('x', [])\n",
        }
    )
    assert [(c.file, c.api) for c in project.scan().calls] == [("app/use.py", "aiinfra.complete")]
