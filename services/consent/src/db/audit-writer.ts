// Group commit for audit entries written outside a business transaction (decisions): while one
// INSERT is in flight, entries from concurrent calls gather and go in the next one. Each caller
// still waits for the commit of its own entries, so a decision is answered only once it is
// recorded; there is no timer, so a lone call is written at once.
import { randomUUID } from "node:crypto";
import type { Pool, PoolClient } from "@silta/postgres";
import type { AuditRecord } from "../app/ports.ts";

interface Pending {
  records: AuditRecord[];
  ids: string[];
  resolve: (ids: string[]) => void;
  reject: (err: unknown) => void;
}

export async function insertAudit(q: Pool | PoolClient, records: AuditRecord[], ids: string[] = records.map(() => randomUUID())): Promise<string[]> {
  if (records.length === 0) return [];
  const col = <K extends keyof AuditRecord>(k: K) => records.map((r) => r[k] ?? null);
  await q.query({
    name: "consent-audit-insert",
    text: `INSERT INTO consent_audit (audit_id, action, actor_user, actor_organisation, subject_pseudonym, consent_id, basis_id,
       recipient_organisation, purpose, data_category, decision, deny_reason, area_codes)
     SELECT u.audit_id, u.action, u.actor_user, u.actor_organisation, u.subject_pseudonym, u.consent_id, u.basis_id, u.recipient_organisation,
            u.purpose, u.data_category, u.decision, u.deny_reason, string_to_array(u.areas, ',')
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
         AS u(audit_id, action, actor_user, actor_organisation, subject_pseudonym, consent_id, basis_id, recipient_organisation, purpose, data_category, decision, deny_reason, areas)`,
    values: [
      ids,
      col("action"),
      col("actorUser"),
      col("actorOrganisation"),
      col("subjectPseudonym"),
      col("consentId"),
      col("basisId"),
      col("recipientOrganisation"),
      col("purpose"),
      col("dataCategory"),
      col("decision"),
      col("denyReason"),
      // unnest cannot take a ragged text[][]: area codes (two digits) travel joined.
      records.map((r) => r.areaCodes.join(",")),
    ],
  });
  return ids;
}

export class AuditWriter {
  private readonly pool: Pool;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  private flushing = false;

  constructor(pool: Pool, maxBatch = 500) {
    this.pool = pool;
    this.maxBatch = maxBatch;
  }

  append(records: AuditRecord[]): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ records, ids: records.map(() => randomUUID()), resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch: Pending[] = [];
      let n = 0;
      while (this.queue.length > 0 && n < this.maxBatch) {
        const p = this.queue.shift() as Pending;
        batch.push(p);
        n += p.records.length;
      }
      try {
        await insertAudit(
          this.pool,
          batch.flatMap((p) => p.records),
          batch.flatMap((p) => p.ids),
        );
        for (const p of batch) p.resolve(p.ids);
      } catch (err) {
        // One bad entry must not fail its neighbours: retry each call's entries on their own.
        if (batch.length === 1) (batch[0] as Pending).reject(err);
        else {
          for (const p of batch) await insertAudit(this.pool, p.records, p.ids).then(() => p.resolve(p.ids), p.reject);
        }
      }
    }
    this.flushing = false;
  }
}
