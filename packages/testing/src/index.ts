// Helpers for integration tests against the real Kafka, PostgreSQL and Redis that
// `make infra-up` starts (defaults = ARCHITECTURE.md ports; override with SILTA_TEST_*).
// Every test file gets its own database and topic names, so files run in parallel and a
// second run finds no leftovers that matter.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { createLogger, type Logger } from "@silta/platform";
import pg from "pg";

const cacheDir = process.env.SILTA_CACHE_DIR ?? fileURLToPath(new URL("../../../.cache", import.meta.url));

export const testEnv = {
  kafkaBrokers: (process.env.SILTA_TEST_KAFKA_BROKERS ?? "127.0.0.1:9092").split(","),
  /** The same broker's TLS listener with client-certificate authentication (scripts/infra.sh). */
  kafkaTlsBrokers: (process.env.SILTA_TEST_KAFKA_TLS_BROKERS ?? `127.0.0.1:${process.env.SILTA_KAFKA_TLS_PORT ?? "9094"}`).split(","),
  /** Its PKI: ca.crt, and client.crt/client.key of that CA. */
  kafkaTlsDir: join(cacheDir, "kafka/tls"),
  postgresAdminUrl: process.env.SILTA_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  redisUrl: process.env.SILTA_TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
  /** Mailpit, the local SMTP server with an HTTP API (scripts/tools.sh mailpit; make test builds it). */
  mailpitBin: join(cacheDir, "bin/mailpit"),
};

/**
 * This test file's own topic namespace: every service startServiceForTest starts prefixes its
 * topics with it (SILTA_KAFKA_TOPIC_PREFIX), so files running at the same time never share a
 * topic, not even the declared ones (`consent.consent.v1`). Read a service's topic as `testTopic(name)`.
 */
export const testTopicPrefix = `t${randomBytes(4).toString("hex")}.`;
export const testTopic = (declared: string): string => testTopicPrefix + declared;

/** A valid henkilötunnus (born 2010–2021, sign A) made at random for this run, so runs do not link to each other. */
export function freshHetu(): string {
  const nnn = String(100 + Math.floor(Math.random() * 799)).padStart(3, "0");
  const dd = String(1 + Math.floor(Math.random() * 28)).padStart(2, "0");
  const mm = String(1 + Math.floor(Math.random() * 12)).padStart(2, "0");
  const yy = String(10 + Math.floor(Math.random() * 12));
  return `${dd}${mm}${yy}A${nnn}${"0123456789ABCDEFHJKLMNPRSTUVWXY"[Number(`${dd}${mm}${yy}${nnn}`) % 31]}`;
}

/** A name unique to this run, e.g. `t_a1b2c3d4` (lowercase, safe for databases and topics). */
/** A clock a test sets; a service under test reads it (expiries, deadlines, horizons: never waiting). */
export function testClock(start: string) {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    set: (iso: string) => {
      t = Date.parse(iso);
    },
  };
}

/** The error a call must end in (the test fails if it succeeds); `details`: its message and fields, for matching. */
export const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: import("@silta/platform").SiltaError) => Object.assign(e, { details: `${e.message} ${JSON.stringify(e.fields ?? [])}` }),
  );

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString("hex")}`;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database for one test file; `drop()` removes it. */
export async function createTestDatabase(prefix = "silta_test"): Promise<TestDatabase> {
  const name = uniqueName(prefix);
  const admin = new pg.Client({ connectionString: testEnv.postgresAdminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testEnv.postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: testEnv.postgresAdminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Polls `probe` until it returns a truthy value (returned) or the time runs out (throws). */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${options.what ?? "condition"}${last instanceof Error ? `: ${last.message}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

export interface CapturedLogs {
  logger: Logger;
  /** Every line written so far, as text. */
  text(): string;
  lines(): Record<string, unknown>[];
}

/** A real pino logger (with the kit's redaction) whose output is kept for assertions. */
export function captureLogs(service = "test", level = "debug"): CapturedLogs {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ service, level, destination });
  return {
    logger,
    text: () => chunks.join(""),
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

let spans: InMemorySpanExporter | undefined;
/** Registers a real tracer provider that keeps finished spans in memory (once per process). */
export function installTestTracing(): InMemorySpanExporter {
  if (spans) return spans;
  spans = new InMemorySpanExporter();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
  return spans;
}
export * from "./echo-server.ts";
export * from "./faults.ts";
export * from "./identity.ts";
export * from "./load.ts";
export * from "./pki.ts";

/** When this test file loaded @silta/testing: what its tests produce comes later. */
const loadedAt = Date.now();

/**
 * Per partition, the offset of the first record written since a minute before this test file
 * started (the end, if none): where a test's reading of a shared topic begins.
 */
export async function offsetsSinceFileStart(kafka: import("kafkajs").Kafka, topic: string): Promise<{ partition: number; offset: string }[]> {
  const admin = kafka.admin();
  await admin.connect();
  return admin.fetchTopicOffsetsByTimestamp(topic, loadedAt - 60_000).finally(() => admin.disconnect());
}

/**
 * Reads `topic` with a throw-away group until `until(seen)` holds (or times out), and then on to
 * the end: every partition read up to the end offset it had at that moment, so what comes back
 * is every record written so far (a test can count "exactly N"), not a first batch. Starts from
 * the records written since a minute before this test file started: the shared topics of a
 * development broker also hold earlier runs' records (a `make bench` leaves ~100,000).
 */
export async function readTopicUntil(
  kafka: import("kafkajs").Kafka,
  topic: string,
  until: (seen: import("kafkajs").KafkaMessage[]) => boolean,
  what = `records on ${topic}`,
  timeoutMs = 30_000,
): Promise<import("kafkajs").KafkaMessage[]> {
  const from = await offsetsSinceFileStart(kafka, topic);
  const consumer = kafka.consumer({ groupId: uniqueName("reader"), sessionTimeout: 6000, heartbeatInterval: 1000 });
  const seen: import("kafkajs").KafkaMessage[] = [];
  // Per partition, the offset after the last record read (where reading began, before any).
  const next = new Map(from.map((f) => [f.partition, BigInt(f.offset)]));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      seen.push(message);
      next.set(partition, BigInt(message.offset) + 1n);
    },
  });
  for (const { partition, offset } of from) consumer.seek({ topic, partition, offset });
  try {
    await waitFor(() => until(seen), { what, timeoutMs });
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    await waitFor(() => ends.every((e) => (next.get(e.partition) ?? 0n) >= BigInt(e.high)), { what: `${topic} read to its end offsets`, timeoutMs });
    return [...seen];
  } finally {
    await consumer.disconnect();
  }
}
export * from "./service.ts";
