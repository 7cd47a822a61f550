"""aiinfra: production-grade LLM infrastructure for any repository, and the checks on it."""

from __future__ import annotations

__version__ = "0.1.0"
