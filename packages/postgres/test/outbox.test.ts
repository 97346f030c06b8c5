// The PostgreSQL kit against the real server: migrations, the outbox's per-aggregate order,
// the relay's single leader and poison rows, idempotent handling.

import { readdirSync } from "node:fs";
import type { EventProducer, OutgoingRecord } from "@silta/events";
import { createMetrics } from "@silta/platform";
import { captureLogs, createTestDatabase, type TestDatabase, waitFor } from "@silta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleOnce } from "../src/idempotency.ts";
import { LeaderLock } from "../src/leader.ts";
import { kitMigrationsDir, migrate } from "../src/migrate.ts";
import { appendToOutbox, outboxInsert } from "../src/outbox.ts";
import { OutboxRelay } from "../src/outbox-relay.ts";
import { createPool, type Pool, withTransaction } from "../src/pool.ts";

const { logger } = captureLogs();
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase("pgkit");
  await migrate({ databaseUrl: db.url, logger });
  pool = createPool(db.url, { max: 30 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const event = (n: number) => ({ type: "fi.silta.test.happened.v1", source: "/test", contentType: "application/protobuf" as const, data: Buffer.from(`e${n}`) });

/** A producer that records what it is given and fails for chosen payloads (unit-level fake of Kafka). */
function recordingProducer(failFor: (r: OutgoingRecord) => boolean = () => false): EventProducer & { sent: OutgoingRecord[] } {
  const sent: OutgoingRecord[] = [];
  return {
    sent,
    producer: undefined as never,
    async publish(records) {
      if (records.some(failFor)) throw new Error("broker said no");
      sent.push(...records);
    },
    disconnect: async () => undefined,
  };
}

describe("migrations", () => {
  it("apply once; running them again changes nothing", async () => {
    await migrate({ databaseUrl: db.url, logger });
    const r = await pool.query("SELECT name FROM silta_kit_migrations");
    // Each of the kit's migrations once, in order, though migrate ran twice on this database.
    const files = readdirSync(kitMigrationsDir)
      .filter((f) => f.endsWith(".sql"))
      .sort()
      .map((f) => f.slice(0, -4));
    expect(files).toContain("1764500000002_usage-log");
    expect(r.rows.map((x) => x.name)).toEqual(files);
  });
});

describe("the outbox", () => {
  it("gives concurrent writers of one aggregate consecutive seq numbers, none failing", async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        withTransaction(pool, (tx) => appendToOutbox(tx, { topic: "t.a.v1", aggregateId: "agg-concurrent", event: event(i) })),
      ),
    );
    const r = await pool.query("SELECT seq FROM silta_outbox WHERE aggregate_id = 'agg-concurrent' ORDER BY id");
    expect(r.rows.map((x) => x.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it("embeds in the caller's own statement: events written with the state they announce, or not at all", async () => {
    await pool.query("CREATE TABLE things (id text PRIMARY KEY)");
    const file = async (id: string) => {
      const events = outboxInsert(
        [1, 2, 3].map((i) => ({ topic: "t.a.v1", aggregateId: id, event: event(i) })),
        2,
        "EXISTS (SELECT 1 FROM created)",
      );
      const r = await pool.query(
        `WITH created AS (INSERT INTO things (id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id), o AS (${events.sql}) SELECT id FROM created`,
        [id, ...events.params],
      );
      return r.rowCount;
    };
    expect(await file("thing-1")).toBe(1);
    expect(await file("thing-1")).toBe(0); // already there: no second set of events
    const r = await pool.query("SELECT seq, convert_from(payload, 'UTF8') AS data FROM silta_outbox WHERE aggregate_id = 'thing-1' ORDER BY id");
    expect(r.rows).toEqual([
      { seq: 1, data: "e1" },
      { seq: 2, data: "e2" },
      { seq: 3, data: "e3" },
    ]);
  });

  it("keeps nothing when the business transaction rolls back", async () => {
    await expect(
      withTransaction(pool, async (tx) => {
        await appendToOutbox(tx, { topic: "t.a.v1", aggregateId: "agg-rolled-back", event: event(1) });
        throw new Error("business rule failed");
      }),
    ).rejects.toThrow("business rule failed");
    expect((await pool.query("SELECT 1 FROM silta_outbox WHERE aggregate_id = 'agg-rolled-back'")).rowCount).toBe(0);
  });
});

describe("the relay", () => {
  it("runs as one leader: a second relay stands by until the first stops", async () => {
    const a = new LeaderLock(db.url, "test-lock");
    const b = new LeaderLock(db.url, "test-lock");
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    await a.release();
    expect(await b.tryAcquire()).toBe(true);
    await b.release();
  });

  it("stays leader when asked twice at once (one session, not two)", async () => {
    const a = new LeaderLock(db.url, "test-lock-concurrent");
    expect(await Promise.all([a.tryAcquire(), a.tryAcquire(), a.tryAcquire()])).toEqual([true, true, true]);
    expect(a.isLeader).toBe(true);
    const sessions = await pool.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'silta-leader' AND datname = current_database()",
    );
    expect(sessions.rows[0].n).toBe(1);
    await a.release();
  });

  it("charges no row an attempt while the broker is unreachable, however many rounds fail, and publishes them all once it is back", async () => {
    await pool.query("UPDATE silta_outbox SET published_at = now() WHERE published_at IS NULL");
    await withTransaction(pool, async (tx) => {
      for (let i = 0; i < 3; i++) await appendToOutbox(tx, { topic: "t.a.v1", aggregateId: `outage-${i}`, event: event(i) });
    });
    // What kafkajs throws when every connection is refused: retriable errors, the record is fine.
    let down = true;
    let rounds = 0;
    const producer = recordingProducer();
    const unreachable: EventProducer = {
      ...producer,
      async publish(records) {
        if (down) {
          rounds++;
          throw Object.assign(new Error("Number of retries exceeded"), {
            name: "KafkaJSNumberOfRetriesExceeded",
            retriable: false,
            originalError: Object.assign(new Error("Connection error: connect ECONNREFUSED"), { name: "KafkaJSConnectionError", retriable: true }),
          });
        }
        await producer.publish(records);
      },
    };
    const relay = new OutboxRelay({
      pool,
      connectionString: db.url,
      producer: unreachable,
      logger,
      meter: createMetrics("t").meter,
      pollMs: 20,
      maxAttempts: 2,
    });
    relay.start();
    try {
      await waitFor(() => rounds >= 10, { what: "ten failed rounds" });
      const during = await pool.query(
        "SELECT max(attempts)::int AS attempts, count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead FROM silta_outbox WHERE aggregate_id LIKE 'outage-%'",
      );
      expect(during.rows[0]).toEqual({ attempts: 0, dead: 0 });
      down = false;
      await waitFor(() => producer.sent.filter((r) => r.key.startsWith("outage-")).length === 3, { what: "the rows published after the outage" });
    } finally {
      await relay.stop();
    }
  });

  it("dead-letters a row that keeps failing, without blocking other aggregates, and publishes its aggregate's later rows after it", async () => {
    await pool.query("UPDATE silta_outbox SET published_at = now()");
    await withTransaction(pool, async (tx) => {
      await appendToOutbox(tx, { topic: "t.a.v1", aggregateId: "poisoned", event: { ...event(0), data: Buffer.from("poison") } });
      await appendToOutbox(tx, { topic: "t.a.v1", aggregateId: "poisoned", event: event(1) });
      await appendToOutbox(tx, { topic: "t.a.v1", aggregateId: "healthy", event: event(2) });
    });
    const producer = recordingProducer((r) => r.event.data.toString() === "poison");
    const relay = new OutboxRelay({ pool, connectionString: db.url, producer, logger, meter: createMetrics("t").meter, pollMs: 20, maxAttempts: 3 });
    relay.start();
    try {
      await waitFor(async () => (await pool.query("SELECT 1 FROM silta_outbox WHERE published_at IS NULL AND dead_at IS NULL")).rowCount === 0, {
        what: "outbox drained",
      });
    } finally {
      await relay.stop();
    }
    const dead = await pool.query("SELECT attempts, last_error FROM silta_outbox WHERE dead_at IS NOT NULL");
    expect(dead.rows).toEqual([{ attempts: 3, last_error: "broker said no" }]);
    const order = producer.sent.map((r) => `${r.key}:${r.event.data}`);
    // "healthy" went out at once; "poisoned"'s second event only after the first was given up.
    expect(order.indexOf("healthy:e2")).toBeLessThan(order.indexOf("poisoned:e1"));
    expect(order).toContain("poisoned:e1");
    expect(order).not.toContain("poisoned:poison");
  });

  it("wakes the relay when a transaction commits, long before its next poll", async () => {
    const producer = recordingProducer();
    const relay = new OutboxRelay({ pool, connectionString: db.url, producer, logger, meter: createMetrics("t").meter, pollMs: 120_000 });
    relay.start();
    await waitFor(() => relay.isLeader, { what: "the relay to lead" });
    await new Promise((r) => setTimeout(r, 300)); // its first drain is over; it now sleeps for 2 minutes
    await withTransaction(pool, (tx) => appendToOutbox(tx, { topic: "t.a.v1", aggregateId: "woken", event: event(7) }));
    await waitFor(() => producer.sent.some((r) => r.key === "woken"), { what: "the NOTIFY at commit to wake the relay", timeoutMs: 20_000 });
    await relay.stop();
  });

  it("publishes commits made while it is busy publishing, without waiting for the poll, several commits per round", async () => {
    const producer = recordingProducer();
    const rounds: number[] = [];
    const slow: EventProducer = {
      ...producer,
      async publish(records) {
        rounds.push(records.length);
        await new Promise((r) => setTimeout(r, 30)); // Kafka's acks take a while: commits land meanwhile
        await producer.publish(records);
      },
    };
    const relay = new OutboxRelay({ pool, connectionString: db.url, producer: slow, logger, meter: createMetrics("t").meter, pollMs: 120_000, lingerMs: 20 });
    relay.start();
    await waitFor(() => relay.isLeader, { what: "the relay to lead" });
    await new Promise((r) => setTimeout(r, 300));
    rounds.length = 0;
    for (let i = 0; i < 60; i++) {
      await withTransaction(pool, (tx) => appendToOutbox(tx, { topic: "t.a.v1", aggregateId: `busy-${i % 5}`, event: event(i) }));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 25));
    }
    await waitFor(() => producer.sent.filter((r) => r.key.startsWith("busy-")).length === 60, { what: "every commit to be published", timeoutMs: 20_000 });
    // Each aggregate's events in commit order; fewer rounds than commits.
    for (let a = 0; a < 5; a++) {
      const seen = producer.sent.filter((r) => r.key === `busy-${a}`).map((r) => Number(String(r.event.data).slice(1)));
      expect(seen).toEqual([...seen].sort((x, y) => x - y));
    }
    expect(rounds.length).toBeLessThan(60);
    await relay.stop();
  });

  it("publishes nothing while another relay holds the lock", async () => {
    await withTransaction(pool, (tx) => appendToOutbox(tx, { topic: "t.a.v1", aggregateId: "waiting", event: event(9) }));
    const holder = new LeaderLock(db.url, "silta.outbox-relay");
    expect(await holder.tryAcquire()).toBe(true);
    const producer = recordingProducer();
    const relay = new OutboxRelay({ pool, connectionString: db.url, producer, logger, meter: createMetrics("t").meter, pollMs: 20 });
    relay.start();
    await new Promise((r) => setTimeout(r, 400));
    expect(relay.isLeader).toBe(false);
    expect(producer.sent.filter((r) => r.key === "waiting")).toHaveLength(0);
    await holder.release();
    await waitFor(() => producer.sent.some((r) => r.key === "waiting"), { what: "the standby to take over" });
    await relay.stop();
  });
});

describe("idempotent handling", () => {
  it("runs a handler once per ce_id, and not at all when its transaction failed halfway", async () => {
    await pool.query("CREATE TABLE IF NOT EXISTS effects (n int)");
    const write = (n: number) => async (tx: Parameters<Parameters<typeof handleOnce>[3]>[0]) => void (await tx.query("INSERT INTO effects VALUES ($1)", [n]));
    expect(await handleOnce(pool, "c", "ce-1", write(1))).toBe(true);
    expect(await handleOnce(pool, "c", "ce-1", write(1))).toBe(false);
    expect(await handleOnce(pool, "other-consumer", "ce-1", write(2))).toBe(true);
    await expect(
      handleOnce(pool, "c", "ce-2", async (tx) => {
        await tx.query("INSERT INTO effects VALUES (3)");
        throw new Error("crash mid-handler");
      }),
    ).rejects.toThrow();
    expect(await handleOnce(pool, "c", "ce-2", write(4))).toBe(true);
    expect((await pool.query("SELECT n FROM effects ORDER BY n")).rows.map((r) => r.n)).toEqual([1, 2, 4]);
  });
});
