"""What ``aiinfra init`` writes for Python: each output path, its template, and its policy.

Policies:

* ``managed``: code and docs that follow the templates. Re-running ``init`` updates them while
  they are unedited; an edited one is kept (``--force`` takes the template's version).
* ``seed``: starting points that belong to the user once written (config, prompts, state
  files). Written only when missing; never updated, never overwritten, even with ``--force``.

Output paths may use ``{package_dir}``, ``{tests_dir}`` and ``{usage_log_dir}``. An entry
without a template is built in code (``builder``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MANAGED = "managed"
SEED = "seed"
POLICIES = (MANAGED, SEED)

RUNTIME_MODULES = (
    "__init__",
    "budget",
    "config",
    "context_manager",
    "cost_tracker",
    "errors",
    "model_orchestrator",
    "otel_export",
    "prompt_loader",
    "providers",
    "resilience",
    "response_cache",
    "shared_state",
    "store_shipper",
    "store_spend",
    "streaming",
    "vocabulary",
)
TEST_MODULES = (
    "conftest",
    "ai_testkit",
    "test_ai_orchestrator",
    "test_ai_cost_tracker",
    "test_ai_context_manager",
    "test_ai_prompt_loader",
    "test_ai_store",
)


@dataclass(frozen=True)
class Entry:
    """One generated file."""

    output: str
    policy: str
    template: str | None = None
    builder: str | None = None


def runtime(
    language: str, ext: str, modules: Sequence[str], tests: Sequence[str], *extra: Entry
) -> tuple[Entry, ...]:
    """A runtime's managed code: its modules (``templates/<language>/ai/``), the price
    snapshot, ``extra``, and its tests (``templates/<language>/tests/``)."""

    def code(folder: str, kind: str, names: Sequence[str]) -> list[Entry]:
        return [
            Entry(f"{{{folder}}}/{n}.{ext}", MANAGED, template=f"{language}/{kind}/{n}.{ext}.j2")
            for n in names
        ]

    prices = Entry("{package_dir}/_prices.json", MANAGED, builder="prices")
    return (*code("package_dir", "ai", modules), prices, *extra, *code("tests_dir", "tests", tests))


PYTHON: tuple[Entry, ...] = (
    *runtime(
        "python",
        "py",
        RUNTIME_MODULES,
        TEST_MODULES,
        # The prompt render budget is the CLI's own module, copied verbatim: one definition.
        Entry("{package_dir}/prompt_budget.py", MANAGED, builder="prompt_budget"),
    ),
    Entry(".multiagent/ai-infrastructure/README.md", MANAGED, template="multiagent/README.md.j2"),
    Entry(
        ".multiagent/ai-infrastructure/requirements-team.txt",
        MANAGED,
        template="multiagent/requirements-team.txt.j2",
    ),
    Entry("config/ai-models.yaml", SEED, template="config/ai-models.yaml.j2"),
    Entry("config/prompt-library.yaml", SEED, template="config/prompt-library.yaml.j2"),
    Entry("config/prompt-library.lock.json", SEED, builder="prompt_lock"),
    Entry("prompts/user/summarize.prompty", SEED, template="prompts/summarize.prompty.j2"),
    Entry(
        "prompts/versions/summarize/1.0.0.prompty", SEED, template="prompts/summarize.prompty.j2"
    ),
    Entry("prompts/system/.gitkeep", SEED, builder="empty"),
    Entry("prompts/templates/.gitkeep", SEED, builder="empty"),
    Entry(
        ".multiagent/ai-infrastructure/memory/cost-baselines.json",
        SEED,
        template="multiagent/cost-baselines.json.j2",
    ),
    Entry("{usage_log_dir}/.gitignore", SEED, builder="log_gitignore"),
    Entry(".multiagent/ai-infrastructure/memory/.gitignore", SEED, builder="memory_gitignore"),
    Entry(".multiagent/health/.gitignore", SEED, builder="health_gitignore"),
)
