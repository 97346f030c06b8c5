-- Up Migration
-- The live inbox: each in-app item created is announced on channel `silta_inbox` when its
-- transaction commits (NOTIFY), so the replica holding a person's stream tells them, whichever
-- replica wrote it. The payload names the organisation, the person and the item only (opaque
-- references). A statement trigger: every write path announces, once per row. (An item read is
-- announced by the store's markRead, in its transaction: a trigger on every UPDATE would cost
-- each delivery attempt.)
CREATE FUNCTION silta_inbox_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('silta_inbox', json_build_object('o', organisation_id, 'p', recipient_ref, 'i', delivery_id)::text)
    FROM created WHERE channel = 'in_app';
  RETURN NULL;
END $$;
CREATE TRIGGER deliveries_inbox_created AFTER INSERT ON deliveries
  REFERENCING NEW TABLE AS created FOR EACH STATEMENT EXECUTE FUNCTION silta_inbox_created();

-- Down Migration
DROP TRIGGER deliveries_inbox_created ON deliveries;
DROP FUNCTION silta_inbox_created();
