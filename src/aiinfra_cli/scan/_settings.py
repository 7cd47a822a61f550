"""Rule selection: ``--select`` / ``--ignore`` and ``[tool.aiinfra]`` in the scanned project's
``pyproject.toml`` (keys ``select``, ``ignore``, ``exclude``, ``baseline``, ``min_severity``)."""

from __future__ import annotations

import difflib
import importlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiinfra_cli.errors import ConfigError, UsageError
from aiinfra_cli.scan.rules import ALL_RULES, RULES_BY_CODE

_KEYS = ("select", "ignore", "exclude")
SEVERITIES = ("error", "warning", "note")  # most severe first


@dataclass(frozen=True)
class ProjectSettings:
    """What ``[tool.aiinfra]`` says (None: not set)."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    source: str | None = None
    baseline: str | None = None
    min_severity: str | None = None


def check_severity(
    value: str, *, where: str | None, error: type[UsageError] | type[ConfigError]
) -> str:
    """``value`` as one of :data:`SEVERITIES`, or a one-line error."""
    level = value.strip().lower()
    if level not in SEVERITIES:
        close = difflib.get_close_matches(level, SEVERITIES, n=1)
        hint = f"did you mean {close[0]}?" if close else f"use one of {', '.join(SEVERITIES)}"
        raise error(f"unknown severity '{value}'", where=where, hint=hint)
    return level


def at_least(severity: str, minimum: str) -> bool:
    """Whether ``severity`` is ``minimum`` or more severe."""
    return SEVERITIES.index(severity) <= SEVERITIES.index(minimum)


def _toml_loads(text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads(text)
    # Python 3.10 has no tomllib; tomli is its backport, present in most environments.
    module = importlib.import_module("tomli")
    loaded: dict[str, Any] = module.loads(text)
    return loaded


def _line_of(text: str, key: str) -> int:
    match = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def load_project_settings(root: Path) -> ProjectSettings:
    """``[tool.aiinfra]`` of ``root/pyproject.toml``; defaults when there is none."""
    path = root / "pyproject.toml"
    if not path.is_file():
        return ProjectSettings()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path.name}: {exc}") from None
    if "aiinfra" not in text:
        return ProjectSettings()
    try:
        data = _toml_loads(text)
    except ModuleNotFoundError:
        raise ConfigError(
            "reading [tool.aiinfra] on Python 3.10 needs the 'tomli' package",
            where=path.name,
            hint="pip install tomli, or use Python 3.11+",
        ) from None
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(f"invalid TOML: {exc}", where=path.name) from None
    table = data.get("tool", {}).get("aiinfra", {})
    if not isinstance(table, dict):
        raise ConfigError("[tool.aiinfra] must be a table", where=path.name)
    values: dict[str, tuple[str, ...]] = {}
    for key in _KEYS:
        if key not in table:
            continue
        value = table[key]
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ConfigError(
                f"[tool.aiinfra] {key} must be a list of strings",
                where=f"{path.name}:{_line_of(text, key)}",
                hint=f'e.g. {key} = ["AIC001"]'
                if key != "exclude"
                else 'e.g. exclude = ["tests/**"]',
            )
        values[key] = tuple(value)
    for key in ("select", "ignore"):
        for code in values.get(key, ()):
            _check_code(code, where=f"{path.name}:{_line_of(text, key)}", error=ConfigError)
    strings: dict[str, str] = {}
    for key in ("baseline", "min_severity"):
        if key in table:
            value = table[key]
            where = f"{path.name}:{_line_of(text, key)}"
            if not isinstance(value, str) or not value:
                example = '"aiinfra-baseline.json"' if key == "baseline" else '"warning"'
                raise ConfigError(
                    f"[tool.aiinfra] {key} must be a string",
                    where=where,
                    hint=f"e.g. {key} = {example}",
                )
            strings[key] = value
    if "min_severity" in strings:
        check_severity(
            strings["min_severity"],
            where=f"{path.name}:{_line_of(text, 'min_severity')}",
            error=ConfigError,
        )
    return ProjectSettings(
        select=values.get("select"),
        ignore=values.get("ignore", ()),
        exclude=values.get("exclude", ()),
        source=path.name,
        baseline=strings.get("baseline"),
        min_severity=strings.get("min_severity"),
    )


def parse_codes(values: list[str] | None) -> tuple[str, ...] | None:
    """``["AIC001,AIC002", "AIC005"]`` (repeatable, comma separated) → codes; None if not given."""
    if not values:
        return None
    codes = tuple(c.strip().upper() for v in values for c in v.split(",") if c.strip())
    for code in codes:
        _check_code(code, where=None, error=UsageError)
    return codes


def _check_code(
    code: str, *, where: str | None, error: type[UsageError] | type[ConfigError]
) -> None:
    code = code.strip().upper()
    if code == "ALL" or any(rule.code.startswith(code) for rule in ALL_RULES):
        return
    close = difflib.get_close_matches(code, list(RULES_BY_CODE), n=1)
    hint = f"did you mean {close[0]}?" if close else "see docs/rules/README.md for the codes"
    raise error(f"unknown rule code '{code}'", where=where, hint=hint)


def _expand(codes: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for code in codes:
        code = code.upper()
        if code == "ALL":
            out.update(RULES_BY_CODE)
        else:
            out.update(r.code for r in ALL_RULES if r.code.startswith(code))
    return out


def selected_codes(
    cli_select: tuple[str, ...] | None, cli_ignore: tuple[str, ...] | None, project: ProjectSettings
) -> frozenset[str]:
    """The codes to report: ``--select`` replaces the project's ``select`` (default: all rules);
    ``ignore`` from both places is removed. Codes may be prefixes (``AIC00``) or ``ALL``."""
    select = cli_select if cli_select is not None else project.select
    chosen = _expand(select) if select is not None else set(RULES_BY_CODE)
    chosen -= _expand(project.ignore)
    chosen -= _expand(cli_ignore or ())
    return frozenset(chosen)
