// A multi-agency meeting and its rules, without I/O: what a meeting is, which steps its status
// allows (like FHIR Appointment), what a schedule request must carry, how a series is split
// ("this and following") and what a participant may answer.
import { containsHetu, PERSON_REFERENCE } from "@silta/platform";
import { validateHetu } from "@silta/platform/hetu";

export const MEETING_KINDS = ["systemic_weekly", "service_need_assessment", "network", "school_support"] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];
export type MeetingStatus = "proposed" | "booked" | "fulfilled" | "cancelled" | "no_show";
export type FamilyRole = "guardian" | "child" | "named_by_family";
export type Answer = "pending" | "accepted" | "declined" | "tentative" | "none_suit";
export type Invitation = "invited" | "not_invited" | "withdrawn";
export type ChildHeard = "present" | "in_writing" | "through_representative" | "not_heard";
export type Language = "fi" | "sv" | "en";
export const LANGUAGES: readonly Language[] = ["fi", "sv", "en"];

/** Short coded titles (kind + reference): a calendar, a page title or a subject line never carries a name. */
export const KIND_TITLE: Record<MeetingKind, Record<Language, string>> = {
  systemic_weekly: { fi: "Systeeminen viikkokokous", sv: "Systemiskt veckomöte", en: "Systemic weekly meeting" },
  service_need_assessment: { fi: "Palvelutarpeen arviointi", sv: "Bedömning av servicebehov", en: "Service-need assessment" },
  network: { fi: "Verkostopalaveri", sv: "Nätverksmöte", en: "Network meeting" },
  school_support: { fi: "Sisukas-seurantapalaveri", sv: "Sisukas-uppföljningsmöte", en: "Sisukas follow-up meeting" },
};
export const titleOf = (kind: MeetingKind, reference: string, language: Language = "fi") =>
  reference ? `${KIND_TITLE[kind][language]} ${reference}` : KIND_TITLE[kind][language];

export interface Participant {
  participantId: string;
  kind: "staff" | "family";
  organisationId: string;
  organisationType: string;
  role: string;
  personRef: string;
  familyRole?: FamilyRole;
  email: string;
  phone: string;
  language: Language;
  interpreterLanguage: string;
  required: boolean;
  invitation: Invitation;
  invitationReason: string;
  withdrawnFrom?: Date;
  answer: Answer;
  answerNote: string;
  linkVersion: number;
  linkRevoked: boolean;
}

export interface Occurrence {
  /** Its original start (RECURRENCE-ID), epoch ms. */
  recurrenceId: number;
  start: number;
  end: number;
  cancelled: boolean;
}

export interface AgreedAction {
  title: string;
  ownerOrganisationId: string;
  dueDate: string;
  /** The occurrence it was agreed at (RECURRENCE-ID), epoch ms. */
  agreedAt: number;
}

export interface Outcome {
  recurrenceId: number;
  attended: string[];
  familyTookPart: boolean;
  childTookPart: boolean;
  childHeard: ChildHeard;
  childNotHeardReason: string;
  recordedAt: Date;
  recordedBy: string;
}

export interface Meeting {
  meetingId: string;
  kind: MeetingKind;
  status: MeetingStatus;
  subjectPseudonym: string;
  reference: string;
  referralId?: string;
  organiserOrganisationId: string;
  organiserRef: string;
  startsAt: Date;
  lengthMinutes: number;
  recurrence: string;
  icalUid: string;
  sequence: number;
  location: string;
  videoLink: string;
  answerBy?: Date;
  continuesMeetingId?: string;
  continuedByMeetingId?: string;
  createdAt: Date;
  updatedAt: Date;
  participants: Participant[];
  occurrences: Occurrence[];
  outcomes: Outcome[];
}

export interface Problem {
  field: string;
  reason: string;
}

export interface StaffInput {
  organisationId: string;
  organisationType: string;
  role: string;
  personRef: string;
  required: boolean;
}
export interface FamilyInput {
  role: FamilyRole;
  email: string;
  phone: string;
  language: string;
  interpreterLanguage: string;
  required: boolean;
}

