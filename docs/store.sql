-- The tables of pgstore (github.com/echofx/healthcheck/pgstore), in the
-- schema "healthcheck" (HEALTH_STORE_SCHEMA: replace every "healthcheck"
-- below by your schema). The store runs this itself at start, under
-- pg_advisory_xact_lock, unless HEALTH_STORE_MIGRATE=false; then run it
-- with your migrations, as a role that the application's role may use:
--
--   GRANT USAGE ON SCHEMA "healthcheck" TO app;
--   GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "healthcheck" TO app;
--   GRANT USAGE ON ALL SEQUENCES IN SCHEMA "healthcheck" TO app;
--
-- Every statement is idempotent.

CREATE SCHEMA IF NOT EXISTS "healthcheck";

-- One row per replica: its heartbeat, written at every flush.
CREATE TABLE IF NOT EXISTS "healthcheck".instances (
    service     text        NOT NULL,
    instance    text        NOT NULL,
    version     text        NOT NULL DEFAULT '',
    started_at  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    status      text        NOT NULL,
    interval_ms bigint      NOT NULL,
    PRIMARY KEY (service, instance)
);

-- Every change of a check's status, with the replica that saw it.
CREATE TABLE IF NOT EXISTS "healthcheck".transitions (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service     text        NOT NULL,
    check_name  text        NOT NULL,
    instance    text        NOT NULL,
    from_status text        NOT NULL,
    to_status   text        NOT NULL,
    message     text        NOT NULL DEFAULT '',
    at          timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS transitions_by_check
    ON "healthcheck".transitions (service, check_name, at DESC);
CREATE INDEX IF NOT EXISTS transitions_by_time
    ON "healthcheck".transitions (at);

-- Counts per check, replica and minute (kept 48 h by default). hist counts
-- executions by latency, at most 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000,
-- 2500, 5000 ms and above: a p95 to the bucket's precision. rolled is
-- false until the row's hour has been rolled up into hour_buckets (a
-- write to a rolled row clears it, so the hour is rolled up again).
CREATE TABLE IF NOT EXISTS "healthcheck".minute_buckets (
    service        text        NOT NULL,
    check_name     text        NOT NULL,
    instance       text        NOT NULL,
    start_at       timestamptz NOT NULL,
    runs           integer     NOT NULL,
    failures       integer     NOT NULL,
    latency_sum_us bigint      NOT NULL,
    latency_max_us bigint      NOT NULL,
    hist           integer[]   NOT NULL,
    rolled         boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (service, check_name, instance, start_at)
);
CREATE INDEX IF NOT EXISTS minute_buckets_by_time
    ON "healthcheck".minute_buckets (start_at);
CREATE INDEX IF NOT EXISTS minute_buckets_unrolled
    ON "healthcheck".minute_buckets (start_at) WHERE NOT rolled;

-- The same counts per hour, rolled up from the minute buckets (kept 30 d
-- by default).
CREATE TABLE IF NOT EXISTS "healthcheck".hour_buckets (
    service        text        NOT NULL,
    check_name     text        NOT NULL,
    instance       text        NOT NULL,
    start_at       timestamptz NOT NULL,
    runs           integer     NOT NULL,
    failures       integer     NOT NULL,
    latency_sum_us bigint      NOT NULL,
    latency_max_us bigint      NOT NULL,
    hist           integer[]   NOT NULL,
    PRIMARY KEY (service, check_name, instance, start_at)
);
CREATE INDEX IF NOT EXISTS hour_buckets_by_time
    ON "healthcheck".hour_buckets (start_at);
-- What the fleet's availability reads, without the rows' histograms.
CREATE INDEX IF NOT EXISTS hour_buckets_fleet
    ON "healthcheck".hour_buckets (service, start_at) INCLUDE (check_name, runs, failures);
