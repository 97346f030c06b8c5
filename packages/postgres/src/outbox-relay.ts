// The outbox relay: publishes unpublished rows in id order (which is each aggregate's seq
// order), awaits the acknowledgement of all in-sync replicas, then marks them published.
// A crash between send and mark re-sends those rows on restart: consumers dedupe by ce_id,
// so nothing is lost and nothing visible is duplicated. One active relay per database (an
// advisory lock); several relays racing would reorder an aggregate's events.
// A row that keeps failing is dead-lettered after `maxAttempts` (dead_at, last_error) so it
// cannot block its aggregate forever; `silta_outbox_dead_rows` and the age of the oldest
// pending row are the alerts. Never a "last seen id" watermark: ids commit out of order.
import { type Meter, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { EventProducer, OutgoingRecord } from "@silta/events";
import { Degraded, type Logger, type ReadinessCheck, tracer } from "@silta/platform";
import { LeaderLock } from "./leader.ts";
import { OUTBOX_CHANNEL } from "./outbox.ts";
import type { Pool } from "./pool.ts";

export interface OutboxRelayOptions {
  pool: Pool;
  /** For the leader lock and LISTEN (a dedicated connection). */
  connectionString: string;
  producer: EventProducer;
  logger: Logger;
  meter: Meter;
  batchSize?: number;
  pollMs?: number;
  /**
   * How long the relay waits after a commit's NOTIFY before it reads the outbox (default 25 ms),
   * so that the rows of commits made meanwhile go out in the same round: one SELECT, one produce
   * request and one UPDATE for many submissions instead of one each. It adds at most this much
   * to an event's latency and is what keeps the relay's cost flat as the commit rate grows.
   * Measured at 200 referral submissions/s (docs/benchmarks.md): 25 ms instead of 10 took about
   * 15 % off the CPU of a submission across the service, PostgreSQL, Kafka and the consumer.
   */
  lingerMs?: number;
  maxAttempts?: number;
  /** Published rows older than this are deleted (default 7 days). */
  retainPublishedMs?: number;
  /**
   * Prepended to each row's topic when it is published (SILTA_KAFKA_TOPIC_PREFIX: a shared cluster's
   * namespace, a test file's own topics); rows keep the declared name.
   */
  topicPrefix?: string;
  /** Fault injection for tests: called after Kafka acknowledged a batch, before it is marked. */
  afterSend?: (ceIds: string[]) => void | Promise<void>;
}

interface Row {
  id: string;
  aggregate_id: string;
  topic: string;
  ce_id: string;
  ce_type: string;
  ce_source: string;
  ce_subject: string | null;
  ce_time: Date;
  content_type: "application/protobuf" | "application/json";
  payload: Buffer;
  traceparent: string | null;
  tracestate: string | null;
  attempts: number;
}

export class OutboxRelay {
  private readonly o: Required<Omit<OutboxRelayOptions, "afterSend">> & Pick<OutboxRelayOptions, "afterSend">;
  private readonly lock: LeaderLock;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A commit was notified since the last read of the outbox began. */
  private notified = false;
  private linger: NodeJS.Timeout | undefined;
  private readonly published;
  private readonly failed;
  private readonly dead;

  constructor(options: OutboxRelayOptions) {
    this.o = { batchSize: 100, pollMs: 500, lingerMs: 25, maxAttempts: 10, retainPublishedMs: 7 * 24 * 3600_000, topicPrefix: "", ...options };
    this.lock = new LeaderLock(options.connectionString, "silta.outbox-relay");
    const m = options.meter;
    this.published = m.createCounter("silta_outbox_published", { description: "outbox rows published to Kafka" });
    this.failed = m.createCounter("silta_outbox_publish_failures", { description: "failed publish attempts of outbox rows" });
    this.dead = m.createCounter("silta_outbox_dead_rows", { description: "outbox rows given up after maxAttempts (alert)" });
    m.createObservableGauge("silta_outbox_oldest_pending_age_seconds", { description: "age of the oldest unpublished row (alert when it grows)" }).addCallback(
      async (result) => {
        const r = await this.o.pool.query<{ age: number | null }>(
          "SELECT extract(epoch FROM now() - min(created_at))::float8 AS age FROM silta_outbox WHERE published_at IS NULL AND dead_at IS NULL",
        );
        result.observe(r.rows[0]?.age ?? 0);
      },
    );
  }

  get isLeader(): boolean {
    return this.lock.isLeader;
  }

  /**
   * Readiness: `degraded` while the oldest unpublished row is older than `maxAgeMs` (the service
   * still takes requests and keeps their events; they wait to be published), failing only when
   * the database itself does not answer.
   */
  readiness(maxAgeMs = 30_000): ReadinessCheck {
    return {
      name: "event-publishing",
      check: async () => {
        const r = await this.o.pool.query<{ age: number | null }>({
          name: "silta-outbox-oldest-pending",
          text: "SELECT extract(epoch FROM now() - min(created_at))::float8 AS age FROM silta_outbox WHERE published_at IS NULL AND dead_at IS NULL",
        });
        const age = r.rows[0]?.age ?? 0;
        if (age * 1000 > maxAgeMs) throw new Degraded(`events wait ${Math.round(age)} s to be published`);
      },
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.linger);
    this.wake?.();
    await this.loop;
    await this.lock.release();
  }

  private async run(): Promise<void> {
    let lastCleanup = 0;
    while (this.running) {
      try {
        if (!(await this.lock.tryAcquire())) {
          await this.sleep(this.o.pollMs * 4);
          continue;
        }
        const conn = this.lock.connection;
        if (conn && conn.listenerCount("notification") === 0) {
          conn.on("notification", () => this.onNotify());
          await conn.query(`LISTEN ${OUTBOX_CHANNEL}`);
        }
        // After a failure round this also backs off before the failing rows are tried again.
        await this.drain();
        if (Date.now() - lastCleanup > 60_000) {
          lastCleanup = Date.now();
          await this.o.pool.query("DELETE FROM silta_outbox WHERE published_at < now() - make_interval(secs => $1)", [this.o.retainPublishedMs / 1000]);
        }
        await this.sleep(this.o.pollMs);
      } catch (err) {
        this.o.logger.error({ err }, "outbox relay round failed");
        await this.sleep(this.o.pollMs * 2);
      }
    }
  }

  /** Publishes until nothing is pending. Returns false if some row failed this round. */
  private async drain(): Promise<boolean> {
    for (;;) {
      if (!this.running || !this.lock.isLeader) return true;
      // What is committed from here on is seen by this read or, if it commits after it, wakes the
      // next sleep at once: a notification is never lost in the gap between a read and the sleep.
      this.notified = false;
      const { rows } = await this.o.pool.query<Row>(
        `SELECT id, aggregate_id, topic, ce_id, ce_type, ce_source, ce_subject, ce_time, content_type, payload, traceparent, tracestate, attempts
           FROM silta_outbox WHERE published_at IS NULL AND dead_at IS NULL ORDER BY id LIMIT $1`,
        [this.o.batchSize],
      );
      if (rows.length === 0) return true;
      const sent = traced(rows, this.o.topicPrefix);
      try {
        await this.o.producer.publish(sent.records);
        sent.end();
        await this.o.afterSend?.(rows.map((r) => r.ce_id));
        await this.markPublished(rows.map((r) => r.id));
      } catch (err) {
        sent.end(err);
        this.o.logger.warn({ err, rows: rows.length }, "outbox batch failed; publishing row by row");
        const ok = await this.oneByOne(rows);
        if (!ok) return false;
      }
      // A short read took every row committed before it; a later commit has notified.
      if (rows.length < this.o.batchSize) return true;
    }
  }

  /** Isolates failing rows; a failed row holds back only the later rows of its own aggregate. */
  private async oneByOne(rows: Row[]): Promise<boolean> {
    const blocked = new Set<string>();
    for (const row of rows) {
      if (blocked.has(row.aggregate_id)) continue;
      const sent = traced([row], this.o.topicPrefix);
      try {
        await this.o.producer.publish(sent.records);
        sent.end();
        await this.o.afterSend?.([row.ce_id]);
        await this.markPublished([row.id]);
      } catch (err) {
        this.failed.add(1, { topic: row.topic });
        // The broker (or the way to it) is down: no row is at fault, none is charged an attempt,
        // and the round ends; a long outage dead-letters nothing.
        if (brokerUnavailable(err)) {
          this.o.logger.warn({ err, topic: row.topic }, "outbox publishing paused: the broker is not reachable");
          return false;
        }
        const message = err instanceof Error ? err.message : String(err);
        const attempts = row.attempts + 1;
        const giveUp = attempts >= this.o.maxAttempts;
        await this.o.pool.query("UPDATE silta_outbox SET attempts = $2, last_error = $3, dead_at = CASE WHEN $4 THEN now() END WHERE id = $1", [
          row.id,
          attempts,
          message.slice(0, 2000),
          giveUp,
        ]);
        if (giveUp) {
          this.dead.add(1, { topic: row.topic });
          this.o.logger.error({ outboxId: row.id, ceId: row.ce_id, topic: row.topic, attempts, error: message }, "outbox row dead-lettered");
        } else {
          blocked.add(row.aggregate_id);
        }
      }
    }
    return blocked.size === 0;
  }

  /**
   * Marks rows published with an asynchronous commit: the relay does not wait for this WAL flush
   * before its next batch. A mark lost in a crash only re-sends those rows, which is what a crash
   * between the acknowledgement and the mark already does (consumers dedupe by ce_id); the
   * business rows and their outbox rows keep their synchronous commits. On a disk that stalls,
   * a waiting mark held back every event committed behind it.
   */
  private async markPublished(ids: string[]): Promise<void> {
    // One query string, so SET LOCAL and the UPDATE share an implicit transaction (simple protocol,
    // no parameters: the ids are the bigints this relay read, checked to be digits).
    if (!ids.every((id) => /^\d+$/.test(id))) throw new Error("outbox ids must be bigint strings");
    await this.o.pool.query(`SET LOCAL synchronous_commit = off; UPDATE silta_outbox SET published_at = now() WHERE id = ANY('{${ids.join(",")}}'::bigint[])`);
    this.published.add(ids.length);
  }

  private onNotify(): void {
    if (this.linger) return;
    this.linger = setTimeout(() => {
      this.linger = undefined;
      this.notified = true;
      this.wake?.();
    }, this.o.lingerMs);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.notified && this.running) {
        this.notified = false;
        resolve();
        return;
      }
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

const OUTAGE_ERRORS = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSBrokerNotFound",
  "KafkaJSLockTimeout",
  "KafkaJSMetadataNotLoaded",
  "KafkaJSTimeout",
]);

