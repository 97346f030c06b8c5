import type { ReadinessCheck } from "@silta/platform";
import pg from "pg";

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// bigint (int8) as string: ids and counters must not lose precision.
export function createPool(connectionString: string, options: { max?: number; applicationName?: string } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "silta",
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on("error", () => undefined);
  // Nor may a checked-out client's between two queries (the pool listens only to idle ones): the
  // server's FATAL on restart arrives as an 'error' event with no listener, which ends the
  // process. The next query on that client fails, and the caller sees the database unavailable.
  pool.on("connect", (client) => client.on("error", () => undefined));
  return pool;
}

/** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export function postgresReadiness(pool: pg.Pool): ReadinessCheck {
  return { name: "postgres", check: async () => void (await pool.query("SELECT 1")) };
}

/** A timestamptz column (or expression) as epoch milliseconds, parsed as a number: much cheaper than pg's Date parsing of many rows. */
export const epochMs = (column: string): string => `(extract(epoch FROM ${column}) * 1000)::float8`;
