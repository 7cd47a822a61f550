"""aiinfra: production-grade LLM infrastructure for any repository, and the checks that keep it honest."""

from __future__ import annotations

__version__ = "0.1.0"
