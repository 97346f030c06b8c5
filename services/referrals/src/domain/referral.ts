// A referral: a child welfare notification (LSL 25 §), an assessment contact made together
// with the family (25 a §), a pre-birth notification (25 c §) or a move notification to
// another area (25 d §); and its lifecycle, every transition recorded with who and when.
import { validateHetu } from "@silta/platform/hetu";
import type { DeadlineKind } from "./deadlines.ts";

export const referralKinds = ["child_welfare_notification", "assessment_contact", "pre_birth_notification", "move_notification"] as const;
export type ReferralKind = (typeof referralKinds)[number];

export const notifierTypes = ["mandatory_professional", "other_professional", "private_person", "anonymous_private_person"] as const;
export type NotifierType = (typeof notifierTypes)[number];

export const statuses = [
  "submitted",
  "received",
  "urgency_assessed",
  "assessment_started",
  "no_further_action",
  "redirected",
  "assessment_completed",
  "closed",
] as const;
export type ReferralStatus = (typeof statuses)[number];

export type DecisionOutcome = "start_assessment" | "no_further_action" | "redirect";

export interface Violation {
  field: string;
  reason: string;
}

export interface Notifier {
  type: NotifierType;
  /** The notifying organisation (empty for private persons). */
  organisationId: string;
  /** Profession or role, e.g. "teacher"; required of professionals. */
  role: string;
  /** Name and contact of a named notifier: stays in this service and the area inbox. */
  name: string;
  phone: string;
  email: string;
}

export interface ChildIdentity {
  /** Henkilötunnus, when the child has one (validated; never leaves but to the area inbox). */
  hetu: string;
  /** For a child without one (unborn, newborn, asylum seeker): a temporary id if any. */
  temporaryId: string;
  givenNames: string;
  familyName: string;
  /** YYYY-MM-DD, or the expected date of birth for a pre-birth notification. */
  birthDate: string;
}

export interface SubmissionInput {
  kind: ReferralKind | undefined;
  notifier: Notifier;
  child: ChildIdentity;
  homeMunicipalityCode: string;
  concern: string;
  urgentClaimed: boolean;
  /** LSL 25 § 3 mom: a suspected sexual or violent offence was also notified to the police. */
  policeNotified: boolean;
  /** For a move notification: the municipality the family moves to. */
  movingToMunicipalityCode: string;
}

export const MAX_CONCERN = 10_000;

/** Every problem with a submission, so the notifier can fix them all at once. */
export function validateSubmission(s: SubmissionInput, knownMunicipality: (code: string) => boolean, today: string): Violation[] {
  const v: Violation[] = [];
  if (!s.kind) v.push({ field: "kind", reason: "a known kind of referral is required" });
  const n = s.notifier;
  const professional = n.type === "mandatory_professional" || n.type === "other_professional";
  if (professional) {
    if (!n.organisationId) v.push({ field: "notifier.organisation_id", reason: "a professional notifies on behalf of an organisation" });
    if (!n.role) v.push({ field: "notifier.role", reason: "say the notifier's profession or role" });
  }
  if (n.type === "mandatory_professional" || n.type === "other_professional" || n.type === "private_person") {
    if (!n.name.trim()) v.push({ field: "notifier.name", reason: "a notifier who is not anonymous gives a name" });
    if (!n.phone.trim() && !n.email.trim()) v.push({ field: "notifier.contact", reason: "leave a phone number or an e-mail address" });
  }
  if (n.type === "anonymous_private_person" && (n.name || n.organisationId)) {
    v.push({ field: "notifier.type", reason: "a notifier who gives a name or organisation is not anonymous" });
  }
  if (n.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(n.email)) v.push({ field: "notifier.email", reason: "not an e-mail address" });

  const c = s.child;
  if (c.hetu) {
    const h = validateHetu(c.hetu);
    if (!h.valid) v.push({ field: "child.hetu", reason: h.reason });
    if (s.kind === "pre_birth_notification") v.push({ field: "child.hetu", reason: "an unborn child has no henkilötunnus" });
  } else if (s.kind !== "pre_birth_notification" && !c.temporaryId && !(c.birthDate && (c.givenNames || c.familyName))) {
    v.push({ field: "child", reason: "identify the child: henkilötunnus, a temporary id, or date of birth and name" });
  }
  if (c.temporaryId && !/^[A-Za-z0-9._-]{1,64}$/.test(c.temporaryId))
    v.push({ field: "child.temporary_id", reason: "1–64 characters of A–Z, a–z, 0–9, . _ -" });
  if (c.birthDate) {
    const ok = /^\d{4}-\d{2}-\d{2}$/.test(c.birthDate) && !Number.isNaN(Date.parse(c.birthDate));
    if (!ok) v.push({ field: "child.birth_date", reason: "must be YYYY-MM-DD" });
    else if (s.kind === "pre_birth_notification" ? c.birthDate < today : c.birthDate > today) {
      v.push({ field: "child.birth_date", reason: s.kind === "pre_birth_notification" ? "the expected date of birth is in the past" : "is in the future" });
    }
  }
  if (c.givenNames.length > 200 || c.familyName.length > 200) v.push({ field: "child.name", reason: "at most 200 characters" });

  if (!/^\d{3}$/.test(s.homeMunicipalityCode) || !knownMunicipality(s.homeMunicipalityCode)) {
    v.push({ field: "home_municipality_code", reason: "unknown municipality code (three digits, Statistics Finland)" });
  }
  if (s.kind === "move_notification") {
    if (!/^\d{3}$/.test(s.movingToMunicipalityCode) || !knownMunicipality(s.movingToMunicipalityCode)) {
      v.push({ field: "moving_to_municipality_code", reason: "a move notification names the known municipality the family moves to" });
    }
  } else if (s.movingToMunicipalityCode) {
    v.push({ field: "moving_to_municipality_code", reason: "only a move notification names a new municipality" });
  }
  const concern = s.concern.trim();
  if (concern.length === 0) v.push({ field: "concern", reason: "describe the concern" });
  if (s.concern.length > MAX_CONCERN) v.push({ field: "concern", reason: `at most ${MAX_CONCERN} characters` });
  return v;
}

