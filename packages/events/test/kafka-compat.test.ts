// kafkajs 2.2.4 against the broker `make infra-up` runs (Kafka 4.3.1, KRaft). Kafka 4.0 removed
// old protocol versions (KIP-896); these are the APIs Silta uses: admin create/list/describe,
// idempotent produce with acks=-1, consume in a group with committed offsets.
import { captureLogs, testEnv, uniqueName, waitFor } from "@silta/testing";
import { describe, expect, it } from "vitest";
import { createKafka } from "../src/kafka.ts";
import { ensureTopics } from "../src/topics.ts";

const { logger } = captureLogs();
const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "compat", logger });

describe("kafkajs 2.2.4 works against the pinned Kafka broker", () => {
  it("creates topics with partitions (and their DLQs), lists and describes them", async () => {
    const topic = `${uniqueName("compat").replace("_", "-")}.thing.v1`;
    await ensureTopics(kafka, [{ name: topic, partitions: 3, retentionMs: 3_600_000 }]);
    await ensureTopics(kafka, [{ name: topic, partitions: 3 }]); // idempotent
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [topic, `${topic}.dlq`] });
    expect(meta.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
      [topic, 3],
      [`${topic}.dlq`, 3],
    ]);
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    await admin.disconnect();
  });

  it("produces idempotently with acks=-1 and consumes in a group, committing offsets", async () => {
    const topic = `${uniqueName("compat").replace("_", "-")}.thing.v1`;
    await ensureTopics(kafka, [{ name: topic, partitions: 2 }]);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = await producer.send({ topic, acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 4}`, value: `v${i}` })) });
    expect(sent.every((r) => r.errorCode === 0)).toBe(true);
    await producer.disconnect();

    const groupId = uniqueName("group");
    const got: string[] = [];
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 1000 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void got.push(String(message.value)) });
    await waitFor(() => got.length === 20, { what: "20 records" });
    await consumer.disconnect();
    expect(got.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`).sort());

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = offsets[0]?.partitions.reduce((n, p) => n + Number(p.offset), 0);
    expect(committed).toBe(20);
    await admin.disconnect();
  });
});
