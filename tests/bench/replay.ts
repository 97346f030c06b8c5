// The bare SQL and Redis of a path (tests/bench/budget.ts): the statements and commands the
// services sent while it ran (tests/bench/record.mjs wrote them down), sent again by this process
// straight to a copy of each service's database and to Redis, on as many connections as the
// services used, each connection's in its own order.
import { Redis } from "ioredis";
import pg from "pg";

export interface Recording {
  sql: { c: number; t: string; v?: unknown[]; n?: string }[];
  redis: { c: number; n: string; a: unknown[] }[];
  grpcCalls: number;
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
   * client's own queue sends them), the connections side by side as the services' were.
   */
  async replay(sql: Recording["sql"]): Promise<void> {
    const tails = new Map<number, Promise<unknown>>();
    for (const s of sql) {
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
   * Sends the commands again as the services' requests did: `concurrency` callers, each waiting for
   * its command's answer before the next (ioredis' auto-pipelining then writes together only what
   * callers send in the same tick, as it did in the services), a MULTI … EXEC sent as one.
   */
  async replay(redis: Recording["redis"], concurrency: number): Promise<void> {
    const units: Recording["redis"][] = [];
    const open = new Map<number, Recording["redis"]>();
    for (const r of redis) {
      const inMulti = open.get(r.c);
      if (inMulti) {
        inMulti.push(r);
        if (r.n === "exec" || r.n === "discard") open.delete(r.c);
      } else if (r.n === "multi") {
        const unit = [r];
        open.set(r.c, unit);
        units.push(unit);
      } else units.push([r]);
    }
    let next = 0;
    const send = (r: Recording["redis"][number]) => {
      this.commands++;
      return this.client(r.c)
        .call(r.n, ...(r.a.map(decode) as (string | Buffer)[]))
        .catch(() => {
          this.errors++;
        });
    };
    await Promise.all(
      Array.from({ length: Math.max(1, concurrency) }, async () => {
        while (next < units.length) {
          const unit = units[next++] as Recording["redis"];
          await Promise.all(unit.map(send));
        }
      }),
    );
  }
  async close(): Promise<void> {
    for (const c of this.clients.values()) c.disconnect();
  }
}