export interface ScheduleInput {
  requestId: string;
  kind: MeetingKind;
  childHetu: string;
  reference: string;
  referralId: string;
  start: Date;
  lengthMinutes: number;
  recurrence: string;
  location: string;
  videoLink: string;
  staff: StaffInput[];
  family: FamilyInput[];
  booked: boolean;
  answerBy?: Date;
}

const REF = PERSON_REFERENCE;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;
const PHONE = /^\+?[0-9 ()-]{6,20}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_PARTICIPANTS = 40;

/** A reference or a note that carries a henkilötunnus is refused (it would reach titles, pages and calendars). */
export const carriesHetu = containsHetu;

/** What is wrong with a schedule request (the recurrence is checked where the horizon is known). */
export function scheduleProblems(r: ScheduleInput, now: Date): Problem[] {
  const p: Problem[] = [];
  if (r.requestId.length < 1 || r.requestId.length > 100) p.push({ field: "request_id", reason: "1–100 characters" });
  const hetu = validateHetu(r.childHetu);
  if (!hetu.valid) p.push({ field: "child_hetu", reason: "a valid henkilötunnus of the child the meeting is about" });
  if (r.reference.length > 40) p.push({ field: "reference", reason: "at most 40 characters" });
  else if (carriesHetu(r.reference)) p.push({ field: "reference", reason: "a coded reference, never a henkilötunnus" });
  if (r.referralId !== "" && !UUID.test(r.referralId)) p.push({ field: "referral_id", reason: "a referral id (UUID)" });
  if (r.kind === "service_need_assessment" && r.referralId === "")
    p.push({ field: "referral_id", reason: "a service-need assessment is linked to its referral" });
  if (!Number.isInteger(r.lengthMinutes) || r.lengthMinutes <= 0)
    p.push({ field: "length_minutes", reason: "the meeting must end after it starts (minutes > 0)" });
  else if (r.lengthMinutes < 5 || r.lengthMinutes > 480) p.push({ field: "length_minutes", reason: "5–480 minutes" });
  if (r.start.getTime() < now.getTime()) p.push({ field: "start", reason: "the time has passed" });
  if (r.location.length > 200) p.push({ field: "location", reason: "at most 200 characters" });
  if (r.videoLink !== "" && !/^https:\/\/[^\s]{3,500}$/.test(r.videoLink)) p.push({ field: "video_link", reason: "an https:// link" });
  if (r.answerBy && r.answerBy.getTime() > r.start.getTime()) p.push({ field: "answer_by", reason: "answers are wanted before the meeting" });
  else if (r.answerBy && r.answerBy.getTime() < now.getTime()) p.push({ field: "answer_by", reason: "the time has passed" });
  if (r.staff.length + r.family.length === 0) p.push({ field: "staff", reason: "invite at least one participant" });
  if (r.staff.length + r.family.length > MAX_PARTICIPANTS) p.push({ field: "staff", reason: `at most ${MAX_PARTICIPANTS} participants` });
  const seen = new Set<string>();
  r.staff.forEach((s, i) => {
    const who = `${s.organisationId}/${s.personRef}`;
    if (s.personRef !== "" && seen.has(who)) p.push({ field: `staff[${i}].person_ref`, reason: "the same person is invited twice" });
    seen.add(who);
    if (!REF.test(s.organisationId)) p.push({ field: `staff[${i}].organisation_id`, reason: "an organisation id" });
    if (s.role.length < 1 || s.role.length > 100) p.push({ field: `staff[${i}].role`, reason: "1–100 characters" });
    if (s.personRef !== "" && !REF.test(s.personRef)) p.push({ field: `staff[${i}].person_ref`, reason: "an opaque reference (letters, digits, . _ : -)" });
    else if (carriesHetu(s.personRef)) p.push({ field: `staff[${i}].person_ref`, reason: "an opaque reference, never a henkilötunnus" });
  });
  r.family.forEach((f, i) => {
    if (f.email === "" && f.phone === "") p.push({ field: `family[${i}].email`, reason: "an e-mail address or a phone number is needed to invite" });
    if (f.email !== "" && !EMAIL.test(f.email)) p.push({ field: `family[${i}].email`, reason: "an e-mail address" });
    if (f.phone !== "" && !PHONE.test(f.phone)) p.push({ field: `family[${i}].phone`, reason: "a phone number" });
    if (f.language !== "" && !(LANGUAGES as readonly string[]).includes(f.language)) p.push({ field: `family[${i}].language`, reason: "fi, sv or en" });
    if (f.interpreterLanguage !== "" && !/^[a-z]{2}$/.test(f.interpreterLanguage))
      p.push({ field: `family[${i}].interpreter_language`, reason: "an ISO 639-1 code" });
  });
  return p;
}

