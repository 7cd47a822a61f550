"""Adopting the scanner on an existing codebase: ``--min-severity``, baselines, the default hook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from _support import REPO, run_cli

from aiinfra_cli.errors import ConfigError, UsageError
from aiinfra_cli.scan import _engine
from aiinfra_cli.scan._files import collect
from aiinfra_cli.scan._model import FileResult
from aiinfra_cli.scan._run import instrumentation_settings

if TYPE_CHECKING:
    from conftest import Project  # the fixture's type (tests/optimize_context/conftest.py)

# AIC003 (note: hard-coded model) and AIC002 (warning: no timeout), nothing else.
OLD = """\
from openai import OpenAI

from ai import CostTracker, load_settings

client = OpenAI()
tracker = CostTracker.from_settings(load_settings())


def ask(question: str) -> str:
    with tracker.observe("openai", "gpt-4o-mini") as call:
        reply = client.chat.completions.create(
            model="gpt-4o-mini",
            max_tokens=200,
            messages=[{"role": "user", "content": question}],
        )
        call.set_response(reply)
    return reply.choices[0].message.content or ""
"""
NOTE_ONLY = OLD.replace("OpenAI()", "OpenAI(timeout=30)")


def test_min_severity_filters_what_is_reported(project: Project) -> None:
    project.write({"app/old.py": OLD})
    assert sorted(c for _f, _l, c in project.codes(select=("AIC002", "AIC003"))) == [
        "AIC002",
        "AIC003",
    ]
    assert [c for _f, _l, c in project.codes(min_severity="warning")] == ["AIC002"]
    assert project.codes(min_severity="error") == []
    project.write({"pyproject.toml": '[tool.aiinfra]\nmin_severity = "warning"\n'})
    assert [c for _f, _l, c in project.codes()] == ["AIC002"]
    project.write({"pyproject.toml": '[tool.aiinfra]\nmin_severity = "warn"\n'})
    with pytest.raises(ConfigError, match=r"unknown severity 'warn'") as info:
        project.scan()
    assert info.value.where == "pyproject.toml:2" and info.value.hint == "did you mean warning?"


def test_baseline_reports_old_findings_without_failing(git_repo: Path) -> None:
    app = git_repo / "app"
    app.mkdir()
    (app / "old.py").write_text(OLD, encoding="utf-8")
    wrote = run_cli("optimize-context", "--write-baseline", "aiinfra-baseline.json", cwd=git_repo)
    assert wrote.returncode == 0, wrote.stderr
    assert "wrote 2 findings to the baseline aiinfra-baseline.json" in wrote.stderr
    document = json.loads((git_repo / "aiinfra-baseline.json").read_text(encoding="utf-8"))
    assert [e["code"] for e in document["findings"]] == ["AIC002", "AIC003"]
    # Lines above move the findings; they still match. A new call fails the run.
    (app / "old.py").write_text("import os\n\n\n" + OLD, encoding="utf-8")
    (app / "new.py").write_text(OLD, encoding="utf-8")
    done = run_cli("optimize-context", "--baseline", "aiinfra-baseline.json", cwd=git_repo)
    assert done.returncode == 1
    out = done.stdout.splitlines()
    assert sum("(baseline)" in line for line in out) == 2
    assert all("(baseline)" not in line for line in out if line.startswith("app/new.py"))
    assert out[-1].endswith("; 2 in the baseline.")
    (app / "new.py").unlink()
    (git_repo / "pyproject.toml").write_text(
        '[tool.aiinfra]\nbaseline = "aiinfra-baseline.json"\n', encoding="utf-8"
    )
    clean = run_cli("optimize-context", "--format", "sarif", cwd=git_repo)
    assert clean.returncode == 0, clean.stdout
    results = json.loads(clean.stdout)["runs"][0]["results"]
    assert {r["baselineState"] for r in results} == {"unchanged"}


def test_missing_or_foreign_baseline_is_one_line(project: Project) -> None:
    project.write({"app/old.py": OLD, "bad.json": '{"findings": []}'})
    with pytest.raises(UsageError, match=r"baseline nope\.json: no such file"):
        project.scan(baseline=Path("nope.json"))
    with pytest.raises(UsageError, match=r"baseline bad\.json: not an aiinfra baseline"):
        project.scan(baseline=Path("bad.json"))


def test_default_hook_fails_on_warnings_not_notes(git_repo: Path) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    entry = next(h["entry"] for h in hooks if h["id"] == "aiinfra-optimize-context").split()
    assert entry[:2] == ["aiinfra", "optimize-context"]
    (git_repo / "note.py").write_text(NOTE_ONLY, encoding="utf-8")
    assert run_cli(*entry[1:], "note.py", cwd=git_repo).returncode == 0
    (git_repo / "warn.py").write_text(OLD, encoding="utf-8")
    assert run_cli(*entry[1:], "warn.py", cwd=git_repo).returncode == 1


def test_fingerprints_from_worker_noted_lines_equal_reading_the_files(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The analysis notes the lines it reports; fingerprints made from those equal the ones
    made by reading the files again (what happens for results an older version cached)."""
    twice = OLD.replace(
        "    return reply",
        "    reply = client.chat.completions.create(\n"
        "            model='gpt-4o-mini', max_tokens=9, messages=[])\n    return reply",
    )
    project.write({"app/old.py": OLD, "app/twice.py": twice, "app/gone.py": "x = 1\n"})
    (project.root / "app" / "crlf.py").write_bytes(NOTE_ONLY.replace("\n", "\r\n").encode())
    noted = project.scan()
    assert len(noted.findings) >= 6
    monkeypatch.setattr(_engine, "_note_lines", lambda result, data: None)
    read = project.scan()
    assert [f.fingerprint for f in read.findings] == [f.fingerprint for f in noted.findings]
    assert len({f.fingerprint for f in noted.findings}) == len(noted.findings)


def test_noted_lines_survive_the_cache_round_trip(project: Project) -> None:
    project.write({"app/old.py": OLD})
    settings, _config = instrumentation_settings(project.root, None)
    files = collect([Path()], project.root, project.root, ())
    results, _stats = _engine.run(files, project.root, settings, cache=None)
    (result,) = results
    assert result.line_text is not None
    assert set(result.line_text) == {f.line for f in result.findings} | {
        c.line for c in result.calls
    }
    assert FileResult.from_json(result.to_json()).line_text == result.line_text
    legacy = result.to_json()
    del legacy["line_text"]
    assert FileResult.from_json(legacy).line_text is None
