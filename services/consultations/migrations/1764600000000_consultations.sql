-- Up Migration
-- The exclusion constraint needs equality on uuid inside a GiST index (TOOLCHAIN.md "Booking
-- without races"): btree_gist ships with Debian's postgresql-15.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE specialists (
  specialist_id      uuid        PRIMARY KEY,
  -- The specialist's user id at their organisation: an opaque reference.
  person_ref         text        NOT NULL,
  organisation_id    text        NOT NULL,
  organisation_type  text        NOT NULL CHECK (organisation_type IN ('wellbeing_area', 'expert_centre')),
  display_name       text        NOT NULL DEFAULT '',
  skills             text[]      NOT NULL DEFAULT '{}',
  languages          text[]      NOT NULL DEFAULT '{}',
  municipality_codes text[]      NOT NULL DEFAULT '{}',
  weight             integer     NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 100),
  time_zone          text        NOT NULL DEFAULT 'Europe/Helsinki',
  schedules          jsonb       NOT NULL DEFAULT '[]',
  overrides          jsonb       NOT NULL DEFAULT '[]',
  works_on_holidays  boolean     NOT NULL DEFAULT false,
  rules              jsonb       NOT NULL DEFAULT '{}',
  -- [{ "from": iso, "until": iso, "standIn": uuid }]
  out_of_office      jsonb       NOT NULL DEFAULT '[]',
  -- sha256 of the secret of the calendar feed URL; NULL: no feed.
  feed_token_hash    text        UNIQUE,
  last_booked_at     timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organisation_id, person_ref)
);
CREATE INDEX specialists_skills ON specialists USING gin (skills);

-- A request id answers with its first result (a retry, or a concurrent duplicate, gets the same).
CREATE TABLE booking_requests (
  request_key  text        PRIMARY KEY,
  booking_ids  uuid[]      NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bookings (
  booking_id                 uuid        PRIMARY KEY,
  specialist_id              uuid        NOT NULL REFERENCES specialists,
  kind                       text        NOT NULL CHECK (kind IN ('consultation', 'mentoring', 'training', 'co_work')),
  status                     text        NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'rescheduled', 'completed', 'no_show', 'expired')),
  starts_at                  timestamptz NOT NULL,
  ends_at                    timestamptz NOT NULL CHECK (ends_at > starts_at),
  -- The time taken, the specialist's buffers included.
  occupied                   tstzrange   NOT NULL,
  -- A hold's expiry (holds are rows: a lost Redis never loses or duplicates one).
  expires_at                 timestamptz,
  requester_ref              text        NOT NULL,
  requester_organisation_id  text        NOT NULL,
  -- The child's responsible social worker (virkavastuu); recorded, never changed here.
  responsible_worker_ref     text        NOT NULL DEFAULT '',
  municipality_code          text        NOT NULL DEFAULT '',
  -- The counted municipality has no specialist of its own (the reserved share's beneficiaries).
  priority                   boolean     NOT NULL DEFAULT false,
  -- Co-work only: the area's pseudonym of the child and the consent decision that allowed it.
  subject_pseudonym          text,
  consent_decision_id        text,
  -- Consultation and training only; never a henkilötunnus (refused before it gets here).
  topic                      text,
  location                   text        NOT NULL DEFAULT '',
  video_link                 text        NOT NULL DEFAULT '',
  series_id                  uuid,
  capacity                   integer     NOT NULL DEFAULT 0,
  seats_taken                integer     NOT NULL DEFAULT 0,
  ical_uid                   text        NOT NULL,
  sequence                   integer     NOT NULL DEFAULT 0,
  rescheduled_to             uuid,
  rescheduled_from           uuid,
  cancelled_by               text,
  cancel_reason              text,
  assigned_by                text        NOT NULL,
  created_at                 timestamptz NOT NULL DEFAULT now(),
  updated_at                 timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT seats_within_capacity CHECK (seats_taken >= 0 AND seats_taken <= capacity),
  -- No child identity outside co-work (a co-work hold gets it only when confirmed).
  CONSTRAINT child_only_in_co_work CHECK (kind = 'co_work' OR (subject_pseudonym IS NULL AND consent_decision_id IS NULL)),
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (specialist_id WITH =, occupied WITH &&) WHERE (status IN ('held', 'confirmed'))
);
CREATE INDEX bookings_requester ON bookings (requester_organisation_id, requester_ref, starts_at);
CREATE INDEX bookings_responsible ON bookings (responsible_worker_ref, starts_at);
CREATE INDEX bookings_specialist ON bookings (specialist_id, starts_at);

CREATE TABLE training_seats (
  booking_id              uuid        NOT NULL REFERENCES bookings,
  worker_ref              text        NOT NULL,
  worker_organisation_id  text        NOT NULL,
  taken_at                timestamptz NOT NULL,
  PRIMARY KEY (booking_id, worker_organisation_id, worker_ref)
);

CREATE TABLE booking_history (
  id                     bigserial   PRIMARY KEY,
  booking_id             uuid        NOT NULL REFERENCES bookings,
  action                 text        NOT NULL,
  actor_ref              text        NOT NULL,
  actor_organisation_id  text        NOT NULL,
  reason                 text        NOT NULL DEFAULT '',
  at                     timestamptz NOT NULL
);
CREATE INDEX booking_history_booking ON booking_history (booking_id);

-- One row: the deployment's fairness settings.
CREATE TABLE fairness_settings (
  id                           boolean  PRIMARY KEY DEFAULT true CHECK (id),
  reserved_percent             integer  NOT NULL CHECK (reserved_percent BETWEEN 0 AND 100),
  release_hours                integer  NOT NULL CHECK (release_hours >= 0),
  priority_municipality_codes  text[]   NOT NULL DEFAULT '{}'
);
INSERT INTO fairness_settings (reserved_percent, release_hours) VALUES (0, 0);

CREATE TABLE waitlist (
  entry_id                   uuid        PRIMARY KEY,
  -- The order people joined in (a clock can give two the same time).
  seq                        bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
  request_key                text        NOT NULL UNIQUE,
  specialist_id              uuid        REFERENCES specialists,
  skill                      text,
  day                        date        NOT NULL,
  kind                       text        NOT NULL,
  length_minutes             integer     NOT NULL,
  requester_ref              text        NOT NULL,
  requester_organisation_id  text        NOT NULL,
  created_at                 timestamptz NOT NULL,
  offered_booking_id         uuid,
  CHECK ((specialist_id IS NULL) <> (skill IS NULL))
);
CREATE INDEX waitlist_waiting ON waitlist (day, seq) WHERE offered_booking_id IS NULL;
