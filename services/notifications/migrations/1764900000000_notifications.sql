-- Up Migration
-- The directory: people (by the `sub` of their tokens) with language, e-mail and channels; group
-- addresses (an area's intake desk, duty desk, teams); webhooks. Each row belongs to the
-- organisation whose administrator wrote it, with where it acts (type, areas) from their identity.
CREATE TABLE people (
  organisation_id    text        NOT NULL,
  person_ref         text        NOT NULL,
  organisation_type  text        NOT NULL,
  area_codes         text[]      NOT NULL,
  language           text        NOT NULL CHECK (language IN ('fi', 'sv', 'en')),
  email              text        NOT NULL DEFAULT '',
  channels           text[]      NOT NULL DEFAULT '{}',
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, person_ref)
);
CREATE INDEX people_ref ON people (person_ref);

CREATE TABLE group_addresses (
  organisation_id    text        NOT NULL,
  group_ref          text        NOT NULL,
  organisation_type  text        NOT NULL,
  area_codes         text[]      NOT NULL,
  member_refs        text[]      NOT NULL,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, group_ref)
);
CREATE INDEX group_addresses_ref ON group_addresses (group_ref);

CREATE TABLE webhooks (
  webhook_id       uuid        PRIMARY KEY,
  organisation_id  text        NOT NULL,
  url              text        NOT NULL,
  secret           text        NOT NULL,
  created_at       timestamptz NOT NULL
);
CREATE INDEX webhooks_organisation ON webhooks (organisation_id);

-- One row per (domain event, kind, channel, recipient): the job of its delivery as well (due at
-- next_attempt_at while queued), written in the transaction that creates it, so retries survive
-- restarts and a redelivered event creates nothing twice. Title and body are the rendered
-- message (kind, reference, area, link: no case content); an e-mail address is read from the
-- directory when sending, never copied here.
CREATE TABLE deliveries (
  delivery_id       uuid        PRIMARY KEY,
  event_id          text        NOT NULL,
  kind              text        NOT NULL,
  must_deliver      boolean     NOT NULL,
  channel           text        NOT NULL CHECK (channel IN ('in_app', 'email', 'webhook')),
  organisation_id   text        NOT NULL,
  recipient_ref     text        NOT NULL,
  language          text        NOT NULL,
  reference         text        NOT NULL,
  title             text        NOT NULL,
  body              text        NOT NULL,
  link              text        NOT NULL,
  status            text        NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'failed', 'read')),
  attempts          integer     NOT NULL DEFAULT 0,
  first_attempt_at  timestamptz,
  next_attempt_at   timestamptz,
  last_error        text        NOT NULL DEFAULT '',
  escalated         boolean     NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL,
  done_at           timestamptz,
  read_at           timestamptz,
  UNIQUE (event_id, kind, channel, organisation_id, recipient_ref)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'queued';
CREATE INDEX deliveries_inbox ON deliveries (organisation_id, recipient_ref, created_at DESC) WHERE channel = 'in_app';
CREATE INDEX deliveries_organisation ON deliveries (organisation_id, status, created_at DESC);
