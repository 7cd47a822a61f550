"""Post the cost diff on the pull request as one comment, updated in place on every push."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiinfra_cli.costdiff._render import COMMENT_MARKER
from aiinfra_cli.errors import UsageError

if TYPE_CHECKING:
    import httpx


def _pull_number(environ: Mapping[str, str]) -> int:
    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        raise UsageError(
            "--github-comment needs GITHUB_EVENT_PATH (run it in a GitHub Actions job)"
        )
    try:
        event = json.loads(Path(path).read_text(encoding="utf-8"))
        return int(event["pull_request"]["number"])
    except (OSError, ValueError, KeyError, TypeError):
        raise UsageError(
            f"{path}: not a pull_request event",
            hint="run the cost-diff comment step on: pull_request",
        ) from None


@contextmanager
def _github_errors() -> Iterator[None]:
    """GitHub API failures as one line (the token never appears in it)."""
    import httpx

    try:
        yield
    except httpx.HTTPStatusError as exc:
        raise UsageError(
            f"GitHub API {exc.request.method} {exc.request.url.path}:"
            f" HTTP {exc.response.status_code}",
            hint="the job's token needs 'pull-requests: write'",
        ) from None
    except httpx.HTTPError as exc:
        raise UsageError(f"GitHub API unreachable: {type(exc).__name__}") from None


def post_pr_comment(
    markdown: str,
    environ: Mapping[str, str],
    *,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """Create the cost-diff comment, or update the one an earlier run made; "created" or
    "updated"."""
    import httpx

    token = environ.get("GITHUB_TOKEN")
    repo = environ.get("GITHUB_REPOSITORY")
    if not token or not repo:
        raise UsageError("--github-comment needs GITHUB_TOKEN and GITHUB_REPOSITORY")
    number = _pull_number(environ)
    base = environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }
    with (
        _github_errors(),
        httpx.Client(base_url=base, headers=headers, timeout=30, transport=transport) as client,
    ):
        existing = _find_comment(client, repo, number)
        if existing is None:
            client.post(
                f"/repos/{repo}/issues/{number}/comments", json={"body": markdown}
            ).raise_for_status()
            return "created"
        client.patch(
            f"/repos/{repo}/issues/comments/{existing}", json={"body": markdown}
        ).raise_for_status()
        return "updated"


def _find_comment(client: httpx.Client, repo: str, number: int) -> int | None:
    page = 1
    while True:
        response = client.get(
            f"/repos/{repo}/issues/{number}/comments", params={"per_page": 100, "page": page}
        )
        response.raise_for_status()
        comments: list[dict[str, Any]] = response.json()
        for comment in comments:
            if COMMENT_MARKER in str(comment.get("body", "")):
                return int(comment["id"])
        if len(comments) < 100:
            return None
        page += 1
