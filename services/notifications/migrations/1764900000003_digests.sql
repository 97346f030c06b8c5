-- Up Migration
-- Daily digests: a person's e-mails of a non-urgent kind, gathered per Helsinki calendar day of
-- the events (their ce_time, so events arriving out of order land in their own day). One row per
-- (organisation, person, kind, day), whatever order or concurrency the events come in; an event
-- counts once (event_ids). Its one e-mail is the delivery `digest:<key>`, due when the day ends.
CREATE TABLE digests (
  digest_key       text        PRIMARY KEY,
  organisation_id  text        NOT NULL,
  recipient_ref    text        NOT NULL,
  kind             text        NOT NULL,
  day              date        NOT NULL,
  language         text        NOT NULL,
  event_ids        text[]      NOT NULL,
  refs             text[]      NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
