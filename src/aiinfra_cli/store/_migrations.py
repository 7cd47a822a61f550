"""The team store's schema, as numbered migrations (recorded in ``aiinfra.schema_migrations``).

Names are a contract with the generated runtime's shipper and budget ledger
(docs/team.md): add columns, functions and migrations; never rename. Each migration runs in
one transaction together with its row in ``aiinfra.schema_migrations``.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA = "aiinfra"

BOOTSTRAP = """
CREATE SCHEMA IF NOT EXISTS aiinfra;
CREATE TABLE IF NOT EXISTS aiinfra.schema_migrations (
    version int PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now(),
    aiinfra_version text NOT NULL
);
"""

# The usage event, one column per JSON field of docs/schemas/usage-event.schema.json.
_EVENTS = """
CREATE TABLE aiinfra.usage_events (
    event_id text NOT NULL,
    "timestamp" timestamptz NOT NULL,
    schema_version int NOT NULL DEFAULT 1,
    provider text NOT NULL,
    operation text,
    request_model text NOT NULL,
    response_model text,
    model_id text,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    cache_read_tokens bigint NOT NULL DEFAULT 0,
    cache_write_tokens bigint NOT NULL DEFAULT 0,
    cache_write_1h_tokens bigint NOT NULL DEFAULT 0,
    reasoning_tokens bigint NOT NULL DEFAULT 0,
    status text NOT NULL,
    error_class text,
    error_type text,
    http_status int,
    latency_ms double precision,
    ttft_ms double precision,
    cost_usd numeric,
    feature text,
    endpoint text,
    "user" text,
    tenant text,
    route text,
    call_site text,
    attempt int NOT NULL DEFAULT 1,
    fallback_from text,
    cache_hit boolean NOT NULL DEFAULT false,
    saved_cost_usd numeric,
    batch boolean NOT NULL DEFAULT false,
    streaming boolean NOT NULL DEFAULT false,
    prompt text,
    request_id text,
    trace_id text,
    span_id text,
    service text,
    environment text,
    tags jsonb,
    key_id text,
    workspace text,
    usage_source text,
    stream_continued boolean NOT NULL DEFAULT false,
    PRIMARY KEY (event_id, "timestamp")
) PARTITION BY RANGE ("timestamp");
CREATE TABLE aiinfra.usage_events_default PARTITION OF aiinfra.usage_events DEFAULT;
-- Reports read a time window: partition pruning picks the months, this the rows inside them.
CREATE INDEX usage_events_timestamp ON aiinfra.usage_events ("timestamp");

CREATE TABLE aiinfra.usage_daily (
    day date NOT NULL,
    provider text NOT NULL,
    request_model text NOT NULL,
    model_id text NOT NULL,
    route text NOT NULL,
    feature text NOT NULL,
    "user" text NOT NULL,
    tenant text NOT NULL,
    service text NOT NULL,
    environment text NOT NULL,
    status text NOT NULL,
    events bigint NOT NULL,
    input_tokens bigint NOT NULL,
    output_tokens bigint NOT NULL,
    cache_read_tokens bigint NOT NULL,
    cache_write_tokens bigint NOT NULL,
    cost_usd numeric NOT NULL,
    PRIMARY KEY (day, provider, request_model, model_id, route, feature, "user", tenant,
                 service, environment, status)
);
-- Budgets: month/day-to-date spend, optionally per feature.
CREATE INDEX usage_daily_feature_day ON aiinfra.usage_daily (feature, day);

