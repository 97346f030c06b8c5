// Taking a specialist's time: a hold, a booking, a series or a training session. Every rule of
// @silta/calendar (availability, buffers, notice, window, caps) and the reserved share are checked
// under the specialist's row lock, and the exclusion constraint refuses an overlap whatever
// happens: a time never offered is never taken, and one time is never taken twice.
import { randomUUID } from "node:crypto";
import { boundAt, HELSINKI, localDateOf, NOT_OFFERED_REASONS, type NotOffered, occurrences, Planner, weekOf } from "@silta/calendar";
import {
  alreadyExists,
  containsHetu,
  failedPrecondition,
  type Identity,
  idempotencyKey,
  invalidArgument,
  notFound,
  type Pseudonymiser,
  permissionDenied,
} from "@silta/platform";
import {
  type AssignedBy,
  type Booking,
  type BookingDetails,
  type BookingKind,
  type Candidate,
  detailProblems,
  type FairnessSettings,
  lengthProblem,
  type Problem,
  placeProblems,
  reservedShareAllows,
  roundRobinOrder,
  targetProblems,
} from "../domain/booking.ts";
import { availabilityOf, rulesFor, type Specialist, standInAt } from "../domain/specialist.ts";
import { type Area, assertBooker, assertManages } from "./authorise.ts";
import type { Clock, ConsentChecker, ConsultationStore, ConsultationTx } from "./ports.ts";

export interface ConsultationSettings {
  area: Area;
  holdMinutes: number;
  seriesMax: number;
  knownMunicipality(code: string): boolean;
}

export interface TakeRequest {
  requestId: string;
  specialistId: string;
  skill: string;
  language: string;
  start: string;
  kind: BookingKind | undefined;
  lengthMinutes: number;
  /** Absent for a hold (the form comes at confirmation). */
  details: BookingDetails | undefined;
  recurrence: string;
  /** Training sessions only. */
  capacity?: number;
  topic?: string;
  location?: string;
  videoLink?: string;
}

export interface Deps {
  store: ConsultationStore;
  clock: Clock;
  consent: ConsentChecker;
  pseudonymiser: Pseudonymiser;
  settings: ConsultationSettings;
}

const MIN = 60_000;
const DAY = 86_400_000;
const invalid = (problems: Problem[]) => invalidArgument("SILTA_CONSULTATION_INVALID", problems);
export const parseInstant = (s: string): Date | undefined => {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(s)) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/** Why a rule refused a time, as the error a caller gets. */
export function refusal(reason: NotOffered | "reserved_share", specialistId: string, at: Date) {
  if (reason === "taken") return alreadyExists("SILTA_CONSULTATION_SLOT_TAKEN", `a booking of specialist ${specialistId} at ${at.toISOString()}`);
  const why =
    reason === "reserved_share" ? "the minutes left this week are reserved for municipalities without a specialist of their own" : NOT_OFFERED_REASONS[reason];
  return failedPrecondition(
    "SILTA_CONSULTATION_NOT_BOOKABLE",
    `${at.toISOString()} cannot be booked: ${why}`,
    `specialist/${specialistId}`,
    reason.toUpperCase(),
  );
}

/**
 * A planner of the specialist over the ISO weeks of the times, from the bookings holding time then;
 * `expiredIn(range)` says whether an expired hold still sits in a range (to be expired before an
 * insert there: the exclusion constraint cannot know about expiry).
 */
export async function plannerFor(tx: ConsultationTx, s: Specialist, lengthMin: number, starts: number[], now: Date, excluding: string[] = []) {
  const zone = s.timeZone;
  const first = weekOf(localDateOf(Math.min(...starts), zone)).monday;
  const last = weekOf(localDateOf(Math.max(...starts), zone)).sunday;
  const from = new Date(Date.parse(`${first}T00:00:00Z`) - DAY);
  const to = new Date(Date.parse(`${last}T00:00:00Z`) + 2 * DAY);
  const rows = (await tx.occupying(s.specialistId, from, to)).filter((b) => !excluding.includes(b.bookingId));
  const live = (b: Booking) => b.status === "confirmed" || (b.expiresAt !== undefined && b.expiresAt > now);
  const held = rows.filter(live);
  const expired = rows.filter((b) => !live(b));
  const planner = new Planner(
    availabilityOf(s),
    rulesFor(s, lengthMin),
    { taken: held.map((b) => ({ start: b.occupiedFrom.getTime(), end: b.occupiedTo.getTime() })), counted: held.map((b) => b.startsAt.getTime()) },
    now.getTime(),
    first,
    last,
  );
  const expiredIn = (r: Pick<Booking, "occupiedFrom" | "occupiedTo">) => expired.some((b) => b.occupiedFrom < r.occupiedTo && r.occupiedFrom < b.occupiedTo);
  return Object.assign(planner, { expiredIn });
}

