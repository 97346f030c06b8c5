-- Up Migration
-- The areas an audit entry belongs to: the area of the record it is about (grant, revoke, expiry,
-- basis), or the areas whose records a decision was made against. A caller reads only the
-- entries of the areas it is responsible for (a consent it records in its own area never opens
-- another area's entries). Not part of the hash chain: the chained fields are unchanged.
ALTER TABLE consent_audit ADD COLUMN area_codes text[] NOT NULL DEFAULT '{}';
ALTER TABLE consent_audit DISABLE TRIGGER consent_audit_guard;
UPDATE consent_audit a SET area_codes = ARRAY[c.area_code] FROM consents c WHERE a.consent_id = c.consent_id;
UPDATE consent_audit a SET area_codes = ARRAY[b.area_code] FROM statutory_bases b WHERE a.basis_id = b.basis_id;
UPDATE consent_audit a SET area_codes = s.areas
  FROM (SELECT subject_pseudonym, array_agg(DISTINCT area_code) AS areas
          FROM (SELECT subject_pseudonym, area_code FROM consents UNION SELECT subject_pseudonym, area_code FROM statutory_bases) r
         GROUP BY subject_pseudonym) s
 WHERE a.area_codes = '{}' AND a.subject_pseudonym = s.subject_pseudonym;
ALTER TABLE consent_audit ENABLE TRIGGER consent_audit_guard;
CREATE INDEX consent_audit_areas ON consent_audit USING gin (area_codes);

-- Down Migration
DROP INDEX consent_audit_areas;
ALTER TABLE consent_audit DROP COLUMN area_codes;
