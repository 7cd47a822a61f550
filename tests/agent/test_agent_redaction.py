"""The allow-list walk: figures and identifiers pass, text and people do not."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aiinfra_cli.agent import redact_facts, scrub_text
from aiinfra_cli.agent._allowlist import MAX_ITEMS


def test_figures_models_locations_and_rule_codes_pass_unchanged() -> None:
    facts = {
        "totals": {"cost_usd": "1240.50", "requests": 48210, "cache_hit_rate": 0.41},
        "by_model": [{"model": "claude-sonnet-4-5", "provider": "anthropic", "cost_usd": "812.20"}],
        "findings": [
            {"code": "AIC003", "file": "src/app/summary.py", "line": 88, "severity": "warning"},
            {"rule": "missing-max-tokens", "call_site": "src/app/chat.py:12", "tokens": 5200},
        ],
        "period": {"since": date(2026, 10, 1), "until": "2026-10-30", "change": "+12.5%"},
        "forecast_usd": Decimal("1500.125"),
        "within_budget": False,
        "prompt": "summarize@1.2.0",
    }
    payload, report = redact_facts(facts)
    assert payload == {
        "totals": {"cost_usd": "1240.50", "requests": 48210, "cache_hit_rate": 0.41},
        "by_model": [{"model": "claude-sonnet-4-5", "provider": "anthropic", "cost_usd": "812.20"}],
        "findings": [
            {"code": "AIC003", "file": "src/app/summary.py", "line": 88, "severity": "warning"},
            {"rule": "missing-max-tokens", "call_site": "src/app/chat.py:12", "tokens": 5200},
        ],
        "period": {"since": "2026-10-01", "until": "2026-10-30", "change": "+12.5%"},
        "forecast_usd": "1500.125",
        "within_budget": False,
        "prompt": "summarize@1.2.0",
    }
    assert report.as_dict() == {"dropped": {}, "pseudonymised": 0, "scrubbed": 0, "truncated": 0}


def test_raw_content_and_unlisted_text_are_dropped_even_if_marked_safe() -> None:
    facts = {
        "messages": [{"role": "user", "content": "my order 1234 never arrived"}],
        "snippet": "client.messages.create(model='x')",
        "output": "Sure! Here is the summary",
        "description": "free text the agent does not know",
        "model": "not a model id, it has spaces",
        "code": "print('hello')",
        "findings": [{"code": "AIC001", "message": "no max_tokens on this call"}],
    }
    payload, report = redact_facts(facts, safe_fields=("output", "message"))
    assert payload == {"findings": [{"code": "AIC001", "message": "no max_tokens on this call"}]}
    assert report.dropped == {"raw content": 3, "unlisted text": 1, "unexpected shape": 2}


def test_people_become_stable_pseudonyms_in_values_and_keys() -> None:
    facts = {
        "by_user": {"alice@example.com": {"cost_usd": "30.5"}, "u_829": {"cost_usd": "2"}},
        "top_users": [{"user": "u_829", "cost_usd": "2"}, {"user": "alice@example.com"}],
        "tenant_id": "acme-corp",
        "user_ids": ["u_829", "u_1"],
        "account_id": 99120,
        "user_count": 2,
        "by_caller": {"+442079460958": 1},
        "callers": ["+442079460958"],
    }
    payload, report = redact_facts(facts)
    assert payload == {
        "by_user": {"user-1": {"cost_usd": "30.5"}, "user-2": {"cost_usd": "2"}},
        "top_users": [{"user": "user-2", "cost_usd": "2"}, {"user": "user-1"}],
        "tenant_id": "tenant-1",
        "user_ids": ["user-2", "user-3"],
        "account_id": "account-1",
        "user_count": 2,
        "by_caller": {"key-1": 1},
        "callers": ["[phone]"],
    }
    assert report.pseudonymised == 6


def test_safe_text_is_scrubbed_shortened_and_on_one_line() -> None:
    key = "sk-ant-" + "api03-" + "Zz9Yy8Xx7Ww6Vv5Uu4"
    text = (
        f"call from /home/alice/app.py with {key}; mail bob@corp.example or"
        " +44 20 7946 0958, host 203.0.113.9, card 4111 1111 1111 1111\n  end"
    )
    payload, report = redact_facts({"message": text}, safe_fields=("message",))
    assert payload == {
        "message": "call from ~/app.py with [REDACTED]; mail [email] or [phone],"
        " host [ip], card [card] end"
    }
    assert report.scrubbed == 1
    long, _ = redact_facts({"message": "x" * 1000}, safe_fields=("message",))
    assert len(long["message"]) == 400 and long["message"].endswith("…")


def test_mapping_keys_that_are_not_identifiers_are_replaced() -> None:
    payload, _ = redact_facts(
        {"by_feature": {"summarize": 3, "ask bob@corp.example": 4, "gpt-4o-mini": 5}}
    )
    assert payload == {"by_feature": {"summarize": 3, "key-1": 4, "gpt-4o-mini": 5}}


def test_absolute_paths_keep_only_their_tail_and_long_lists_are_cut() -> None:
    payload, report = redact_facts(
        {
            "file": "/home/alice/work/repo/src/app.py",
            "findings": [{"line": n} for n in range(MAX_ITEMS + 7)],
        }
    )
    assert payload["file"] == ".../repo/src/app.py"
    assert payload["findings"][-1] == "[7 more omitted]"
    assert len(payload["findings"]) == MAX_ITEMS + 1
    assert report.truncated == 1


def test_scrub_text_leaves_versions_dates_and_amounts() -> None:
    text = "summarize@1.2.0 on 2026-10-12 cost $1234567.89 for 48210 requests"
    assert scrub_text(text) == text