/** Whether the reserved share lets this booking have its minutes (checked under the specialist's lock). */
export async function fairnessAllows(
  tx: ConsultationTx,
  s: Specialist,
  planner: Planner,
  fairness: FairnessSettings,
  b: Pick<Booking, "bookingId" | "startsAt" | "endsAt" | "priority">,
  now: Date,
): Promise<boolean> {
  if (b.priority || fairness.reservedPercent === 0) return true;
  const date = localDateOf(b.startsAt, s.timeZone);
  const { monday, sunday } = weekOf(date);
  // The ISO week in the specialist's own zone (not UTC, not the booker's).
  const weekStart = new Date(boundAt(monday, "00:00", s.timeZone));
  const weekEnd = new Date(boundAt(sunday, "24:00", s.timeZone));
  return reservedShareAllows({
    settings: fairness,
    priority: b.priority,
    startsAt: b.startsAt.getTime(),
    now: now.getTime(),
    lengthMinutes: Math.round((b.endsAt.getTime() - b.startsAt.getTime()) / MIN),
    weekCapacityMinutes: planner.weekCapacityMinutes(date),
    othersBookedMinutes: await tx.othersBookedMinutes(s.specialistId, weekStart, weekEnd, now, b.bookingId),
  });
}

/** Validates a request to take time; the list of problems names every field at once. */
function requestProblems(r: TakeRequest, settings: ConsultationSettings, seriesAllowed: boolean): Problem[] {
  const p: Problem[] = [];
  if (r.requestId.length < 1 || r.requestId.length > 100)
    p.push({ field: "request_id", reason: "a request id of 1–100 characters is required (a retry with it returns the first answer)" });
  if (!parseInstant(r.start)) p.push({ field: "start", reason: "must be an RFC 3339 instant with an offset, e.g. 2027-01-12T10:00:00+02:00" });
  if (r.kind === undefined) p.push({ field: "kind", reason: "a booking kind is required" });
  const lp = lengthProblem(r.lengthMinutes);
  if (lp) p.push(lp);
  p.push(...targetProblems(r));
  if (r.recurrence !== "" && !seriesAllowed) p.push({ field: "recurrence", reason: "only mentoring is booked as a series" });
  if (r.details) {
    if (r.details.kind !== r.kind) p.push({ field: "details.kind", reason: "must be the booking's kind" });
    p.push(...detailProblems(r.details, (c) => settings.knownMunicipality(c)));
  }
  return p;
}

export interface Taken {
  bookings: Booking[];
  /** A retry: the first answer, unchanged. */
  replay: boolean;
}

/**
 * Takes time for a request: one booking, or a series all with one specialist, held (`details`
 * absent) or confirmed. A fixed specialist out of office at the time is replaced by the stand-in
 * they named; with a skill, qualified specialists are tried in round-robin order and the first for
 * whom every occurrence passes every rule gets them all.
 */
