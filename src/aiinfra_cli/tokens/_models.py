"""Model name → tokenizer family.

Names arrive in many spellings: bare (``gpt-4o``), with a router or provider prefix
(``openai/gpt-4o``, ``azure/gpt-4o``, ``openrouter/anthropic/claude-3.5-sonnet``), as Bedrock
ids (``us.anthropic.claude-3-7-sonnet-20250219-v1:0``), Vertex ids (``claude-3-5-sonnet@20240620``,
``models/gemini-2.0-flash``), OpenAI fine-tunes (``ft:gpt-4o-mini-2024-07-18:org::id``) and with
dated suffixes. All are reduced to the bare model name before matching.
"""

from __future__ import annotations

import re

OPENAI_O200K = "openai-o200k"
OPENAI_CL100K = "openai-cl100k"
CLAUDE = "claude"
GEMINI = "gemini"
OTHER = "other"

# Order matters: o200k prefixes are tested first so that "gpt-4o" / "gpt-4.1" never fall
# through to the cl100k "gpt-4" rule. Sources: tiktoken/model.py (MODEL_PREFIX_TO_ENCODING)
# for the OpenAI families.
_O200K = re.compile(
    r"^(?:gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|gpt-oss|codex|o1|o3|o4)(?:$|[-_.:@])"
)
_CL100K = re.compile(
    r"^(?:gpt-4(?:$|-)|gpt-3\.5|gpt-35|text-embedding-3|text-embedding-ada-002|ada-002)"
)
_CLAUDE = re.compile(r"^claude(?:$|[-_.:@])")
_GEMINI = re.compile(r"^gemini(?:$|[-_.:@])")
# Bedrock model ids carry a vendor (and optionally a region) in front: "us.anthropic.claude-…".
_BEDROCK_VENDOR = re.compile(r"^(?:[a-z]{2,4}\.)?anthropic\.")


def bare_model_name(model: str) -> str:
    """Lower-case ``model`` and strip provider prefixes, routers and fine-tune wrappers."""
    name = model.strip().lower()
    if name.startswith("ft:"):  # ft:<base>:<org>:<suffix>:<id>
        name = name[3:].split(":", 1)[0]
    name = name.rsplit("/", 1)[-1]  # "openai/…", "vertex_ai/…", "models/…", routers
    return _BEDROCK_VENDOR.sub("", name)


def family_for_model(model: str) -> str:
    """The tokenizer family of ``model``.

    One of ``"openai-o200k"``, ``"openai-cl100k"``, ``"claude"``, ``"gemini"`` or ``"other"``
    (anything not recognised, counted with a generic estimate).
    """
    name = bare_model_name(model)
    if _O200K.match(name):
        return OPENAI_O200K
    if _CL100K.match(name):
        return OPENAI_CL100K
    if _CLAUDE.match(name):
        return CLAUDE
    if _GEMINI.match(name):
        return GEMINI
    return OTHER


def encoding_name_for_model(model: str) -> str | None:
    """``"o200k_base"`` or ``"cl100k_base"`` for OpenAI models, None for everything else."""
    family = family_for_model(model)
    if family == OPENAI_O200K:
        return "o200k_base"
    if family == OPENAI_CL100K:
        return "cl100k_base"
    return None


def claude_version(model: str) -> tuple[int, int] | None:
    """``(major, minor)`` of a Claude model name, or None if it carries no version.

    Handles both orders Anthropic has used ("claude-3-5-sonnet", "claude-sonnet-4-5"), dotted
    router spellings ("claude-3.5-sonnet") and ignores 8-digit dates and Bedrock's "-v1:0".
    """
    parts = re.split(r"[-_.@:]", bare_model_name(model))
    for i, part in enumerate(parts):
        if part.isdigit() and len(part) <= 2:
            nxt = parts[i + 1] if i + 1 < len(parts) else ""
            minor = int(nxt) if nxt.isdigit() and len(nxt) <= 2 else 0
            return int(part), minor
    return None
