-- Up Migration
-- A version of each person's busy times, changed in the same transaction as any change of their
-- blocks (statement triggers, so no write path can forget it). A search keeps the blocks it read
-- with their version and reads them again only when the version has moved: what it answers is
-- what the database holds at that instant, on any replica. Versions come from one sequence, so a
-- version names exactly one committed state of a person's blocks (equality is all that is compared).
CREATE SEQUENCE busy_version_seq;
CREATE TABLE busy_versions (
  organisation_id  text   NOT NULL,
  person_ref       text   NOT NULL,
  version          bigint NOT NULL,
  PRIMARY KEY (organisation_id, person_ref)
);
INSERT INTO busy_versions (organisation_id, person_ref, version)
  SELECT organisation_id, person_ref, nextval('busy_version_seq') FROM (SELECT DISTINCT organisation_id, person_ref FROM busy_blocks) p;

CREATE FUNCTION busy_blocks_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- In key order, so two writers of overlapping people lock the version rows in the same order.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO busy_versions (organisation_id, person_ref, version)
      SELECT organisation_id, person_ref, nextval('busy_version_seq') FROM (SELECT DISTINCT organisation_id, person_ref FROM new_rows ORDER BY 1, 2) p
      ON CONFLICT (organisation_id, person_ref) DO UPDATE SET version = excluded.version;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO busy_versions (organisation_id, person_ref, version)
      SELECT organisation_id, person_ref, nextval('busy_version_seq') FROM (SELECT DISTINCT organisation_id, person_ref FROM old_rows ORDER BY 1, 2) p
      ON CONFLICT (organisation_id, person_ref) DO UPDATE SET version = excluded.version;
  ELSE
    INSERT INTO busy_versions (organisation_id, person_ref, version)
      SELECT organisation_id, person_ref, nextval('busy_version_seq')
        FROM (SELECT organisation_id, person_ref FROM new_rows UNION SELECT organisation_id, person_ref FROM old_rows ORDER BY 1, 2) p
      ON CONFLICT (organisation_id, person_ref) DO UPDATE SET version = excluded.version;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER busy_blocks_inserted AFTER INSERT ON busy_blocks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION busy_blocks_changed();
CREATE TRIGGER busy_blocks_deleted AFTER DELETE ON busy_blocks REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION busy_blocks_changed();
CREATE TRIGGER busy_blocks_updated AFTER UPDATE ON busy_blocks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION busy_blocks_changed();
