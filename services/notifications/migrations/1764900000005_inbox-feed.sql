-- Up Migration
-- The live inbox: each in-app item created is announced on channel `silta_inbox` when its
-- transaction commits (NOTIFY), so the replica holding a person's stream tells them, whichever
-- replica wrote it. The payload names the organisation, the person and the item only (opaque
-- references). A row trigger only for in-app rows (WHEN): every write path announces, and e-mail
-- and webhook rows cost nothing. (An item read is announced by the store's markRead, in its
-- transaction: a trigger on every UPDATE would cost each delivery attempt.)
CREATE FUNCTION silta_inbox_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('silta_inbox', json_build_object('o', NEW.organisation_id, 'p', NEW.recipient_ref, 'i', NEW.delivery_id)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER deliveries_inbox_created AFTER INSERT ON deliveries
  FOR EACH ROW WHEN (NEW.channel = 'in_app') EXECUTE FUNCTION silta_inbox_created();

-- Down Migration
DROP TRIGGER deliveries_inbox_created ON deliveries;
DROP FUNCTION silta_inbox_created();
