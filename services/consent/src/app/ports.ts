// What the use cases need from the outside world; adapters in db/ implement it.
import type { Consent } from "../domain/consent.ts";
import type { StatutoryBasis } from "../domain/statutory-basis.ts";
import type { DataCategory, DenyReason, Purpose } from "../domain/vocabulary.ts";

export type AuditAction = "grant" | "revoke" | "expire" | "basis" | "check";

export interface AuditRecord {
  action: AuditAction;
  actorUser: string;
  actorOrganisation: string;
  subjectPseudonym: string;
  consentId?: string;
  basisId?: string;
  recipientOrganisation?: string;
  purpose?: Purpose;
  dataCategory?: DataCategory;
  decision?: "allow" | "deny";
  denyReason?: DenyReason;
  /** The areas the entry belongs to (the record's, or those of the records a decision read): who may read it. */
  areaCodes: string[];
}

export interface AuditEntry
  extends Required<Pick<AuditRecord, "action" | "actorUser" | "actorOrganisation" | "subjectPseudonym">>,
    Omit<AuditRecord, "action" | "actorUser" | "actorOrganisation" | "subjectPseudonym"> {
  auditId: string;
  at: Date;
  chainSeq: number;
  entryHash: string;
}

export interface AuditVerification {
  intact: boolean;
  entriesChecked: number;
  firstBrokenSeq: number;
  firstBrokenAuditId: string;
  problem: string;
  pending: number;
}

export type ConsentEvent =
  | { type: "granted"; consent: Consent }
  | { type: "revoked"; consent: Consent }
  | { type: "expired"; consent: Consent }
  | { type: "basis_recorded"; basis: StatutoryBasis };

/** Writes inside one transaction: state, audit entries and outgoing events commit together. */
export interface ConsentTx {
  insertConsent(c: Consent): Promise<void>;
  getConsentForUpdate(consentId: string): Promise<Consent | undefined>;
  saveConsentStatus(c: Consent, revokedBy?: string): Promise<void>;
  insertBasis(b: StatutoryBasis): Promise<void>;
  appendAudit(records: AuditRecord[]): Promise<string[]>;
  emit(event: ConsentEvent): Promise<void>;
  /** Marks active consents whose valid_until has passed as expired; returns them. */
  expireDue(now: Date, limit: number): Promise<Consent[]>;
}

export interface ConsentStore {
  transaction<T>(fn: (tx: ConsentTx) => Promise<T>): Promise<T>;
  getConsent(consentId: string): Promise<Consent | undefined>;
  listConsents(subjectPseudonym: string): Promise<Consent[]>;
  /** Every consent and basis about a subject (the input of a decision). */
  recordsFor(subjectPseudonym: string): Promise<{ consents: Consent[]; bases: StatutoryBasis[] }>;
  /** Appends audit entries outside a business transaction (decisions); durable when it resolves. */
  appendAudit(records: AuditRecord[]): Promise<string[]>;
  /** The subject's entries since `since` that belong to any of `areaCodes`. */
  listAudit(subjectPseudonym: string, since: Date, areaCodes: string[]): Promise<AuditEntry[]>;
  /** Verifies the whole chain; counts the chained entries of `areaCodes`. */
  verifyAudit(areaCodes: string[]): Promise<AuditVerification>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
