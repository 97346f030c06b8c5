// The hash chain over consent_audit. Entries are inserted without a hash (concurrent decisions
// must not queue behind one lock); the chainer, one at a time across replicas (a transaction
// advisory lock), gives each newly visible entry the next chain_seq and
// entry_hash = sha256(prev_hash ‖ canonical entry). Order is chain_seq, not id: ids become
// visible out of order, so an id-ordered chain would skip late commits.
import { createHash } from "node:crypto";
import type { Pool } from "@silta/postgres";
import type { AuditVerification } from "../app/ports.ts";

export const GENESIS = "0".repeat(64);
const CHAIN_LOCK = "hashtextextended('silta.consent.audit-chain', 0)";

/** The columns that an entry's hash commits to, in a fixed order. `at` as PostgreSQL's text (µs). */
export const HASHED_COLUMNS = `audit_id::text, at::text AS at_text, action, actor_user, actor_organisation, subject_pseudonym,
  consent_id::text, basis_id::text, recipient_organisation, purpose, data_category, decision, deny_reason`;

interface HashedRow {
  audit_id: string;
  at_text: string;
  action: string;
  actor_user: string;
  actor_organisation: string;
  subject_pseudonym: string;
  consent_id: string | null;
  basis_id: string | null;
  recipient_organisation: string | null;
  purpose: string | null;
  data_category: string | null;
  decision: string | null;
  deny_reason: string | null;
}

export function entryHash(prevHash: string, r: HashedRow): string {
  const canonical = JSON.stringify([
    r.audit_id,
    r.at_text,
    r.action,
    r.actor_user,
    r.actor_organisation,
    r.subject_pseudonym,
    r.consent_id,
    r.basis_id,
    r.recipient_organisation,
    r.purpose,
    r.data_category,
    r.decision,
    r.deny_reason,
  ]);
  return createHash("sha256").update(prevHash).update("\n").update(canonical).digest("hex");
}

/** Chains what is pending; returns how many entries it chained (0 if another replica holds the lock). */
export async function chainPending(pool: Pool, batch = 2000): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const lock = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${CHAIN_LOCK}) AS ok`);
    if (!lock.rows[0]?.ok) {
      await client.query("ROLLBACK");
      return 0;
    }
    const pending = await client.query<HashedRow & { id: string }>(
      `SELECT id, ${HASHED_COLUMNS} FROM consent_audit WHERE chain_seq IS NULL ORDER BY id LIMIT $1`,
      [batch],
    );
    if (pending.rowCount === 0) {
      await client.query("ROLLBACK");
      return 0;
    }
    const head = await client.query<{ chain_seq: string; entry_hash: string }>(
      "SELECT chain_seq, entry_hash FROM consent_audit WHERE chain_seq IS NOT NULL ORDER BY chain_seq DESC LIMIT 1",
    );
    let seq = Number(head.rows[0]?.chain_seq ?? 0);
    let prev = head.rows[0]?.entry_hash ?? GENESIS;
    const ids: string[] = [];
    const seqs: number[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    for (const row of pending.rows) {
      seq += 1;
      const h = entryHash(prev, row);
      ids.push(row.id);
      seqs.push(seq);
      prevs.push(prev);
      hashes.push(h);
      prev = h;
    }
    await client.query(
      `UPDATE consent_audit a SET chain_seq = v.seq, prev_hash = v.prev, entry_hash = v.hash
         FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS v(id, seq, prev, hash) WHERE a.id = v.id`,
      [ids, seqs, prevs, hashes],
    );
    await client.query("COMMIT");
    return ids.length;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Walks the chain from the start; the first entry whose link or hash does not hold is named. */
export async function verifyChain(pool: Pool, pageSize = 5000): Promise<AuditVerification> {
  let expectedSeq = 1;
  let prev = GENESIS;
  let checked = 0;
  for (;;) {
    const page = await pool.query<HashedRow & { chain_seq: string; prev_hash: string; entry_hash: string }>(
      `SELECT chain_seq, prev_hash, entry_hash, ${HASHED_COLUMNS} FROM consent_audit WHERE chain_seq >= $1 ORDER BY chain_seq LIMIT $2`,
      [expectedSeq, pageSize],
    );
    for (const row of page.rows) {
      const seq = Number(row.chain_seq);
      const broken = (problem: string): AuditVerification => ({
        intact: false,
        entriesChecked: checked,
        firstBrokenSeq: seq,
        firstBrokenAuditId: row.audit_id,
        problem,
        pending: 0,
      });
      if (seq !== expectedSeq) return { ...broken(`entry ${expectedSeq} is missing (deleted)`), firstBrokenSeq: expectedSeq };
      if (row.prev_hash !== prev) return broken("the link to the previous entry does not match");
      if (entryHash(prev, row) !== row.entry_hash) return broken("the entry's content does not match its hash (edited)");
      prev = row.entry_hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (page.rows.length < pageSize) break;
  }
  const pending = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM consent_audit WHERE chain_seq IS NULL");
  return { intact: true, entriesChecked: checked, firstBrokenSeq: 0, firstBrokenAuditId: "", problem: "", pending: pending.rows[0]?.n ?? 0 };
}
