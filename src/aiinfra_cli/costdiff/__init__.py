"""``aiinfra cost-diff``: the cost of a change, priced on each call site's and route's real traffic.

Public surface::

    DiffOptions, compute(options) → CostDiff        compare BASE with the working tree
    render_text, render_json, render_markdown        the output formats
    COMMENT_MARKER                                   marks the PR comment updated in place
    post_pr_comment(markdown, environ)               create or update that comment on GitHub
"""

from __future__ import annotations

from aiinfra_cli.costdiff._engine import DiffOptions, compute
from aiinfra_cli.costdiff._git import repo_root
from aiinfra_cli.costdiff._github import post_pr_comment
from aiinfra_cli.costdiff._model import Change, CostDiff, Traffic
from aiinfra_cli.costdiff._render import (
    COMMENT_MARKER,
    render_json,
    render_markdown,
    render_text,
)

__all__ = [
    "COMMENT_MARKER",
    "Change",
    "CostDiff",
    "DiffOptions",
    "Traffic",
    "compute",
    "post_pr_comment",
    "render_json",
    "render_markdown",
    "render_text",
    "repo_root",
]