-- Every (provider, priced model) with its first and last event: reports price these without
-- a scan of the events for DISTINCT models, and read the store's event range from here.
CREATE TABLE aiinfra.usage_models (
    provider text NOT NULL,
    model text NOT NULL,
    first_at timestamptz NOT NULL,
    last_at timestamptz NOT NULL,
    PRIMARY KEY (provider, model)
);
"""

# One partition per calendar month (UTC), created on first use. Rows that reached the DEFAULT
# partition for that month (inserted directly, bypassing ingest_events) move into it.
_ENSURE_MONTH = """
CREATE FUNCTION aiinfra.ensure_month(month date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    month_start date := date_trunc('month', month)::date;
    part text := 'usage_events_p' || to_char(month, 'YYYYMM');
    lo timestamptz := month_start::timestamp AT TIME ZONE 'UTC';
    hi timestamptz := (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC';
BEGIN
    IF to_regclass('aiinfra.' || part) IS NOT NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('aiinfra.usage_events partitions'));
    IF to_regclass('aiinfra.' || part) IS NOT NULL THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE TABLE aiinfra.%I (LIKE aiinfra.usage_events INCLUDING DEFAULTS)', part);
    EXECUTE format(
        'WITH moved AS (DELETE FROM aiinfra.usage_events_default'
        ' WHERE "timestamp" >= %L AND "timestamp" < %L RETURNING *)'
        ' INSERT INTO aiinfra.%I SELECT * FROM moved', lo, hi, part);
    EXECUTE format(
        'ALTER TABLE aiinfra.usage_events ATTACH PARTITION aiinfra.%I FOR VALUES FROM (%L) TO (%L)',
        part, lo, hi);
END
$fn$;
"""

_ROLLUP_KEY = (
    'day, provider, request_model, model_id, route, feature, "user", tenant, service,'
    " environment, status"
)

# The single write path: a JSON array of usage events exactly as the JSONL log holds them.
_INGEST = f"""
CREATE FUNCTION aiinfra.ingest_events(events jsonb) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
    month date;
    inserted int;
BEGIN
    FOR month IN
        SELECT DISTINCT date_trunc('month', (e->>'timestamp')::timestamptz AT TIME ZONE 'UTC')::date
        FROM jsonb_array_elements(events) AS e
        ORDER BY 1
    LOOP
        PERFORM aiinfra.ensure_month(month);
    END LOOP;
    WITH raw AS (
        SELECT e AS doc, r.*
        FROM jsonb_array_elements(events) AS e,
             LATERAL jsonb_populate_record(NULL::aiinfra.usage_events, e) AS r
    ), ins AS (
        INSERT INTO aiinfra.usage_events
        SELECT coalesce(event_id,
                        'sha256:' || encode(sha256(convert_to(doc::text, 'UTF8')), 'hex')),
               "timestamp", coalesce(schema_version, 1), provider, coalesce(operation, 'chat'),
               request_model, response_model, model_id, input_tokens, output_tokens,
               coalesce(cache_read_tokens, 0), coalesce(cache_write_tokens, 0),
               coalesce(cache_write_1h_tokens, 0), coalesce(reasoning_tokens, 0),
               status, error_class, error_type, http_status, latency_ms, ttft_ms, cost_usd,
               feature, endpoint, "user", tenant, route, call_site, coalesce(attempt, 1),
               fallback_from, coalesce(cache_hit, false), saved_cost_usd, coalesce(batch, false),
               coalesce(streaming, false), prompt, request_id, trace_id, span_id, service,
               environment, tags, key_id, workspace, usage_source,
               coalesce(stream_continued, false)
        FROM raw
        ON CONFLICT DO NOTHING
        RETURNING *
    ), rolled AS (
        INSERT INTO aiinfra.usage_daily AS d
        SELECT ("timestamp" AT TIME ZONE 'UTC')::date AS day, provider, request_model,
               coalesce(model_id, ''), coalesce(route, ''), coalesce(feature, ''),
               coalesce("user", ''), coalesce(tenant, ''), coalesce(service, ''),
               coalesce(environment, ''), status, count(*), sum(input_tokens),
               sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens),
               coalesce(sum(cost_usd), 0)
        FROM ins
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
        ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
        ON CONFLICT ({_ROLLUP_KEY}) DO UPDATE SET
            events = d.events + excluded.events,
            input_tokens = d.input_tokens + excluded.input_tokens,
            output_tokens = d.output_tokens + excluded.output_tokens,
            cache_read_tokens = d.cache_read_tokens + excluded.cache_read_tokens,
            cache_write_tokens = d.cache_write_tokens + excluded.cache_write_tokens,
            cost_usd = d.cost_usd + excluded.cost_usd
        RETURNING 1
    ), models AS (
        INSERT INTO aiinfra.usage_models AS m
        SELECT provider, coalesce(response_model, request_model), min("timestamp"),
               max("timestamp")
        FROM ins
        GROUP BY 1, 2
        ORDER BY 1, 2
        ON CONFLICT (provider, model) DO UPDATE SET
            first_at = least(m.first_at, excluded.first_at),
            last_at = greatest(m.last_at, excluded.last_at)
        RETURNING 1
    )
    SELECT count(*) INTO inserted FROM ins;
    RETURN inserted;
