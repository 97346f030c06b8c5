import { type FieldViolation, invalidArgument } from "@silta/platform";
import { validateHetu } from "@silta/platform/hetu";
import type { ConsentChecker, EducationEventRecord, Pseudonymiser, ReferralStore } from "./ports.ts";

export interface IncomingEducationEvent {
  eventId: string;
  municipalityCode: string;
  unitId: string;
  pupilId: string;
  pupilHetu: string;
  level: "early_education" | "pre_primary" | "basic_education" | undefined;
  occurredOn: string;
  detail: { kind: EducationEventRecord["kind"]; code: string } | undefined;
}

export type EducationOutcome = "attached" | "dropped_no_case" | "dropped_no_consent" | "duplicate";

/**
 * A school or early-education event is kept (attached to the child's timeline in this area)
 * only when the child has an open referral there and a consent or recorded basis lets that unit
 * share education events for school or early-education support; otherwise it is dropped and
 * only counted: nothing about it is stored. Without an open referral the consent service is not
 * even asked, so no disclosure check (and audit entry) is made about a child with no case.
 * An invalid event is refused (the consumer dead-letters it).
 */
export function recordEducationEvent(deps: {
  store: ReferralStore;
  pseudonymiser: Pseudonymiser;
  consent: ConsentChecker;
  areaOf: (municipalityCode: string) => string | undefined;
}) {
  return async (e: IncomingEducationEvent): Promise<EducationOutcome> => {
    const fields = educationEventProblems(e, deps.areaOf);
    if (fields.length > 0) throw invalidArgument("SILTA_EDUCATION_EVENT_INVALID", fields);
    const candidates = deps.pseudonymiser.candidatesFor({ hetu: e.pupilHetu, temporaryId: "", birthDate: "", givenNames: "", familyName: "" });
    const subjectPseudonym = candidates[0] as string;
    const areaCode = deps.areaOf(e.municipalityCode) as string;
    if (!(await deps.store.hasOpenReferral(candidates, areaCode))) return "dropped_no_case";
    const purpose = e.level === "early_education" ? "early_education_support" : "school_support";
    // During a key rotation a consent may have been recorded under the previous key's pseudonym.
    let allowed = false;
    for (const candidate of candidates) {
      allowed = await deps.consent.allows({ subjectPseudonym: candidate, unitId: e.unitId, purpose, dataCategory: "education_events" });
      if (allowed) break;
    }
    if (!allowed) return "dropped_no_consent";
    const detail = e.detail as NonNullable<IncomingEducationEvent["detail"]>;
    const stored = await deps.store.transaction((tx) =>
      tx.insertEducationEvent({
        eventId: e.eventId,
        subjectPseudonym,
        areaCode,
        unitId: e.unitId,
        kind: detail.kind,
        code: detail.code,
        occurredOn: e.occurredOn,
      }),
    );
    return stored ? "attached" : "duplicate";
  };
}

/** What is wrong with an event (empty when nothing): the consumer dead-letters it with these. */
export function educationEventProblems(e: IncomingEducationEvent, areaOf: (municipalityCode: string) => string | undefined): FieldViolation[] {
  const fields: FieldViolation[] = [];
  if (!e.eventId || e.eventId.length > 100) fields.push({ field: "event_id", reason: "required, at most 100 characters" });
  if (!areaOf(e.municipalityCode)) fields.push({ field: "municipality_code", reason: "unknown municipality code" });
  if (!/^[A-Za-z0-9._:-]{1,100}$/.test(e.unitId)) fields.push({ field: "unit_id", reason: "an organisation id of 1–100 characters" });
  if (!e.pupilId) fields.push({ field: "pupil_id", reason: "required" });
  const hetu = validateHetu(e.pupilHetu);
  if (!hetu.valid) fields.push({ field: "pupil_hetu", reason: hetu.reason });
  if (!e.level) fields.push({ field: "level", reason: "a known education level is required" });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(e.occurredOn) || Number.isNaN(Date.parse(e.occurredOn))) fields.push({ field: "occurred_on", reason: "must be YYYY-MM-DD" });
  if (!e.detail) fields.push({ field: "detail", reason: "one of attendance, support_decision, transition or incident" });
  return fields;
}

/**
 * The same for a batch of events (a consumer that is behind): one read finds which children have
 * an open referral in the event's area; the events about the others are dropped at once, as one at
 * a time they would be, and each of the rest goes through `recordEducationEvent`. Any invalid
 * event refuses the whole batch (the consumer then handles the events one at a time, and
 * dead-letters that one).
 */
export function recordEducationEvents(deps: Parameters<typeof recordEducationEvent>[0]) {
  const one = recordEducationEvent(deps);
  return async (events: IncomingEducationEvent[]): Promise<EducationOutcome[]> => {
    for (const e of events) {
      const fields = educationEventProblems(e, deps.areaOf);
      if (fields.length > 0) throw invalidArgument("SILTA_EDUCATION_EVENT_INVALID", fields);
    }
    const candidates = events.map((e) =>
      deps.pseudonymiser.candidatesFor({ hetu: e.pupilHetu, temporaryId: "", birthDate: "", givenNames: "", familyName: "" }),
    );
    const open = await deps.store.openReferralsAmong([...new Set(candidates.flat())]);
    const outcomes: EducationOutcome[] = [];
    for (const [i, e] of events.entries()) {
      const area = deps.areaOf(e.municipalityCode) as string;
      outcomes.push((candidates[i] ?? []).some((c) => open.has(`${c}\u0000${area}`)) ? await one(e) : "dropped_no_case");
    }
    return outcomes;
  };
}
