-- Up Migration
-- The transactional outbox: written in the same transaction as the state it announces,
-- published by the relay (src/outbox-relay.ts). `seq` orders one aggregate's events: writers
-- of one aggregate take a transaction lock on it first (src/outbox.ts), and the unique index
-- guards the rule.
CREATE TABLE silta_outbox (
  id            bigserial PRIMARY KEY,
  aggregate_id  text        NOT NULL,
  seq           integer     NOT NULL,
  topic         text        NOT NULL,
  ce_id         text        NOT NULL UNIQUE,
  ce_type       text        NOT NULL,
  ce_source     text        NOT NULL,
  ce_subject    text,
  ce_time       timestamptz NOT NULL,
  content_type  text        NOT NULL,
  payload       bytea       NOT NULL,
  traceparent   text,
  tracestate    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz,
  attempts      integer     NOT NULL DEFAULT 0,
  last_error    text,
  dead_at       timestamptz,
  CONSTRAINT silta_outbox_aggregate_seq UNIQUE (aggregate_id, seq)
);
CREATE INDEX silta_outbox_pending ON silta_outbox (id) WHERE published_at IS NULL AND dead_at IS NULL;

-- Idempotent consumers: a ce_id is recorded in the handler's own transaction.
CREATE TABLE silta_processed_events (
  consumer      text        NOT NULL,
  ce_id         text        NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, ce_id)
);

-- Down Migration
DROP TABLE silta_processed_events;
DROP TABLE silta_outbox;
