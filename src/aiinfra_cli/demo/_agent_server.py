"""The local stand-in for the agent's model in ``aiinfra demo --agent``: no key, no network.

A stdlib HTTP server on 127.0.0.1 (an ephemeral port, one daemon thread) that speaks the
Anthropic Messages API: ``POST /v1/messages`` answered in JSON with a ``usage`` block, and the
models endpoints ``aiinfra model-health`` probes. It is not a model: it reads the redacted facts
the agent sent (the JSON after ``Results of `aiinfra …`:``) and answers by fixed rules — the
largest cost drivers, fallbacks, spikes and unpriced models of a cost report; the findings of a
scan grouped by rule code, the largest dollar estimate first; cheaper routes for the modules of
an ``init`` scan — citing the figures it was sent. The demo says so wherever it shows them.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

MODEL = "aiinfra-demo-stand-in"
# The key the demo's config points the stand-in's provider at: a dummy, checked, never shown.
KEY = "demo-no-key"
KEY_ENV = "AIINFRA_DEMO_AGENT_KEY"
_HEADER = re.compile(r"Results of `aiinfra ([a-z\- ]+)`:\n")
_RECOMMENDATIONS = 4
_FIXES = {
    "AIC001": "Pass max_tokens sized to the answer the caller needs.",
    "AIC002": "Give the call or its client a timeout (timeout=30).",
    "AIC003": "Call a route of config/ai-models.yaml instead of a hard-coded model.",
    "AIC004": "Move the call to a current model before it fails.",
    "AIC009": "Stream the answer (stream=True) or lower max_tokens.",
    "AIC012": "Route the call through the generated complete() or tracker.observe().",
}


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _usd(amount: Decimal) -> str:
    """``12.50``: a plain decimal string with cents (what the schema asks for)."""
    return format(amount.quantize(Decimal("0.01")), "f")


def _rows(facts: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    value = facts.get(name)
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _recommendation(
    title: str, rationale: str, impact: str, monthly: Decimal, action: str, location: Any = None
) -> dict[str, Any]:
    return {
        "title": title,
        "rationale": rationale,
        "impact": impact,
        "estimated_monthly_usd": _usd(max(monthly, Decimal(0))),
        "action": action,
        "location": location if isinstance(location, str) else None,
    }


def cost_report_answer(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Recommendations from a cost report's aggregates."""
    totals = facts.get("totals") or {}
    days = int((facts.get("period") or {}).get("days") or 30) or 30
    monthly = Decimal(30) / Decimal(days)
    total = _money(totals.get("cost_usd"))
    out: list[dict[str, Any]] = []
    # Priced models with a cost: a free local model is no like-for-like replacement.
    models = [
        m
        for m in _rows(facts, "by_model")
        if m.get("priced") and m.get("requests") and _money(m.get("cost_usd")) > 0
    ]
    models.sort(key=lambda m: _money(m.get("cost_usd")), reverse=True)
    if len(models) >= 2:
        top = models[0]
        per_call = {m["model"]: _money(m["cost_usd"]) / int(m["requests"]) for m in models}
        cheapest = min(per_call, key=lambda name: per_call[name])
        if cheapest != top["model"]:
            saving = (per_call[top["model"]] - per_call[cheapest]) * int(top["requests"]) / 2
            site = (_rows(facts, "top_call_sites") or [{}])[0]
            out.append(
                _recommendation(
                    f"Send half of {top['model']}'s traffic to {cheapest}",
                    f"{top['model']} cost ${_usd(_money(top['cost_usd']))} of"
                    f" ${_usd(total)} ({top.get('share_pct')}%) over {top['requests']}"
                    f" requests, ${per_call[top['model']]:.4f} a request against"
                    f" ${per_call[cheapest]:.4f} on {cheapest}.",
                    "saving",
                    saving * monthly,
                    f"Put {cheapest} first in the chain of the routes whose requests do not"
                    f" need {top['model']}, starting with the top call site.",
                    site.get("call_site"),
                )
            )
    fallbacks = (facts.get("errors_and_retries") or {}).get("fallbacks") or {}
    if _money(fallbacks.get("cost_usd")) > 0:
        out.append(
            _recommendation(
                "Cut the fallbacks that follow rate limits",
                f"{fallbacks.get('requests')} requests fell back to another model and cost"
                f" ${_usd(_money(fallbacks.get('cost_usd')))} in the period; the period had"
                f" {totals.get('errors')} errors.",
                "risk",
                _money(fallbacks.get("cost_usd")) * monthly,
                "Raise the primary models' rate limits or add rate_limit to their routes so"
                " requests queue instead of failing over.",
            )
        )
    spikes = (facts.get("anomalies") or {}).get("days") or []
    if spikes and isinstance(spikes[0], dict):
        spike = max(spikes, key=lambda d: _money(d.get("cost_usd")))
        extra = _money(spike.get("cost_usd")) - _money(spike.get("baseline_usd"))
        out.append(
            _recommendation(
                f"Find what drove the spike on {spike.get('date')}",
                f"{spike.get('date')} cost ${_usd(_money(spike.get('cost_usd')))} against a"
                f" baseline of ${_usd(_money(spike.get('baseline_usd')))}"
                f" (+{spike.get('change_pct')}%).",
                "risk",
                extra,
                "Break that day down with `aiinfra cost-report --since DAY --until DAY"
                " --group-by feature,call_site` and add a daily budget.",
            )
        )
    for row in _rows(facts, "unpriced")[:1]:
        out.append(
            _recommendation(
                f"Give {row.get('model')} a price",
                f"{row.get('requests')} requests to {row.get('model')} carry"
                f" {row.get('input_tokens')} input tokens with no price: the totals leave"
                " them out.",
                "risk",
                Decimal(0),
                f"Add pricing: to the {row.get('model')} model in config/ai-models.yaml.",
            )
        )
    top_feature = (_rows(facts, "by_feature") or [{}])[0]
    summary = (
        f"The period cost ${_usd(total)} over {totals.get('requests')} requests;"
        f" {top_feature.get('feature', 'the top feature')} is"
        f" {top_feature.get('share_pct', '?')}% of it."
    )
    return {"summary": summary, "recommendations": out[:_RECOMMENDATIONS]}


