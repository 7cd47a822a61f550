"""Each rule on small real files: when it fires, when it must not, and what it estimates."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _support import EXAMPLE_CONFIG

from aiinfra_cli.errors import ConfigError, UsageError
from aiinfra_cli.pricing import TokenUsage, cost, load_price_table
from aiinfra_cli.scan import Finding, Report
from aiinfra_cli.tokens import count_text

if TYPE_CHECKING:
    from conftest import Project  # the fixture's type (tests/optimize_context/conftest.py)

POLICY = "\n".join(
    f"Rule {i}: when a customer asks about topic {i}, answer with the policy for topic {i},"
    " cite the order number, and offer the next step in one sentence."
    for i in range(120)
)


def only(report: Report, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


# -- AIC001 missing output cap ---------------------------------------------------------------


def test_missing_cap_is_priced_at_the_models_maximum_output(project: Project) -> None:
    project.write(
        {
            "app.py": """
            from openai import OpenAI
            client = OpenAI(timeout=5)
            client.chat.completions.create(model="gpt-4o", messages=[])
            client.chat.completions.create(model="gpt-4o", messages=[], max_completion_tokens=50)
            client.responses.create(model="gpt-4o", input="hi", max_output_tokens=50)
            client.chat.completions.create(model="gpt-4o", messages=[], **options)
            """
        }
    )
    found = only(project.scan(), "AIC001")
    assert [f.line for f in found] == [4]
    price = load_price_table().lookup("gpt-4o")
    assert price is not None and price.max_output_tokens is not None
    estimate = found[0].estimate
    assert estimate is not None
    assert estimate.tokens == price.max_output_tokens
    assert (
        estimate.usd_per_call
        == cost(price, TokenUsage(output_tokens=price.max_output_tokens)).total
    )


# -- AIC002 no timeout -----------------------------------------------------------------------


def test_timeout_on_call_client_or_with_options_counts(project: Project) -> None:
    project.write(
        {
            "app.py": """
            from anthropic import Anthropic
            bare = Anthropic()
            timed = Anthropic(timeout=20)

            def f(passed: Anthropic) -> None:
                bare.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[])
                bare.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[], timeout=3)
                bare.with_options(timeout=4).messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[])
                timed.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[])
                passed.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[])
            """
        }
    )
    report = project.scan()
    assert [f.line for f in only(report, "AIC002")] == [7]
    assert [c.has_timeout for c in report.calls] == [False, True, True, True, None]


def test_module_level_timeouts_count(project: Project) -> None:
    project.write(
        {
            "app.py": """
            import litellm
            import openai
            litellm.request_timeout = 30
            openai.timeout = 20
            litellm.completion(model="gpt-4o", messages=[], max_tokens=5)
            openai.chat.completions.create(model="gpt-4o", messages=[], max_tokens=5)
            """
        }
    )
    report = project.scan()
    assert [c.has_timeout for c in report.calls] == [True, True]
    assert only(report, "AIC002") == []


# -- AIC003 / AIC004 models ------------------------------------------------------------------


def test_hardcoded_retired_and_unknown_models(project: Project) -> None:
    project.write(
        {
            "app.py": """
            from openai import AzureOpenAI, OpenAI
            MODEL = "gpt-4o-mini"
            client = OpenAI(timeout=5)
            azure = AzureOpenAI(timeout=5)
            client.chat.completions.create(model=MODEL, messages=[], max_tokens=5)
            client.chat.completions.create(model="gpt-3.5-turbo-0301", messages=[], max_tokens=5)
            client.chat.completions.create(model="gpt-99-turbo", messages=[], max_tokens=5)
            azure.chat.completions.create(model="my-deployment", messages=[], max_tokens=5)
            client.chat.completions.create(model=settings.model, messages=[], max_tokens=5)
            """
        }
    )
    report = project.scan()
    assert [f.line for f in only(report, "AIC003")] == [6, 7, 8, 9]
    retired, unknown = only(report, "AIC004")
    assert (retired.line, unknown.line) == (7, 8)
    assert "retired" in retired.message and retired.estimate is not None
    assert retired.estimate.usd_per_call is not None
    assert "'gpt-99-turbo' is not in the price table" in unknown.message
    assert unknown.estimate is not None and unknown.estimate.usd_per_call is None
    assert unknown.estimate.unpriced_reason == "'gpt-99-turbo' is not in the price table"


# -- AIC005 / AIC006 caching -----------------------------------------------------------------


def _line(project: Project, file: str, needle: str) -> int:
    lines = (project.root / file).read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, start=1) if needle in text)


def test_large_static_system_prompt_without_cache_control(project: Project) -> None:
    project.write(
        {
            "prompts.py": f'POLICY = """{POLICY}"""\n',
            "bot.py": """
            from anthropic import Anthropic
            from openai import OpenAI
            from prompts import POLICY
            claude = Anthropic(timeout=5)
            gpt = OpenAI(timeout=5)
            claude.messages.create(model="claude-sonnet-4-5", max_tokens=5, system=POLICY, messages=[])
            claude.messages.create(
                model="claude-sonnet-4-5",
                max_tokens=5,
                system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],
                messages=[],
            )
            gpt.chat.completions.create(model="gpt-4o", max_tokens=5, messages=[{"role": "system", "content": POLICY}])
            claude.messages.create(model="claude-sonnet-4-5", max_tokens=5, system="short", messages=[])
            claude.messages.create(model="claude-sonnet-4-5", max_tokens=5, system=load_prompt(), messages=[])
            """,
        }
    )
    found = only(project.scan(), "AIC005")
    assert [(f.file, f.line, f.fixable) for f in found] == [("bot.py", 7, True)]
    tokens = count_text(POLICY, "claude-sonnet-4-5").tokens
    estimate = found[0].estimate
    assert estimate is not None and estimate.tokens == tokens
    price = load_price_table().lookup("claude-sonnet-4-5")
    assert price is not None
    saving = (
        cost(price, TokenUsage(input_tokens=tokens)).total
        - cost(price, TokenUsage(input_tokens=tokens, cache_read_tokens=tokens)).total
    )
    assert estimate.usd_per_call == saving and saving > 0


def test_dynamic_content_before_static(project: Project) -> None:
    project.write(
        {
            "prompts.py": f'POLICY = """{POLICY}"""\n',
            "bot.py": """
            from datetime import date
            from openai import OpenAI
            from prompts import POLICY
            client = OpenAI(timeout=5)

            def answer(question: str, user: str) -> None:
                client.chat.completions.create(model="gpt-4o", max_tokens=5, messages=[
                    {"role": "system", "content": f"Today is {date.today()} for {user}.\\n{POLICY}"},
                    {"role": "user", "content": question},
                ])
                client.chat.completions.create(model="gpt-4o", max_tokens=5, messages=[
                    {"role": "system", "content": f"{POLICY}\\nToday is {date.today()}."},
                    {"role": "user", "content": question},
                ])
            """,
        }
    )
    found = only(project.scan(), "AIC006")
    assert [f.line for f in found] == [_line(project, "bot.py", "Today is {date.today()} for")]
    estimate = found[0].estimate
    assert estimate is not None and estimate.tokens is not None and estimate.tokens >= 1024
    assert estimate.usd_per_call is not None and estimate.usd_per_call > 0


# -- AIC007 / AIC008 context growth -------------------------------------------------------------


def test_unbounded_history(project: Project) -> None:
    project.write(
        {
            "chat.py": """
            from openai import OpenAI
            client = OpenAI(timeout=5)

            class Grows:
                def __init__(self) -> None:
                    self.history = []

                def send(self, text: str) -> None:
                    self.history.append({"role": "user", "content": text})
                    client.chat.completions.create(model="gpt-4o", max_tokens=5, messages=self.history)

            class Trimmed:
                def __init__(self) -> None:
                    self.history = []

                def send(self, text: str) -> None:
                    self.history.append({"role": "user", "content": text})
                    self.history = self.history[-10:]
                    client.chat.completions.create(model="gpt-4o", max_tokens=5, messages=self.history)

            def loop(lines: list[str]) -> None:
                messages = []
                for line in lines:
                    messages.append({"role": "user", "content": line})
                    client.chat.completions.create(model="gpt-4o", max_tokens=5, messages=messages)

            def once(line: str) -> None:
                messages = []
                messages.append({"role": "user", "content": line})
                client.chat.completions.create(model="gpt-4o", max_tokens=5, messages=messages)
            """
        }
    )
    found = only(project.scan(), "AIC007")
    assert [f.line for f in found] == [11, 26]
    estimate = found[0].estimate
    assert estimate is not None and estimate.tokens == 128000  # gpt-4o's context window
    assert estimate.usd_per_call is not None


def test_whole_file_in_prompt_counts_the_file(project: Project) -> None:
    (project.root / "docs").mkdir()
    (project.root / "docs" / "manual.md").write_text("Install it. Run it. " * 200, encoding="utf-8")
    project.write(
        {
            "rag.py": """
            from pathlib import Path
            from openai import OpenAI
            client = OpenAI(timeout=5)
            manual = Path("docs/manual.md").read_text()
            client.chat.completions.create(model="gpt-4o", max_tokens=5, messages=[{"role": "user", "content": manual}])
            with open("notes.txt") as fh:
                client.chat.completions.create(model="gpt-4o", max_tokens=5, messages=[{"role": "user", "content": fh.read()}])
            with open("notes.txt") as fh:
                client.chat.completions.create(model="gpt-4o", max_tokens=5, messages=[{"role": "user", "content": fh.read(2000)}])
            """
        }
    )
    found = only(project.scan(), "AIC008")
    assert [f.line for f in found] == [5, 8]
    first, second = found
    assert first.estimate is not None
    assert first.estimate.tokens == count_text("Install it. Run it. " * 200, "gpt-4o").tokens
    assert second.estimate is not None and second.estimate.tokens == 128000


# -- AIC009 / AIC010 output --------------------------------------------------------------------


def test_large_output_without_streaming_and_streams_without_usage(project: Project) -> None:
    project.write(
        {
            "gen.py": """
            import litellm
            from anthropic import Anthropic
            from openai import OpenAI
            client = OpenAI(timeout=5)
            claude = Anthropic(timeout=5)
            client.chat.completions.create(model="gpt-4o", messages=[], max_tokens=16000)
            client.chat.completions.create(model="gpt-4o", messages=[], max_tokens=16000, stream=True)
            client.chat.completions.create(model="gpt-4o", messages=[], max_tokens=4096)
            client.chat.completions.create(model="gpt-4o", messages=[], max_tokens=5, stream=True, stream_options={"include_usage": True})
            claude.messages.create(model="claude-sonnet-4-5", messages=[], max_tokens=5, stream=True)
            litellm.completion(model="gpt-4o", messages=[], max_tokens=5, stream=True, timeout=5)
            """
        }
    )
    report = project.scan()
    assert [f.line for f in only(report, "AIC009")] == [7]
    assert [f.line for f in only(report, "AIC010")] == [8, 12]
    large = only(report, "AIC009")[0].estimate
    assert large is not None and large.tokens == 16000
    assert large.usd_per_call == Decimal("0.16")  # 16,000 output tokens at $10 / M


# -- AIC011 keys ---------------------------------------------------------------------------------


KEY = "sk-ant-api03-" + "Q" * 40


def test_hardcoded_key_is_found_and_never_printed(project: Project) -> None:
    project.write(
        {
            "keys.py": f"""
            import os
            from anthropic import Anthropic
            from openai import OpenAI
            client = Anthropic(api_key="{KEY}", timeout=5)
            local = OpenAI(base_url="http://127.0.0.1:11434/v1", api_key="ollama", timeout=5)
            os.environ["ANTHROPIC_API_KEY"] = "{KEY}"
            """
        }
    )
    report = project.scan()
    found = only(report, "AIC011")
    assert [f.line for f in found] == [5, 7]
    assert all(KEY not in f.message for f in found)
    assert "Anthropic API key" in found[0].message


# -- AIC012 instrumentation -------------------------------------------------------------------------


def test_uninstrumented_calls_default_and_configured(project: Project) -> None:
    project.write(
        {
            "src/ai/model_orchestrator.py": """
            from anthropic import Anthropic
            Anthropic(timeout=5).messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[])
            """,
            "app/jobs.py": """
            from anthropic import Anthropic
            from ai.cost_tracker import CostTracker
            from myapp.telemetry import traced
            client = Anthropic(timeout=5)
            tracker = CostTracker()

            def tracked() -> None:
                with tracker.track(feature="x"):
                    client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[])

            @traced("jobs")
            def decorated() -> None:
                client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[])

            def bare() -> None:
                client.messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[])
            """,
            "scripts/once.py": """
            from anthropic import Anthropic
            Anthropic(timeout=5).messages.create(model="claude-sonnet-4-5", max_tokens=5, messages=[])
            """,
        }
    )
    default = sorted((f.file, f.line) for f in only(project.scan(), "AIC012"))
    assert default == [("app/jobs.py", 14), ("app/jobs.py", 17), ("scripts/once.py", 3)]
    config = EXAMPLE_CONFIG + (
        "instrumentation:\n"
        "  tracked_wrappers: [myapp.telemetry.traced]\n"
        "  ignore_paths: ['scripts/**']\n"
    )
    project.write({"config/ai-models.yaml": config})
    configured = sorted((f.file, f.line) for f in only(project.scan(), "AIC012"))
    assert configured == [("app/jobs.py", 17)]


# -- suppression and selection ------------------------------------------------------------------------


def test_inline_suppression(project: Project) -> None:
    project.write(
        {
            "app.py": """
            from openai import OpenAI
            client = OpenAI()
            client.chat.completions.create(model="gpt-4o", messages=[])  # aiinfra: ignore[AIC001,AIC003]
            client.chat.completions.create(  # aiinfra: ignore
                model="gpt-4o",
                messages=[],
            )
            client.chat.completions.create(
                model="gpt-4o",
                messages=[],
            )  # aiinfra: ignore[AIC002]
            """
        }
    )
    report = project.scan()
    assert sorted((f.line, f.code) for f in report.findings) == [
        (4, "AIC002"),
        (4, "AIC012"),
        (9, "AIC001"),
        (9, "AIC012"),
        (10, "AIC003"),
    ]
    assert report.suppressed == 2 + 4 + 1


def test_select_ignore_and_pyproject(project: Project) -> None:
    project.write(
        {
            "app.py": """
            from openai import OpenAI
            OpenAI().chat.completions.create(model="gpt-4o", messages=[])
            """,
            "vendored/lib.py": """
            from openai import OpenAI
            OpenAI().chat.completions.create(model="gpt-4o", messages=[])
            """,
        }
    )
    everything = {f.code for f in project.scan().findings}
    assert everything == {"AIC001", "AIC002", "AIC003", "AIC012"}
    assert {f.code for f in project.scan(select=("AIC001",)).findings} == {"AIC001"}
    assert {f.code for f in project.scan(select=("AIC00",), ignore=("AIC002",)).findings} == {
        "AIC001",
        "AIC003",
    }
    project.write(
        {
            "pyproject.toml": """
            [project]
            name = "demo"

            [tool.aiinfra]
            ignore = ["AIC003"]
            exclude = ["vendored"]
            """
        }
    )
    report = project.scan()
    assert {f.code for f in report.findings} == {"AIC001", "AIC002", "AIC012"}
    assert {f.file for f in report.findings} == {"app.py"}
    assert {f.code for f in project.scan(select=("AIC003",)).findings} == set()


def test_bad_codes_and_bad_pyproject_are_one_line_errors(project: Project) -> None:
    from aiinfra_cli.scan import parse_codes

    with pytest.raises(UsageError) as raised:
        parse_codes(["AIC001,AIC0099"])
    assert str(raised.value) == "unknown rule code 'AIC0099' (did you mean AIC009?)"
    project.write({"pyproject.toml": '[tool.aiinfra]\nname = "x"\nselect = "AIC001"\n'})
    with pytest.raises(ConfigError) as bad:
        project.scan()
    assert str(bad.value) == (
        'pyproject.toml:3: [tool.aiinfra] select must be a list of strings (e.g. select = ["AIC001"])'
    )


def test_unknowable_is_not_missing(project: Project, tmp_path: Path) -> None:
    project.write(
        {
            "app.py": """
            from anthropic import Anthropic

            def call(client: Anthropic, **options: object) -> None:
                client.messages.create(model="claude-sonnet-4-5", messages=[], **options)
            """
        }
    )
    report = project.scan(select=("AIC001", "AIC002"))
    assert report.findings == []
    assert [(c.has_max_tokens, c.has_timeout) for c in report.calls] == [(None, None)]


def test_price_memo_round_trips_without_loading_the_table() -> None:
    from aiinfra_cli.scan._estimate import Pricer

    loaded = Pricer(None, {})
    models = [
        "claude-sonnet-4-5",
        "gpt-4o",
        "gemini-2.5-pro",
        "gpt-3.5-turbo-0301",
        "no-such-model",
    ]
    expected = [loaded.lookup(m, None) for m in models]
    assert loaded.memo_changed
    memo = json.loads(json.dumps(loaded.memo))
    cached = Pricer(None, memo)
    assert [cached.lookup(m, None) for m in models] == expected
    assert cached.memo_changed is False
    assert cached._table is None  # answered from the memo alone


def test_unanalysable_files_are_reported_not_fatal(project: Project) -> None:
    chain = " + ".join(['"a"'] * 2000)
    project.write(
        {
            "generated.py": f"import openai\nx = {chain}\n",
            "nul.py": "import openai\n",
            "ok.py": 'import openai\nopenai.chat.completions.create(model="gpt-4o", messages=[])\n',
        }
    )
    (project.root / "nul.py").write_bytes(b"import openai\n\x00\n")
    report = project.scan(select=("AIC001",))
    generated, nul = report.diagnostics
    assert (generated.file, generated.line) == ("generated.py", 1)
    assert generated.message == "nested too deeply to analyse (file not checked)"
    # The wording for NUL bytes differs between Python versions; the shape does not.
    assert nul.file == "nul.py" and "null bytes" in nul.message
    assert nul.message.endswith("(file not checked)")
    assert [(f.file, f.code) for f in report.findings] == [("ok.py", "AIC001")]


def test_retired_model_still_answering_in_the_log_is_worded_so(project: Project) -> None:
    """A model past its retirement date whose calls the usage log shows succeeding: AIC004 says
    it is still served for now, not that calls to it fail (the demo's case)."""
    project.write(
        {
            "app.py": """
            from openai import OpenAI
            client = OpenAI(timeout=5)
            client.chat.completions.create(model="o4-mini", messages=[], max_tokens=5)
            """
        }
    )
    price = load_price_table().lookup("o4-mini")
    assert price is not None and price.deprecation_date is not None
    (finding,) = only(project.scan(), "AIC004")
    assert "calls to it fail" in finding.message
    log = project.root / "usage.jsonl"
    event = {
        "schema_version": 1,
        "timestamp": f"{price.deprecation_date}T12:00:00Z",
        "provider": "openai",
        "status": "ok",
        "request_model": "o4-mini",
        "input_tokens": 100,
        "output_tokens": 5,
        "call_site": "app.py:4",
    }
    log.write_text(json.dumps(event) + "\n", encoding="utf-8")
    (served,) = only(project.scan(usage_logs=[log]), "AIC004")
    assert served.message == (
        f"model 'o4-mini' is past its retirement date ({price.deprecation_date}) in the price"
        f" table, yet the usage log has successful calls here as late as"
        f" {price.deprecation_date}: the provider still serves it for now and will stop without"
        " notice; move to a current model"
    )
    failed = {**event, "status": "error", "error_class": "not_found", "output_tokens": 0}
    log.write_text(json.dumps(failed) + "\n", encoding="utf-8")
    (gone,) = only(project.scan(usage_logs=[log]), "AIC004")
    assert "calls to it fail" in gone.message
