// Idempotent event handling: the event's ce_id is recorded in the same transaction as the
// handler's writes, so a redelivered event (relay re-send, consumer restart) changes nothing.
import type { Pool, PoolClient } from "./pool.ts";

/**
 * Runs `fn` in a transaction unless `consumer` already handled `ceId`.
 * Resolves true when handled now, false when it was a duplicate.
 */
export async function handleOnce(pool: Pool, consumer: string, ceId: string, fn: (client: PoolClient) => Promise<void>): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const inserted = await client.query("INSERT INTO silta_processed_events (consumer, ce_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING ce_id", [
      consumer,
      ceId,
    ]);
    if (inserted.rowCount === 0) {
      await client.query("ROLLBACK");
      return false;
    }
    await fn(client);
    await client.query("COMMIT");
    return true;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