def optimize_context_answer(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Recommendations from a scan's findings, one per rule code, largest estimate first."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for finding in _rows(facts, "findings"):
        groups.setdefault(str(finding.get("code")), []).append(finding)

    def monthly(finding: Mapping[str, Any]) -> Decimal:
        return _money(finding.get("estimated_monthly_usd"))

    ranked = sorted(
        groups.items(), key=lambda item: (-sum(monthly(f) for f in item[1]), -len(item[1]))
    )
    chosen = ranked[:_RECOMMENDATIONS]
    # An error (a retired model, an untracked call) matters even when no dollar is on it.
    errors = [g for g in ranked if g not in chosen and g[1][0].get("severity") == "error"]
    if errors:
        chosen = [*chosen[: _RECOMMENDATIONS - 1], errors[0]]
    out: list[dict[str, Any]] = []
    for code, findings in chosen:
        worst = max(findings, key=monthly)
        total = sum((monthly(f) for f in findings), Decimal(0))
        cost = f", {worst.get('observed_calls')} calls seen" if worst.get("observed_calls") else ""
        if worst.get("usd_per_call") is not None and worst.get("observed_calls"):
            cost += (
                f" at ${worst.get('usd_per_call')} a call, about ${_usd(monthly(worst))} a month"
            )
        message = str(worst.get("message") or worst.get("rule")).rstrip(".")
        out.append(
            _recommendation(
                f"Fix {worst.get('rule')} ({code}) at {len(findings)} call site(s)",
                f"{message} ({len(findings)} finding(s); the largest at"
                f" {worst.get('file')}:{worst.get('line')} on {worst.get('model')}{cost}).",
                "risk",
                total,
                _FIXES.get(
                    code, f"Apply the fix `aiinfra optimize-context --select {code}` names."
                ),
                f"{worst.get('file')}:{worst.get('line')}",
            )
        )
    summary = facts.get("summary") or {}
    return {
        "summary": f"{summary.get('findings')} findings at {summary.get('call_sites')} call"
        f" sites in {summary.get('files_scanned')} files.",
        "recommendations": out,
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "module"


# Output caps up to this many tokens are short work a fast model does (classify, extract, rewrite).
_SHORT_OUTPUT = 2000


def init_answer(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Route proposals: a module none of whose calls allows a long answer gets a route on the
    cheapest fast model (of its provider when there is one), its own model as the fallback."""
    models = {str(m.get("model_id")): m for m in _rows(facts, "models")}
    fast = sorted(
        (m for m in models.values() if m.get("tier") == "fast" and m.get("output_usd_per_mtok")),
        key=lambda m: _money(m.get("output_usd_per_mtok")),
    )
    taken = {str(r.get("route")) for r in _rows(facts, "routes")}
    routes: list[dict[str, Any]] = []
    modules = sorted(_rows(facts, "modules"), key=lambda m: -int(m.get("calls") or 0))
    for module in modules:
        sites = _rows(module, "call_sites")
        own = [str(s["model_id"]) for s in sites if s.get("model_id") in models]
        caps = [int(s["max_tokens"]) for s in sites if isinstance(s.get("max_tokens"), int)]
        short = all(c <= _SHORT_OUTPUT for c in caps)
        if not own or not fast or not short:
            continue
        primary = models[own[0]]
        same = [m for m in fast if m.get("provider") == primary.get("provider")] or fast
        cheap = same[0]
        if cheap["model_id"] == primary["model_id"]:
            continue
        stem = str(module.get("file")).rsplit("/", 1)[-1].removesuffix(".py")
        name = f"{module.get('route') or _slug(stem)}-fast"
        if name in taken:
            continue
        taken.add(name)
        cap = f", max_tokens up to {max(caps)}" if caps else ""
        routes.append(
            {
                "name": name,
                "tier": "fast",
                "chain": [cheap["model_id"], primary["model_id"]],
                "rationale": f"{module.get('file')}: {module.get('calls')} call(s) on"
                f" {primary.get('model')}{cap}; {cheap['model_id']} costs"
                f" ${cheap.get('output_usd_per_mtok')} per million output tokens against"
                f" ${primary.get('output_usd_per_mtok')}.",
            }
        )
    scan = facts.get("scan") or {}
    return {
        "summary": f"{scan.get('call_sites')} LLM call sites in {len(modules)} modules;"
        f" {scan.get('untracked_calls')} bypass the tracker.",
        "routes": routes[:3],
    }


def answer(text: str) -> dict[str, Any]:
    """The stand-in's answer to a user message carrying ``Results of `aiinfra …`:`` facts."""
    match = _HEADER.search(text)
    try:
        facts = json.loads(text[match.end() :]) if match else {}
    except ValueError:
        facts = {}
    command = match.group(1) if match else ""
    if not isinstance(facts, dict):
        facts = {}
    if command == "init":
        return init_answer(facts)
    if command == "cost-report":
        return cost_report_answer(facts)
    if command == "optimize-context":
        return optimize_context_answer(facts)
    return {"summary": "The demo stand-in has no rules for this input.", "recommendations": []}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # a demo prints nothing of its own server

    def _send(self, status: int, body: Mapping[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("request-id", f"req_demo_{self.server.next_id():06d}")
        self.end_headers()
        self.wfile.write(payload)

    def _authorised(self) -> bool:
        # SDK releases send the key as x-api-key or as a bearer token: take either.
        bearer = (self.headers.get("authorization") or "").removeprefix("Bearer ")
        if KEY in (self.headers.get("x-api-key"), bearer):
            return True
        error = {"type": "authentication_error", "message": "invalid x-api-key"}
        self._send(401, {"type": "error", "error": error})
        return False

    def do_GET(self) -> None:
        if not self._authorised():
            return
        model = {
            "type": "model",
            "id": MODEL,
            "display_name": "aiinfra demo stand-in (not a model)",
            "created_at": "2025-01-01T00:00:00Z",
        }
        if self.path.rstrip("/") == "/v1/models":
            self._send(200, {"data": [model], "has_more": False, "first_id": MODEL})
        elif self.path == f"/v1/models/{MODEL}":
            self._send(200, model)
        else:
            error = {"type": "not_found_error", "message": f"not found: {self.path}"}
            self._send(404, {"type": "error", "error": error})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self._authorised():
            return
        try:
            body = json.loads(raw)
            messages = body["messages"]
            text = next(m["content"] for m in messages if m.get("role") == "user")
        except (ValueError, KeyError, TypeError, StopIteration):
            error = {
                "type": "invalid_request_error",
                "message": "messages: a user turn is required",
            }
            self._send(400, {"type": "error", "error": error})
            return
        reply = json.dumps(answer(text if isinstance(text, str) else ""))
        self._send(
            200,
            {
                "id": f"msg_demo_{self.server.next_id():06d}",
                "type": "message",
                "role": "assistant",
                "model": body.get("model", MODEL),
                "content": [{"type": "text", "text": reply}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                # A stable stand-in for token counts: a quarter of the characters.
                "usage": {"input_tokens": max(1, len(raw) // 4), "output_tokens": len(reply) // 4},
            },
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self._lock = threading.Lock()
        self._counter = 0

    def next_id(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter


class DemoAgentServer:
    """The stand-in, serving while the ``with`` block runs::

    with DemoAgentServer() as server:
        server.base_url  # http://127.0.0.1:PORT, for an anthropic provider's base_url
    """

    def __init__(self) -> None:
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (the SDK appends ``/v1/messages``)."""
        assert self._httpd is not None, "start the server first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> DemoAgentServer:
        self._httpd = _Server()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(2.0)
