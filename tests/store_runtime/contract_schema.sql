-- The team store as the store contract defines it (schema version 1), for the runtime's
-- tests until the CLI's own migrations are importable here. Names and types follow the
-- contract exactly: the runtime only calls aiinfra.ingest_events and reads usage_daily.
CREATE SCHEMA aiinfra;
CREATE TABLE aiinfra.schema_migrations (
  version int PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now(),
  aiinfra_version text NOT NULL
);
INSERT INTO aiinfra.schema_migrations (version, aiinfra_version) VALUES (1, 'tests');
CREATE TABLE aiinfra.usage_events (
  schema_version int, event_id text NOT NULL, "timestamp" timestamptz NOT NULL,
  provider text NOT NULL, operation text, request_model text NOT NULL, response_model text,
  model_id text, input_tokens bigint NOT NULL, output_tokens bigint NOT NULL,
  cache_read_tokens bigint, cache_write_tokens bigint, cache_write_1h_tokens bigint,
  reasoning_tokens bigint, status text NOT NULL, error_class text, error_type text,
  http_status int, latency_ms double precision, ttft_ms double precision, cost_usd numeric,
  feature text, endpoint text, "user" text, tenant text, route text, call_site text,
  attempt int, fallback_from text, cache_hit boolean, saved_cost_usd numeric, batch boolean,
  streaming boolean, prompt text, request_id text, trace_id text, span_id text, service text,
  environment text, tags jsonb,
  PRIMARY KEY (event_id, "timestamp")
) PARTITION BY RANGE ("timestamp");
CREATE TABLE aiinfra.usage_events_default PARTITION OF aiinfra.usage_events DEFAULT;
CREATE TABLE aiinfra.usage_daily (
  day date NOT NULL, provider text NOT NULL, request_model text NOT NULL, model_id text NOT NULL,
  route text NOT NULL, feature text NOT NULL, "user" text NOT NULL, tenant text NOT NULL,
  service text NOT NULL, environment text NOT NULL, status text NOT NULL,
  events bigint NOT NULL, input_tokens bigint NOT NULL, output_tokens bigint NOT NULL,
  cache_read_tokens bigint NOT NULL, cache_write_tokens bigint NOT NULL, cost_usd numeric NOT NULL,
  PRIMARY KEY (day, provider, request_model, model_id, route, feature, "user", tenant, service,
               environment, status)
);
CREATE FUNCTION aiinfra.ingest_events(events jsonb) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  m date;
  n int;
BEGIN
  FOR m IN
    SELECT DISTINCT date_trunc('month', ((e ->> 'timestamp')::timestamptz) AT TIME ZONE 'UTC')::date
    FROM jsonb_array_elements(events) AS e
  LOOP
    BEGIN
      EXECUTE format(
        'CREATE TABLE IF NOT EXISTS aiinfra.%I PARTITION OF aiinfra.usage_events'
        ' FOR VALUES FROM (%L) TO (%L)',
        'usage_events_' || to_char(m, 'YYYY_MM'),
        m::timestamp AT TIME ZONE 'UTC', (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    EXCEPTION WHEN duplicate_table OR unique_violation THEN NULL;
    END;
  END LOOP;
  WITH ins AS (
    INSERT INTO aiinfra.usage_events
    SELECT * FROM jsonb_populate_recordset(NULL::aiinfra.usage_events, events)
    ON CONFLICT DO NOTHING
    RETURNING *
  ), rolled AS (
    INSERT INTO aiinfra.usage_daily AS d
    SELECT ("timestamp" AT TIME ZONE 'UTC')::date, provider, request_model,
           coalesce(model_id, ''), coalesce(route, ''), coalesce(feature, ''),
           coalesce("user", ''), coalesce(tenant, ''), coalesce(service, ''),
           coalesce(environment, ''), status, count(*), sum(input_tokens), sum(output_tokens),
           coalesce(sum(cache_read_tokens), 0), coalesce(sum(cache_write_tokens), 0),
           coalesce(sum(cost_usd), 0)
    FROM ins GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    ON CONFLICT (day, provider, request_model, model_id, route, feature, "user", tenant, service,
                 environment, status)
    DO UPDATE SET events = d.events + excluded.events,
                  input_tokens = d.input_tokens + excluded.input_tokens,
                  output_tokens = d.output_tokens + excluded.output_tokens,
                  cache_read_tokens = d.cache_read_tokens + excluded.cache_read_tokens,
                  cache_write_tokens = d.cache_write_tokens + excluded.cache_write_tokens,
                  cost_usd = d.cost_usd + excluded.cost_usd
  )
  SELECT count(*)::int INTO n FROM ins;
  RETURN n;
END
$$;
