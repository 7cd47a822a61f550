"""Deterministic usage-log generators for the cost-report benchmarks (same seed, same bytes).

    python bench/cost_report_gen.py own DIR --records 1000000 [--files 10]
    python bench/cost_report_gen.py claude DIR --records 1000000 [--projects 20]

``own``: the tracker's JSONL (schema v1), spread over ``--files`` monthly-style files.
``claude``: a Claude Code config dir (``DIR/projects/<project>/<session>.jsonl``) whose lines are
user turns and assistant messages shaped like Claude Code 1.x/2.x writes them (content, usage
with the 5-minute / 1-hour cache split, 80 % of writes 1-hour, ``requestId``) in sessions of
about 200 records, including the repeated records Claude
Code writes for one response (same ``message.id`` + ``requestId``), which count once.
Keep generated data outside the repository (e.g. under /tmp).
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

START = datetime(2026, 8, 1, tzinfo=timezone.utc)
DAYS = 90
OWN_MODELS = (
    ("anthropic", "claude-sonnet-4-5", 0.35),
    ("anthropic", "claude-haiku-4-5", 0.30),
    ("openai", "gpt-4o-mini", 0.15),
    ("openai", "o4-mini", 0.10),
    ("gemini", "gemini-2.5-flash", 0.08),
    ("acme", "acme-tagger-v2", 0.02),
)
CLAUDE_MODELS = (
    ("claude-sonnet-4-5-20250929", 0.6),
    ("claude-opus-4-1-20250805", 0.1),
    ("claude-haiku-4-5-20251001", 0.3),
)
SESSION_RECORDS = 200
FEATURES = ("summarize", "chat", "analyze", "tagging", "search", "support")
_TEXT = "Let me look at the failing test and the code path it exercises before changing anything."


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def own(out: Path, records: int, files: int, seed: int = 11) -> int:
    """Write ``records`` usage events into ``files`` JSONL files under ``out``."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    weights = [w for _, _, w in OWN_MODELS]
    per_file = -(-records // files)
    step = DAYS * 86_400 / records
    written = 0
    for index in range(files):
        lines = []
        for _ in range(min(per_file, records - written)):
            provider, model, _w = rng.choices(OWN_MODELS, weights)[0]
            moment = START + timedelta(seconds=written * step + rng.random())
            inp = int(rng.lognormvariate(0, 0.7) * 3000) + 1
            outp = int(rng.lognormvariate(0, 0.7) * 300) + 1
            event: dict[str, object] = {
                "schema_version": 1,
                "event_id": f"e{seed}-{written:09d}",
                "timestamp": _stamp(moment),
                "provider": provider,
                "request_model": model,
                "input_tokens": inp,
                "output_tokens": outp,
                "status": "error" if rng.random() < 0.02 else "ok",
                "feature": FEATURES[rng.randrange(len(FEATURES))],
                "endpoint": f"/api/{FEATURES[rng.randrange(len(FEATURES))]}",
                "user": f"u-{rng.randrange(500):04d}",
                "call_site": f"src/app/mod{rng.randrange(20)}.py:{40 + 20 * rng.randrange(3)}",
                "attempt": 2 if rng.random() < 0.03 else 1,
                "latency_ms": round(rng.uniform(200, 4000), 1),
            }
            if provider == "anthropic" and rng.random() < 0.7:
                event["cache_read_tokens"] = inp // 2
            if model == "o4-mini":
                event["reasoning_tokens"] = outp // 2
            lines.append(json.dumps(event, separators=(",", ":")))
            written += 1
        (out / f"usage-{index:03d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def claude(out: Path, records: int, projects: int, seed: int = 13) -> int:
    """Write ``records`` lines of Claude Code session logs under ``out/projects``."""
    rng = random.Random(seed)
    weights = [w for _, w in CLAUDE_MODELS]
    # Sessions of about 200 records (5,000 files at 1M), as real Claude Code logs are.
    sessions_per_project = max(1, records // (projects * SESSION_RECORDS))
    lines_per_session = max(1, records // (projects * sessions_per_project))
    written = 0
    message = 0
    for p in range(projects):
        project = out / "projects" / f"-home-dev-src-project{p:02d}"
        project.mkdir(parents=True, exist_ok=True)
        for s in range(sessions_per_project):
            session = f"{seed:04x}{p:04x}-{s:04x}-4000-8000-{rng.getrandbits(48):012x}"
            moment = START + timedelta(seconds=rng.randrange(DAYS * 86_400))
            cwd = f"/home/dev/src/project{p:02d}"
            lines: list[str] = []
            parent = None
            last: str | None = None
            count = (
                lines_per_session
                if (p, s) != (projects - 1, sessions_per_project - 1)
                else (records - written)
            )
            while len(lines) < count:
                moment += timedelta(seconds=rng.randrange(2, 90))
                uuid = f"{rng.getrandbits(128):032x}"
                kind = rng.random()
                base: dict[str, object] = {
                    "parentUuid": parent,
                    "isSidechain": False,
                    "userType": "external",
                    "cwd": cwd,
                    "sessionId": session,
                    "version": "2.0.14",
                    "gitBranch": "main",
                }
                if kind < 0.35:
                    record: dict[str, object] = {
                        **base,
                        "type": "user",
                        "message": {"role": "user", "content": _TEXT[: rng.randrange(20, 80)]},
                        "uuid": uuid,
                        "timestamp": _stamp(moment),
                    }
                    line = json.dumps(record, separators=(",", ":"))
                elif kind < 0.42 and last is not None:
                    line = last  # Claude Code writes one response more than once
                else:
                    message += 1
                    model = rng.choices(CLAUDE_MODELS, weights)[0][0]
                    # 80 % of cache writes with the 1-hour TTL (Claude Code's default today).
                    write = rng.randrange(0, 8000) if rng.random() < 0.4 else 0
                    w1h = write if rng.random() < 0.8 else 0
                    w5 = write - w1h
                    usage: dict[str, object] = {
                        "input_tokens": rng.randrange(1, 400),
                        "cache_creation_input_tokens": w5 + w1h,
                        "cache_read_input_tokens": rng.randrange(0, 60000),
                        "cache_creation": {
                            "ephemeral_5m_input_tokens": w5,
                            "ephemeral_1h_input_tokens": w1h,
                        },
                        "output_tokens": rng.randrange(1, 2000),
                        "service_tier": "standard",
                    }
                    record = {
                        **base,
                        "message": {
                            "id": f"msg_{seed:02d}{message:022d}",
                            "type": "message",
                            "role": "assistant",
                            "model": model,
                            "content": [{"type": "text", "text": _TEXT}],
                            "stop_reason": "end_turn",
                            "stop_sequence": None,
                            "usage": usage,
                        },
                        "requestId": f"req_{seed:02d}{message:022d}",
                        "type": "assistant",
                        "uuid": uuid,
                        "timestamp": _stamp(moment),
                    }
                    line = json.dumps(record, separators=(",", ":"))
                    last = line
                lines.append(line)
                parent = uuid
            (project / f"{session}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
            written += len(lines)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("own", "claude"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--projects", type=int, default=20)
    args = parser.parse_args()
    if args.kind == "own":
        count = own(args.out, args.records, args.files)
    else:
        count = claude(args.out, args.records, args.projects)
    print(f"{count} records written under {args.out}")


if __name__ == "__main__":
    main()
