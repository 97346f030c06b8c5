-- Up Migration
CREATE TABLE consents (
  consent_id               uuid        PRIMARY KEY,
  subject_pseudonym        text        NOT NULL,
  area_code                text        NOT NULL,
  given_by                 jsonb       NOT NULL,
  child_view_recorded      boolean     NOT NULL,
  child_twelve_or_over     boolean     NOT NULL,
  recipients               jsonb       NOT NULL,
  purposes                 text[]      NOT NULL,
  data_categories          text[]      NOT NULL,
  valid_from               timestamptz NOT NULL,
  valid_until              timestamptz NOT NULL,
  obtained_by              text        NOT NULL,
  recorded_by_user         text        NOT NULL,
  recorded_by_organisation text        NOT NULL,
  recorded_at              timestamptz NOT NULL,
  status                   text        NOT NULL CHECK (status IN ('active', 'revoked', 'expired')),
  revoked_at               timestamptz,
  revoked_by_user          text,
  revocation_reason        text,
  expired_at               timestamptz,
  CHECK (valid_until > valid_from)
);
CREATE INDEX consents_subject ON consents (subject_pseudonym);
CREATE INDEX consents_due ON consents (valid_until) WHERE status = 'active';

CREATE TABLE statutory_bases (
  basis_id                 uuid        PRIMARY KEY,
  subject_pseudonym        text        NOT NULL,
  area_code                text        NOT NULL,
  basis_type               text        NOT NULL,
  legal_provision          text        NOT NULL,
  justification            text        NOT NULL,
  recipient                jsonb       NOT NULL,
  purposes                 text[]      NOT NULL,
  data_categories          text[]      NOT NULL,
  valid_from               timestamptz NOT NULL,
  valid_until              timestamptz,
  recorded_by_user         text        NOT NULL,
  recorded_by_organisation text        NOT NULL,
  recorded_at              timestamptz NOT NULL
);
CREATE INDEX statutory_bases_subject ON statutory_bases (subject_pseudonym);

-- The audit log: appended by every grant, revoke, expiry, basis and decision; chained by the
-- chainer (src/db/audit-chain.ts) in the order rows become visible: chain_seq, prev_hash,
-- entry_hash = sha256(prev_hash + canonical entry). Once chained a row cannot be changed.
CREATE TABLE consent_audit (
  id                     bigserial   PRIMARY KEY,
  audit_id               uuid        NOT NULL UNIQUE,
  at                     timestamptz NOT NULL DEFAULT clock_timestamp(),
  action                 text        NOT NULL,
  actor_user             text        NOT NULL,
  actor_organisation     text        NOT NULL,
  subject_pseudonym      text        NOT NULL,
  consent_id             uuid,
  basis_id               uuid,
  recipient_organisation text,
  purpose                text,
  data_category          text,
  decision               text,
  deny_reason            text,
  chain_seq              bigint      UNIQUE,
  prev_hash              text,
  entry_hash             text
);
CREATE INDEX consent_audit_subject ON consent_audit (subject_pseudonym, at);
CREATE INDEX consent_audit_unchained ON consent_audit (id) WHERE chain_seq IS NULL;

-- Defence in depth: the application never edits or deletes audit rows. (A superuser can
-- disable this; the hash chain is what makes such an edit visible.)
CREATE FUNCTION consent_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'consent_audit is append-only';
  END IF;
  IF OLD.chain_seq IS NOT NULL THEN
    RAISE EXCEPTION 'a chained consent_audit entry cannot be changed';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER consent_audit_guard BEFORE UPDATE OR DELETE ON consent_audit
  FOR EACH ROW EXECUTE FUNCTION consent_audit_guard();

-- Down Migration
DROP TABLE consent_audit;
DROP FUNCTION consent_audit_guard();
DROP TABLE statutory_bases;
DROP TABLE consents;
