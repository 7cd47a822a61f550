"""The prompt library: prompt files, versions and labels, the lock, sandboxed rendering, tests.

Format and resolution rules: ``docs/prompt-format.md``. Public surface::

    load_library(root=None) -> Library          index, lock, working copies, every problem found
    Library.resolve("name" | "name@1.2.0" | "name:production") -> PromptFile
    parse_ref(text) -> Ref;  find_library_root(start=None) -> Path
    render(prompt, values) -> Rendered          sandboxed, strict; errors name prompt, var, line
    coerce_value(prompt, name, text), parse_var_options(options), read_vars_file(path),
    read_option_file(path, option)
    check_library(library) -> [Problem]         what CI and pre-commit refuse
    add_prompt(library, NewPrompt, text=None, source=None), bump(library, name, level, labels)
    load_environment(root) -> Environment       config + price table, for estimates
    resolve_target(spec, env), estimate(rendered, target), static_tokens(text, model)
    plan(prompts, env, grader=None) -> Plan;  results(plan)
    run_live(plan, env, caller, grader=None)   calls through the injected caller
    save_baseline(root, mode, rows), load_baseline(root, mode), compare(baseline, rows)
    last_changes(root, paths)

Nothing here imports Typer or Rich; model calls are injected (``Caller``), never made here.
"""

from __future__ import annotations

from aiinfra_cli.prompts._assertions import AssertionResult, Observation, Verdict, evaluate
from aiinfra_cli.prompts._baseline import (
    BASELINE_RELPATH,
    Change,
    compare,
    load_baseline,
    save_baseline,
)
from aiinfra_cli.prompts._check import check_library
from aiinfra_cli.prompts._errors import Problem, PromptError, SandboxViolation
from aiinfra_cli.prompts._estimate import (
    Environment,
    Estimate,
    Target,
    estimate,
    load_environment,
    resolve_target,
    static_tokens,
)
from aiinfra_cli.prompts._facts import agent_facts, summary_dict
from aiinfra_cli.prompts._git import last_changes
from aiinfra_cli.prompts._index import INDEX_RELPATH
from aiinfra_cli.prompts._library import (
    PROMPTS_DIR,
    SUFFIX,
    VERSIONS_DIR,
    Library,
    Ref,
    find_library_root,
    load_library,
    parse_ref,
    sort_problems,
)
from aiinfra_cli.prompts._lock import LOCK_RELPATH
from aiinfra_cli.prompts._model import (
    CATEGORIES,
    TYPES,
    Assertion,
    ModelSpec,
    PromptFile,
    TestCase,
    Variable,
)
from aiinfra_cli.prompts._parse import normalize_text
from aiinfra_cli.prompts._render import (
    Message,
    Rendered,
    coerce_value,
    parse_var_options,
    read_option_file,
    read_vars_file,
    render,
)
from aiinfra_cli.prompts._runner import (
    Attempt,
    Caller,
    CallFailed,
    CallRequest,
    CallResult,
    CaseResult,
    Plan,
    cases_for,
    plan,
    results,
    run_live,
)
from aiinfra_cli.prompts._write import (
    INITIAL_VERSION,
    BumpResult,
    NewPrompt,
    add_prompt,
    adopt_text,
    bump,
    infer_variables,
    prompt_text,
)

__all__ = [
    "BASELINE_RELPATH",
    "CATEGORIES",
    "INDEX_RELPATH",
    "INITIAL_VERSION",
    "LOCK_RELPATH",
    "PROMPTS_DIR",
    "SUFFIX",
    "TYPES",
    "VERSIONS_DIR",
    "Assertion",
    "AssertionResult",
    "Attempt",
    "BumpResult",
    "CallFailed",
    "CallRequest",
    "CallResult",
    "Caller",
    "CaseResult",
    "Change",
    "Environment",
    "Estimate",
    "Library",
    "Message",
    "ModelSpec",
    "NewPrompt",
    "Observation",
    "Plan",
    "Problem",
    "PromptError",
    "PromptFile",
    "Ref",
    "Rendered",
    "SandboxViolation",
    "Target",
    "TestCase",
    "Variable",
    "Verdict",
    "add_prompt",
    "adopt_text",
    "agent_facts",
    "bump",
    "cases_for",
    "check_library",
    "coerce_value",
    "compare",
    "estimate",
    "evaluate",
    "find_library_root",
    "infer_variables",
    "last_changes",
    "load_baseline",
    "load_environment",
    "load_library",
    "normalize_text",
    "parse_ref",
    "parse_var_options",
    "plan",
    "prompt_text",
    "read_option_file",
    "read_vars_file",
    "render",
    "resolve_target",
    "results",
    "run_live",
    "save_baseline",
    "sort_problems",
    "static_tokens",
    "summary_dict",
]