END
$fn$;
-- Both run as the schema's owner: a writer needs EXECUTE on ingest_events only (GRANTed by the
-- team, see docs/team.md), never INSERT on the tables or CREATE on the schema.
REVOKE ALL ON FUNCTION aiinfra.ensure_month(date) FROM PUBLIC;
REVOKE ALL ON FUNCTION aiinfra.ingest_events(jsonb) FROM PUBLIC;
"""


# The providers' own bill (`aiinfra billing pull`), one row per normalised bucket
# (docs/schemas/billing-bucket.schema.json); a re-pull of a range replaces it.
_BILLING = """
CREATE TABLE aiinfra.billing_buckets (
    provider text NOT NULL,
    kind text NOT NULL,
    endpoint text NOT NULL,
    starting_at timestamptz NOT NULL,
    ending_at timestamptz NOT NULL,
    day date NOT NULL,
    model text,
    key_id text,
    workspace text,
    service_tier text,
    line_item text,
    category text,
    tokens bigint,
    billed_usd numeric,
    partial boolean NOT NULL DEFAULT false
);
CREATE INDEX billing_buckets_provider_day ON aiinfra.billing_buckets (provider, day);

CREATE FUNCTION aiinfra.replace_billing(
    p_provider text, p_from timestamptz, p_to timestamptz, p_buckets jsonb
) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, aiinfra AS $fn$
DECLARE
    n integer;
BEGIN
    DELETE FROM aiinfra.billing_buckets
    WHERE provider = p_provider AND starting_at >= p_from AND starting_at < p_to;
    INSERT INTO aiinfra.billing_buckets (
        provider, kind, endpoint, starting_at, ending_at, day, model, key_id, workspace,
        service_tier, line_item, category, tokens, billed_usd, partial
    )
    SELECT b.provider, b.kind, b.endpoint, b.start, b."end", b.day, b.model, b.key_id,
        b.workspace, b.service_tier, b.line_item, b.category, b.tokens,
        b.billed_usd::numeric, coalesce(b.partial, false)
    FROM jsonb_to_recordset(p_buckets) AS b(
        provider text, kind text, endpoint text, start timestamptz, "end" timestamptz,
        day date, model text, key_id text, workspace text, service_tier text,
        line_item text, category text, tokens bigint, billed_usd text, partial boolean
    )
    WHERE b.provider = p_provider;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$fn$;
REVOKE ALL ON FUNCTION aiinfra.replace_billing(text, timestamptz, timestamptz, jsonb)
    FROM PUBLIC;
"""


@dataclass(frozen=True)
class Migration:
    """One schema version: the SQL that brings the store from ``version - 1`` to ``version``."""

    version: int
    summary: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "usage_events (monthly partitions), usage_daily rollup, usage_models, ingest_events(jsonb)",
        _EVENTS + _ENSURE_MONTH + _INGEST,
    ),
    Migration(2, "billing_buckets, replace_billing(provider, from, to, jsonb)", _BILLING),
)
LATEST = MIGRATIONS[-1].version
