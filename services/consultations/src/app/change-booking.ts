// A booking after it is taken: confirmed (every rule again), rescheduled in one transaction (the
// new time taken, the old one freed, the old reference dead), cancelled with who and why (a freed
// time offered to the first on the waitlist), marked held or a no-show, a seat taken.
import { randomUUID } from "node:crypto";
import { localDateOf } from "@silta/calendar";
import { failedPrecondition, type Identity, invalidArgument, notFound, permissionDenied } from "@silta/platform";
import { allows, type Booking, type BookingDetails, detailProblems } from "../domain/booking.ts";
import { isSpecialist, type Specialist } from "../domain/specialist.ts";
import { assertBooker, isCoordinator, seesBooking } from "./authorise.ts";
import type { ConsultationTx } from "./ports.ts";
import { type Deps, fairnessAllows, newBooking, parseInstant, plannerFor, refusal } from "./take-time.ts";

const MIN = 60_000;
const ID = /^[0-9a-f-]{36}$/i;
const actor = (c: Identity) => ({ ref: c.subject, organisationId: c.organisationId });

/** The booking as the caller may see it, or NOT_FOUND (also for a malformed id). */
/** A booking and its specialist, whoever asks (callers check who may see it). */
export async function bookingOf(deps: Deps, id: string): Promise<{ booking: Booking; specialist: Specialist }> {
  if (!ID.test(id)) throw invalidArgument("SILTA_CONSULTATION_INVALID", [{ field: "booking_id", reason: "must be a booking id (UUID)" }]);
  const booking = await deps.store.getBooking(id);
  const specialist = booking ? await deps.store.getSpecialist(booking.specialistId) : undefined;
  if (!booking || !specialist) throw notFound("SILTA_CONSULTATION_NOT_FOUND", `booking ${id}`);
  return { booking, specialist };
}

export async function visibleBooking(deps: Deps, id: string, caller: Identity): Promise<{ booking: Booking; specialist: Specialist }> {
  const { booking, specialist } = await bookingOf(deps, id);
  const standIns = await standInsOf(deps, specialist);
  const seat = booking.kind === "training" && (await deps.store.hasSeat(id, actor(caller)));
  if (!seesBooking(caller, deps.settings.area, booking, [specialist, ...standIns], seat)) throw notFound("SILTA_CONSULTATION_NOT_FOUND", `booking ${id}`);
  return { booking, specialist };
}

async function standInsOf(deps: Deps, s: Specialist): Promise<Specialist[]> {
  const now = deps.clock.now().getTime();
  const ids = s.outOfOffice.filter((o) => o.until.getTime() > now).map((o) => o.standIn);
  const found = await Promise.all(ids.map((id) => deps.store.getSpecialist(id)));
  return found.filter((x): x is Specialist => x !== undefined);
}

/** The specialist's side of a booking: the specialist, the stand-in they named, or a coordinator. */
async function actsForSpecialist(deps: Deps, caller: Identity, s: Specialist): Promise<boolean> {
  if (isSpecialist(s, caller) || isCoordinator(caller, deps.settings.area)) return true;
  return (await standInsOf(deps, s)).some((x) => isSpecialist(x, caller));
}

const isRequester = (b: Booking, c: Identity) => b.requesterRef === c.subject && b.requesterOrganisationId === c.organisationId;

