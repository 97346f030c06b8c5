-- Up Migration
-- Preferences: the organisation's defaults (person_ref '') that its administrators may lock, and
-- each person's own choice; kind '*' for every kind. Quiet hours per person, in their time zone.
CREATE TABLE preferences (
  organisation_id  text        NOT NULL,
  person_ref       text        NOT NULL,
  kind             text        NOT NULL,
  channel          text        NOT NULL CHECK (channel IN ('in_app', 'email')),
  enabled          boolean     NOT NULL,
  locked           boolean     NOT NULL DEFAULT false,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, person_ref, kind, channel),
  CHECK (person_ref = '' OR NOT locked)
);

CREATE TABLE quiet_hours (
  organisation_id  text        NOT NULL,
  person_ref       text        NOT NULL,
  time_zone        text        NOT NULL,
  windows          jsonb       NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organisation_id, person_ref)
);
