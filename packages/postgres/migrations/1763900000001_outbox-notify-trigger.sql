-- Up Migration
-- Wakes the relay when outbox rows commit: one NOTIFY per inserting statement, delivered at
-- commit (and folded into one per transaction by PostgreSQL), without a round trip of its own.
CREATE FUNCTION silta_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('silta_outbox', '');
  RETURN NULL;
END $$;
CREATE TRIGGER silta_outbox_notify AFTER INSERT ON silta_outbox FOR EACH STATEMENT EXECUTE FUNCTION silta_outbox_notify();

-- Down Migration
DROP TRIGGER silta_outbox_notify ON silta_outbox;
DROP FUNCTION silta_outbox_notify();