export function confirmBooking(deps: Deps) {
  return async (id: string, details: BookingDetails | undefined, caller: Identity): Promise<Booking> => {
    const { booking, specialist } = await visibleBooking(deps, id, caller);
    if (!isRequester(booking, caller)) throw notFound("SILTA_CONSULTATION_NOT_FOUND", `booking ${id}`);
    if (!details) throw invalidArgument("SILTA_CONSULTATION_INVALID", [{ field: "details", reason: "the booking's details are required to confirm it" }]);
    const problems = detailProblems(details, (c) => deps.settings.knownMunicipality(c));
    if (details.kind !== booking.kind) problems.unshift({ field: "details.kind", reason: `must be the held time's kind (${booking.kind})` });
    if (problems.length > 0) throw invalidArgument("SILTA_CONSULTATION_INVALID", problems);
    const wrong = allows(booking, "confirm");
    if (wrong) throw failedPrecondition("SILTA_CONSULTATION_WRONG_STATE", wrong, `booking/${id}`);
    let subjectPseudonym: string | undefined;
    let decisionId: string | undefined;
    if (details.kind === "co_work") {
      subjectPseudonym = deps.pseudonymiser.pseudonymFor({ hetu: details.childHetu, temporaryId: "", birthDate: "", givenNames: "", familyName: "" });
      const [d] = await deps.consent.coWork({
        subjectPseudonym,
        dataCategory: details.dataCategory,
        organisations: [{ id: specialist.organisationId, type: specialist.organisationType }],
      });
      if (!d?.allowed)
        throw permissionDenied(
          "SILTA_CONSULTATION_CONSENT_DENIED",
          `the family's consent does not cover co-work with this specialist's organisation (consent service: ${d?.reason ?? "no decision"})`,
        );
      decisionId = d.decisionId;
    }
    const fairness = await deps.store.fairness();
    const now = deps.clock.now();
    return deps.store.transaction(async (tx) => {
      const s = (await tx.lockSpecialist(booking.specialistId)) as Specialist;
      const b = (await tx.lockBooking(id)) as Booking;
      const state = allows(b, "confirm");
      if (state) throw failedPrecondition("SILTA_CONSULTATION_WRONG_STATE", state, `booking/${id}`);
      if (!b.expiresAt || b.expiresAt <= now)
        throw failedPrecondition("SILTA_CONSULTATION_HOLD_EXPIRED", `the hold expired at ${b.expiresAt?.toISOString()}: hold a time again`, `booking/${id}`);
      // Every rule again, as if the time were asked for now (its own hold aside).
      const planner = await plannerFor(tx, s, minutes(b), [b.startsAt.getTime()], now, [b.bookingId]);
      const reason = planner.whyNot(b.startsAt.getTime());
      if (reason) throw refusal(reason, s.specialistId, b.startsAt);
      const next: Booking = {
        ...b,
        status: "confirmed",
        expiresAt: undefined,
        responsibleWorkerRef: details.responsibleWorkerRef,
        municipalityCode: details.municipalityCode,
        priority: fairness.priorityMunicipalityCodes.includes(details.municipalityCode),
        subjectPseudonym,
        consentDecisionId: decisionId,
        topic: details.kind === "consultation" && details.topic ? details.topic : undefined,
        location: details.location,
        videoLink: details.videoLink,
      };
      if (!(await fairnessAllows(tx, s, planner, fairness, next, now))) throw refusal("reserved_share", s.specialistId, b.startsAt);
      await tx.updateBooking(next);
      await tx.recordTaken(s.specialistId, [id], "confirmed", actor(caller), now, [{ type: "confirmed", booking: next, specialist: s }]);
      return next;
    });
  };
}

const minutes = (b: Booking) => Math.round((b.endsAt.getTime() - b.startsAt.getTime()) / MIN);