export function takeTime(deps: Deps) {
  const { store, clock, settings } = deps;
  return async (r: TakeRequest, caller: Identity, as: { training?: true } = {}): Promise<Taken> => {
    const problems = requestProblems(r, settings, r.kind === "mentoring");
    if (as.training) {
      if (!Number.isInteger(r.capacity) || (r.capacity ?? 0) < 1 || (r.capacity ?? 0) > 500)
        problems.push({ field: "capacity", reason: "a training session has 1–500 seats" });
      if ((r.topic ?? "").length > 300) problems.push({ field: "topic", reason: "at most 300 characters" });
      if (containsHetu(r.topic ?? "")) problems.push({ field: "topic", reason: "must not contain a henkilötunnus" });
      problems.push(...placeProblems({ location: r.location ?? "", videoLink: r.videoLink ?? "" }));
    }
    if (problems.length > 0) throw invalid(problems);
    const kind = r.kind as BookingKind;
    const start = parseInstant(r.start) as Date;
    const now = clock.now();
    const key = idempotencyKey(caller.organisationId, r.requestId);
    const earlier = await store.requestAnswer(key);
    if (earlier) return { bookings: await store.getBookings(earlier), replay: true };

    const zone = HELSINKI;
    let starts = [start.getTime()];
    if (r.recurrence !== "") {
      const list = occurrences(r.recurrence, start, zone, settings.seriesMax);
      if (!Array.isArray(list)) throw invalid([{ field: "recurrence", reason: list.reason }]);
      starts = list;
    }
    const lengthMs = r.lengthMinutes * MIN;

    // Who may take it: a fixed specialist (or the stand-in they named), or the qualified ones.
    let candidates: { s: Specialist; by: AssignedBy }[];
    if (r.specialistId !== "") {
      const s = await store.getSpecialist(r.specialistId);
      if (!s) throw notFound("SILTA_CONSULTATION_NOT_FOUND", `specialist ${r.specialistId}`);
      if (as.training) assertManages(caller, settings.area, s);
      const standIn = standInAt(s, Math.min(...starts), Math.max(...starts) + lengthMs);
      const replacement = standIn ? await store.getSpecialist(standIn) : undefined;
      candidates = replacement ? [{ s: replacement, by: "stand_in" }] : [{ s, by: "fixed" }];
    } else {
      const qualified = (await store.listSpecialists({ skill: r.skill, ...(r.language ? { language: r.language } : {}) })).filter(
        (s) => !r.details || s.municipalityCodes.length === 0 || s.municipalityCodes.includes(r.details.municipalityCode),
      );
      const recent = await store.recentBookings(
        qualified.map((s) => s.specialistId),
        new Date(now.getTime() - 28 * DAY),
      );
      const order = roundRobinOrder(
        qualified.map(
          (s): Candidate => ({ specialistId: s.specialistId, weight: s.weight, lastBookedAt: s.lastBookedAt, recentBookings: recent.get(s.specialistId) ?? 0 }),
        ),
      );
      const byId = new Map(qualified.map((s) => [s.specialistId, s]));
      candidates = order.map((c) => ({ s: byId.get(c.specialistId) as Specialist, by: "round_robin" as const }));
    }
    if (!as.training) assertBooker(caller, settings.area);

    // Co-work: the family's consent for the specialist's organisation, asked before any row is locked.
    let subjectPseudonym: string | undefined;
    const decisions = new Map<string, string>();
    if (r.details?.kind === "co_work") {
      subjectPseudonym = deps.pseudonymiser.pseudonymFor({ hetu: r.details.childHetu, temporaryId: "", birthDate: "", givenNames: "", familyName: "" });
      const orgs = [...new Map(candidates.map((c) => [c.s.organisationId, { id: c.s.organisationId, type: c.s.organisationType }])).values()].slice(0, 50);
      const answers = await deps.consent.coWork({ subjectPseudonym, dataCategory: r.details.dataCategory, organisations: orgs });
      orgs.forEach((o, i) => {
        if (answers[i]?.allowed) decisions.set(o.id, answers[i].decisionId);
      });
      if (decisions.size === 0)
        throw permissionDenied(
          "SILTA_CONSULTATION_CONSENT_DENIED",
          `the family's consent does not cover co-work with ${orgs.length === 1 ? "this specialist's organisation" : "any qualified specialist's organisation"} (consent service: ${answers[0]?.reason ?? "no decision"})`,
        );
      candidates = candidates.filter((c) => decisions.has(c.s.organisationId));
    }

    const fairness = await store.fairness();
    const priority = r.details ? fairness.priorityMunicipalityCodes.includes(r.details.municipalityCode) : false;
    const seriesId = starts.length > 1 ? randomUUID() : undefined;
    const ids = starts.map(() => randomUUID());
    const status = r.details || as.training ? "confirmed" : "held";

    const outcome = await store.transaction(async (tx) => {
      if (!(await tx.recordRequest(key, ids))) return { replay: true as const };
      let refused: { reason: NotOffered | "reserved_share"; specialistId: string; at: Date } | undefined;
      for (const { s, by } of candidates) {
        const locked = (await tx.lockSpecialist(s.specialistId)) as Specialist;
        // Another candidate or occurrence may follow a failure: only then is there anything to undo to.
        const undoable = candidates.length > 1 || starts.length > 1;
        if (undoable) await tx.savepoint("candidate");
        const planner = await plannerFor(tx, locked, r.lengthMinutes, starts, now);
        const made: Booking[] = [];
        let failed = false;
        for (const [i, at] of starts.entries()) {
          const reason = planner.whyNot(at);
          const b = newBooking({
            id: ids[i] as string,
            s: locked,
            kind,
            status,
            at,
            lengthMs,
            caller,
            details: r.details,
            priority,
            subjectPseudonym,
            decisionId: decisions.get(locked.organisationId),
            seriesId,
            by,
            expiresAt: status === "held" ? new Date(now.getTime() + settings.holdMinutes * MIN) : undefined,
            training: as.training ? { capacity: r.capacity ?? 0, topic: r.topic ?? "", location: r.location ?? "", videoLink: r.videoLink ?? "" } : undefined,
          });
          const unfair = !reason && r.details && !(await fairnessAllows(tx, locked, planner, fairness, b, now));
          if (reason || unfair) {
            refused ??= { reason: reason ?? "reserved_share", specialistId: locked.specialistId, at: new Date(at) };
            failed = true;
            break;
          }
          if (planner.expiredIn(b)) await tx.expireHolds(locked.specialistId, b.occupiedFrom, b.occupiedTo, now);
          if ((await tx.insertBooking(b)) === "taken") {
            refused ??= { reason: "taken", specialistId: locked.specialistId, at: new Date(at) };
            failed = true;
            break;
          }
          planner.take(at, { start: b.occupiedFrom.getTime(), end: b.occupiedTo.getTime() });
          made.push(b);
        }
        if (failed) {
          if (undoable) await tx.rollbackTo("candidate");
          continue;
        }
        await tx.recordTaken(
          locked.specialistId,
          made.map((b) => b.bookingId),
          status === "held" ? "held" : "confirmed",
          { ref: caller.subject, organisationId: caller.organisationId },
          now,
          made.map((b) => ({ type: status === "held" ? ("requested" as const) : ("confirmed" as const), booking: b, specialist: locked })),
        );
        return { bookings: made };
      }
      // Refused: the transaction rolls back, the request key with it (a retry asks again).
      if (r.specialistId === "")
        throw failedPrecondition(
          "SILTA_CONSULTATION_NO_SPECIALIST_FREE",
          `no specialist with skill ${r.skill}${r.language ? ` and language ${r.language}` : ""} is free for every time asked`,
          `skill/${r.skill}`,
        );
      throw refusal(refused?.reason ?? "taken", refused?.specialistId ?? r.specialistId, refused?.at ?? start);
    });
    if ("replay" in outcome) {
      const first = (await store.requestAnswer(key)) ?? [];
      return { bookings: await store.getBookings(first), replay: true };
    }
    return { bookings: outcome.bookings, replay: false };
  };
}

