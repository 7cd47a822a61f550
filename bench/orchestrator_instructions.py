"""What a call through the generated orchestrator costs in machine instructions, this edition
against the previous one: a measure the machine's load does not move (wall and CPU time on a
shared machine could not separate the editions).

Each program runs in its own child process under valgrind's callgrind with instrumentation off;
it makes 50 warm-up calls, then the parent switches counting on (``callgrind_control -i on``),
the child makes ``--calls`` calls (and flushes the usage log), and counting goes off again. The
calls go through the official SDKs over an in-process httpx mock transport with canned replies:
no socket, no server, so only this process's work is counted. The key-form cache's 1-s refresh
is pinned (at real speed it runs once per ~1,000 calls; under valgrind every ~20).

Programs, for OpenAI and Anthropic: the raw SDK call; each edition's ``Orchestrator.complete``
with the default setup (``plain``) and with budgets, rate limits and the cache on (``all
features``, as in ``orchestrator_overhead.py``). Every program runs ``--repeats`` times; printed:
median instructions per call, the edition's difference from the previous one, and the spread
(max - min over the repeats) of each edition.

Usage: ``python bench/orchestrator_instructions.py [--calls 300] [--repeats 2] [--jobs 2]
[--previous TEMPLATES] [--only KIND[:VARIANT] ...]``, e.g. ``--only anthropic:plain openai:plain``.
Needs valgrind (skips with one line when it is missing). Offline.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from orchestrator_overhead import KEY, PREVIOUS, REPO, USER, _settings

KINDS = ("openai", "anthropic")
URLS = {"openai": "http://fake.local/v1", "anthropic": "http://fake.local"}
EDITIONS = {"previous": "genai_rt_prev", "this": "genai_rt"}
WARM_UP = 50
OPENAI_REPLY = (
    b'{"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",'
    b' "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"},'
    b' "finish_reason": "stop"}],'
    b' "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13}}'
)
ANTHROPIC_REPLY = (
    b'{"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",'
    b' "content": [{"type": "text", "text": "Hello!"}], "stop_reason": "end_turn",'
    b' "stop_sequence": null, "usage": {"input_tokens": 10, "output_tokens": 3,'
    b' "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}'
)


def _mock_client(kind: str) -> Any:
    """An httpx client (the flavour the SDK of ``kind`` uses) answering every request with the
    canned reply of that provider."""
    httpx: Any = importlib.import_module("httpx" if kind == "openai" else "httpx2")
    body, id_header = (
        (OPENAI_REPLY, "x-request-id") if kind == "openai" else (ANTHROPIC_REPLY, "request-id")
    )
    headers = {"content-type": "application/json", id_header: "req_abc"}

    def reply(request: Any) -> Any:
        return httpx.Response(200, content=body, headers=headers)

    return httpx.Client(transport=httpx.MockTransport(reply))


def _raw_call(kind: str) -> Callable[[], Any]:
    import anthropic
    import openai

    if kind == "openai":
        client = openai.OpenAI(
            base_url=URLS[kind], api_key=KEY, max_retries=0, http_client=_mock_client(kind)
        )
        return lambda: client.chat.completions.create(
            model="gpt-4o-mini", messages=USER, max_completion_tokens=64
        )
    client2 = anthropic.Anthropic(
        base_url=URLS[kind], api_key=KEY, max_retries=0, http_client=_mock_client(kind)
    )
    return lambda: client2.messages.create(model="claude-haiku-4-5", messages=USER, max_tokens=64)


def _orchestrated_call(
    kind: str, root: Path, package: str, features: bool
) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """The call through one edition's orchestrator, and what flushes its usage log."""
    sys.path[:0] = [str(root / "src")]
    rt: Any = importlib.import_module(package)
    errors: Any = importlib.import_module(f"{package}.errors")
    if hasattr(errors, "_FORMS_TTL_S"):
        errors._FORMS_TTL_S = 1e9
    log = Path(tempfile.mkdtemp())
    settings = _settings(rt, URLS, log, features=features)[kind]
    orchestrator = rt.Orchestrator(settings, http_clients={"p": _mock_client(kind)})
    counter = iter(range(10**9))

    def call() -> Any:
        if not features:
            return orchestrator.complete("r", USER, max_tokens=64)
        message = [{"role": "user", "content": f"Say hello {next(counter)}"}]
        return orchestrator.complete("r", message, max_tokens=64, temperature=0, user="u-1")

    return call, orchestrator.tracker.flush


def _child(kind: str, program: str, root: str, features: bool, calls: int) -> int:
    """Run inside callgrind: warm up, then count ``calls`` calls between two handshakes."""
    os.environ["OPENAI_API_KEY"] = os.environ["ANTHROPIC_API_KEY"] = KEY
    flush: Callable[[], Any] = lambda: None  # noqa: E731
    if program == "raw":
        call = _raw_call(kind)
    else:
        call, flush = _orchestrated_call(kind, Path(root), EDITIONS[program], features)
    for _ in range(WARM_UP):
        call()
    flush()
    time.sleep(0.5)  # let the usage log's writer settle before counting starts
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(calls):
        call()
    flush()
    print("done", flush=True)
    sys.stdin.readline()
    return 0


