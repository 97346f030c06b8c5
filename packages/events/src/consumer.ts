// Consumer kit. Each record: CloudEvents headers decoded, routed by `ce_type` to its
// subscription, payload decoded by content-type, handler called with bounded retries.
// A record that cannot be decoded, or whose handler fails non-retryably or past the last
// attempt, goes to `<topic>.dlq` (original key, value and headers + the reason) and the
// consumer goes on. The offset is committed only after the record was handled or
// dead-lettered: if the DLQ itself cannot be written, the error propagates and the record
// is read again. Never ack-and-forget. A subscription may take consecutive records of its type
// from one partition at once (handleMany, in order); if that fails they are handled again one at
// a time with the guarantees above.
import { context, type Meter, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { isSiltaError, type Logger, maskHetu, tracer } from "@silta/platform";
import type { Consumer, IHeaders, Kafka, KafkaMessage, Producer } from "kafkajs";
import { type CloudEvent, EventDecodeError, fromKafkaMessage, headerString } from "./cloudevents.ts";
import type { EventCodec } from "./codec.ts";
import { dlqOf } from "./topics.ts";

/** At most this many records go to one handleMany call. */
export const MAX_BATCH = 200;

export interface RecordMeta {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
}

export interface Subscription<T> {
  codec: EventCodec<T>;
  handle(message: T, event: CloudEvent, meta: RecordMeta): Promise<void>;
  /**
   * Optional: consecutive records of this type from one partition at once, in order (a consumer
   * behind takes them a batch at a time, a few statements for all). When it fails, the records are
   * handled again one at a time by `handle`, each with its retries and dead letter: so it must be
   * idempotent, as `handle` is.
   */
  handleMany?(records: { message: T; event: CloudEvent; meta: RecordMeta }[]): Promise<void>;
}

/** Declares a subscription with its payload type checked against the codec. */
export function on<T>(codec: EventCodec<T>, handle: Subscription<T>["handle"]): Subscription<unknown> {
  return { codec, handle } as Subscription<unknown>;
}

export interface ConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  subscriptions: Subscription<unknown>[];
  logger: Logger;
  meter: Meter;
  /** Attempts per record before it is dead-lettered (default 5). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt, at most 5 s (default 200 ms). */
  retryBackoffMs?: number;
  fromBeginning?: boolean;
  sessionTimeoutMs?: number;
  /**
   * Partitions handled side by side (default 1). Records of one partition (one key) are still
   * handled one at a time, in order; a handler that keeps no order across keys can take more.
   */
  partitionsConcurrently?: number;
}

export interface RunningConsumer {
  consumer: Consumer;
  stop(): Promise<void>;
}

const headerGetter = {
  get: (carrier: IHeaders, key: string) => headerString(carrier, key),
  keys: (carrier: IHeaders) => Object.keys(carrier),
};

