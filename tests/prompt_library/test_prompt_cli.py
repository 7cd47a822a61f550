"""``aiinfra prompt-library`` through the CLI on git repos: in-process, except ``add`` without a
terminal (stdin closed) and in one (a pseudo-terminal), which run the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from _support import entry_point

from aiinfra_cli.prompts import load_library

LIST = (
    "prompt           version   labels       variables                                tokens   last change\n"
    "─────────────────────────────────────────────────────────────────────────────────────────────────────\n"
    "user/summarize   1.0.0     production   article, audience?, sentences?:integer       11   2026-01-15 \n"
)


def test_list_shows_version_labels_variables_tokens_and_last_change(library) -> None:  # type: ignore[no-untyped-def]
    assert library.run("bump", "summarize", "--label", "production").returncode == 0
    library.commit("prompts")
    result = library.run("list")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == LIST


def test_list_json_and_modified_files(library) -> None:  # type: ignore[no-untyped-def]
    library.commit("prompts")
    text = library.read("prompts/user/summarize.prompty")
    library.write("prompts/user/summarize.prompty", text.replace("simple", "plain"))
    result = library.run("list", "--json")
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert document["problems"] == []
    (row,) = document["prompts"]
    assert row == {
        "name": "summarize",
        "version": "1.0.0",
        "category": "user",
        "file": "prompts/user/summarize.prompty",
        "description": "Summarise an article.",
        "labels": {},
        "inputs": [
            {"name": "article", "type": "string", "required": True},
            {"name": "audience", "type": "string", "required": False},
            {"name": "sentences", "type": "integer", "required": False},
        ],
        "model": "fast",
        "static_tokens": 11,
        "tokenizer": "gpt-4o-mini",
        "versions": ["1.0.0"],
        "tags": [],
        "last_change": "modified",
        "tests": 1,
    }


def test_bad_file_gets_one_line_and_the_rest_still_lists(library) -> None:  # type: ignore[no-untyped-def]
    library.write("prompts/user/broken.prompty", "---\nversion: 1.0.0\n---\nhi\n")
    library.write(
        "config/prompt-library.yaml",
        "version: 1\nprompts:\n  summarize: {file: prompts/user/summarize.prompty}\n"
        "  broken: {file: prompts/user/broken.prompty}\n",
    )
    result = library.run("list")
    assert result.returncode == 1
    assert "user/summarize" in result.stdout and "broken" not in result.stdout
    assert result.stderr == "prompts/user/broken.prompty:2: name: is required\n"


def test_render_show_diff_and_vars(library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rendered = library.run(
        "render", "summarize", "--var", "article=Sales doubled.", "--var", "sentences=2"
    )
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout == (
        "system:\nYou write 2-sentence summaries for engineers.\n\nuser:\nSales doubled.\n"
    )
    values = tmp_path / "vars.yaml"
    values.write_text("article: From a file.\naudience: kids\n", encoding="utf-8")
    as_json = library.run("render", "summarize@1.0.0", "--vars", str(values), "--json")
    assert json.loads(as_json.stdout) == {
        "prompt": "summarize",
        "version": "1.0.0",
        "messages": [
            {
                "role": "system",
                "content": "You write 3-sentence summaries for kids.\nUse simple words.",
            },
            {"role": "user", "content": "From a file."},
        ],
        "parameters": {"max_tokens": 300},
    }
    missing = library.run("render", "summarize")
    assert missing.returncode == 1
    assert missing.stderr == (
        "aiinfra: error: prompts/user/summarize.prompty:35: prompt 'summarize@1.0.0': variable"
        " 'article' is required but was not supplied (pass --var article=VALUE or --vars FILE)\n"
    )
    wrong = library.run("render", "summarize", "--var", "article=x", "--var", "sentences=three")
    assert wrong.returncode == 2
    assert wrong.stderr == (
        "aiinfra: error: prompts/user/summarize.prompty:19: --var sentences=three: 'sentences' is"
        " integer in prompt 'summarize@1.0.0' (e.g. --var sentences=3)\n"
    )
    library.write(
        "prompts/user/summarize.prompty",
        library.read("prompts/user/summarize.prompty").replace(
            "Use simple words.", "Use short words."
        ),
    )
    assert library.run("bump", "summarize", "--minor").returncode == 0
    diff = library.run("diff", "summarize@1.0.0", "summarize@1.1.0")
    assert diff.returncode == 0
    assert diff.stdout.splitlines() == [
        "--- summarize@1.0.0",
        "+++ summarize@1.1.0",
        "@@ -1,6 +1,6 @@",
        " ---",
        " name: summarize",
        "-version: 1.0.0",
        "+version: 1.1.0",
        " description: Summarise an article.",
        " model:",
        "   api: chat",
        "@@ -28,7 +28,7 @@",
        " system:",
        " You write {{ sentences }}-sentence summaries for {{ audience }}.",
        ' {% if audience == "kids" %}',
        "-Use simple words.",
        "+Use short words.",
        " {% endif %}",
        " ",
        " user:",
        "summarize@1.0.0 → summarize@1.1.0: content differs",
    ]
    shown = library.run("show", "summarize@1.0.0")
    assert shown.returncode == 0
    assert "file         prompts/versions/summarize/1.0.0.prompty" in shown.stdout
    assert "Use simple words." in shown.stdout and "versions     1.0.0, 1.1.0" in shown.stdout


def test_bump_and_check_through_the_cli(library) -> None:  # type: ignore[no-untyped-def]
    clean = library.run("check")
    assert (clean.returncode, clean.stdout, clean.stderr) == (
        0,
        "",
        "prompt-library check: 1 prompt OK\n",
    )
    library.write(
        "prompts/user/summarize.prompty",
        library.read("prompts/user/summarize.prompty").replace("engineers", "managers"),
    )
    dirty = library.run("check")
    assert dirty.returncode == 1
    assert dirty.stderr == (
        "prompts/user/summarize.prompty:3: content changed since summarize@1.0.0 was recorded but"
        " the version was not bumped (run 'aiinfra prompt-library bump summarize')\n"
        "prompt-library check: 1 problem in 1 prompt\n"
    )
    as_json = json.loads(library.run("check", "--json").stdout)
    assert as_json["ok"] is False and as_json["problems"][0]["line"] == 3
    bumped = library.run("bump", "summarize", "--label", "production")
    assert bumped.returncode == 0
    assert bumped.stderr == (
        "summarize: 1.0.0 → 1.0.1 (snapshot prompts/versions/summarize/1.0.1.prompty)\n"
        "summarize: label production → 1.0.1\n"
    )
    assert library.run("check").returncode == 0
    both = library.run("bump", "summarize", "--major", "--minor")
    assert both.returncode == 2
    assert both.stderr == "aiinfra: error: give at most one of --major, --minor, --patch\n"


def _env() -> dict[str, str]:
    return dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="100")


def test_add_without_a_terminal_takes_everything_from_flags(repo) -> None:  # type: ignore[no-untyped-def]
    # stdin closed outright: no terminal, nothing to read; add must not ask.
    result = subprocess.run(
        [
            *entry_point(),
            "prompt-library",
            "add",
            "classify",
            "--category",
            "system",
            "--var",
            "ticket",
            "--var",
            "labels:list",
            "--description",
            "Route tickets.",
            "--model",
            "summarize",
        ],
        cwd=repo.root,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=lambda: os.close(0),
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "added classify@1.0.0 (prompts/system/classify.prompty); recorded in"
        " config/prompt-library.lock.json\n"
    )
    assert repo.read("prompts/system/classify.prompty") == (
        "---\nname: classify\nversion: 1.0.0\ndescription: Route tickets.\nmodel:\n  api: chat\n"
        "  configuration:\n    type: aiinfra\n    route: summarize\ninputs:\n  ticket:\n"
        "    type: string\n  labels:\n    type: array\n---\nYou are a helpful assistant.\n\n"
        "{{ ticket }}\n\n{{ labels }}\n"
    )
    assert "classify:\n    file: prompts/system/classify.prompty" in repo.read(
        "config/prompt-library.yaml"
    )
    assert repo.run("check").returncode == 0
    again = repo.run("add", "classify", "--yes")
    assert again.returncode == 1
    assert again.stderr == (
        "aiinfra: error: a prompt named 'classify' already exists (prompts/system/classify.prompty)"
        " (change it and run 'aiinfra prompt-library bump classify')\n"
    )


def test_add_from_a_text_file_infers_variables_and_adopts_prompty(repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    body = tmp_path / "greet.txt"
    body.write_text("Hello {{ name }}, you have {{ count }} messages.\n", encoding="utf-8")
    assert repo.run("add", "greet", "--from", str(body)).returncode == 0
    greet = load_library(repo.root).resolve("greet")
    assert [(v.name, v.type) for v in greet.inputs] == [("name", "string"), ("count", "string")]
    prompty = tmp_path / "basic.prompty"
    prompty.write_text(
        "---\nname: Basic Prompt\ndescription: A basic prompt\nmodel:\n  api: chat\n"
        "inputs:\n  question:\n    type: string\n---\nsystem:\nBe brief.\nuser:\n{{question}}\n",
        encoding="utf-8",
    )
    added = repo.run("add", "basic", "--from", str(prompty), "--category", "templates")
    assert added.returncode == 0, added.stderr
    assert repo.read("prompts/templates/basic.prompty").startswith(
        "---\nname: basic\nversion: 1.0.0\ndescription: A basic prompt\n"
    )
    # Registering a file already in place works too.
    repo.write("prompts/user/stray.prompty", "---\nname: stray\nversion: 2.1.0\n---\nhi\n")
    assert repo.run("add", "stray", "--from", "prompts/user/stray.prompty").returncode == 0
    assert repo.run("check").returncode == 0


def test_add_in_a_terminal_asks_with_rich_prompts(repo) -> None:  # type: ignore[no-untyped-def]
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the real entry point on a pseudo-terminal
        os.chdir(repo.root)
        os.execvpe(entry_point()[0], [*entry_point(), "prompt-library", "add", "helper"], _env())
    transcript = b""

    def expect(text: bytes, timeout: float = 30) -> None:
        nonlocal transcript
        deadline = time.monotonic() + timeout
        while text not in transcript:
            remaining = deadline - time.monotonic()
            assert remaining > 0, transcript.decode(errors="replace")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    chunk = b""
                assert chunk, transcript.decode(errors="replace")
                transcript += chunk

    try:
        expect(b"Category [system/user/templates] (user):")
        os.write(fd, b"system\r")
        expect(b"Description ():")
        os.write(fd, b"Answers product questions.\r")
        expect(b"empty for none ():")
        os.write(fd, b"fast\r")
        expect(b"comma-separated (empty for none) ():")
        os.write(fd, b"question, depth:int\r")
        expect(b"Write prompts/system/helper.prompty? [y/n] (y):")
        os.write(fd, b"y\r")
        expect(b"added helper@1.0.0")
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    helper = load_library(repo.root).resolve("helper")
    assert helper.description == "Answers product questions."
    assert helper.model is not None and helper.model.name == "fast"
    assert [(v.name, v.type) for v in helper.inputs] == [
        ("question", "string"),
        ("depth", "integer"),
    ]
    assert helper.category == "system"
