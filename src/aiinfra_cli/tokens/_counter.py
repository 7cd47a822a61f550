"""How the text of one model is counted: an exact BPE count, or an estimate built on o200k."""

from __future__ import annotations

from dataclasses import dataclass

from aiinfra_cli.tokens import _estimate
from aiinfra_cli.tokens._bpe import count_bpe
from aiinfra_cli.tokens._models import (
    CLAUDE,
    GEMINI,
    OPENAI_CL100K,
    OPENAI_O200K,
    claude_version,
    family_for_model,
)


@dataclass(frozen=True)
class TextCounter:
    """Counts text for one model family."""

    family: str
    method: str
    encoding: str  # the BPE run underneath: the answer itself, or the base of the estimate
    calibration: _estimate.Calibration | None = None

    @property
    def exact(self) -> bool:
        """True when counts are real BPE counts, not estimates."""
        return self.calibration is None

    def count(self, text: str) -> float:
        """Tokens in ``text``; unrounded for estimates so that parts can be summed first."""
        tokens = count_bpe(text, self.encoding)
        if self.calibration is None:
            return float(tokens)
        return _estimate.estimate(text, tokens, self.calibration)


def counter_for_model(model: str | None) -> TextCounter:
    """The counter for ``model``; None means "no model in particular", counted as o200k_base."""
    if model is None:
        return TextCounter(OPENAI_O200K, "o200k_base", "o200k_base")
    family = family_for_model(model)
    if family == OPENAI_O200K:
        return TextCounter(family, "o200k_base", "o200k_base")
    if family == OPENAI_CL100K:
        return TextCounter(family, "cl100k_base", "cl100k_base")
    if family == CLAUDE:
        cal = _estimate.claude_calibration(claude_version(model))
        return TextCounter(family, cal.method, "o200k_base", cal)
    if family == GEMINI:
        return TextCounter(family, _estimate.GEMINI.method, "o200k_base", _estimate.GEMINI)
    return TextCounter(family, _estimate.GENERIC.method, "o200k_base", _estimate.GENERIC)
