// A subscription that takes many records at once (handleMany): a consumer that is behind gets a
// partition's records of one type in batches, in order; a batch that fails is handled again one
// record at a time, so the bad record alone is dead-lettered and the rest are handled once more
// (handlers are idempotent); an undecodable record between them is dead-lettered and the batches
// go on around it. A restarted consumer of the group reads nothing again. Real Kafka.
import { metrics } from "@opentelemetry/api";
import { SiltaError } from "@silta/platform";
import { captureLogs, readTopicUntil, testEnv, uniqueName, waitFor } from "@silta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerString, JSON_CONTENT } from "../src/cloudevents.ts";
import { codec } from "../src/codec.ts";
import { on, type RunningConsumer, type Subscription, startEventConsumer } from "../src/consumer.ts";
import { createKafka } from "../src/kafka.ts";
import { createEventProducer, type EventProducer, type OutgoingRecord } from "../src/producer.ts";
import { dlqOf, ensureTopics } from "../src/topics.ts";

interface Thing {
  n: number;
}
const thing = codec<Thing>("fi.silta.test-thing.batched.v1", {
  encode: (m) => ({ finish: () => Buffer.from(JSON.stringify(m)) }),
  decode: (b) => JSON.parse(Buffer.from(b).toString()) as Thing,
  fromJSON: (o) => o as Thing,
  toJSON: (m) => m,
});

const { logger } = captureLogs("consumer-batches");
const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "batches-test", logger });
const topic = `${uniqueName("batches").replace("_", "-")}.thing.v1`;
const group = uniqueName("batches");
const POISON = 13;
/** Every call, in the order made: a batch's numbers, or one record's. */
const calls: { many: boolean; ns: number[] }[] = [];
let producer: EventProducer;

const subscription = (): Subscription<unknown> => ({
  ...on(thing, async (m) => {
    calls.push({ many: false, ns: [m.n] });
    if (m.n === POISON) throw new SiltaError("SILTA_FIXTURE_INVALID_NOTE", "invalid_argument", "refused: thirteen");
  }),
  handleMany: async (records) => {
    const ns = records.map((r) => (r.message as Thing).n);
    calls.push({ many: true, ns });
    if (ns.includes(POISON)) throw new Error("one of these is bad");
  },
});
const start = () =>
  startEventConsumer({ kafka, groupId: group, topics: [topic], logger, meter: metrics.getMeter("test"), retryBackoffMs: 50, subscriptions: [subscription()] });

beforeAll(async () => {
  await ensureTopics(kafka, [{ name: topic, partitions: 1 }]);
  producer = await createEventProducer(kafka);
});
afterAll(async () => {
  await producer?.disconnect();
});

const event = (n: number, data?: Buffer): OutgoingRecord => ({
  topic,
  key: "one-key",
  event: {
    id: `thing-${n}`,
    type: thing.type,
    source: "/test",
    time: new Date().toISOString(),
    contentType: JSON_CONTENT,
    data: data ?? thing.encode({ n }, JSON_CONTENT),
  },
});

describe("a subscription that takes many records", () => {
  it("gets a waiting partition's records in batches, in order; a failed batch goes one at a time, dead-lettering only the bad record; an undecodable one is dead-lettered between batches", async () => {
    // Published before the consumer starts: it is behind, and fetches them together.
    await producer.publish([
      ...Array.from({ length: 30 }, (_, i) => event(i + 1)),
      event(1000, Buffer.from("{not json")),
      ...Array.from({ length: 10 }, (_, i) => event(i + 31)),
    ]);
    let consumer: RunningConsumer = await start();
    try {
      await waitFor(() => calls.some((c) => c.ns.includes(40)), { what: "the last record handled", timeoutMs: 30_000 });
    } finally {
      await consumer.stop();
    }
    // Batches happened (more than one record in a call), and every record was handled in order.
    expect(calls.some((c) => c.many && c.ns.length > 1)).toBe(true);
    const succeeded = calls.filter((c) => !(c.many && c.ns.includes(POISON)) && !(!c.many && c.ns[0] === POISON)).flatMap((c) => c.ns);
    expect(succeeded).toEqual(Array.from({ length: 40 }, (_, i) => i + 1).filter((n) => n !== POISON));
    // The poison's batch was retried record by record; the poison was refused once, not retried.
    expect(calls.filter((c) => !c.many && c.ns[0] === POISON)).toHaveLength(1);
    const dead = await readTopicUntil(kafka, dlqOf(topic), (s) => s.length >= 2, "the two dead letters");
    const reasons = new Map(dead.map((m) => [headerString(m.headers, "ce_id"), headerString(m.headers, "silta_dlq_reason") ?? ""]));
    expect(reasons.get(`thing-${POISON}`)).toBe("rejected: refused: thirteen");
    expect(reasons.get("thing-1000")).toMatch(/^undecodable/);
    // The offsets were committed: the group, started again, reads nothing again.
    const before = calls.length;
    consumer = await start();
    await producer.publish([event(41)]);
    try {
      await waitFor(() => calls.some((c) => c.ns.includes(41)), { what: "a new record after the restart", timeoutMs: 30_000 });
    } finally {
      await consumer.stop();
    }
    expect(calls.slice(before).flatMap((c) => c.ns)).toEqual([41]);
  }, 90_000);
});
