// Writing to the outbox: in the caller's transaction, next to the state change it announces.
import { context, propagation } from "@opentelemetry/api";
import { type CloudEvent, newEventId } from "@silta/events";
import type { PoolClient } from "./pool.ts";

export const OUTBOX_CHANNEL = "silta_outbox";

export interface OutboxEntry {
  topic: string;
  /** The aggregate id: the record key, and the unit of ordering. Opaque, never personal data. */
  aggregateId: string;
  event: Omit<CloudEvent, "id" | "time"> & { id?: string; time?: string };
}

/** Appends an event in the open transaction of `client`; returns its ce_id. */
export async function appendToOutbox(client: PoolClient, entry: OutboxEntry): Promise<string> {
  const id = entry.event.id ?? newEventId();
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  // Writers of one aggregate queue here until the earlier one commits, so `seq` (max + 1) and
  // the row id both follow commit order and no writer fails on the unique (aggregate, seq).
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`outbox:${entry.aggregateId}`]);
  await client.query(
    `INSERT INTO silta_outbox (aggregate_id, seq, topic, ce_id, ce_type, ce_source, ce_subject, ce_time, content_type, payload, traceparent, tracestate)
     VALUES ($1, (SELECT coalesce(max(seq), 0) + 1 FROM silta_outbox WHERE aggregate_id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      entry.aggregateId,
      entry.topic,
      id,
      entry.event.type,
      entry.event.source,
      entry.event.subject ?? null,
      entry.event.time ?? new Date().toISOString(),
      entry.event.contentType,
      entry.event.data,
      carrier.traceparent ?? null,
      carrier.tracestate ?? null,
    ],
  );
  // Delivered at commit only: wakes the relay at once instead of at its next poll.
  await client.query("SELECT pg_notify($1, '')", [OUTBOX_CHANNEL]);
  return id;
}
