-- Up Migration
-- The usage log (käyttöloki): every read of a child's record content by a person. Append-only,
-- like the consent service's audit trail: the application never edits or deletes an entry.
CREATE TABLE silta_usage_log (
  id                 bigserial   PRIMARY KEY,
  usage_id           uuid        NOT NULL UNIQUE,
  at                 timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_user         text        NOT NULL,
  actor_organisation text        NOT NULL,
  actor_signer       text        NOT NULL,
  record_kind        text        NOT NULL,
  record_id          text        NOT NULL,
  subject_pseudonym  text        NOT NULL,
  area_code          text        NOT NULL,
  route              text        NOT NULL
);
CREATE INDEX silta_usage_log_subject ON silta_usage_log (subject_pseudonym, at);

CREATE FUNCTION silta_usage_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'silta_usage_log is append-only';
END $$;
CREATE TRIGGER silta_usage_log_guard BEFORE UPDATE OR DELETE ON silta_usage_log
  FOR EACH ROW EXECUTE FUNCTION silta_usage_log_guard();

-- Down Migration
DROP TABLE silta_usage_log;
DROP FUNCTION silta_usage_log_guard();