// ---- lifecycle ------------------------------------------------------------------------------

export type Transition =
  | { type: "receive" }
  | { type: "assess_urgency"; urgent: boolean }
  | { type: "decide"; outcome: DecisionOutcome; redirectedTo: string }
  | { type: "complete_assessment" }
  | { type: "close" };

const allowed: Record<Transition["type"], ReferralStatus[]> = {
  receive: ["submitted"],
  assess_urgency: ["received"],
  decide: ["urgency_assessed"],
  complete_assessment: ["assessment_started"],
  close: ["no_further_action", "redirected", "assessment_completed"],
};

export type TransitionResult = { ok: true; status: ReferralStatus } | { ok: false; reason: string; field?: string };

/** The next status, or why not. Anything not listed is refused, never a silent no-op. */
export function transition(current: ReferralStatus, t: Transition): TransitionResult {
  if (!allowed[t.type].includes(current)) {
    return { ok: false, reason: `cannot ${t.type.replace("_", " ")} a referral that is ${current.replace(/_/g, " ")}` };
  }
  switch (t.type) {
    case "receive":
      return { ok: true, status: "received" };
    case "assess_urgency":
      return { ok: true, status: "urgency_assessed" };
    case "decide":
      if (t.outcome === "redirect" && !t.redirectedTo.trim()) {
        // Nothing is just "sent away": a redirect names who takes it over.
        return { ok: false, field: "redirected_to", reason: "a redirect names the service or organisation that takes the matter over" };
      }
      return {
        ok: true,
        status: t.outcome === "start_assessment" ? "assessment_started" : t.outcome === "no_further_action" ? "no_further_action" : "redirected",
      };
    case "complete_assessment":
      return { ok: true, status: "assessment_completed" };
    case "close":
      return { ok: true, status: "closed" };
  }
}

/** What a notifier may see of their referral's progress: milestones, never content or outcome. */
export type Milestone = "received_by_area" | "urgency_assessed" | "decision_made" | "closed";

export function milestoneOf(t: Transition["type"]): Milestone | undefined {
  return t === "receive"
    ? "received_by_area"
    : t === "assess_urgency"
      ? "urgency_assessed"
      : t === "decide"
        ? "decision_made"
        : t === "close"
          ? "closed"
          : undefined;
}

// ---- the aggregate ----------------------------------------------------------------------------

export interface HistoryEntry {
  action: string;
  status: ReferralStatus;
  actorUser: string;
  actorOrganisation: string;
  at: Date;
}

export interface DeadlineState {
  kind: DeadlineKind;
  dueDate: string;
  strictDueDate: string | undefined;
  dueAt: Date;
  metAt: Date | undefined;
  basis: string;
}

export interface Referral {
  referralId: string;
  referenceNumber: string;
  kind: ReferralKind;
  status: ReferralStatus;
  areaCode: string;
  homeMunicipalityCode: string;
  movingToMunicipalityCode: string;
  subjectPseudonym: string;
  child: ChildIdentity;
  notifier: Notifier;
  concern: string;
  urgentClaimed: boolean;
  urgent: boolean;
  policeNotified: boolean;
  receivedAt: Date;
  decision: DecisionOutcome | undefined;
  redirectedTo: string;
  transferredTo: string | undefined;
  transferredFrom: string | undefined;
  deadlines: DeadlineState[];
  history: HistoryEntry[];
  linkedReferralIds: string[];
  /** The responsible social worker (the `sub` of their token) and team (a group address): '' until assigned. */
  responsibleWorkerRef: string;
  responsibleTeamRef: string;
}

/** `LS-<area>-<year>-<n>`: n runs on per area (a sequence; no reset per year). */
export function referenceNumber(areaCode: string, year: number, n: number): string {
  return `LS-${areaCode}-${year}-${String(n).padStart(6, "0")}`;
}

/** Which deadline a transition meets. */
export function deadlineMetBy(t: Transition["type"]): DeadlineKind | undefined {
  return t === "assess_urgency" ? "urgency_assessment" : t === "decide" ? "decision" : t === "complete_assessment" ? "assessment_completion" : undefined;
}
