-- Up Migration
-- Multi-agency meetings of one wellbeing area. The child is known only by the area's pseudonym;
-- the family's contact details live in `participants` and leave only by GetFamilyContact.

CREATE TABLE meetings (
  meeting_id                 uuid        PRIMARY KEY,
  kind                       text        NOT NULL CHECK (kind IN ('systemic_weekly', 'service_need_assessment', 'network', 'school_support')),
  status                     text        NOT NULL CHECK (status IN ('proposed', 'booked', 'fulfilled', 'cancelled', 'no_show')),
  subject_pseudonym          text        NOT NULL,
  -- A coded reference for titles (a case number), never a name.
  reference                  text        NOT NULL DEFAULT '',
  referral_id                uuid,
  organiser_organisation_id  text        NOT NULL,
  organiser_ref              text        NOT NULL,
  -- The series' DTSTART (a single meeting's start) and length.
  starts_at                  timestamptz NOT NULL,
  length_minutes             integer     NOT NULL CHECK (length_minutes BETWEEN 5 AND 480),
  -- The RRULE ('' : a single meeting); a "this and following" split gives it an UNTIL.
  recurrence                 text        NOT NULL DEFAULT '',
  ical_uid                   text        NOT NULL UNIQUE,
  sequence                   integer     NOT NULL DEFAULT 0,
  location                   text        NOT NULL DEFAULT '',
  video_link                 text        NOT NULL DEFAULT '',
  answer_by                  timestamptz,
  continues_meeting_id       uuid        REFERENCES meetings,
  continued_by_meeting_id    uuid        REFERENCES meetings,
  created_at                 timestamptz NOT NULL,
  updated_at                 timestamptz NOT NULL
);
CREATE INDEX meetings_subject ON meetings (subject_pseudonym);
CREATE INDEX meetings_organiser ON meetings (organiser_organisation_id, starts_at);
CREATE INDEX meetings_referral ON meetings (referral_id) WHERE referral_id IS NOT NULL;

-- A request id answers with its first meeting (a retry, or a concurrent duplicate, gets the same).
CREATE TABLE meeting_requests (
  request_key  text        PRIMARY KEY,
  -- Claimed before the meeting is written, in the same transaction.
  meeting_id   uuid        NOT NULL REFERENCES meetings DEFERRABLE INITIALLY DEFERRED,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Each occurrence, by its original start (RECURRENCE-ID): moved ones keep it, cancelled ones stay
-- (as EXDATE). A single meeting has one.
CREATE TABLE occurrences (
  meeting_id     uuid        NOT NULL REFERENCES meetings,
  recurrence_id  timestamptz NOT NULL,
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz NOT NULL CHECK (ends_at > starts_at),
  cancelled      boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (meeting_id, recurrence_id)
);
CREATE INDEX occurrences_time ON occurrences (starts_at);

CREATE TABLE participants (
  participant_id        uuid        PRIMARY KEY,
  meeting_id            uuid        NOT NULL REFERENCES meetings,
  position              integer     NOT NULL,
  kind                  text        NOT NULL CHECK (kind IN ('staff', 'family')),
  -- Staff: organisation, type, role and (optionally) the person.
  organisation_id       text        NOT NULL DEFAULT '',
  organisation_type     text        NOT NULL DEFAULT '',
  role                  text        NOT NULL DEFAULT '',
  person_ref            text        NOT NULL DEFAULT '',
  -- Family: the role, contact details, language and interpreter need (only here).
  family_role           text        CHECK (family_role IN ('guardian', 'child', 'named_by_family')),
  email                 text        NOT NULL DEFAULT '',
  phone                 text        NOT NULL DEFAULT '',
  language              text        NOT NULL DEFAULT 'fi' CHECK (language IN ('fi', 'sv', 'en')),
  interpreter_language  text        NOT NULL DEFAULT '',
  required              boolean     NOT NULL DEFAULT false,
  invitation            text        NOT NULL CHECK (invitation IN ('invited', 'not_invited', 'withdrawn')),
  invitation_reason     text        NOT NULL DEFAULT '',
  -- Withdrawn from the occurrences starting at or after this instant.
  withdrawn_from        timestamptz,
  answer                text        NOT NULL DEFAULT 'pending' CHECK (answer IN ('pending', 'accepted', 'declined', 'tentative', 'none_suit')),
  answer_note           text        NOT NULL DEFAULT '',
  answered_at           timestamptz,
  -- The family link's generation: issuing a new link or revoking raises it, older links stop working.
  link_version          integer     NOT NULL DEFAULT 0,
  link_revoked          boolean     NOT NULL DEFAULT false,
  CHECK ((kind = 'staff') = (family_role IS NULL)),
  UNIQUE (meeting_id, position)
);
CREATE INDEX participants_meeting ON participants (meeting_id);
CREATE INDEX participants_person ON participants (organisation_id, person_ref) WHERE kind = 'staff';

CREATE TABLE meeting_history (
  history_id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  meeting_id             uuid        NOT NULL REFERENCES meetings,
  action                 text        NOT NULL,
  actor_ref              text        NOT NULL,
  actor_organisation_id  text        NOT NULL,
  detail                 text        NOT NULL DEFAULT '',
  at                     timestamptz NOT NULL
);
CREATE INDEX meeting_history_meeting ON meeting_history (meeting_id, history_id);

CREATE TABLE outcomes (
  meeting_id              uuid        NOT NULL REFERENCES meetings,
  recurrence_id           timestamptz NOT NULL,
  attended                uuid[]      NOT NULL DEFAULT '{}',
  family_took_part        boolean     NOT NULL,
  child_took_part         boolean     NOT NULL,
  child_heard             text        NOT NULL CHECK (child_heard IN ('present', 'in_writing', 'through_representative', 'not_heard')),
  child_not_heard_reason  text        NOT NULL DEFAULT '',
  recorded_at             timestamptz NOT NULL,
  recorded_by             text        NOT NULL,
  CHECK (child_heard <> 'not_heard' OR child_not_heard_reason <> ''),
  PRIMARY KEY (meeting_id, recurrence_id)
);

-- Agreed actions, kept with the series' first meeting (a split's continuation points back to it)
-- so the next meeting of the series shows them again.
CREATE TABLE agreed_actions (
  action_id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  series_root_id         uuid        NOT NULL REFERENCES meetings,
  meeting_id             uuid        NOT NULL REFERENCES meetings,
  recurrence_id          timestamptz NOT NULL,
  title                  text        NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  owner_organisation_id  text        NOT NULL,
  due_date               date        NOT NULL
);
CREATE INDEX agreed_actions_root ON agreed_actions (series_root_id);

-- Busy times of staff: published to this service (API or iCalendar) and taken from the
-- specialists' bookings on consultations.booking.v1 (source 'consultations', source_id the booking).
CREATE TABLE busy_blocks (
  block_id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organisation_id  text        NOT NULL,
  person_ref       text        NOT NULL,
  starts_at        timestamptz NOT NULL,
  ends_at          timestamptz NOT NULL CHECK (ends_at > starts_at),
  kind             text        NOT NULL CHECK (kind IN ('busy', 'tentative', 'unavailable')),
  source           text        NOT NULL CHECK (source IN ('published', 'consultations')),
  source_id        text        NOT NULL DEFAULT ''
);
CREATE INDEX busy_blocks_person ON busy_blocks (organisation_id, person_ref, starts_at);
CREATE UNIQUE INDEX busy_blocks_booking ON busy_blocks (source_id) WHERE source = 'consultations';