/** Whether a status may go to the next one (proposed → booked → fulfilled / cancelled / no-show). */
export function canMove(from: MeetingStatus, to: MeetingStatus): boolean {
  if (from === "proposed") return to === "booked" || to === "cancelled";
  if (from === "booked") return to === "fulfilled" || to === "cancelled" || to === "no_show";
  return false;
}

/** Whether the meeting still takes changes and answers. */
export const isOpen = (m: Meeting) => m.status === "proposed" || m.status === "booked";

/** The participant's occurrences: a withdrawn participant keeps those before the withdrawal. */
export function occurrencesOf(m: Meeting, p: Participant): Occurrence[] {
  if (p.invitation === "not_invited") return [];
  if (p.invitation === "withdrawn") return m.occurrences.filter((o) => p.withdrawnFrom && o.start < p.withdrawnFrom.getTime());
  return m.occurrences;
}

/** What is wrong with an outcome. */
export function outcomeProblems(
  o: { childHeard: ChildHeard | undefined; childNotHeardReason: string; attended: string[]; actions: Omit<AgreedAction, "agreedAt">[] },
  m: Meeting,
): Problem[] {
  const p: Problem[] = [];
  if (!o.childHeard) p.push({ field: "outcome.child_heard", reason: "how the child's view was heard is required" });
  if (o.childHeard === "not_heard" && o.childNotHeardReason.trim() === "")
    p.push({ field: "outcome.child_not_heard_reason", reason: "say why the child's view was not heard" });
  if (o.childNotHeardReason.length > 500) p.push({ field: "outcome.child_not_heard_reason", reason: "at most 500 characters" });
  if (carriesHetu(o.childNotHeardReason)) p.push({ field: "outcome.child_not_heard_reason", reason: "never a henkilötunnus" });
  const ids = new Set(m.participants.map((x) => x.participantId));
  o.attended.forEach((a, i) => {
    if (!ids.has(a)) p.push({ field: `outcome.attended[${i}]`, reason: "a participant of this meeting" });
  });
  o.actions.forEach((a, i) => {
    if (a.title.trim().length < 1 || a.title.length > 200) p.push({ field: `outcome.actions[${i}].title`, reason: "1–200 characters" });
    else if (carriesHetu(a.title)) p.push({ field: `outcome.actions[${i}].title`, reason: "never a henkilötunnus" });
    if (!REF.test(a.ownerOrganisationId)) p.push({ field: `outcome.actions[${i}].owner_organisation_id`, reason: "an organisation id" });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(a.dueDate) || Number.isNaN(Date.parse(a.dueDate)))
      p.push({ field: `outcome.actions[${i}].due_date`, reason: "a date YYYY-MM-DD" });
  });
  return p;
}

/**
 * "This and following" from the occurrence `at` (its RECURRENCE-ID): the old series keeps the
 * occurrences before it and ends with UNTIL the second before; the rest becomes a new series of
 * its own. With COUNT the new series counts what is left.
 */
export function splitRule(rule: string, before: number, left: number): { old: string; rest: string } {
  const parts = rule
    .replace(/^RRULE:/i, "")
    .split(";")
    .filter((x) => x !== "");
  const keep = parts.filter((x) => !/^(COUNT|UNTIL)=/i.test(x));
  const until = new Date(before - 1000)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const hadUntil = parts.find((x) => /^UNTIL=/i.test(x));
  return {
    old: [...keep, `UNTIL=${until}`].join(";"),
    rest: [...keep, hadUntil ?? `COUNT=${left}`].join(";"),
  };
}

export const isAnswer = (a: string): a is Answer => ["accepted", "declined", "tentative", "none_suit"].includes(a);
