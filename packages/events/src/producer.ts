// The idempotent producer: `idempotent: true` makes kafkajs use acks=-1 and sequence numbers;
// one request in flight keeps the order of an aggregate's records even across retries.
import { context, propagation } from "@opentelemetry/api";
import { type Kafka, Partitioners, type Producer } from "kafkajs";
import { type CloudEvent, toKafkaMessage } from "./cloudevents.ts";

export interface OutgoingRecord {
  topic: string;
  /** Aggregate id: opaque, never personal data (it appears on spans and in tooling). */
  key: string;
  event: CloudEvent;
  /** W3C traceparent to continue (the outbox stores it); the active context otherwise. */
  traceparent?: string;
  tracestate?: string;
}

export interface EventProducer {
  producer: Producer;
  /** Sends all records, in order, and resolves once every one is acknowledged by all in-sync replicas. */
  publish(records: OutgoingRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

export function traceHeaders(record: Pick<OutgoingRecord, "traceparent" | "tracestate">): Record<string, string> {
  if (record.traceparent) return { traceparent: record.traceparent, ...(record.tracestate ? { tracestate: record.tracestate } : {}) };
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

export async function createEventProducer(kafka: Kafka): Promise<EventProducer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return {
    producer,
    async publish(records) {
      if (records.length === 0) return;
      // Group per topic, keeping the records' order inside each topic.
      const byTopic = new Map<string, ReturnType<typeof toKafkaMessage>[]>();
      for (const r of records) {
        const list = byTopic.get(r.topic) ?? [];
        list.push(toKafkaMessage(r.event, r.key, traceHeaders(r)));
        byTopic.set(r.topic, list);
      }
      await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    },
    disconnect: () => producer.disconnect(),
  };
}
