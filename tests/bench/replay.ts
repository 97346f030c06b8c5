// The bare SQL and Redis of a path (tests/bench/budget.ts): the statements and commands the
// services sent while it ran (tests/bench/record.mjs wrote them down), sent again by this process
// straight to a copy of each service's database and to Redis, on as many connections as the
// services used, each connection's in its own order.
import { Redis } from "ioredis";
import pg from "pg";

export interface Recording {
  /** `at`: ms from the start of the segment, when the service sent it. */
  sql: { c: number; at: number; t: string; v?: unknown[]; n?: string }[];
  redis: { c: number; at: number; n: string; a: unknown[] }[];
  grpcCalls: number;
  /** The segment's length in ms. */
  ms: number;
}

/** Waits until `offsetMs` after `start` (performance.now()), when that is more than a millisecond away. */
export async function until(start: number, offsetMs: number): Promise<void> {
  const wait = start + offsetMs - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
}

const decode = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === "object") {
    const o = v as { $b?: string; $d?: string };
    if (typeof o.$b === "string") return Buffer.from(o.$b, "base64");
    if (typeof o.$d === "string") return new Date(o.$d);
  }
  return v;
};

/** Connections to one database that replay a service's statements, kept across segments (a transaction may span two). */
export class SqlReplayer {
  private readonly clients = new Map<number, Promise<pg.Client>>();
  errors = 0;
  statements = 0;
  private readonly url: string;
  constructor(url: string) {
    this.url = url;
  }
  private client(id: number): Promise<pg.Client> {
    let c = this.clients.get(id);
    if (!c) {
      const client = new pg.Client({ connectionString: this.url });
      client.on("error", () => undefined);
      c = client.connect().then(() => client);
      this.clients.set(id, c);
    }
    return c;
  }
  /** Connects every connection the segment uses (before a measured window). */
  async prepare(sql: Recording["sql"]): Promise<void> {
    await Promise.all([...new Set(sql.map((s) => s.c))].map((id) => this.client(id)));
  }
  /**
   * Sends the statements in the order recorded, each connection's one after another (as a pg
   * client's own queue sends them), the connections side by side as the services' were; `paced`:
   * each no earlier than its time in the recording after `start`, in the services' rhythm.
   */
  async replay(sql: Recording["sql"], paced?: { start: number }): Promise<void> {
    const tails = new Map<number, Promise<unknown>>();
    for (const s of sql) {
      if (paced) await until(paced.start, s.at);
      const client = await this.client(s.c);
      this.statements++;
      tails.set(
        s.c,
        (tails.get(s.c) ?? Promise.resolve()).then(() =>
          client.query({ text: s.t, ...(s.v ? { values: s.v.map(decode) } : {}), ...(s.n ? { name: s.n } : {}) }).catch(() => {
            this.errors++;
          }),
        ),
      );
    }
    await Promise.all(tails.values());
  }
  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map(async (c) => (await c).end().catch(() => undefined)));
  }
}

/** Redis commands sent again, each recorded connection's on a connection of its own, pipelined as the services' were. */
export class RedisReplayer {
  private readonly clients = new Map<number, Redis>();
  errors = 0;
  commands = 0;
  private readonly url: string;
  constructor(url: string) {
    this.url = url;
  }
  private client(id: number): Redis {
    let c = this.clients.get(id);
    if (!c) {
      c = new Redis(this.url, { enableAutoPipelining: true, maxRetriesPerRequest: 2 });
      c.on("error", () => undefined);
      this.clients.set(id, c);
    }
    return c;
  }
  async prepare(redis: Recording["redis"]): Promise<void> {
    await Promise.all([...new Set(redis.map((r) => r.c))].map((id) => this.client(id).ping()));
  }
  /**
   * Sends the commands again at the times the services sent them (after `start`), each recorded
   * connection's on a connection of its own (ioredis' auto-pipelining writes together what falls
   * in the same tick, as it did in the services), a MULTI … EXEC as one.
   */
  async replay(redis: Recording["redis"], start: number): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (const r of redis) {
      await until(start, r.at);
      this.commands++;
      pending.push(
        this.client(r.c)
          .call(r.n, ...(r.a.map(decode) as (string | Buffer)[]))
          .catch(() => {
            this.errors++;
          }),
      );
    }
    await Promise.all(pending);
  }
  async close(): Promise<void> {
    for (const c of this.clients.values()) c.disconnect();
  }
}
