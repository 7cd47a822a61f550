"""``test``: offline estimates, --max-cost, --live against the loopback fake provider, compare,
baseline; Rich output rendered into a StringIO console and compared exactly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO

import pytest
from fakeprovider import FakeProvider, Fault, first
from fakeprovider.fixtures import TEST_KEY
from rich.console import Console

from aiinfra_cli import output
from aiinfra_cli.commands import prompt_library as command
from aiinfra_cli.errors import UsageError
from aiinfra_cli.prompts import load_environment, load_library, plan, results

ANSWER = "Revenue grew 12% this quarter, driven by exports."
VERDICT = '{"pass": true, "reason": "It mentions the growth figure."}'


def console() -> Console:
    return Console(file=StringIO(), width=100, color_system=None, legacy_windows=False)


def text_of(target: Console) -> str:
    assert isinstance(target.file, StringIO)
    return target.file.getvalue()


@pytest.fixture
def consoles() -> Iterator[tuple[Console, Console]]:
    out, err = console(), console()
    output.use_consoles(out=out, err=err)
    yield out, err
    output._consoles.clear()


def test_offline_run_renders_estimates_and_fits(library, consoles) -> None:  # type: ignore[no-untyped-def]
    out, _ = consoles
    text = library.read("prompts/user/summarize.prompty").replace(
        "tests:\n", "sample:\n  article: Profits rose.\ntests:\n"
    )
    library.write("prompts/user/summarize.prompty", text)
    library.write(
        "prompts/user/summarize.tests.yaml",
        "- name: missing\n  vars: {audience: kids}\n",
    )
    code = command.test([], root=library.root)
    assert code == 1
    assert text_of(out) == (
        "prompt / case               status   input   window     est. cost\n"
        "─────────────────────────────────────────────────────────────────\n"
        "summarize@1.0.0 / short     pass        26     0.3%    $0.0001839\n"
        "summarize@1.0.0 / missing   ERROR        -        -             -\n"
        "summarize@1.0.0 / sample    pass        25     0.3%   $0.00018375\n"
        "  summarize@1.0.0 / missing: prompts/user/summarize.prompty:37: prompt 'summarize@1.0.0':"
        " variable 'article' is required but was not supplied (pass --var article=VALUE or --vars"
        " FILE)\n"
        "3 cases: 2 passed, 0 failed, 1 error (pass rate 67%); est. cost at most $0.00036765\n"
    )


def test_a_case_that_does_not_fit_the_window_fails(library, consoles) -> None:  # type: ignore[no-untyped-def]
    out, _ = consoles
    text = library.read("prompts/user/summarize.prompty").replace(
        "    name: fast\n", "    name: tiny\n"
    )
    library.write("prompts/user/summarize.prompty", text)
    assert command.test(["summarize"], root=library.root) == 1
    # 26 input + 300 reserved output tokens at gpt-4o-mini's $0.15 / $0.60 per million.
    assert text_of(out) == (
        "prompt / case             status   input   window    est. cost\n"
        "──────────────────────────────────────────────────────────────\n"
        "summarize@1.0.0 / short   FAIL        26   543.3%   $0.0001839\n"
        "  summarize@1.0.0 / short: does not fit: 26 input + 300 output tokens > context window 60\n"
        "1 case: 0 passed, 1 failed, 0 errors (pass rate 0%); est. cost at most $0.0001839\n"
    )


def test_max_cost_refuses_to_start_a_live_run(library) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError) as caught:
        command.test([], live=True, max_cost="0.0001", root=library.root)
    assert str(caught.value) == (
        "refusing to start: this run could cost up to $0.0001839, more than --max-cost $0.0001"
        " (test fewer prompts, lower max_tokens, or raise --max-cost)"
    )
    result = library.run("test", "--live", "--max-cost", "0.0001")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"aiinfra: error: {caught.value}\n"


def _live_config(answer: FakeProvider, judge: FakeProvider) -> str:
    return (
        "version: 1\nproviders:\n"
        f'  main: {{kind: openai, base_url: "{answer.openai_base_url}", api_key_env: FAKE_KEY}}\n'
        f'  backup: {{kind: anthropic, base_url: "{answer.anthropic_base_url}", api_key_env: FAKE_KEY}}\n'
        f'  judge: {{kind: anthropic, base_url: "{judge.anthropic_base_url}", api_key_env: FAKE_KEY}}\n'
        "models:\n"
        "  - {id: fast, provider: main, model: gpt-4o-mini, context_window: 128000}\n"
        "  - {id: steady, provider: backup, model: claude-haiku-4-5, context_window: 200000}\n"
        "  - {id: grader, provider: judge, model: claude-haiku-4-5, context_window: 200000}\n"
        "routes:\n  summarize: {chain: [fast, steady]}\n"
    )


LIVE_TESTS = """\
tests:
  - name: good
    vars: {article: "Revenue grew 12%."}
    assert:
      - {type: contains, value: "12%"}
      - {type: not-icontains, value: "as an ai"}
      - {type: regex, value: "^Revenue"}
      - {type: max-tokens, value: 50}
      - {type: latency, value: 30000}
      - {type: cost, value: 0.01}
      - {type: llm-rubric, value: "States the growth figure"}
  - name: strict
    vars: {article: "Costs fell."}
    assert:
      - {type: equals, value: "Costs fell."}
      - {type: json-schema, value: {type: object, required: [summary]}}
