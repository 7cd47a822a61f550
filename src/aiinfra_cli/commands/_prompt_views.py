"""Rich views of ``aiinfra prompt-library``: each function draws onto the console it is given, so
tests render into a ``StringIO`` and compare the text exactly."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aiinfra_cli.redact import redact

if TYPE_CHECKING:
    from rich.console import Console

    from aiinfra_cli.prompts import CaseResult, Change, Library, PromptFile


def usd(amount: Decimal | None) -> str:
    from aiinfra_cli.pricing import format_usd

    if amount is None:
        return "unpriced"
    return "$" + format_usd(amount)


def esc(text: str) -> str:
    from rich.markup import escape

    return escape(redact(text))


def print_line(console: Console, text: str) -> None:
    """One message line: escaped, redacted, never wrapped (so it stays greppable)."""
    console.print(esc(text), soft_wrap=True, highlight=False)


def render_list(console: Console, rows: Sequence[dict[str, Any]]) -> None:
    """The ``list`` table."""
    from rich import box
    from rich.table import Table

    if not rows:
        console.print("No prompts yet: add one with 'aiinfra prompt-library add NAME'.")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("prompt", no_wrap=True)
    table.add_column("version", no_wrap=True)
    table.add_column("labels")
    table.add_column("variables")
    table.add_column("tokens", justify="right", no_wrap=True)
    table.add_column("last change", no_wrap=True)
    for row in rows:
        labels = ", ".join(
            label if version == row["version"] else f"{label}@{version}"
            for label, version in row["labels"].items()
        )
        variables = ", ".join(
            v["name"]
            + ("" if v["required"] else "?")
            + (f":{v['type']}" if v["type"] != "string" else "")
            for v in row["inputs"]
        )
        table.add_row(
            esc(f"{row['category']}/{row['name']}"),
            row["version"],
            esc(labels) or "-",
            esc(variables) or "-",
            str(row["static_tokens"]),
            row["last_change"] or "-",
        )
    console.print(table)


def render_show(console: Console, library: Library, prompt: PromptFile) -> None:
    """``show``: the metadata, then the file as stored."""
    entry = library.index.entries.get(prompt.name)
    labels = [
        f"{label}={version}" for label, version in sorted((entry.labels if entry else {}).items())
    ]
    rows: list[tuple[str, str]] = [("prompt", prompt.ref), ("file", prompt.display)]
    if prompt.description:
        rows.append(("description", prompt.description))
    rows.append(("labels", ", ".join(labels) or "-"))
    rows.append(("versions", ", ".join(library.versions(prompt.name)) or "-"))
    if prompt.model is not None:
        params = ", ".join(f"{k}={v}" for k, v in prompt.model.parameters.items())
        rows.append(("model", prompt.model.target + (f" ({params})" if params else "")))
    for variable in prompt.inputs:
        flags = "required" if variable.required else f"default {variable.default!r}"
        text = f"{variable.type}, {flags}"
        if variable.description:
            text += f": {variable.description}"
        rows.append((f"  {variable.name}", text))
    rows.append(("tests", ", ".join(c.name for c in prompt.tests) or "-"))
    rows.append(("content", prompt.content_hash[:19]))
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print_line(console, f"{key.ljust(width)}  {value}")
    console.rule(style="dim")
    console.print(
        esc(prompt.path.read_text(encoding="utf-8").rstrip("\n")), highlight=False, soft_wrap=True
    )


def render_diff(console: Console, left: PromptFile, right: PromptFile) -> None:
    """A unified diff of two prompt versions, and whether their content differs."""
    a = left.path.read_text(encoding="utf-8").splitlines()
    b = right.path.read_text(encoding="utf-8").splitlines()
    lines = list(difflib.unified_diff(a, b, fromfile=left.ref, tofile=right.ref, lineterm="", n=3))
    for line in lines:
        style = ""
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        console.print(esc(line), style=style or None, highlight=False, soft_wrap=True)
    added = sorted({v.name for v in right.inputs} - {v.name for v in left.inputs})
    removed = sorted({v.name for v in left.inputs} - {v.name for v in right.inputs})
    summary = "same content" if left.content_hash == right.content_hash else "content differs"
    if not lines:
        summary = "identical files"
    if added:
        summary += f"; inputs added: {', '.join(added)}"
    if removed:
        summary += f"; inputs removed: {', '.join(removed)}"
    print_line(console, f"{left.ref} → {right.ref}: {summary}")


def _status_text(status: str) -> str:
    return {"pass": "[green]pass[/green]", "fail": "[red]FAIL[/red]", "error": "[red]ERROR[/red]"}[
        status
    ]


def render_test(console: Console, rows: Sequence[CaseResult], *, live: bool) -> None:
    """The per-case table of a test run, the failure details, and the totals."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("prompt / case")
    table.add_column("status", no_wrap=True)
    table.add_column("input", justify="right", no_wrap=True)
    if live:
        table.add_column("output", justify="right", no_wrap=True)
        table.add_column("latency", justify="right", no_wrap=True)
        table.add_column("cost", justify="right", no_wrap=True)
        table.add_column("checks", justify="right", no_wrap=True)
    else:
        table.add_column("window", justify="right", no_wrap=True)
        table.add_column("est. cost", justify="right", no_wrap=True)
    for row in rows:
        cells = [
            esc(f"{row.prompt}@{row.version} / {row.case}"),
            _status_text(row.status),
            "-"
            if row.input_tokens is None
            else f"{row.input_tokens}{'' if row.tokens_exact else '~'}",
        ]
        if live:
            passed = sum(1 for a in row.assertions if a.passed)
            cells += [
                "-" if row.output_tokens is None else str(row.output_tokens),
                "-" if row.latency_ms is None else f"{row.latency_ms:.0f} ms",
                "-" if row.model is None else usd(row.cost),
                f"{passed}/{len(row.assertions)}" if row.assertions else "-",
            ]
        else:
            window = "-"
            if row.context_window is not None and row.input_tokens is not None:
                used = row.input_tokens + (row.output_reserve or 0)
                window = f"{used * 100 / row.context_window:.1f}%"
            cells += [window, "-" if row.input_tokens is None else usd(row.estimated_cost)]
        table.add_row(*cells)
    console.print(table)
    for row in rows:
        label = f"{row.prompt}@{row.version} / {row.case}"
        if row.error:
            print_line(console, f"  {label}: {row.error}")
        for attempt in row.attempts:
            if attempt.error:
                console.print(
                    esc(f"  {label}: {attempt.model} failed ({attempt.error}): {attempt.message}")
                )
        for assertion in row.assertions:
            if not assertion.passed:
                print_line(console, f"  {label}: {assertion.label}: {assertion.detail}")
    print_line(console, summary_line(rows, live=live))