export function newBooking(a: {
  id: string;
  s: Specialist;
  kind: BookingKind;
  status: Booking["status"];
  at: number;
  lengthMs: number;
  caller: Identity;
  details: BookingDetails | undefined;
  priority: boolean;
  subjectPseudonym: string | undefined;
  decisionId: string | undefined;
  seriesId: string | undefined;
  by: AssignedBy;
  expiresAt: Date | undefined;
  training?: { capacity: number; topic: string; location: string; videoLink: string } | undefined;
  icalUid?: string;
  sequence?: number;
}): Booking {
  const d = a.details;
  return {
    bookingId: a.id,
    specialistId: a.s.specialistId,
    kind: a.kind,
    status: a.status,
    startsAt: new Date(a.at),
    endsAt: new Date(a.at + a.lengthMs),
    occupiedFrom: new Date(a.at - a.s.rules.bufferBeforeMin * MIN),
    occupiedTo: new Date(a.at + a.lengthMs + a.s.rules.bufferAfterMin * MIN),
    expiresAt: a.expiresAt,
    requesterRef: a.caller.subject,
    requesterOrganisationId: a.caller.organisationId,
    responsibleWorkerRef: d?.responsibleWorkerRef ?? "",
    municipalityCode: d?.municipalityCode ?? "",
    priority: a.priority,
    subjectPseudonym: a.kind === "co_work" ? a.subjectPseudonym : undefined,
    consentDecisionId: a.kind === "co_work" ? a.decisionId : undefined,
    topic: a.training ? a.training.topic || undefined : a.kind === "consultation" && d?.topic ? d.topic : undefined,
    location: a.training?.location ?? d?.location ?? "",
    videoLink: a.training?.videoLink ?? d?.videoLink ?? "",
    seriesId: a.seriesId,
    capacity: a.training?.capacity ?? 0,
    seatsTaken: 0,
    icalUid: a.icalUid ?? `${a.id}@silta`,
    sequence: a.sequence ?? 0,
    rescheduledTo: undefined,
    rescheduledFrom: undefined,
    cancelledBy: undefined,
    cancelReason: undefined,
    assignedBy: a.by,
  };
}
