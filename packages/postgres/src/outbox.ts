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
  const [id] = await appendAllToOutbox(client, [entry]);
  return id as string;
}

/**
 * Appends several events, in order, in the open transaction of `client` (three round trips
 * whatever their number); returns their ce_ids.
 */
export async function appendAllToOutbox(client: PoolClient, entries: OutboxEntry[]): Promise<string[]> {
  if (entries.length === 0) return [];
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  // Writers of one aggregate queue here until the earlier one commits, so `seq` (max + 1) and
  // the row id both follow commit order and no writer fails on the unique (aggregate, seq).
  // Locks are taken in a sorted order so two writers of the same aggregates cannot deadlock.
  const aggregates = [...new Set(entries.map((e) => e.aggregateId))].sort();
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended(a, 0)) FROM unnest($1::text[]) AS a", [aggregates.map((a) => `outbox:${a}`)]);
  const ids = entries.map((e) => e.event.id ?? newEventId());
  const now = new Date().toISOString();
  // seq: max + 1 per aggregate, then counting up within this call (ordinality keeps the order).
  await client.query(
    `INSERT INTO silta_outbox (aggregate_id, seq, topic, ce_id, ce_type, ce_source, ce_subject, ce_time, content_type, payload, traceparent, tracestate)
     SELECT v.aggregate_id,
            coalesce((SELECT max(seq) FROM silta_outbox o WHERE o.aggregate_id = v.aggregate_id), 0)
              + row_number() OVER (PARTITION BY v.aggregate_id ORDER BY v.ord),
            v.topic, v.ce_id, v.ce_type, v.ce_source, v.ce_subject, v.ce_time, v.content_type, v.payload, $10, $11
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::bytea[])
            WITH ORDINALITY AS v(aggregate_id, topic, ce_id, ce_type, ce_source, ce_subject, ce_time, content_type, payload, ord)
      ORDER BY v.ord`,
    [
      entries.map((e) => e.aggregateId),
      entries.map((e) => e.topic),
      ids,
      entries.map((e) => e.event.type),
      entries.map((e) => e.event.source),
      entries.map((e) => e.event.subject ?? null),
      entries.map((e) => e.event.time ?? now),
      entries.map((e) => e.event.contentType),
      entries.map((e) => e.event.data),
      carrier.traceparent ?? null,
      carrier.tracestate ?? null,
    ],
  );
  // Delivered at commit only: wakes the relay at once instead of at its next poll.
  await client.query("SELECT pg_notify($1, '')", [OUTBOX_CHANNEL]);
  return ids;
}
