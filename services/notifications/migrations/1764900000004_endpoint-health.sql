-- Up Migration
-- A circuit breaker per webhook endpoint: consecutive failed attempts, and until when attempts to
-- it wait (open). Opening tells the organisation's notifications administrators in-app once per
-- outage; a success, or an administrator's replay, closes it.
CREATE TABLE endpoint_health (
  webhook_id            uuid        PRIMARY KEY REFERENCES webhooks ON DELETE CASCADE,
  consecutive_failures  integer     NOT NULL DEFAULT 0,
  open_until            timestamptz
);
