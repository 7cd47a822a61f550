"""Rich views rendered into a StringIO console and compared exactly: list, show, demo."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from aiinfra_cli._atomic import write_atomic
from aiinfra_cli.commands.prompt_library import demo_section, list_rows, render_list, render_show
from aiinfra_cli.demo import demo_config
from aiinfra_cli.prompts import load_library


def console(width: int = 90) -> Console:
    return Console(file=StringIO(), width=width, color_system=None, legacy_windows=False)


def text_of(target: Console) -> str:
    assert isinstance(target.file, StringIO)
    return target.file.getvalue()


def test_list_wraps_variables_in_a_narrow_terminal(library) -> None:  # type: ignore[no-untyped-def]
    library.commit("prompts", date="2026-02-03T09:00:00+00:00")
    out = console(80)
    render_list(out, list_rows(load_library(library.root)))
    assert text_of(out) == (
        "prompt           version   labels   variables               tokens   last change\n"
        "────────────────────────────────────────────────────────────────────────────────\n"
        "user/summarize   1.0.0     -        article, audience?,         11   2026-02-03 \n"
        "                                    sentences?:integer                          \n"
    )


def test_empty_library_says_how_to_start(repo) -> None:  # type: ignore[no-untyped-def]
    out = console()
    render_list(out, list_rows(load_library(repo.root)))
    assert text_of(out) == "No prompts yet: add one with 'aiinfra prompt-library add NAME'.\n"


def test_show_prints_metadata_then_the_file(library) -> None:  # type: ignore[no-untyped-def]
    loaded = load_library(library.root)
    out = console(70)
    render_show(out, loaded, loaded.resolve("summarize@1.0.0"))
    head = text_of(out).split("─" * 70 + "\n")[0]
    assert head.splitlines() == [
        "prompt       summarize@1.0.0",
        "file         prompts/versions/summarize/1.0.0.prompty",
        "description  Summarise an article.",
        "labels       -",
        "versions     1.0.0",
        "model        fast (max_tokens=300)",
        "  article    string, required: The article.",
        "  audience   string, default 'engineers'",
        "  sentences  integer, default 3",
        "tests        short",
        "content      " + loaded.resolve("summarize").content_hash[:19],
    ]
    assert text_of(out).endswith("user:\n{{ article }}\n")


def test_demo_section_writes_a_prompt_and_shows_list_render_test(git_repo) -> None:  # type: ignore[no-untyped-def]
    write_atomic(git_repo / "config" / "ai-models.yaml", demo_config())
    out = console(100)
    demo_section(git_repo, out)
    text = text_of(out)
    assert (git_repo / "prompts" / "user" / "summarize-ticket.prompty").is_file()
    assert (git_repo / "prompts" / "versions" / "summarize-ticket" / "1.0.0.prompty").is_file()
    lines = text.splitlines()
    assert lines[0] == "─" * 42 + " prompt library " + "─" * 42
    assert lines[1] == "$ aiinfra prompt-library list"
    assert lines[4].split()[:3] == ["user/summarize-ticket", "1.0.0", "production"]
    render_at = lines.index(
        "$ aiinfra prompt-library render summarize-ticket --var ticket='Login fails with error 403.'"
    )
    assert lines[render_at + 1 : render_at + 7] == [
        "system:",
        "You summarise support tickets about the API for the on-call engineer.",
        "Answer in at most 3 sentences. Never invent details.",
        "",
        "user:",
        "Login fails with error 403.",
    ]
    test_at = lines.index("$ aiinfra prompt-library test")
    assert lines[test_at + 3].startswith("summarize-ticket@1.0.0 / outage   pass")
    assert lines[test_at + 4].startswith("summarize-ticket@1.0.0 / sample   pass")
    assert lines[-1].startswith(
        "2 cases: 2 passed, 0 failed, 0 errors (pass rate 100%); est. cost at most $0.00"
    )
    # Idempotent: a second run into the same repo adds nothing and shows the same.
    again = console(100)
    demo_section(git_repo, again)
    assert text_of(again) == text
