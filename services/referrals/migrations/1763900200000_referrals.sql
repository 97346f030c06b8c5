-- Up Migration
CREATE TABLE referrals (
  referral_id                 uuid        PRIMARY KEY,
  reference_number            text        NOT NULL UNIQUE,
  request_key                 text        NOT NULL UNIQUE,
  kind                        text        NOT NULL,
  status                      text        NOT NULL,
  area_code                   text        NOT NULL,
  home_municipality_code      text        NOT NULL,
  moving_to_municipality_code text        NOT NULL DEFAULT '',
  subject_pseudonym           text        NOT NULL,
  -- Personal data: stays in this database and the area's own inbox topic.
  child_hetu                  text        NOT NULL DEFAULT '',
  child_temporary_id          text        NOT NULL DEFAULT '',
  child_given_names           text        NOT NULL DEFAULT '',
  child_family_name           text        NOT NULL DEFAULT '',
  child_birth_date            text        NOT NULL DEFAULT '',
  notifier                    jsonb       NOT NULL,
  concern                     text        NOT NULL,
  urgent_claimed              boolean     NOT NULL,
  urgent                      boolean     NOT NULL DEFAULT false,
  police_notified             boolean     NOT NULL,
  received_at                 timestamptz NOT NULL,
  decision                    text,
  redirected_to               text        NOT NULL DEFAULT '',
  transferred_to              uuid,
  transferred_from            uuid,
  submitted_by_user           text        NOT NULL,
  submitted_by_organisation   text        NOT NULL
);
CREATE INDEX referrals_subject ON referrals (subject_pseudonym, received_at);
CREATE INDEX referrals_area_status ON referrals (area_code, status, received_at);

CREATE TABLE referral_deadlines (
  referral_id     uuid        NOT NULL REFERENCES referrals,
  kind            text        NOT NULL,
  due_date        text        NOT NULL,
  strict_due_date text,
  due_at          timestamptz NOT NULL,
  met_at          timestamptz,
  basis           text        NOT NULL,
  PRIMARY KEY (referral_id, kind)
);
CREATE INDEX referral_deadlines_open ON referral_deadlines (due_at) WHERE met_at IS NULL;

CREATE TABLE referral_history (
  id                 bigserial   PRIMARY KEY,
  referral_id        uuid        NOT NULL REFERENCES referrals,
  action             text        NOT NULL,
  status             text        NOT NULL,
  actor_user         text        NOT NULL,
  actor_organisation text        NOT NULL,
  at                 timestamptz NOT NULL
);
CREATE INDEX referral_history_referral ON referral_history (referral_id, id);

CREATE TABLE referral_links (
  referral_id        uuid NOT NULL REFERENCES referrals,
  linked_referral_id uuid NOT NULL REFERENCES referrals,
  PRIMARY KEY (referral_id, linked_referral_id)
);

-- One row per emitted alert: the unique key makes each alert happen once.
CREATE TABLE deadline_alerts (
  referral_id uuid        NOT NULL REFERENCES referrals,
  kind        text        NOT NULL,
  alert       text        NOT NULL CHECK (alert IN ('at_risk', 'missed')),
  emitted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (referral_id, kind, alert)
);

CREATE TABLE reference_counters (
  area_code text    NOT NULL,
  year      integer NOT NULL,
  last      integer NOT NULL,
  PRIMARY KEY (area_code, year)
);

-- School and early-education events kept because a consent or basis covered them.
CREATE TABLE education_events (
  event_id          text        PRIMARY KEY,
  subject_pseudonym text        NOT NULL,
  area_code         text        NOT NULL,
  unit_id           text        NOT NULL,
  kind              text        NOT NULL,
  code              text        NOT NULL,
  occurred_on       text        NOT NULL,
  recorded_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX education_events_subject ON education_events (subject_pseudonym, area_code);

-- Down Migration
DROP TABLE education_events;
DROP TABLE reference_counters;
DROP TABLE deadline_alerts;
DROP TABLE referral_links;
DROP TABLE referral_history;
DROP TABLE referral_deadlines;
DROP TABLE referrals;