export function rescheduleBooking(deps: Deps) {
  return async (id: string, start: string, reason: string, caller: Identity): Promise<Booking> => {
    const at = parseInstant(start);
    if (!at) throw invalidArgument("SILTA_CONSULTATION_INVALID", [{ field: "start", reason: "must be an RFC 3339 instant with an offset" }]);
    if (reason.length > 300) throw invalidArgument("SILTA_CONSULTATION_INVALID", [{ field: "reason", reason: "at most 300 characters" }]);
    const { booking, specialist } = await visibleBooking(deps, id, caller);
    if (!isRequester(booking, caller) && !(await actsForSpecialist(deps, caller, specialist))) throw notFound("SILTA_CONSULTATION_NOT_FOUND", `booking ${id}`);
    if (booking.kind === "training")
      throw failedPrecondition("SILTA_CONSULTATION_WRONG_STATE", "a training session is cancelled and opened again, not moved", `booking/${id}`);
    const fairness = await deps.store.fairness();
    const now = deps.clock.now();
    const moved = await deps.store.transaction(async (tx) => {
      const s = (await tx.lockSpecialist(booking.specialistId)) as Specialist;
      const old = (await tx.lockBooking(id)) as Booking;
      const state = allows(old, "reschedule");
      if (state) throw failedPrecondition("SILTA_CONSULTATION_WRONG_STATE", state, `booking/${id}`);
      const planner = await plannerFor(tx, s, minutes(old), [at.getTime()], now, [old.bookingId]);
      const why = planner.whyNot(at.getTime());
      if (why) throw refusal(why, s.specialistId, at);
      const next = {
        ...newBooking({
          id: randomUUID(),
          s,
          kind: old.kind,
          status: old.status,
          at: at.getTime(),
          lengthMs: minutes(old) * MIN,
          caller,
          details: undefined,
          priority: old.priority,
          subjectPseudonym: old.subjectPseudonym,
          decisionId: old.consentDecisionId,
          seriesId: old.seriesId,
          by: old.assignedBy,
          expiresAt: old.expiresAt,
          icalUid: old.icalUid,
          sequence: old.sequence + 1,
        }),
        requesterRef: old.requesterRef,
        requesterOrganisationId: old.requesterOrganisationId,
        responsibleWorkerRef: old.responsibleWorkerRef,
        municipalityCode: old.municipalityCode,
        topic: old.topic,
        location: old.location,
        videoLink: old.videoLink,
        rescheduledFrom: old.bookingId,
      };
      if (old.status === "confirmed" && !(await fairnessAllows(tx, s, planner, fairness, next, now))) throw refusal("reserved_share", s.specialistId, at);
      // The old time is freed first (out of the exclusion constraint), then the new one taken.
      await tx.updateBooking({ ...old, status: "rescheduled", rescheduledTo: next.bookingId });
      if (planner.expiredIn(next)) await tx.expireHolds(s.specialistId, next.occupiedFrom, next.occupiedTo, now);
      if ((await tx.insertBooking(next)) === "taken") throw refusal("taken", s.specialistId, at);
      await tx.addHistory(old.bookingId, "rescheduled", actor(caller), reason, now);
      await tx.addHistory(next.bookingId, "rescheduled_from", actor(caller), reason, now);
      await tx.emit([{ type: "rescheduled", booking: next, specialist: s, reason }]);
      await offerFreedTime(deps, tx, s, old, now);
      return next;
    });
    return moved;
  };
}

export function cancelBooking(deps: Deps) {
  return async (id: string, reason: string, caller: Identity): Promise<Booking> => {
    if (reason.length > 300) throw invalidArgument("SILTA_CONSULTATION_INVALID", [{ field: "reason", reason: "at most 300 characters" }]);
    const { booking, specialist } = await visibleBooking(deps, id, caller);
    if (!isRequester(booking, caller) && !(await actsForSpecialist(deps, caller, specialist))) throw notFound("SILTA_CONSULTATION_NOT_FOUND", `booking ${id}`);
    const now = deps.clock.now();
    return deps.store.transaction(async (tx) => {
      const s = (await tx.lockSpecialist(booking.specialistId)) as Specialist;
      const b = (await tx.lockBooking(id)) as Booking;
      const state = allows(b, "cancel");
      if (state) throw failedPrecondition("SILTA_CONSULTATION_WRONG_STATE", state, `booking/${id}`);
      const next: Booking = { ...b, status: "cancelled", cancelledBy: caller.subject, cancelReason: reason, sequence: b.sequence + 1, expiresAt: undefined };
      await tx.updateBooking(next);
      await tx.addHistory(id, "cancelled", actor(caller), reason, now);
      await tx.emit([{ type: "cancelled", booking: next, specialist: s, reason }]);
      await offerFreedTime(deps, tx, s, b, now);
      return next;
    });
  };
}

/**
 * A freed time goes to the first waiting request for the specialist (or a skill they have) that
 * day, as a hold that expires like any other; the waitlist is served in the order people joined.
 */
