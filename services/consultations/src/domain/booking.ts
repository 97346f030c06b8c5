// The paired-worker model's bookings as pure rules: what a booking is, what each kind must and
// must not carry, which step each status allows, the reserved share for municipalities without
// a specialist of their own, and the round-robin order. No I/O here (STYLE.md).
import { containsHetu, isMunicipalityCode, PERSON_REFERENCE } from "@silta/platform";
import { validateHetu } from "@silta/platform/hetu";

export const bookingKinds = ["consultation", "mentoring", "training", "co_work"] as const;
export type BookingKind = (typeof bookingKinds)[number];
export const bookingStatuses = ["held", "confirmed", "cancelled", "rescheduled", "completed", "no_show", "expired"] as const;
export type BookingStatus = (typeof bookingStatuses)[number];
export type AssignedBy = "fixed" | "round_robin" | "stand_in" | "waitlist";

export const SKILLS = [
  "substance_abuse",
  "mental_health",
  "violence",
  "placed_children",
  "early_childhood",
  "disability",
  "systemic_practice",
  "immigrant_families",
] as const;
export const LANGUAGES = ["fi", "sv", "en"] as const;
export const MAX_TOPIC = 300;
/** What a co-work specialist may see of the child's case (the consent service's categories). */
export const DATA_CATEGORIES = [
  "case_summary",
  "assessment_summary",
  "meeting_information",
  "health_information",
  "contact_information",
  "education_events",
  "referral_status",
] as const;
export const LENGTHS = { min: 15, max: 480, default: 60 } as const;

export interface Booking {
  bookingId: string;
  specialistId: string;
  kind: BookingKind;
  status: BookingStatus;
  startsAt: Date;
  endsAt: Date;
  /** The time taken with the specialist's buffers of when it was booked. */
  occupiedFrom: Date;
  occupiedTo: Date;
  expiresAt: Date | undefined;
  requesterRef: string;
  requesterOrganisationId: string;
  responsibleWorkerRef: string;
  municipalityCode: string;
  priority: boolean;
  subjectPseudonym: string | undefined;
  consentDecisionId: string | undefined;
  topic: string | undefined;
  location: string;
  videoLink: string;
  seriesId: string | undefined;
  capacity: number;
  seatsTaken: number;
  icalUid: string;
  sequence: number;
  rescheduledTo: string | undefined;
  rescheduledFrom: string | undefined;
  cancelledBy: string | undefined;
  cancelReason: string | undefined;
  assignedBy: AssignedBy;
}

/** What the requester tells about the case (the form filled in during a hold). */
export interface BookingDetails {
  kind: BookingKind;
  lengthMinutes: number;
  responsibleWorkerRef: string;
  municipalityCode: string;
  childHetu: string;
  topic: string;
  location: string;
  videoLink: string;
  dataCategory: string;
}

export interface Problem {
  field: string;
  reason: string;
}

/**
 * What is wrong with a booking's details, each problem naming its field (never its value).
 * `knownMunicipality` says whether a code is one of Finland's municipalities.
 */
export function detailProblems(d: BookingDetails, knownMunicipality: (code: string) => boolean, prefix = "details"): Problem[] {
  const p: Problem[] = [];
  const f = (name: string) => `${prefix}.${name}`;
  if (!PERSON_REFERENCE.test(d.responsibleWorkerRef))
    p.push({ field: f("responsible_worker_ref"), reason: "the child's responsible social worker (an opaque user id) is required on every booking" });
  if (!isMunicipalityCode(d.municipalityCode) || !knownMunicipality(d.municipalityCode))
    p.push({
      field: f("municipality_code"),
      reason: "a municipality code of Statistics Finland is required (the child's home municipality, or the requesting unit's)",
    });
  p.push(...placeProblems(d, f));
  switch (d.kind) {
    case "consultation":
    case "training":
      if (d.childHetu !== "") p.push({ field: f("child_hetu"), reason: `a ${d.kind} carries no child identity` });
      if (d.topic.length > MAX_TOPIC) p.push({ field: f("topic"), reason: `at most ${MAX_TOPIC} characters` });
      if (containsHetu(d.topic))
        p.push({ field: f("topic"), reason: "must not contain a henkilötunnus (a consultation may be anonymous: describe the question, not the child)" });
      break;
    case "mentoring":
      if (d.childHetu !== "") p.push({ field: f("child_hetu"), reason: "mentoring carries no child identity" });
      if (d.topic !== "") p.push({ field: f("topic"), reason: "mentoring has no topic text" });
      break;
    case "co_work": {
      const h = validateHetu(d.childHetu);
      if (!h.valid) p.push({ field: f("child_hetu"), reason: "co-work in client work needs the child's henkilötunnus (pseudonymised at once, never stored)" });
      if (d.topic !== "") p.push({ field: f("topic"), reason: "co-work has no topic text" });
      if (!(DATA_CATEGORIES as readonly string[]).includes(d.dataCategory))
        p.push({ field: f("data_category"), reason: `what the specialist will see, one of ${DATA_CATEGORIES.join(", ")}` });
      break;
    }
  }
  return p;
}

