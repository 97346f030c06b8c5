// PostgreSQL adapter of the ConsentStore port: rows ⇄ domain, the outbox for events.
import { appendToOutbox, type OutboxEntry, type Pool, type PoolClient, withTransaction } from "@silta/postgres";
import type { AuditEntry, AuditRecord, ConsentEvent, ConsentStore, ConsentTx } from "../app/ports.ts";
import type { Consent } from "../domain/consent.ts";
import type { StatutoryBasis } from "../domain/statutory-basis.ts";
import { verifyChain } from "./audit-chain.ts";
import { AuditWriter, insertAudit } from "./audit-writer.ts";

type Row = Record<string, unknown>;
const date = (v: unknown) => (v === null || v === undefined ? undefined : (v as Date));

function toConsent(r: Row): Consent {
  return {
    consentId: r.consent_id as string,
    subjectPseudonym: r.subject_pseudonym as string,
    areaCode: r.area_code as string,
    givenBy: r.given_by as Consent["givenBy"],
    childViewRecorded: r.child_view_recorded as boolean,
    childTwelveOrOver: r.child_twelve_or_over as boolean,
    recipients: r.recipients as Consent["recipients"],
    purposes: r.purposes as Consent["purposes"],
    dataCategories: r.data_categories as Consent["dataCategories"],
    validFrom: r.valid_from as Date,
    validUntil: r.valid_until as Date,
    obtainedBy: r.obtained_by as Consent["obtainedBy"],
    recordedByUser: r.recorded_by_user as string,
    recordedByOrganisation: r.recorded_by_organisation as string,
    recordedAt: r.recorded_at as Date,
    status: r.status as Consent["status"],
    revokedAt: date(r.revoked_at),
    revocationReason: (r.revocation_reason as string | null) ?? undefined,
  };
}

function toBasis(r: Row): StatutoryBasis {
  return {
    basisId: r.basis_id as string,
    subjectPseudonym: r.subject_pseudonym as string,
    areaCode: r.area_code as string,
    basisType: r.basis_type as StatutoryBasis["basisType"],
    legalProvision: r.legal_provision as string,
    justification: r.justification as string,
    recipient: r.recipient as StatutoryBasis["recipient"],
    purposes: r.purposes as StatutoryBasis["purposes"],
    dataCategories: r.data_categories as StatutoryBasis["dataCategories"],
    validFrom: r.valid_from as Date,
    validUntil: date(r.valid_until),
    recordedByUser: r.recorded_by_user as string,
    recordedByOrganisation: r.recorded_by_organisation as string,
    recordedAt: r.recorded_at as Date,
  };
}

export class PgConsentStore implements ConsentStore {
  private readonly pool: Pool;
  private readonly toOutbox: (e: ConsentEvent) => OutboxEntry;
  private readonly auditWriter: AuditWriter;

  constructor(pool: Pool, toOutbox: (e: ConsentEvent) => OutboxEntry) {
    this.pool = pool;
    this.toOutbox = toOutbox;
    this.auditWriter = new AuditWriter(pool);
  }

