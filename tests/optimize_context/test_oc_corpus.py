"""Discovery recall and precision on the real-world-shaped corpus, and the facts of call sites."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from aiinfra_cli.scan import CallSite, ScanOptions, scan

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECT = re.compile(r"#\s*expect:\s*(\S+)")


@pytest.fixture(scope="module")
def corpus_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[CallSite]]:
    # A copy outside this repository, so the corpus is its own project root (absolute imports
    # such as ``from app.deps import client`` resolve as they would in the real service).
    root = tmp_path_factory.mktemp("corpus") / "service"
    shutil.copytree(CORPUS, root)
    outcome = scan(ScanOptions(paths=[Path()], cwd=root, use_cache=False))
    assert outcome.report.diagnostics == []
    return root, outcome.report.calls


def _expected(root: Path) -> set[tuple[str, int, str]]:
    found = set()
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                found.add((path.relative_to(root).as_posix(), number, match.group(1)))
    return found


def test_recall_and_precision_are_100_percent(
    corpus_scan: tuple[Path, list[CallSite]], record_property: pytest.RecordProperty
) -> None:
    root, calls = corpus_scan
    expected = _expected(root)
    found = {(c.file, c.line, c.api) for c in calls}
    hits = expected & found
    recall = len(hits) / len(expected)
    precision = len(hits) / len(found)
    record_property("recall", recall)
    record_property("precision", precision)
    print(
        f"corpus: {len(expected)} expected call sites, recall {recall:.1%}, precision {precision:.1%}"
    )
    assert len(expected) >= 50
    assert sorted(expected - found) == [], "missed call sites"
    assert sorted(found - expected) == [], "look-alikes reported as call sites"


def test_large_scan_with_prefilter_and_workers_finds_the_same(
    tmp_path: Path, corpus_scan: tuple[Path, list[CallSite]]
) -> None:
    # Over 200 files the engine prefilters bytes, runs worker processes, and runs a second pass
    # for files that name no SDK but import a module-level chat model (shared_llm_user.py).
    root = tmp_path / "big"
    shutil.copytree(CORPUS, root)
    filler = root / "filler"
    filler.mkdir()
    for i in range(220):
        (filler / f"module_{i}.py").write_text(
            f"import json\n\n\ndef handler_{i}(payload: str) -> dict:\n    return json.loads(payload)\n",
            encoding="utf-8",
        )
    outcome = scan(ScanOptions(paths=[Path()], cwd=root, use_cache=False))
    assert outcome.stats.workers == 2 or (os.cpu_count() or 1) < 2
    assert outcome.stats.skipped >= 220
    found = {(c.file, c.line, c.api) for c in outcome.report.calls}
    assert found == {(c.file, c.line, c.api) for c in corpus_scan[1]}
    line = _line_of(root, "integrations/shared_llm_user.py", "llm.invoke(")
    assert (
        "integrations/shared_llm_user.py",
        line,
        "langchain_anthropic.ChatAnthropic.invoke",
    ) in found


def _site(calls: list[CallSite], file: str, line: int) -> CallSite:
    return next(c for c in calls if c.file == file and c.line == line)


def _line_of(root: Path, file: str, needle: str) -> int:
    """The first line containing ``needle``; ``"def f|text"``: the first after ``def f``."""
    lines = (root / file).read_text(encoding="utf-8").splitlines()
    anchor, _, needle = needle.rpartition("|")
    start = next(i for i, text in enumerate(lines) if anchor in text) if anchor else 0
    return next(i for i, text in enumerate(lines[start:], start=start + 1) if needle in text)


@pytest.mark.parametrize(
    ("file", "needle", "facts"),
    [
        ("app/routes.py", "with_raw_response", {"raw_response": True, "is_async": True}),
        ("services/summarizer.py", "beta.messages.create", {"beta": True, "has_max_tokens": True}),
        (
            "services/summarizer.py",
            "with_streaming_response",
            {"streaming_response": True, "streaming": False},
        ),
        (
            "app/main.py",
            "anthropic_client.messages.stream",
            {"streaming": True, "is_async": True, "has_timeout": True},
        ),
        ("app/main.py", "await llm.messages.create(  # expect", {"resolution": "inferred"}),
        (
            "helpers/llm_utils.py",
            "def ask_with_params|create(",
            {"has_max_tokens": None, "has_timeout": None},
        ),
        (
            "helpers/llm_utils.py",
            "def ask_fixed_params|create(",
            {"has_max_tokens": True, "has_timeout": True},
        ),
        (
            "helpers/llm_utils.py",
            "get_client().chat.completions.create(  # expect",
            {"has_max_tokens": False},
        ),
        ("jobs/nightly.py", "msg = client.messages.create(  # expect", {"instrumented": True}),
        (
            "ai/cost_tracker.py",
            "_client.messages.create",
            {"instrumented": True, "has_max_tokens": None},
        ),
        (
            "integrations/cloud_clients.py",
            "bedrock.messages.create",
            {"client": "AnthropicBedrock", "has_timeout": False},
        ),
        (
            "integrations/cloud_clients.py",
            "await client.chat.completions.create",
            {"client": "AsyncAzureOpenAI", "is_async": True},
        ),
        ("services/summarizer.py", "fast.messages.create", {"has_timeout": True}),
        (
            "services/chat_session.py",
            "stream = client.chat.completions.create",
            {"streaming": True, "model": "gpt-4o-mini"},
        ),
        (
            "integrations/litellm_calls.py",
            "llm_completion(",
            {"model": "gpt-4o-mini", "sdk": "litellm"},
        ),
        (
            "integrations/langchain_calls.py",
            "llm.invoke(",
            {"has_max_tokens": True, "has_timeout": True, "model": "claude-sonnet-4-5"},
        ),
        ("integrations/langchain_calls.py", "model.invoke(text)", {"model": "claude-haiku-4-5"}),
        (
            "scripts/notebook_style.py",
            "openai.ChatCompletion.create",
            {"model": "gpt-3.5-turbo", "has_timeout": False},
        ),
    ],
)
def test_call_site_facts(
    corpus_scan: tuple[Path, list[CallSite]], file: str, needle: str, facts: dict[str, object]
) -> None:
    root, calls = corpus_scan
    site = _site(calls, file, _line_of(root, file, needle))
    assert {key: getattr(site, key) for key in facts} == facts


def test_second_jobs_call_is_not_instrumented(corpus_scan: tuple[Path, list[CallSite]]) -> None:
    _root, calls = corpus_scan
    nightly = [c.instrumented for c in calls if c.file == "jobs/nightly.py"]
    assert nightly == [True, False]
