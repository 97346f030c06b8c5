// Idempotent event handling: the event's ce_id is recorded in the same transaction as the
// handler's writes, so a redelivered event (relay re-send, consumer restart) changes nothing.
import { type Pool, type PoolClient, withTransaction } from "./pool.ts";

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

/**
 * `handleOnce` for a batch (a consumer's `handleMany`): marks every ce_id handled in one
 * statement and runs `fn` with those `consumer` had not handled before, in the same transaction.
 * If `fn` throws, nothing is marked (the consumer then handles the records one at a time).
 */
export async function handleManyOnce(
  pool: Pool,
  consumer: string,
  ceIds: string[],
  fn: (fresh: Set<string>, client: PoolClient) => Promise<void>,
): Promise<Set<string>> {
  return withTransaction(pool, async (client) => {
    const inserted = await client.query<{ ce_id: string }>(
      "INSERT INTO silta_processed_events (consumer, ce_id) SELECT $1, id FROM unnest($2::text[]) AS id ON CONFLICT DO NOTHING RETURNING ce_id",
      [consumer, ceIds],
    );
    const fresh = new Set(inserted.rows.map((r) => r.ce_id));
    if (fresh.size > 0) await fn(fresh, client);
    return fresh;
  });
}
