"""Token estimates for tokenizers that cannot run offline (Claude, Gemini, unknown models).

An estimate starts from the exact o200k_base count and scales it by a factor that depends on
what the text looks like. ``docs/tokens.md`` gives the published figures behind each factor,
what was measured, on what, and with what error; keep the two in step.

The text is described by a few cheap numbers (passes over the string, no tokenizer):

* the share of non-space characters that are ASCII punctuation, which separates prose (about
  2–5 %) from code, markup and data (15 % and up); it blends a prose and a code factor;
* the share of letters in CJK scripts and in other non-Latin scripts, which get their own
  factors because vocabularies differ most there;
* the ASCII digits, for tokenizers that give every digit its own token (Gemini's
  SentencePiece model does; o200k groups up to three).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

_ASCII_PUNCT_CHARS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"  # string.punctuation
_ASCII_SPACE_CHARS = " \t\n\r\x0b\x0c"

# Punctuation share at or below which text counts as prose, and at or above which it counts
# as code; linear in between. Fitted on the calibration corpus (see docs/tokens.md).
PROSE_PUNCT_SHARE = 0.06
CODE_PUNCT_SHARE = 0.16


@dataclass(frozen=True)
class Calibration:
    """Factors that turn an o200k_base count into an estimate for one tokenizer."""

    method: str  # the TokenCount.method this calibration produces
    prose: float  # tokens per o200k token on Latin-script prose
    code: float  # ... on code, markup and structured data
    cjk: float  # ... on Chinese, Japanese and Korean text
    other_script: float  # ... on other non-Latin scripts (Cyrillic, Devanagari, Arabic, ...)
    split_digits: bool  # the tokenizer gives every digit its own token


# Gemini 1.x–3.x. Fitted against the Gemma 3 SentencePiece vocabulary, which Google's own SDK
# uses to count Gemini 2.0–3.0 tokens offline (google-genai, _local_tokenizer_loader.py).
GEMINI = Calibration(
    method="estimate:gemini",
    prose=1.02,
    code=1.15,
    cjk=0.75,
    other_script=0.90,
    split_digits=True,
)

# Claude 3 up to 4.6: +16 % on English prose and +30 % on Python code relative to GPT-4o's
# o200k_base (published measurement, Claude 3.5 Sonnet). Non-Latin scripts: no published
# figure; assumed no better than cl100k_base, whose ratio to o200k was measured on the corpus.
CLAUDE = Calibration(
    method="estimate:claude",
    prose=1.16,
    code=1.30,
    cjk=1.45,
    other_script=1.90,
    split_digits=False,
)

# Claude Opus 4.7 and later use a new tokenizer that "may use roughly 1x to 1.35x as many
# tokens" as the previous one (Anthropic's migration guide). A published 4.6-vs-4.7 count_tokens
# comparison found 1.20-1.47x on English text, 1.29-1.39x on code and ~1.0x on CJK. Factors =
# CLAUDE x 1.35 (prose) and x 1.30 (code); non-Latin scripts unchanged.
CLAUDE_4_7 = replace(CLAUDE, prose=1.57, code=1.69)

# Everything unrecognised: o200k plus a 10 % margin. Most other tokenizers have smaller
# vocabularies than o200k, and over-counting is the safe side for context and budget checks.
GENERIC = Calibration(
    method="estimate:generic",
    prose=1.10,
    code=1.10,
    cjk=1.10,
    other_script=1.10,
    split_digits=False,
)


@dataclass(frozen=True)
class TextFeatures:
    """The cheap description of a text that the estimate needs."""

    punct_share: float  # ASCII punctuation / non-space characters
    cjk_share: float  # CJK letters / letters
    other_script_share: float  # other non-Latin letters / letters
    digits: int  # ASCII digits
    o200k_digit_tokens: int  # tokens o200k spends on them (runs split into groups of 3)


@dataclass(frozen=True)
class _Patterns:
    cjk: re.Pattern[str]
    non_latin: re.Pattern[str]
    letter: re.Pattern[str]
    space: re.Pattern[str]
    digits: re.Pattern[str]


@functools.cache
def _patterns() -> _Patterns:
    # Compiled on first use rather than at import: importing this package must stay cheap.
    return _Patterns(
        # Hiragana, katakana, CJK unified ideographs (+ extension A and compatibility), hangul
        # syllables and half-width katakana.
        cjk=re.compile(
            r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\uff66-\uff9f]"
        ),
        # Letters (word characters that are neither digits nor "_") outside the Latin ranges.
        non_latin=re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f\u1e00-\u1eff]"),
        letter=re.compile(r"[^\W\d_]"),
        space=re.compile(r"\s"),
        digits=re.compile(r"[0-9]+"),
    )


def _matches(pattern: re.Pattern[str], text: str) -> int:
    # Counting via the length of what sub() removes stays in C and allocates one string,
    # where findall() would allocate one per match.
    return len(text) - len(pattern.sub("", text))


def text_features(text: str) -> TextFeatures:
    """Measure ``text`` for :func:`estimate`."""
    # str.count per character beats a regex pass; the letter and script regexes run only on
    # text that is not pure ASCII (for ASCII text both script shares are 0 by definition).
    punct = sum(map(text.count, _ASCII_PUNCT_CHARS))
    if text.isascii():
        non_space = len(text) - sum(map(text.count, _ASCII_SPACE_CHARS))
        letters = cjk = other = 0
    else:
        rx = _patterns()
        non_space = len(text) - _matches(rx.space, text)
        letters = _matches(rx.letter, text)
        cjk = _matches(rx.cjk, text)
        other = _matches(rx.non_latin, text) - cjk
    digits = sum(map(text.count, "0123456789"))
    runs = _patterns().digits.findall(text) if digits else []
    return TextFeatures(
        punct_share=punct / non_space if non_space else 0.0,
        cjk_share=cjk / letters if letters else 0.0,
        other_script_share=other / letters if letters else 0.0,
        digits=digits,
        o200k_digit_tokens=sum((len(run) + 2) // 3 for run in runs),
    )


def factor(features: TextFeatures, cal: Calibration) -> float:
    """Tokens per o200k token for a text with ``features`` under ``cal``."""
    span = CODE_PUNCT_SHARE - PROSE_PUNCT_SHARE
    code_weight = min(1.0, max(0.0, (features.punct_share - PROSE_PUNCT_SHARE) / span))
    latin = cal.prose + (cal.code - cal.prose) * code_weight
    latin_share = max(0.0, 1.0 - features.cjk_share - features.other_script_share)
    return (
        latin * latin_share
        + cal.cjk * features.cjk_share
        + cal.other_script * features.other_script_share
    )


def estimate(text: str, o200k_tokens: int, cal: Calibration) -> float:
    """Estimated token count of ``text`` (unrounded, so that parts can be summed first)."""
    if o200k_tokens <= 0:
        return 0.0
    features = text_features(text)
    f = factor(features, cal)
    if cal.split_digits:
        non_digit = max(0, o200k_tokens - features.o200k_digit_tokens)
        return f * non_digit + features.digits
    return f * o200k_tokens


def round_estimate(value: float) -> int:
    """Round half up; a non-empty estimate is never reported as 0 tokens."""
    if value <= 0.0:
        return 0
    return max(1, int(value + 0.5))


def claude_calibration(version: tuple[int, int] | None) -> Calibration:
    """The calibration for a Claude model of ``version`` (None: assume the newest tokenizer)."""
    if version is not None and version < (4, 7):
        return CLAUDE
    return CLAUDE_4_7
