// One active runner across replicas: a session-level advisory lock held on a dedicated
// connection. Losing the connection loses the lock, so `isLeader` turns false with it.
import pg from "pg";

export class LeaderLock {
  private client: pg.Client | undefined;
  private leader = false;
  private readonly connectionString: string;
  private readonly key: bigint;

  constructor(connectionString: string, name: string) {
    this.connectionString = connectionString;
    this.key = lockKey(name);
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** The dedicated connection while leader (for LISTEN). */
  get connection(): pg.Client | undefined {
    return this.leader ? this.client : undefined;
  }

  private attempt: Promise<boolean> | undefined;

  /**
   * Tries once; true when this process now holds the lock. Concurrent calls share one attempt:
   * two would open two sessions, and the loser would both report false and orphan the winner.
   */
  tryAcquire(): Promise<boolean> {
    if (this.leader) return Promise.resolve(true);
    this.attempt ??= this.acquire().finally(() => {
      this.attempt = undefined;
    });
    return this.attempt;
  }

  private async acquire(): Promise<boolean> {
    if (!this.client) {
      const client = new pg.Client({ connectionString: this.connectionString, application_name: "silta-leader" });
      client.on("error", () => this.lost());
      client.on("end", () => this.lost());
      await client.connect();
      this.client = client;
    }
    const r = await this.client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [this.key.toString()]);
    this.leader = r.rows[0]?.ok === true;
    return this.leader;
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.leader = false;
    if (client) await client.end().catch(() => undefined);
  }

  private lost(): void {
    this.leader = false;
    this.client = undefined;
  }
}

/** A stable signed 64-bit key from a name (FNV-1a). */
export function lockKey(name: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(name, "utf8")) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, h);
}