async function offerFreedTime(deps: Deps, tx: ConsultationTx, s: Specialist, freed: Booking, now: Date): Promise<void> {
  if (freed.startsAt <= now || freed.kind === "training") return;
  const entry = await tx.firstWaiting(s, localDateOf(freed.startsAt, s.timeZone));
  if (!entry) return;
  const planner = await plannerFor(tx, s, entry.lengthMinutes, [freed.startsAt.getTime()], now);
  if (planner.whyNot(freed.startsAt.getTime())) return;
  const freedRange = {
    occupiedFrom: new Date(freed.startsAt.getTime() - s.rules.bufferBeforeMin * MIN),
    occupiedTo: new Date(freed.startsAt.getTime() + (entry.lengthMinutes + s.rules.bufferAfterMin) * MIN),
  };
  if (planner.expiredIn(freedRange)) await tx.expireHolds(s.specialistId, freedRange.occupiedFrom, freedRange.occupiedTo, now);
  const hold = newBooking({
    id: randomUUID(),
    s,
    kind: entry.kind,
    status: "held",
    at: freed.startsAt.getTime(),
    lengthMs: entry.lengthMinutes * MIN,
    caller: { subject: entry.requesterRef, organisationId: entry.requesterOrganisationId } as Identity,
    details: undefined,
    priority: false,
    subjectPseudonym: undefined,
    decisionId: undefined,
    seriesId: undefined,
    by: "waitlist",
    expiresAt: new Date(now.getTime() + deps.settings.holdMinutes * MIN),
  });
  if ((await tx.insertBooking(hold)) !== "ok") return;
  await tx.markOffered(entry.entryId, hold.bookingId);
  await tx.addHistory(hold.bookingId, "waitlist_offered", { ref: entry.requesterRef, organisationId: entry.requesterOrganisationId }, "", now);
  await tx.emit([{ type: "waitlist_offered", booking: hold, specialist: s }]);
}

export function recordOutcome(deps: Deps) {
  return async (id: string, held: boolean, caller: Identity): Promise<Booking> => {
    const { booking, specialist } = await visibleBooking(deps, id, caller);
    if (!(await actsForSpecialist(deps, caller, specialist))) throw notFound("SILTA_CONSULTATION_NOT_FOUND", `booking ${id}`);
    const now = deps.clock.now();
    if (booking.startsAt > now)
      throw failedPrecondition("SILTA_CONSULTATION_WRONG_STATE", "a booking is marked held or a no-show once it has started", `booking/${id}`);
    return deps.store.transaction(async (tx) => {
      // The specialist's row first, as every writer of the specialist's events takes it.
      await tx.lockSpecialist(booking.specialistId);
      const b = (await tx.lockBooking(id)) as Booking;
      const state = allows(b, "outcome");
      if (state) throw failedPrecondition("SILTA_CONSULTATION_WRONG_STATE", state, `booking/${id}`);
      const next: Booking = { ...b, status: held ? "completed" : "no_show" };
      await tx.updateBooking(next);
      await tx.addHistory(id, next.status, actor(caller), "", now);
      await tx.emit([{ type: held ? "completed" : "no_show", booking: next, specialist }]);
      return next;
    });
  };
}

export function takeSeat(deps: Deps) {
  return async (sessionId: string, caller: Identity): Promise<Booking> => {
    const { booking, specialist } = await visibleBooking(deps, sessionId, caller);
    if (booking.kind !== "training") throw notFound("SILTA_CONSULTATION_NOT_FOUND", `training session ${sessionId}`);
    assertBooker(caller, deps.settings.area);
    const state = allows(booking, "seat");
    if (state) throw failedPrecondition("SILTA_CONSULTATION_WRONG_STATE", state, `booking/${sessionId}`);
    const now = deps.clock.now();
    if (booking.startsAt <= now) throw failedPrecondition("SILTA_CONSULTATION_WRONG_STATE", "the session has started", `booking/${sessionId}`);
    return deps.store.transaction(async (tx) => {
      // The specialist's row first, as every writer of the specialist's events takes it; the
      // conditional update below stays the guard against overbooking.
      await tx.lockSpecialist(booking.specialistId);
      const result = await tx.takeSeat(sessionId, actor(caller), now);
      if (result === "full") throw failedPrecondition("SILTA_CONSULTATION_SESSION_FULL", `all ${booking.capacity} seats are taken`, `booking/${sessionId}`);
      if (result === "already") return booking;
      await tx.addHistory(sessionId, "seat_taken", actor(caller), "", now);
      await tx.emit([{ type: "confirmed", booking: { ...result, requesterRef: caller.subject, requesterOrganisationId: caller.organisationId }, specialist }]);
      return result;
    });
  };
}
