"""One configured model-health check: choose the models, probe them, record the run."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from aiinfra_cli import output
from aiinfra_cli._schema import did_you_mean
from aiinfra_cli.config import Config, ModelConfig, display_path
from aiinfra_cli.errors import UsageError
from aiinfra_cli.health._document import HealthDocument, build_document
from aiinfra_cli.health._history import History, append_line, history_line, read_history


def select_models(config: Config, only: Sequence[str]) -> list[ModelConfig]:
    """The models ``--only`` names (model ids or provider names), in config order; all if none."""
    if not only:
        return list(config.models)
    known = [m.id for m in config.models] + list(config.providers)
    for name in only:
        if name not in known:
            raise UsageError(
                f"--only {name!r} is neither a model id nor a provider of"
                f" {display_path(config.path)}{did_you_mean(name, known)}",
                hint=f"model ids: {', '.join(m.id for m in config.models) or 'none'}",
            )
    wanted = set(only)
    return [m for m in config.models if m.id in wanted or m.provider in wanted]


@dataclass
class HealthCheck:
    """One configured check, run once or repeatedly (``--watch``)."""

    config: Config
    models: list[ModelConfig]
    deep: bool
    timeout_s: float
    history_path: Path | None
    warned: set[str] = field(default_factory=set)

    def run_once(self) -> HealthDocument:
        """Probe, append to the history, and return the document of this run."""
        from aiinfra_cli.providers import ProbeOptions, Thresholds, preload, probe_models

        preload(self.config, self.models, deep=self.deep)  # start-up, not probing time
        started = time.perf_counter()
        at = datetime.now(timezone.utc)
        limits = {k: v for k, v in vars(self.config.health).items() if v is not None}
        options = ProbeOptions(
            deep=self.deep, timeout_s=self.timeout_s, thresholds=Thresholds(**limits)
        )
        results = probe_models(self.config, self.models, options)
        elapsed_ms = (time.perf_counter() - started) * 1000
        trends: History | None = None
        if self.history_path is not None:
            if any(r.probed for r in results):
                self._append(history_line(results, at=at, deep=self.deep))
            trends = self._read()
        return build_document(
            self.config,
            results,
            at=at,
            deep=self.deep,
            timeout_s=self.timeout_s,
            elapsed_ms=elapsed_ms,
            history=trends,
            history_path=self.history_path,
        )

    def _append(self, line: str) -> None:
        assert self.history_path is not None
        try:
            append_line(self.history_path, line)
        except OSError as exc:
            self._warn_once("append", f"cannot append to {self.history_path}: {exc.strerror}")

    def _read(self) -> History | None:
        assert self.history_path is not None
        try:
            return read_history(self.history_path)
        except OSError as exc:
            self._warn_once("read", f"cannot read {self.history_path}: {exc.strerror}")
            return None

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self.warned:
            self.warned.add(key)
            output.warn(message)
