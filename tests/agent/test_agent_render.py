"""The "Recommendations" section in Markdown and on a terminal, rendered exactly."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

from rich.console import Console

from aiinfra_cli.agent import AgentResult, Recommendation, render_console, render_markdown

KEY = "sk-ant-" + "api03-" + "Rr12Ss34Tt56Uu78Vv90"
RESULT = AgentResult(
    kind="cost-report",
    status="ok",
    summary="gpt-4o is 65% of spend.",
    recommendations=(
        Recommendation(
            title="Route summarize to <mini>",
            rationale=f"gpt-4o cost $812.20 of $1240.50 (key {KEY}).",
            impact="saving",
            estimated_monthly_usd=Decimal("600"),
            action="Put mini first in routes.summarize.chain.",
            location="src/app/summary.py:88",
        ),
        Recommendation(
            title="Watch the daily budget",
            rationale="Forecast $1500 against a $1400 budget.",
            impact="risk",
            estimated_monthly_usd=Decimal("0"),
            action="Lower budgets.daily_usd alerts to 0.7.",
        ),
    ),
    model_id="smart",
    model="claude-haiku-4-5",
    cost=Decimal("0.001152"),
    input_tokens=740,
    output_tokens=62,
    calls=1,
)


def test_markdown_section() -> None:
    assert render_markdown(RESULT) == (
        "## Recommendations\n"
        "\n"
        "_Written by claude-haiku-4-5 (model id smart) from the redacted figures of this report:"
        " one request, 740 input and 62 output tokens, $0.001152. The figures are measured; the"
        " recommendations are an LLM's reading of them._\n"
        "\n"
        "gpt-4o is 65% of spend.\n"
        "\n"
        "### 1. Route summarize to &lt;mini&gt;\n"
        "\n"
        "**Saving: about $600.00 a month** · `src/app/summary.py:88`\n"
        "\n"
        "gpt-4o cost $812.20 of $1240.50 (key [REDACTED]).\n"
        "\n"
        "**Action:** Put mini first in routes.summarize.chain.\n"
        "\n"
        "### 2. Watch the daily budget\n"
        "\n"
        "**At risk: not estimated**\n"
        "\n"
        "Forecast $1500 against a $1400 budget.\n"
        "\n"
        "**Action:** Lower budgets.daily_usd alerts to 0.7.\n"
    )


def test_markdown_says_why_there_is_no_section() -> None:
    refused = AgentResult(kind="cost-report", status="refused", reason="it could cost up to $2")
    assert render_markdown(refused, level=3) == (
        "### Recommendations\n\n_Not written: it could cost up to $2._\n"
    )
    assert refused.notice() == "agent: not run: it could cost up to $2"
    assert RESULT.notice() is None


def test_terminal_view() -> None:
    buffer = StringIO()
    render_console(Console(file=buffer, width=100, color_system=None), RESULT)
    assert buffer.getvalue() == (
        "\n"
        "Recommendations (claude-haiku-4-5, $0.001152)\n"
        "gpt-4o is 65% of spend.\n"
        " 1. Route summarize to <mini> (Saving: about $600.00 a month)  src/app/summary.py:88\n"
        "    gpt-4o cost $812.20 of $1240.50 (key [REDACTED]).\n"
        "    → Put mini first in routes.summarize.chain.\n"
        " 2. Watch the daily budget (At risk: not estimated)\n"
        "    Forecast $1500 against a $1400 budget.\n"
        "    → Lower budgets.daily_usd alerts to 0.7.\n"
    )
    empty = StringIO()
    render_console(Console(file=empty), AgentResult(kind="init", status="failed", reason="x"))
    assert empty.getvalue() == ""
