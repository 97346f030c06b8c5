// Topics are declared in code (each service's events/topics.ts) and created by the kit with
// their dead-letter topics. The chart's Strimzi KafkaTopic objects are checked against the
// same declarations.
import type { Admin, Kafka } from "kafkajs";

export interface TopicSpec {
  /** `<domain>.<entity>.v<major>` */
  name: string;
  partitions: number;
  /** Retention in ms; broker default when absent. */
  retentionMs?: number;
}

export const DLQ_SUFFIX = ".dlq";
export const dlqOf = (topic: string): string => topic + DLQ_SUFFIX;

const TOPIC_NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+\.v\d+$/;

export function validateTopicName(name: string): void {
  if (!TOPIC_NAME.test(name)) throw new Error(`topic name "${name}" does not follow <domain>.<entity>.v<major>`);
}

/** Creates every topic and its `.dlq` that does not exist yet; existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, specs: TopicSpec[], replicationFactor = 1): Promise<void> {
  for (const s of specs) validateTopicName(s.name);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = specs.flatMap((s) => [s, { ...s, name: dlqOf(s.name) }]).filter((s) => !existing.has(s.name));
    if (wanted.length === 0) return;
    // kafkajs' waitForLeaders retries only LEADER_NOT_AVAILABLE, but a broker answers a topic it
    // has not applied yet with UNKNOWN_TOPIC_OR_PARTITION and the wait throws: untilHosted waits.
    await admin.createTopics({
      waitForLeaders: false,
      topics: wanted.map((s) => ({
        topic: s.name,
        numPartitions: s.partitions,
        replicationFactor,
        configEntries: s.retentionMs === undefined ? [] : [{ name: "retention.ms", value: String(s.retentionMs) }],
      })),
    });
    await untilHosted(
      admin,
      wanted.map((s) => s.name),
    );
  } catch (err) {
    // Another replica may have created them in between: that is fine.
    if (!(err instanceof Error && /already exists/i.test(err.message))) throw err;
    await untilHosted(
      admin,
      specs.flatMap((s) => [s.name, dlqOf(s.name)]),
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * A created topic is not usable at once: until the broker has applied it, metadata and produce
 * requests answer "This server does not host this topic-partition" (UNKNOWN_TOPIC_OR_PARTITION).
 * ListOffsets is answered by each partition's leader itself, so once it succeeds for every
 * partition the topics are really there.
 */
async function untilHosted(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = topics;
  while (pending.length > 0) {
    const failed: string[] = [];
    for (const topic of pending) {
      try {
        await admin.fetchTopicOffsets(topic);
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`topic ${topic} has no partition leader hosting it after ${timeoutMs} ms`, { cause: err });
        failed.push(topic);
      }
    }
    pending = failed;
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 100));
  }
}
