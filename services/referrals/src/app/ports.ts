// What the referral use cases need from the outside world.
import type { Municipality } from "../domain/municipalities.ts";
import type { DeadlineState, HistoryEntry, Referral, ReferralStatus } from "../domain/referral.ts";

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
  | { type: "status_changed"; referral: Referral; milestone: string | undefined }
  | { type: "deadline_alert"; referral: Pick<Referral, "referralId" | "areaCode">; deadline: DeadlineState; alert: "at_risk" | "missed" };

export interface ReferralTx {
  /** Idempotency: the referral earlier filed with this key, if any. */
  findByRequestKey(key: string): Promise<Referral | undefined>;
  nextReferenceNumber(areaCode: string, year: number): Promise<string>;
  insertReferral(r: Referral, requestKey: string, submittedBy: { user: string; organisation: string }): Promise<void>;
  getForUpdate(referralId: string): Promise<Referral | undefined>;
  saveTransition(r: Referral, entry: HistoryEntry, metDeadline: string | undefined): Promise<void>;
  /** Open referrals about the same child within the window (for linking and moves). */
  recentForSubject(subjectPseudonym: string, since: Date, excludeId: string): Promise<Referral[]>;
  link(referralId: string, others: string[]): Promise<void>;
  markTransferred(fromId: string, toId: string, entry: HistoryEntry): Promise<void>;
  emit(event: ReferralEvent): Promise<void>;
  /** Records that an alert was emitted; false if it already was (exactly once). */
  claimAlert(referralId: string, kind: string, alert: "at_risk" | "missed"): Promise<boolean>;
  insertEducationEvent(e: EducationEventRecord): Promise<boolean>;
}

export interface DueDeadline {
  referral: Pick<Referral, "referralId" | "areaCode">;
  deadline: DeadlineState;
}

export interface ReferralStore {
  transaction<T>(fn: (tx: ReferralTx) => Promise<T>): Promise<T>;
  get(referralId: string): Promise<Referral | undefined>;
  byReference(referenceNumber: string): Promise<Referral | undefined>;
  list(areaCode: string, statuses: ReferralStatus[], limit: number): Promise<Referral[]>;
  educationEventsFor(subjectPseudonym: string, areaCode: string): Promise<EducationEventRecord[]>;
  /** Unmet deadlines with dueAt before `until` and no alert of that kind yet. */
  deadlinesDueBefore(until: Date, alert: "at_risk" | "missed", limit: number): Promise<DueDeadline[]>;
}

export interface Pseudonymiser {
  /** A stable opaque pseudonym of the child, made with the area's key. */
  pseudonymFor(child: { hetu: string; temporaryId: string; birthDate: string; givenNames: string; familyName: string }): string;
}

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
