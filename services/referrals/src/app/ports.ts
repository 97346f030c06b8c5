// What the referral use cases need from the outside world.
import type { Municipality } from "@silta/platform";
import type { DeadlineState, HistoryEntry, Milestone, Referral, ReferralStatus } from "../domain/referral.ts";

export interface EducationEventRecord {
  eventId: string;
  subjectPseudonym: string;
  areaCode: string;
  unitId: string;
  kind: "attendance" | "support_decision" | "transition" | "incident";
  code: string;
  occurredOn: string;
}

export type ReferralEvent =
  | { type: "submitted"; referral: Referral }
  | { type: "status_changed"; referral: Referral; milestone: Milestone | undefined }
  | { type: "deadline_alert"; referral: AlertedReferral; deadline: DeadlineState; alert: "at_risk" | "missed" }
  | { type: "responsible_assigned"; referral: Referral; previousWorkerRef: string };

/** What a deadline alert says of its referral: ids and references, no content. */
export type AlertedReferral = Pick<Referral, "referralId" | "areaCode" | "referenceNumber" | "responsibleWorkerRef" | "responsibleTeamRef">;

/** What a submission needs to know first, in one read. */
export interface PriorReferrals {
  /** Idempotency: the referral earlier filed with this request key, if any. */
  earlier: Pick<Referral, "referralId" | "referenceNumber" | "areaCode" | "receivedAt"> | undefined;
  /** Referrals about the same child received since the window's start (for linking and moves). */
  recent: Pick<Referral, "referralId" | "areaCode" | "status">[];
  /** The next number from the area's reference sequence; only when there is no earlier filing. */
  nextNumber: number | undefined;
}

export interface ReferralTx {
  getForUpdate(referralId: string): Promise<Referral | undefined>;
  saveTransition(r: Referral, entry: HistoryEntry, metDeadline: string | undefined): Promise<void>;
  saveResponsible(r: Referral, entry: HistoryEntry): Promise<void>;
  emit(event: ReferralEvent): Promise<void>;
  /** Several events in order, in one write. */
  emitAll(events: ReferralEvent[]): Promise<void>;
  /**
   * Records that these alerts are emitted; returns the `referralId/kind` of those that were not
   * already (exactly once: what another replica or an earlier run claimed is left out).
   */
  claimAlerts(claims: { referralId: string; kind: string }[], alert: "at_risk" | "missed"): Promise<Set<string>>;
  insertEducationEvent(e: EducationEventRecord): Promise<boolean>;
}

export interface ReferralStatusView {
  referenceNumber: string;
  areaCode: string;
  receivedAt: Date;
  notifier: { organisationId: string };
  history: Pick<HistoryEntry, "action" | "at">[];
}

export interface DueDeadline {
  referral: AlertedReferral;
  deadline: DeadlineState;
}

export interface ReferralStore {
  transaction<T>(fn: (tx: ReferralTx) => Promise<T>): Promise<T>;
  /** `subjectPseudonyms`: the child's pseudonyms under every accepted key (a key rotation). */
  priorFor(q: { requestKey: string; subjectPseudonyms: string[]; since: Date; areaCode: string }): Promise<PriorReferrals>;
  /**
   * Files a new referral atomically: the row, its deadlines, history and links, the closing of
   * the referral it takes over (`transfer`, LSL 25 d §), and its "submitted" events. False, and
   * nothing written, when a concurrent call with the same request key filed first.
   */
  file(
    r: Referral,
    requestKey: string,
    submittedBy: { user: string; organisation: string },
    transfer?: { from: string; entry: HistoryEntry },
  ): Promise<boolean>;
  get(referralId: string): Promise<Referral | undefined>;
  byReference(referenceNumber: string): Promise<Referral | undefined>;
  /** What a notifier's status needs, in one read: no content, no decision. */
  statusByReference(referenceNumber: string): Promise<ReferralStatusView | undefined>;
  list(areaCode: string, statuses: ReferralStatus[], limit: number): Promise<Referral[]>;
  educationEventsFor(subjectPseudonym: string, areaCode: string): Promise<EducationEventRecord[]>;
  /** Whether the child has a referral in the area that is not closed. */
  hasOpenReferral(subjectPseudonyms: string[], areaCode: string): Promise<boolean>;
  /** Of these pseudonyms, those with an open referral, with its area: `${pseudonym}\u0000${areaCode}`. */
  openReferralsAmong(subjectPseudonyms: string[]): Promise<Set<string>>;
  /**
   * Unmet deadlines of open referrals that are due an alert they have not had: `missed` once
   * `dueAt` has passed; `at_risk` once no more than the lead remains, the lead being at most half
   * the deadline's own span from receipt (a 24-hour urgency clock is at risk after 12 hours, not
   * at the moment the referral arrives).
   */
  deadlinesForAlert(q: { now: Date; alert: "at_risk" | "missed"; leadHours: number }, limit: number): Promise<DueDeadline[]>;
}

/** The area's pseudonymiser (@silta/platform): the same child, the same pseudonym in every service of the area. */
export type { Pseudonymiser } from "@silta/platform";

export interface ConsentChecker {
  /** May `unitId` share this category with child protection, for this purpose, about this subject? */
  allows(q: {
    subjectPseudonym: string;
    unitId: string;
    purpose: "school_support" | "early_education_support";
    dataCategory: "education_events";
  }): Promise<boolean>;
}

export interface Clock {
  now(): Date;
}

export interface ReferralSettings {
  evesOff: boolean;
  urgencyHours: number;
  linkWindowDays: number;
  atRiskLeadHours: number;
  municipalities: Map<string, Municipality>;
  /** The Finnish name of a wellbeing area, by code. */
  areaName(areaCode: string): string;
}