  transaction<T>(fn: (tx: ConsentTx) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, (client) => fn(this.tx(client)));
  }

  private tx(c: PoolClient): ConsentTx {
    return {
      insertConsent: async (x) => {
        await c.query(
          `INSERT INTO consents (consent_id, subject_pseudonym, area_code, given_by, child_view_recorded, child_twelve_or_over, recipients, purposes,
             data_categories, valid_from, valid_until, obtained_by, recorded_by_user, recorded_by_organisation, recorded_at, status)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`,
          [
            x.consentId,
            x.subjectPseudonym,
            x.areaCode,
            JSON.stringify(x.givenBy),
            x.childViewRecorded,
            x.childTwelveOrOver,
            JSON.stringify(x.recipients),
            x.purposes,
            x.dataCategories,
            x.validFrom,
            x.validUntil,
            x.obtainedBy,
            x.recordedByUser,
            x.recordedByOrganisation,
            x.recordedAt,
            x.status,
          ],
        );
      },
      getConsentForUpdate: async (id) => {
        const r = await c.query("SELECT * FROM consents WHERE consent_id = $1 FOR UPDATE", [id]);
        return r.rows[0] ? toConsent(r.rows[0]) : undefined;
      },
      saveConsentStatus: async (x, revokedBy) => {
        await c.query("UPDATE consents SET status = $2, revoked_at = $3, revocation_reason = $4, revoked_by_user = $5 WHERE consent_id = $1", [
          x.consentId,
          x.status,
          x.revokedAt ?? null,
          x.revocationReason ?? null,
          revokedBy ?? null,
        ]);
      },
      insertBasis: async (b) => {
        await c.query(
          `INSERT INTO statutory_bases (basis_id, subject_pseudonym, area_code, basis_type, legal_provision, justification, recipient, purposes, data_categories,
             valid_from, valid_until, recorded_by_user, recorded_by_organisation, recorded_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
          [
            b.basisId,
            b.subjectPseudonym,
            b.areaCode,
            b.basisType,
            b.legalProvision,
            b.justification,
            JSON.stringify(b.recipient),
            b.purposes,
            b.dataCategories,
            b.validFrom,
            b.validUntil ?? null,
            b.recordedByUser,
            b.recordedByOrganisation,
            b.recordedAt,
          ],
        );
      },
      appendAudit: (records) => insertAudit(c, records),
      emit: async (e) => void (await appendToOutbox(c, this.toOutbox(e))),
      expireDue: async (now, limit) => {
        const r = await c.query(
          `UPDATE consents SET status = 'expired', expired_at = $1
             WHERE consent_id IN (SELECT consent_id FROM consents WHERE status = 'active' AND valid_until <= $1 ORDER BY valid_until LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING *`,
          [now, limit],
        );
        return r.rows.map(toConsent);
      },
    };
  }

  async getConsent(id: string) {
    const r = await this.pool.query("SELECT * FROM consents WHERE consent_id = $1", [id]);
    return r.rows[0] ? toConsent(r.rows[0]) : undefined;
  }

  async listConsents(subject: string) {
    const r = await this.pool.query("SELECT * FROM consents WHERE subject_pseudonym = $1 ORDER BY recorded_at", [subject]);
    return r.rows.map(toConsent);
  }

  async recordsFor(subject: string) {
    // One round trip for both kinds of record: this is the hot path of every decision.
    // Named: each connection parses and plans it once.
    const r = await this.pool.query<{ kind: string; row: Row }>({
      name: "consent-records-for-subject",
      text: `SELECT 'c' AS kind, to_jsonb(c) AS row FROM consents c WHERE subject_pseudonym = $1
       UNION ALL SELECT 'b', to_jsonb(b) FROM statutory_bases b WHERE subject_pseudonym = $1`,
      values: [subject],
    });
    const revive = (row: Row) => {
      for (const k of ["valid_from", "valid_until", "recorded_at", "revoked_at"]) if (typeof row[k] === "string") row[k] = new Date(row[k] as string);
      return row;
    };
    return {
      consents: r.rows.filter((x) => x.kind === "c").map((x) => toConsent(revive(x.row))),
      bases: r.rows.filter((x) => x.kind === "b").map((x) => toBasis(revive(x.row))),
    };
  }

  appendAudit(records: AuditRecord[]) {
    return this.auditWriter.append(records);
  }

  async listAudit(subject: string, since: Date, areaCodes: string[]): Promise<AuditEntry[]> {
    const r = await this.pool.query("SELECT * FROM consent_audit WHERE subject_pseudonym = $1 AND at >= $2 AND area_codes && $3::text[] ORDER BY at, id", [
      subject,
      since,
      areaCodes,
    ]);
    return r.rows.map((x) => ({
      auditId: x.audit_id,
      at: x.at,
      action: x.action,
      actorUser: x.actor_user,
      actorOrganisation: x.actor_organisation,
      subjectPseudonym: x.subject_pseudonym,
      consentId: x.consent_id ?? undefined,
      basisId: x.basis_id ?? undefined,
      recipientOrganisation: x.recipient_organisation ?? undefined,
      purpose: x.purpose ?? undefined,
      dataCategory: x.data_category ?? undefined,
      decision: x.decision ?? undefined,
      denyReason: x.deny_reason ?? undefined,
      areaCodes: x.area_codes,
      chainSeq: Number(x.chain_seq ?? 0),
      entryHash: x.entry_hash ?? "",
    }));
  }

  async verifyAudit(areaCodes: string[]) {
    const v = await verifyChain(this.pool);
    // Of the entries verified (those before a break), how many are the caller's areas'.
    const mine = await this.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM consent_audit WHERE chain_seq IS NOT NULL AND ($2::bigint = 0 OR chain_seq < $2) AND area_codes && $1::text[]",
      [areaCodes, v.intact ? 0 : v.firstBrokenSeq],
    );
    return { ...v, entriesChecked: mine.rows[0]?.n ?? 0 };
  }
}