/** Every booking has a place or an https video link, neither with a henkilötunnus in it. */
export function placeProblems(d: { location: string; videoLink: string }, f: (name: string) => string = (n) => n): Problem[] {
  const p: Problem[] = [];
  if (d.location === "" && d.videoLink === "") p.push({ field: f("location"), reason: "a place or a video link is required" });
  if (d.videoLink !== "" && !/^https:\/\/\S{3,500}$/.test(d.videoLink)) p.push({ field: f("video_link"), reason: "must be an https URL" });
  if (d.location.length > 200) p.push({ field: f("location"), reason: "at most 200 characters" });
  if (containsHetu(d.location) || containsHetu(d.videoLink)) p.push({ field: f("location"), reason: "must not contain a henkilötunnus" });
  return p;
}

/** What is wrong with whom a request asks for: one specialist, or any with a skill (and language). */
export function targetProblems(q: { specialistId: string; skill: string; language: string }): Problem[] {
  const p: Problem[] = [];
  if (q.specialistId === "" && q.skill === "") p.push({ field: "specialist_id", reason: "name a specialist, or a skill to ask any specialist who has it" });
  if (q.specialistId !== "" && !/^[0-9a-f-]{36}$/i.test(q.specialistId)) p.push({ field: "specialist_id", reason: "must be a specialist id (UUID)" });
  if (q.skill !== "" && !(SKILLS as readonly string[]).includes(q.skill)) p.push({ field: "skill", reason: `unknown skill; one of ${SKILLS.join(", ")}` });
  if (q.language !== "" && !(LANGUAGES as readonly string[]).includes(q.language)) p.push({ field: "language", reason: `one of ${LANGUAGES.join(", ")}` });
  return p;
}

export const lengthProblem = (minutes: number, field = "length_minutes"): Problem | undefined =>
  Number.isInteger(minutes) && minutes >= LENGTHS.min && minutes <= LENGTHS.max && minutes % 5 === 0
    ? undefined
    : { field, reason: `must be ${LENGTHS.min}–${LENGTHS.max} minutes in steps of 5` };

/** Which step a booking's status allows; a refusal says why. */
export function allows(b: Pick<Booking, "status" | "rescheduledTo">, step: "confirm" | "reschedule" | "cancel" | "outcome" | "seat"): string | undefined {
  if (b.status === "rescheduled") return `this booking was rescheduled to ${b.rescheduledTo}: use that booking`;
  switch (step) {
    case "confirm":
      return b.status === "held" ? undefined : `only a held time can be confirmed; this booking is ${b.status}`;
    case "reschedule":
    case "cancel":
      return b.status === "confirmed" || b.status === "held" ? undefined : `a ${b.status} booking cannot be changed`;
    case "outcome":
      return b.status === "confirmed" ? undefined : `only a confirmed booking can be marked held or a no-show; this one is ${b.status}`;
    case "seat":
      return b.status === "confirmed" ? undefined : `the session is ${b.status}`;
  }
}

export interface FairnessSettings {
  reservedPercent: number;
  releaseHours: number;
  priorityMunicipalityCodes: string[];
}

/**
 * The seed's priority rule: `reservedPercent` of a specialist's minutes in an ISO week (Helsinki)
 * is kept for municipalities without a specialist of their own. Others may take those minutes
 * only within `releaseHours` of the time. True when the booking may be taken.
 */
export function reservedShareAllows(q: {
  settings: FairnessSettings;
  priority: boolean;
  startsAt: number;
  now: number;
  lengthMinutes: number;
  /** The specialist's available minutes that week. */
  weekCapacityMinutes: number;
  /** Minutes already booked that week by municipalities that are not prioritised. */
  othersBookedMinutes: number;
}): boolean {
  if (q.priority || q.settings.reservedPercent === 0) return true;
  if (q.startsAt - q.now <= q.settings.releaseHours * 3_600_000) return true;
  const open = Math.floor((q.weekCapacityMinutes * (100 - q.settings.reservedPercent)) / 100);
  return q.othersBookedMinutes + q.lengthMinutes <= open;
}

export interface Candidate {
  specialistId: string;
  weight: number;
  lastBookedAt: Date | undefined;
  /** Bookings in the last 28 days. */
  recentBookings: number;
}

/**
 * Round-robin order among qualified specialists free at the time: fewest recent bookings per unit
 * of weight first, then least recently booked (never booked first), then id for a stable order.
 */
export function roundRobinOrder(candidates: Candidate[]): Candidate[] {
  return [...candidates].sort(
    (a, b) =>
      a.recentBookings / a.weight - b.recentBookings / b.weight ||
      (a.lastBookedAt?.getTime() ?? 0) - (b.lastBookedAt?.getTime() ?? 0) ||
      a.specialistId.localeCompare(b.specialistId),
  );
}