def _count(args: list[str], calls: int, out: Path) -> int:
    """Instructions per call of one child program under callgrind."""
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
    command += [f"--callgrind-out-file={out}", sys.executable, __file__, "--child", *args]
    command += ["--calls", str(calls)]
    with out.with_suffix(".err").open("w+") as err:
        child = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True
        )
        assert child.stdin is not None and child.stdout is not None
        for line, switch in (("ready", "on"), ("done", "off")):
            if child.stdout.readline().strip() != line:
                child.kill()
                err.seek(0)
                raise SystemExit(f"child {args} failed:\n{err.read()[-2000:]}")
            control = ["callgrind_control", "-i", switch, str(child.pid)]
            subprocess.run(control, check=True, capture_output=True)
            child.stdin.write("go\n")
            child.stdin.flush()
        child.wait()
        err.seek(0)
        collected = [line for line in err if "Collected :" in line]
    return int(collected[-1].split()[-1]) // calls


def _render(root: Path, previous: Path) -> None:
    sys.path[:0] = [str(REPO / "tests"), str(REPO / "src")]
    support: Any = importlib.import_module("init.init_support")
    support.render_repo(root, package_dir=f"src/{EDITIONS['this']}")
    support.render_repo(
        root / "prev", package_dir=f"src/{EDITIONS['previous']}", templates=previous
    )


def _jobs(only: list[str] | None) -> list[tuple[str, str, str]]:
    """Every (kind, program, variant) to count; ``only`` keeps the rows it names."""
    rows = [(k, v) for k in KINDS for v in ("plain", "all features")]
    if only:
        wanted = [tuple(f"{name}:".split(":")[:2]) for name in only]
        rows = [(k, v) for k, v in rows if any(k == w and v.startswith(x) for w, x in wanted)]
        if not rows:
            raise SystemExit(f"--only {' '.join(only)}: no row (kinds: {', '.join(KINDS)})")
    jobs = [(kind, "raw", "plain") for kind in dict.fromkeys(k for k, _ in rows)]
    return jobs + [(k, e, v) for k, v in rows for e in EDITIONS]


def _table(counts: dict[tuple[str, str, str], list[int]]) -> list[str]:
    rows = []
    for kind in dict.fromkeys(job[0] for job in counts):
        rows.append(f"{kind}: raw SDK {statistics.median(counts[kind, 'raw', 'plain']):,.0f}")
        for variant in ("plain", "all features"):
            if (kind, "this", variant) not in counts:
                continue
            this, before = counts[kind, "this", variant], counts[kind, "previous", variant]
            new, old = statistics.median(this), statistics.median(before)
            rows.append(
                f"  {variant:<13} previous {old:>11,.0f} (spread {max(before) - min(before):>7,})"
                f"  this {new:>11,.0f} (spread {max(this) - min(this):>7,})"
                f"  added {new - old:>+9,.0f} ({(new - old) / old * 100:+.2f} %)"
            )
    return rows


def main() -> int:
    """Count every program ``--repeats`` times and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2, help="children counted at once")
    parser.add_argument("--previous", default=str(PREVIOUS), help="the previous templates")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="KIND[:VARIANT]",
        help="count only these rows, e.g. anthropic:plain openai (default: every row)",
    )
    parser.add_argument("--child", nargs=4, metavar=("KIND", "PROGRAM", "ROOT", "FEATURES"))
    args = parser.parse_args()
    if args.child:
        kind, program, root, features = args.child
        return _child(kind, program, root, features == "features", args.calls)
    missing = [tool for tool in ("valgrind", "callgrind_control") if shutil.which(tool) is None]
    if missing:
        print(f"skipped: {missing[0]} not found (install valgrind, e.g. apt-get install valgrind)")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        _render(root, Path(args.previous))
        jobs = _jobs(args.only) * args.repeats

        def run(index: int) -> int:
            kind, program, variant = jobs[index]
            where = str(root if program == "this" else root / "prev")
            features = "features" if variant == "all features" else "plain"
            out = Path(scratch) / f"callgrind.{index}.out"
            return _count([kind, program, where, features], args.calls, out)

        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(run, range(len(jobs))))
    counts: dict[tuple[str, str, str], list[int]] = {}
    for job, result in zip(jobs, results, strict=True):
        counts.setdefault(job, []).append(result)
    print(f"instructions per call: {args.calls} calls after {WARM_UP} warm-up calls,")
    print(f"median of {args.repeats} repeats; spread = max - min over the repeats")
    for row in _table(counts):
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
