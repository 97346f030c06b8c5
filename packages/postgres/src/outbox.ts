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
 * Appends several events, in order, in the open transaction of `client` (two round trips
 * whatever their number); returns their ce_ids. A trigger wakes the relay at commit
 * (migration 1763900000001).
 */
export async function appendAllToOutbox(client: PoolClient, entries: OutboxEntry[]): Promise<string[]> {
  if (entries.length === 0) return [];
  // Writers of one aggregate queue here until the earlier one commits, so `seq` (max + 1) and
  // the row id both follow commit order and no writer fails on the unique (aggregate, seq).
  // Locks are taken in a sorted order so two writers of the same aggregates cannot deadlock.
  const aggregates = [...new Set(entries.map((e) => e.aggregateId))].sort();
  await client.query("SELECT pg_advisory_xact_lock(hashtextextended(a, 0)) FROM unnest($1::text[]) AS a", [aggregates.map((a) => `outbox:${a}`)]);
  const insert = outboxInsert(entries, 1);
  await client.query(insert.sql, insert.params);
  return insert.ceIds;
}

/**
 * The outbox INSERT as SQL to embed in the caller's own statement, for events about aggregates
 * that statement itself creates (a data-modifying `WITH` part: the state and its events are then
 * one atomic statement, one round trip, no explicit transaction). Parameters are numbered from
 * `firstParam`; `onlyIf` is an SQL condition (e.g. `EXISTS (SELECT 1 FROM created)`) that must
 * hold for the events to be written. The trace context of the caller travels in the rows.
 */
export function outboxInsert(entries: OutboxEntry[], firstParam: number, onlyIf = "true"): { sql: string; params: unknown[]; ceIds: string[] } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const ceIds = entries.map((e) => e.event.id ?? newEventId());
  const now = new Date().toISOString();
  const p = (n: number) => `$${firstParam + n - 1}`;
  // seq: max + 1 per aggregate, then counting up within this call (ordinality keeps the order).
  const sql = `INSERT INTO silta_outbox (aggregate_id, seq, topic, ce_id, ce_type, ce_source, ce_subject, ce_time, content_type, payload, traceparent, tracestate)
     SELECT v.aggregate_id,
            coalesce((SELECT max(seq) FROM silta_outbox o WHERE o.aggregate_id = v.aggregate_id), 0)
              + row_number() OVER (PARTITION BY v.aggregate_id ORDER BY v.ord),
            v.topic, v.ce_id, v.ce_type, v.ce_source, v.ce_subject, v.ce_time, v.content_type, v.payload, ${p(10)}::text, ${p(11)}::text
       FROM unnest(${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::text[], ${p(6)}::text[], ${p(7)}::timestamptz[], ${p(8)}::text[], ${p(9)}::bytea[])
            WITH ORDINALITY AS v(aggregate_id, topic, ce_id, ce_type, ce_source, ce_subject, ce_time, content_type, payload, ord)
      WHERE ${onlyIf}
      ORDER BY v.ord`;
  const params = [
    entries.map((e) => e.aggregateId),
    entries.map((e) => e.topic),
    ceIds,
    entries.map((e) => e.event.type),
    entries.map((e) => e.event.source),
    entries.map((e) => e.event.subject ?? null),
    entries.map((e) => e.event.time ?? now),
    entries.map((e) => e.event.contentType),
    entries.map((e) => e.event.data),
    carrier.traceparent ?? null,
    carrier.tracestate ?? null,
  ];
  return { sql, params, ceIds };
}
