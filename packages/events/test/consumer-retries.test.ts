// A handler that fails: the consumer retries it a bounded number of times with backoff, then
// dead-letters the record with "failed after N attempts" and goes on with the next record; a
// handler that refuses a record (a non-retryable error) dead-letters it at once. Real Kafka.
import { metrics } from "@opentelemetry/api";
import { SiltaError } from "@silta/platform";
import { captureLogs, readTopicUntil, testEnv, uniqueName, waitFor } from "@silta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerString, JSON_CONTENT } from "../src/cloudevents.ts";
import { codec } from "../src/codec.ts";
import { on, type RunningConsumer, startEventConsumer } from "../src/consumer.ts";
import { createKafka } from "../src/kafka.ts";
import { createEventProducer, type EventProducer } from "../src/producer.ts";
import { dlqOf, ensureTopics } from "../src/topics.ts";

interface Thing {
  n: number;
}
const thing = codec<Thing>("fi.silta.test-thing.happened.v1", {
  encode: (m) => ({ finish: () => Buffer.from(JSON.stringify(m)) }),
  decode: (b) => JSON.parse(Buffer.from(b).toString()) as Thing,
  fromJSON: (o) => o as Thing,
  toJSON: (m) => m,
});

const { logger } = captureLogs("consumer-retries");
const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "retries-test", logger });
const topic = `${uniqueName("retries").replace("_", "-")}.thing.v1`;
const calls = new Map<number, number[]>();
let consumer: RunningConsumer;
let producer: EventProducer;

beforeAll(async () => {
  await ensureTopics(kafka, [{ name: topic, partitions: 1 }]);
  producer = await createEventProducer(kafka);
  consumer = await startEventConsumer({
    kafka,
    groupId: uniqueName("retries"),
    topics: [topic],
    logger,
    meter: metrics.getMeter("test"),
    maxAttempts: 3,
    retryBackoffMs: 100,
    subscriptions: [
      on(thing, async (m) => {
        calls.set(m.n, [...(calls.get(m.n) ?? []), Date.now()]);
        if (m.n === 1) throw new Error("the store is having a bad day"); // retryable: any plain error
        if (m.n === 2) throw new SiltaError("SILTA_FIXTURE_INVALID_NOTE", "invalid_argument", "refused: not a thing this handler takes");
      }),
    ],
  });
});
afterAll(async () => {
  await consumer?.stop();
  await producer?.disconnect();
});

const send = (n: number) =>
  producer.publish([
    {
      topic,
      key: "one-key",
      event: {
        id: `thing-${n}`,
        type: thing.type,
        source: "/test",
        time: new Date().toISOString(),
        contentType: JSON_CONTENT,
        data: thing.encode({ n }, JSON_CONTENT),
      },
    },
  ]);

describe("a failing handler", () => {
  it("is retried a bounded number of times with growing backoff, then its record is dead-lettered as failed after N attempts, and the next record is handled", async () => {
    for (const n of [1, 2, 3]) await send(n);
    await waitFor(() => calls.has(3), { what: "the record after the failing ones to be handled", timeoutMs: 30_000 });

    // Three attempts of the failing record (maxAttempts), the second wait longer than the first.
    const attempts = calls.get(1) ?? [];
    expect(attempts).toHaveLength(3);
    const [a, b, c] = attempts as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(90);
    expect(c - b).toBeGreaterThanOrEqual(190);
    // A refused record is not retried.
    expect(calls.get(2)).toHaveLength(1);
    expect(calls.get(3)).toHaveLength(1);

    const dead = await readTopicUntil(kafka, dlqOf(topic), (s) => s.length >= 2, "the two dead-lettered records");
    expect(dead).toHaveLength(2);
    const byId = new Map(dead.map((m) => [headerString(m.headers, "ce_id"), m]));
    expect(headerString(byId.get("thing-1")?.headers, "silta_dlq_reason")).toBe("failed after 3 attempts: the store is having a bad day");
    expect(headerString(byId.get("thing-1")?.headers, "silta_dlq_attempts")).toBe("3");
    expect(headerString(byId.get("thing-2")?.headers, "silta_dlq_reason")).toBe("rejected: refused: not a thing this handler takes");
    expect(headerString(byId.get("thing-2")?.headers, "silta_dlq_attempts")).toBe("1");
    // The original record travels unchanged.
    expect(JSON.parse(byId.get("thing-1")?.value?.toString() ?? "{}")).toEqual({ n: 1 });
    expect(byId.get("thing-1")?.key?.toString()).toBe("one-key");
  }, 60_000);
});
