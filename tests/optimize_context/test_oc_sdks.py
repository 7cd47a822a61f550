"""Discovery of every SDK people call, on a held-out corpus written from the SDKs' docs before the
rules (``corpus_sdks/README.md``): recall, precision and the facts each call site carries."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from aiinfra_cli.scan import CallSite, ScanOptions, scan

CORPUS = Path(__file__).resolve().parent / "corpus_sdks"
EXPECT = re.compile(r"#\s*expect:\s*(\S+)((?:\s+\w+=\S+)*)")


@pytest.fixture(scope="module")
def sdk_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[CallSite]]:
    root = tmp_path_factory.mktemp("sdks") / "app"
    shutil.copytree(CORPUS, root)
    outcome = scan(ScanOptions(paths=[Path()], cwd=root, use_cache=False))
    assert outcome.report.diagnostics == []
    return root, outcome.report.calls


def _expected(root: Path) -> dict[tuple[str, int], tuple[str, dict[str, str]]]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                facts = dict(pair.split("=", 1) for pair in match.group(2).split())
                found[(path.relative_to(root).as_posix(), number)] = (match.group(1), facts)
    return found


def test_every_sdk_shape_is_found_and_no_look_alike(
    sdk_scan: tuple[Path, list[CallSite]], record_property: pytest.RecordProperty
) -> None:
    root, calls = sdk_scan
    expected = {(f, n, api) for (f, n), (api, _facts) in _expected(root).items()}
    found = {(c.file, c.line, c.api) for c in calls}
    hits = expected & found
    recall, precision = len(hits) / len(expected), len(hits) / max(len(found), 1)
    record_property("recall", recall)
    record_property("precision", precision)
    print(f"SDK corpus: {len(expected)} call sites, recall {recall:.1%}, precision {precision:.1%}")
    assert len(expected) >= 45
    assert sorted(expected - found) == [], "missed call sites"
    assert sorted(found - expected) == [], "look-alikes reported as call sites"


_BOOL = {"true": True, "false": False, "none": None}


def test_call_site_facts(sdk_scan: tuple[Path, list[CallSite]]) -> None:
    root, calls = sdk_scan
    by_line = {(c.file, c.line): c for c in calls}
    checked = 0
    for key, (_api, facts) in _expected(root).items():
        site = by_line.get(key)
        assert site is not None, key
        if "max" in facts:
            assert site.has_max_tokens is _BOOL[facts["max"]], (key, site.has_max_tokens)
            checked += 1
        if "provider" in facts:
            assert site.provider == facts["provider"], (key, site.provider)
            checked += 1
    assert checked >= 30