def summary_line(rows: Sequence[CaseResult], *, live: bool) -> str:
    """``3 cases: 2 passed, 1 failed, 0 errors; ...`` with the money that matters."""
    passed = sum(1 for r in rows if r.status == "pass")
    failed = sum(1 for r in rows if r.status == "fail")
    errors = sum(1 for r in rows if r.status == "error")
    noun = "case" if len(rows) == 1 else "cases"
    text = f"{len(rows)} {noun}: {passed} passed, {failed} failed, {errors} error"
    text += "" if errors == 1 else "s"
    if rows:
        text += f" (pass rate {passed * 100 / len(rows):.0f}%)"
    if live:
        spent = [r.cost for r in rows if r.cost is not None] + [
            r.grader_cost for r in rows if r.grader_cost is not None
        ]
        latencies = sorted(r.latency_ms for r in rows if r.latency_ms is not None)
        text += f"; cost {usd(sum(spent, Decimal(0)))}"
        if latencies:
            text += f"; median latency {latencies[len(latencies) // 2]:.0f} ms"
    else:
        estimates = [r.estimated_cost for r in rows if r.estimated_cost is not None]
        unpriced = sum(1 for r in rows if r.input_tokens is not None and r.estimated_cost is None)
        text += f"; est. cost at most {usd(sum(estimates, Decimal(0)))}"
        if unpriced:
            text += f" ({unpriced} unpriced)"
    return text


def render_compare(
    console: Console, left: Sequence[CaseResult], right: Sequence[CaseResult], *, live: bool
) -> None:
    """Two versions side by side on the same cases."""
    from rich import box
    from rich.table import Table

    if not left or not right:
        return
    a = f"{left[0].prompt}@{left[0].version}"
    b = f"{right[0].prompt}@{right[0].version}"
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, title=esc(f"{a} vs {b}"))
    table.add_column("case")
    for side in (a, b):
        table.add_column(esc(side), no_wrap=True)
        table.add_column("tokens", justify="right", no_wrap=True)
        table.add_column("cost" if live else "est. cost", justify="right", no_wrap=True)
        if live:
            table.add_column("latency", justify="right", no_wrap=True)
    by_case = {r.case: r for r in right}
    for row in left:
        other = by_case.get(row.case)
        cells = [esc(row.case)]
        for item in (row, other):
            if item is None:
                cells += ["-", "-", "-"] + (["-"] if live else [])
                continue
            money = item.cost if live else item.estimated_cost
            cells += [
                _status_text(item.status),
                "-" if item.input_tokens is None else str(item.input_tokens),
                "-" if item.input_tokens is None else usd(money),
            ]
            if live:
                cells.append("-" if item.latency_ms is None else f"{item.latency_ms:.0f} ms")
        table.add_row(*cells)
    console.print(table)
    print_line(console, f"{a}: {summary_line(left, live=live)}")
    print_line(console, f"{b}: {summary_line(right, live=live)}")


def render_baseline(console: Console, changes: Sequence[Change]) -> None:
    """How this run differs from the saved baseline."""
    regressions = [c for c in changes if c.regression]
    fixed = [c for c in changes if c.fixed]
    moved: list[str] = []
    for change in changes:
        if change.after is None:
            moved.append(f"  {change.key}: in the baseline, not in this run")
            continue
        tokens = change.delta("input_tokens")
        if tokens:
            moved.append(f"  {change.key}: input tokens {'+' if tokens > 0 else ''}{tokens}")
    console.print(
        esc(
            f"vs baseline: {len(regressions)} regressions, {len(fixed)} fixed,"
            f" {sum(1 for c in changes if c.before is None)} new"
        )
    )
    for change in regressions:
        console.print(
            esc(f"  {change.key}: was pass, now {change.after.status if change.after else '-'}")
        )
    for line in moved:
        print_line(console, line)


def render_details(console: Console, rows: Sequence[CaseResult]) -> None:
    for row in rows:
        label = f"{row.prompt}@{row.version} / {row.case}"
        if row.error:
            print_line(console, f"  {label}: {row.error}")
        for assertion in row.assertions:
            if not assertion.passed:
                print_line(console, f"  {label}: {assertion.label}: {assertion.detail}")