"""


@pytest.fixture
def servers() -> Iterator[tuple[FakeProvider, FakeProvider]]:
    with (
        FakeProvider(api_key=TEST_KEY, reply=ANSWER) as answer,
        FakeProvider(api_key=TEST_KEY, reply=VERDICT) as judge,
    ):
        yield answer, judge


@pytest.fixture
def live_library(library, servers, monkeypatch):  # type: ignore[no-untyped-def]
    answer, judge = servers
    monkeypatch.setenv("FAKE_KEY", TEST_KEY)
    library.write("config/ai-models.yaml", _live_config(answer, judge))
    text = library.read("prompts/user/summarize.prompty")
    head, _, rest = text.partition("tests:\n")
    body = rest[rest.index("---\n") :]
    text = head.replace("    name: fast\n", "    route: summarize\n") + LIVE_TESTS + body
    library.write("prompts/user/summarize.prompty", text)
    library.write(
        "config/prompt-library.yaml",
        library.read("config/prompt-library.yaml") + "grader: grader\n",
    )
    return library


def test_live_run_calls_the_model_and_checks_every_assertion(
    live_library, servers, consoles
) -> None:  # type: ignore[no-untyped-def]
    answer, judge = servers
    answer.inject(Fault.server_error(), route="openai.chat", calls=first(1))
    out, _ = consoles
    code = command.test([], live=True, as_json=False, root=live_library.root)
    assert code == 1
    rows = results(
        plan(
            [load_library(live_library.root).resolve("summarize")],
            load_environment(live_library.root),
        )
    )
    assert [r.case for r in rows] == ["good", "strict"]
    printed = text_of(out)
    assert "summarize@1.0.0 / good     pass" in printed
    assert "summarize@1.0.0 / strict   FAIL" in printed
    assert "7/7" in printed and "0/2" in printed
    assert (
        "summarize@1.0.0 / good: fast failed (server_error): HTTP 500 server_error: The server had"
        in printed
    )
    assert f"summarize@1.0.0 / strict: equals 'Costs fell.': got '{ANSWER}'" in printed
    assert (
        "summarize@1.0.0 / strict: json-schema" in printed
        and "not JSON: Expecting value" in printed
    )
    assert "2 cases: 1 passed, 1 failed, 0 errors (pass rate 50%); cost $" in printed
    # The first call failed over to the second model of the route; the grader was called once.
    assert len(answer.requests_for("openai.chat")) == 2
    assert len(answer.requests_for("anthropic.messages")) == 1
    assert len(judge.requests_for("anthropic.messages")) == 1
    grading = judge.requests_for("anthropic.messages")[0]
    assert "States the growth figure" in json.dumps(grading.body)
    assert TEST_KEY not in printed


def test_live_json_reports_per_case_tokens_cost_latency(live_library, servers) -> None:  # type: ignore[no-untyped-def]
    result = live_library.run("test", "--live", "--json", env={"FAKE_KEY": TEST_KEY})
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["mode"] == "live"
    good, strict = document["cases"]
    assert (good["status"], good["model"], good["output"]) == ("pass", "fast", ANSWER)
    assert good["output_tokens"] == len(ANSWER.split(" "))
    assert good["latency_ms"] > 0 and Decimal(good["cost_usd"]) > 0
    assert Decimal(good["grader_cost_usd"]) > 0
    assert [a["passed"] for a in good["assertions"]] == [True] * 7
    assert good["assertions"][-1] == {
        "type": "llm-rubric",
        "label": "llm-rubric 'States the growth figure'",
        "passed": True,
        "detail": "It mentions the growth figure.",
    }
    assert strict["status"] == "fail"
    assert document["summary"]["pass_rate"] == 0.5
    assert TEST_KEY not in result.stdout + result.stderr


def test_live_auth_failure_stops_the_chain(live_library, servers, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    answer, _ = servers
    monkeypatch.setenv("FAKE_KEY", "wrong-key")
    code = command.test([], live=True, as_json=True, root=live_library.root)
    result = capsys.readouterr()
    document = json.loads(result.out)
    assert code == 1
    good = document["cases"][0]
    assert good["status"] == "error"
    assert good["attempts"][0]["model"] == "fast" and good["attempts"][0]["error"] == "auth"
    assert len(good["attempts"]) == 1  # auth is not in fallback_on: no second model tried
    assert "wrong-key" not in result.out + result.err
    assert len(answer.requests_for("anthropic.messages")) == 0


def test_compare_two_versions_side_by_side(library, consoles) -> None:  # type: ignore[no-untyped-def]
    out, _ = consoles
    library.write(
        "prompts/user/summarize.prompty",
        library.read("prompts/user/summarize.prompty").replace(
            "You write", "You are a careful editor. You write"
        ),
    )
    assert library.run("bump", "summarize").returncode == 0
    assert command.test([], compare=("summarize@1.0.0", "summarize@1.0.1"), root=library.root) == 0
    assert text_of(out) == (
        "                         summarize@1.0.0 vs summarize@1.0.1                          \n"
        "case    summarize@1.0.0   tokens    est. cost   summarize@1.0.1   tokens    est. cost\n"
        "─────────────────────────────────────────────────────────────────────────────────────\n"
        "short   pass                  26   $0.0001839   pass                  32   $0.0001848\n"
        "summarize@1.0.0: 1 case: 1 passed, 0 failed, 0 errors (pass rate 100%); est. cost at most"
        " $0.0001839\n"
        "summarize@1.0.1: 1 case: 1 passed, 0 failed, 0 errors (pass rate 100%); est. cost at most"
        " $0.0001848\n"
    )


def test_baseline_is_saved_and_the_next_run_compares(library, consoles) -> None:  # type: ignore[no-untyped-def]
    out, err = consoles
    assert command.test([], save_baseline=True, root=library.root) == 0
    assert (
        text_of(err)
        == "baseline saved: .multiagent/ai-infrastructure/memory/prompt-test-baseline.json\n"
    )
    saved = json.loads(
        library.read(".multiagent/ai-infrastructure/memory/prompt-test-baseline.json")
    )
    assert saved["offline"]["summarize/short"]["status"] == "pass"
    library.write(
        "prompts/user/summarize.prompty",
        library.read("prompts/user/summarize.prompty").replace(
            "{{ article }}", "Article:\n{{ article }}"
        ),
    )
    out.file = StringIO()
    command.test([], root=library.root)
    assert text_of(out).splitlines()[-2:] == [
        "vs baseline: 0 regressions, 0 fixed, 0 new",
        "  summarize/short: input tokens +2",
    ]


def test_the_cost_bound_counts_grader_calls(live_library) -> None:  # type: ignore[no-untyped-def]
    loaded = load_library(live_library.root)
    env = load_environment(live_library.root)
    prompt = loaded.resolve("summarize")
    graded = plan([prompt], env, grader="grader")
    cases = sum((r.estimated_cost or Decimal(0)) for r in results(graded))
    assert graded.unpriced == []
    assert graded.bound > cases > 0
    ungraded = plan([prompt], env, grader=None)
    assert ungraded.unpriced == ["summarize@1.0.0/good (grader)"]
    live_library.write(
        "config/prompt-library.yaml",
        live_library.read("config/prompt-library.yaml").replace("grader: grader\n", ""),
    )
    with pytest.raises(UsageError) as caught:
        command.test([], live=True, max_cost="5", root=live_library.root)
    assert str(caught.value) == (
        "--max-cost 5: cannot bound the cost: summarize@1.0.0/good (grader) has no price"
        " (give that model, or the grader, a price in config/ai-models.yaml)"
    )


def test_live_calls_are_recorded_in_the_usage_log(live_library, servers, consoles) -> None:  # type: ignore[no-untyped-def]
    from aiinfra_cli.config import load_config
    from aiinfra_cli.usage import parse_event

    answer, judge = servers
    command.test([], live=True, as_json=True, root=live_library.root)
    config = load_config(live_library.root / "config" / "ai-models.yaml")
    assert config is not None
    files = sorted(config.usage_log.path.glob("usage-*.jsonl"))
    events = [
        parse_event(json.loads(line))
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    answered = (
        len(answer.requests_for("openai.chat"))
        + len(answer.requests_for("anthropic.messages"))
        + len(judge.requests_for("anthropic.messages"))
    )
    assert answered >= 3  # two cases and one graded assertion
    assert len(events) == answered
    assert {(e.feature, e.service, e.status) for e in events} == {
        ("aiinfra-prompt-tests", "aiinfra", "ok")
    }
    assert all(e.input_tokens > 0 and e.cost_usd is not None for e in events)