export async function startEventConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
  const { logger, meter } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.retryBackoffMs ?? 200;
  const byType = new Map(options.subscriptions.map((s) => [s.codec.type, s]));
  const consumed = meter.createCounter("silta_events_consumed", { description: "records consumed, by topic, type and outcome" });
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 10_000,
    heartbeatInterval: 1000,
    allowAutoTopicCreation: false,
  });
  const dlqProducer: Producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await dlqProducer.connect();
  await consumer.connect();
  for (const topic of options.topics) await consumer.subscribe({ topic, fromBeginning: options.fromBeginning ?? true });

  const deadLetter = async (topic: string, partition: number, message: KafkaMessage, reason: string, attempts: number) => {
    await dlqProducer.send({
      topic: dlqOf(topic),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            silta_dlq_reason: maskHetu(reason).slice(0, 1000),
            silta_dlq_topic: topic,
            silta_dlq_partition: String(partition),
            silta_dlq_offset: message.offset,
            silta_dlq_consumer_group: options.groupId,
            silta_dlq_attempts: String(attempts),
            silta_dlq_at: new Date().toISOString(),
          },
        },
      ],
    });
  };

  /** One record: decoded, routed, handled with its retries, or dead-lettered (the guarantees above). */
  async function handleRecord(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>) {
    const parent = propagation.extract(ROOT_CONTEXT, message.headers ?? {}, headerGetter);
    const type = headerString(message.headers, "ce_type") ?? "unknown";
    const span = tracer().startSpan(
      `${topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "kafka",
          "messaging.destination.name": topic,
          "messaging.kafka.offset": Number(message.offset),
          "cloudevents.event_type": type,
        },
      },
      parent,
    );
    const meta: RecordMeta = { topic, partition, offset: message.offset, key: message.key?.toString("utf8") };
    const log = logger.child({ topic, partition, offset: message.offset, ceType: type, ceId: headerString(message.headers, "ce_id") });
    const outcome = (o: string) => consumed.add(1, { topic, type, outcome: o });
    await context.with(trace.setSpan(parent, span), async () => {
      try {
        let event: CloudEvent;
        let payload: unknown;
        let sub: Subscription<unknown> | undefined;
        try {
          event = fromKafkaMessage(message);
          sub = byType.get(event.type);
          if (!sub) {
            // A type this consumer does not handle (e.g. a newer event on a shared topic).
            outcome("ignored");
            return;
          }
          payload = sub.codec.decode(event.data, event.contentType);
        } catch (err) {
          if (!(err instanceof EventDecodeError)) throw err;
          await deadLetter(topic, partition, message, `undecodable: ${err.message}`, 0);
          log.warn({ reason: err.message }, "record dead-lettered: undecodable");
          outcome("dead_lettered");
          span.setStatus({ code: SpanStatusCode.ERROR, message: "undecodable" });
          return;
        }
        for (let attempt = 1; ; attempt++) {
          try {
            await sub.handle(payload, event, meta);
            outcome("handled");
            return;
          } catch (err) {
            const retryable = isSiltaError(err) ? err.retryable : !(err instanceof EventDecodeError);
            if (!retryable || attempt >= maxAttempts) {
              const reason = `${retryable ? `failed after ${attempt} attempts` : "rejected"}: ${err instanceof Error ? err.message : String(err)}`;
              await deadLetter(topic, partition, message, reason, attempt);
              log.warn({ err, attempts: attempt }, "record dead-lettered: handler failed");
              outcome("dead_lettered");
              span.setStatus({ code: SpanStatusCode.ERROR, message: "dead-lettered" });
              return;
            }
            log.info({ err, attempt }, "handler failed; retrying");
            await new Promise((r) => setTimeout(r, Math.min(backoff * 2 ** (attempt - 1), 5000)));
            await heartbeat();
          }
        }
      } finally {
        span.end();
      }
    });
  }

  /** A run of consecutive records of one type whose subscription takes many: decoded already. */
  interface Run {
    sub: Subscription<unknown>;
    records: { message: unknown; event: CloudEvent; meta: RecordMeta }[];
    raw: KafkaMessage[];
  }
  const batched = options.subscriptions.some((s) => s.handleMany);

  await consumer.run({
    autoCommit: true,
    partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
    ...(batched
      ? {
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
            const { topic, partition } = batch;
            let run: Run | undefined;
            // Handled together; if that fails, one at a time (retries, dead letters). Offsets move only past what was handled.
            const flush = async () => {
              if (!run) return;
              const { sub, records, raw } = run;
              run = undefined;
              // Its span continues each record's trace: the parent of a batch of one, a link of each otherwise.
              const parents = raw.map((m) => propagation.extract(ROOT_CONTEXT, m.headers ?? {}, headerGetter));
              const parent = parents.length === 1 ? (parents[0] as typeof ROOT_CONTEXT) : ROOT_CONTEXT;
              const links = parents.flatMap((p) => {
                const sc = trace.getSpanContext(p);
                return sc ? [{ context: sc }] : [];
              });
              const span = tracer().startSpan(
                `${topic} process batch`,
                {
                  kind: SpanKind.CONSUMER,
                  attributes: { "messaging.system": "kafka", "messaging.destination.name": topic, "messaging.batch.message_count": records.length },
                  links,
                },
                parent,
              );
              try {
                await context.with(trace.setSpan(parent, span), () => (sub.handleMany as NonNullable<Subscription<unknown>["handleMany"]>)(records));
                consumed.add(records.length, { topic, type: sub.codec.type, outcome: "handled" });
              } catch (err) {
                logger.info({ topic, partition, records: records.length, err }, "batch failed; handling its records one at a time");
                span.setStatus({ code: SpanStatusCode.ERROR, message: "batch failed" });
                for (const m of raw) {
                  await handleRecord(topic, partition, m, heartbeat);
                  resolveOffset(m.offset);
                }
              } finally {
                span.end();
              }
              resolveOffset((raw.at(-1) as KafkaMessage).offset);
              await heartbeat();
            };
            for (const message of batch.messages) {
              if (!isRunning() || isStale()) break;
              let sub: Subscription<unknown> | undefined;
              let item: Run["records"][number] | undefined;
              try {
                const event = fromKafkaMessage(message);
                sub = byType.get(event.type);
                if (sub?.handleMany)
                  item = {
                    message: sub.codec.decode(event.data, event.contentType),
                    event,
                    meta: { topic, partition, offset: message.offset, key: message.key?.toString("utf8") },
                  };
              } catch (err) {
                if (!(err instanceof EventDecodeError)) throw err;
              }
              if (sub && item) {
                if (run && (run.sub !== sub || run.records.length >= MAX_BATCH)) await flush();
                run ??= { sub, records: [], raw: [] };
                run.records.push(item);
                run.raw.push(message);
                continue;
              }
              // Ignored, undecodable, or a type handled one at a time: after the run before it.
              await flush();
              await handleRecord(topic, partition, message, heartbeat);
              resolveOffset(message.offset);
            }
            if (isRunning() && !isStale()) await flush();
          },
        }
      : {
          eachMessage: ({ topic, partition, message, heartbeat }) => handleRecord(topic, partition, message, heartbeat),
        }),
  });

  return {
    consumer,
    async stop() {
      await consumer.disconnect();
      await dlqProducer.disconnect();
    },
  };
}
