"""``add`` without a body writes a placeholder: the first real text is recorded as that same
version (1.0.0), not forced into a bump to 1.0.1; later edits bump as usual."""

from __future__ import annotations

from aiinfra_cli.commands import prompt_library as command
from aiinfra_cli.prompts import bump, check_library, load_library

PATH = "prompts/system/classify.prompty"


def _messages(repo) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.message for p in check_library(load_library(repo.root)) if p.file == PATH]


def test_the_first_real_text_replaces_the_placeholder_as_1_0_0(repo) -> None:  # type: ignore[no-untyped-def]
    added = command.add(
        "classify", category="system", variables=["ticket"], root=repo.root, interactive=False
    )
    assert added == 0
    assert _messages(repo) == []
    repo.write(PATH, repo.read(PATH).replace("You are a helpful assistant.", "Route each ticket."))
    assert _messages(repo) == [
        "classify@1.0.0 was recorded with add's placeholder text (run 'aiinfra prompt-library"
        " bump classify' to record your text as 1.0.0, no new version needed)"
    ]
    result = bump(load_library(repo.root), "classify", None)
    assert (result.before, result.recorded) == ("1.0.0", "1.0.0")
    library = load_library(repo.root)
    assert "Route each ticket." in library.snapshot_path("classify", "1.0.0").read_text("utf-8")
    assert "version: 1.0.0\n" in repo.read(PATH)
    assert _messages(repo) == []
    # From now on the text is real: an edit is a patch, as for any prompt.
    repo.write(PATH, repo.read(PATH).replace("Route each ticket.", "Route every ticket."))
    assert bump(load_library(repo.root), "classify", None).recorded == "1.0.1"