/**
 * Whether a publish failed because the broker is unreachable or not ready (kafkajs marks those
 * retriable: a connection error, a timeout, no leader, not enough replicas), not because of the
 * record (too large, invalid). Walks kafkajs' wrapped errors (`originalError`, `cause`).
 */
export function brokerUnavailable(err: unknown): boolean {
  for (let e = err as { name?: string; retriable?: boolean; originalError?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.retriable === true || (e.name !== undefined && OUTAGE_ERRORS.has(e.name))) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/**
 * The rows as records, each under a PRODUCER span that continues the trace its writer left in the
 * row (so a consumer's span is a child of the publication, and that of the write); `end` closes
 * them once the broker answered (with the error, if any).
 */
function traced(rows: Row[], topicPrefix: string): { records: OutgoingRecord[]; end(err?: unknown): void } {
  const spans: Span[] = [];
  const records = rows.map((r) => {
    const record = toRecord(r, topicPrefix);
    if (!r.traceparent) return record;
    const parent = propagation.extract(ROOT_CONTEXT, { traceparent: r.traceparent, ...(r.tracestate ? { tracestate: r.tracestate } : {}) });
    const span = tracer().startSpan(
      `${record.topic} publish`,
      { kind: SpanKind.PRODUCER, attributes: { "messaging.system": "kafka", "messaging.destination.name": record.topic, "cloudevents.event_type": r.ce_type } },
      parent,
    );
    spans.push(span);
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(parent, span), carrier);
    return {
      ...record,
      ...(carrier.traceparent ? { traceparent: carrier.traceparent } : {}),
      ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
    };
  });
  return {
    records,
    end(err?: unknown) {
      for (const span of spans) {
        if (err) span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        span.end();
      }
    },
  };
}

function toRecord(r: Row, topicPrefix: string): OutgoingRecord {
  return {
    topic: topicPrefix + r.topic,
    key: r.aggregate_id,
    event: {
      id: r.ce_id,
      type: r.ce_type,
      source: r.ce_source,
      ...(r.ce_subject ? { subject: r.ce_subject } : {}),
      time: r.ce_time.toISOString(),
      contentType: r.content_type,
      data: r.payload,
    },
    ...(r.traceparent ? { traceparent: r.traceparent } : {}),
    ...(r.tracestate ? { tracestate: r.tracestate } : {}),
  };
}
