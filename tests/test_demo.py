"""`aiinfra demo`: the README's first command works with no key and no network."""

from __future__ import annotations

from pathlib import Path

from _support import run_cli


def test_demo_prices_sample_usage_and_names_every_reject(tmp_path: Path) -> None:
    result = run_cli("demo", "--keep", str(tmp_path / "demo"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "LLM spend by model" in out
    assert "unpriced: 270 requests to 'acme-tagger-v2': no price known, never counted as $0" in out
    assert "rejected: 2 line(s), each named, none silently dropped" in out
    assert (tmp_path / "demo" / "config" / "ai-models.yaml").is_file()


def test_demo_refuses_a_non_empty_keep_dir(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "mine.txt").write_text("keep me")
    result = run_cli("demo", "--keep", str(tmp_path / "demo"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("aiinfra: error: --keep ")
    assert (tmp_path / "demo" / "mine.txt").read_text() == "keep me"
