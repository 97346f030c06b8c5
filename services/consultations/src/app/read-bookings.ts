// Reading: bookable times, the caller's own bookings, a booking's iCalendar invitation, the
// specialist's feed and the waitlist. An invitation or a feed never carries the child's identity
// or the topic: a kind, a time, a place or link.
import { randomUUID } from "node:crypto";
import { HELSINKI, isLocalDate, isoWeekOf, localDateOf, type NotOffered, Planner, type Slot, writeCalendar } from "@silta/calendar";
import { type Identity, idempotencyKey, invalidArgument, notFound } from "@silta/platform";
import {
  type Booking,
  type BookingKind,
  type FairnessSettings,
  lengthProblem,
  type Problem,
  reservedShareAllows,
  SKILLS,
  targetProblems,
} from "../domain/booking.ts";
import { availabilityOf, rulesFor, type Specialist } from "../domain/specialist.ts";
import { assertBooker, isAreaNotifications, isBooker, isCoordinator, isSpecialistRole } from "./authorise.ts";
import { bookingOf, visibleBooking } from "./change-booking.ts";
import type { HeldTime } from "./ports.ts";
import type { Deps } from "./take-time.ts";

const invalid = (p: Problem[]) => invalidArgument("SILTA_CONSULTATION_INVALID", p);
const DAY = 86_400_000;
const MAX_RANGE_DAYS = 42;
const STEP_MIN = 30;

export type ListedSlot = Omit<Slot, "reason"> & { reason?: NotOffered | "reserved_share" };
/** One specialist's times of a listing, in order. */
export interface SpecialistTimes {
  specialistId: string;
  slots: ListedSlot[];
}

/**
 * Whether the reserved share lets a non-prioritised municipality have a time of this specialist:
 * the same rule as at booking (reservedShareAllows), over the minutes others hold in each ISO week
 * of the specialist's zone, counted from the bookings already read.
 */
function reservedShareOf(f: FairnessSettings, s: Specialist, held: HeldTime[], planner: Planner, now: number, lengthMinutes: number) {
  const others = new Map<string, number>();
  for (const b of held)
    if (!b.priority) {
      const week = isoWeekOf(localDateOf(b.startsAt, s.timeZone));
      others.set(week, (others.get(week) ?? 0) + (b.endsAt - b.startsAt) / 60_000);
    }
  const capacity = new Map<string, number>();
  return (start: number): boolean => {
    const date = localDateOf(start, s.timeZone);
    const week = isoWeekOf(date);
    let c = capacity.get(week);
    if (c === undefined) {
      c = planner.weekCapacityMinutes(date);
      capacity.set(week, c);
    }
    return reservedShareAllows({
      settings: f,
      priority: false,
      startsAt: start,
      now,
      lengthMinutes,
      weekCapacityMinutes: c,
      othersBookedMinutes: others.get(week) ?? 0,
    });
  };
}

export interface SlotQuery {
  specialistId: string;
  skill: string;
  language: string;
  lengthMinutes: number;
  fromDate: string;
  toDate: string;
  withReasons: boolean;
  /** The municipality a booking would be counted for: applies the reserved share ("" : not applied). */
  municipalityCode: string;
}

const KIND_LABEL: Record<BookingKind, string> = {
  consultation: "Konsultaatio / Konsultation",
  mentoring: "Mentorointi / Mentorering",
  training: "Koulutus / Utbildning",
  co_work: "Työparityö / Pararbete",
};

export function readUseCases(deps: Deps) {
  const { store, clock, settings } = deps;
  const area = settings.area;
  const invitationOf = (b: Booking, s: Specialist, now: Date) => ({
    uid: b.icalUid,
    sequence: b.sequence,
    start: b.startsAt,
    end: b.endsAt,
    zone: s.timeZone,
    summary: `Silta: ${KIND_LABEL[b.kind]}`,
    ...(b.location ? { location: b.location } : {}),
    ...(b.videoLink ? { url: b.videoLink } : {}),
    cancelled: b.status === "cancelled",
    stamp: now,
  });
  return {
    /** Each specialist's times, in order (the caller interleaves them by time when it wants one list). */
    async slots(q: SlotQuery, caller: Identity): Promise<SpecialistTimes[]> {
      if (!isBooker(caller, area) && !isCoordinator(caller, area) && !isSpecialistRole(caller, area))
        throw notFound("SILTA_CONSULTATION_NOT_FOUND", "specialists");
      const p: Problem[] = [];
      if (!isLocalDate(q.fromDate)) p.push({ field: "from_date", reason: "a date YYYY-MM-DD" });
      if (!isLocalDate(q.toDate)) p.push({ field: "to_date", reason: "a date YYYY-MM-DD" });
      else if (isLocalDate(q.fromDate) && q.toDate < q.fromDate) p.push({ field: "to_date", reason: "the range ends before it starts" });
      else if (isLocalDate(q.fromDate) && (Date.parse(q.toDate) - Date.parse(q.fromDate)) / DAY > MAX_RANGE_DAYS)
        p.push({ field: "to_date", reason: `at most ${MAX_RANGE_DAYS} days from from_date` });
      const lp = lengthProblem(q.lengthMinutes);
      if (lp) p.push(lp);
      p.push(...targetProblems(q));
      if (q.municipalityCode !== "" && !settings.knownMunicipality(q.municipalityCode))
        p.push({ field: "municipality_code", reason: "a municipality code of Statistics Finland" });
      if (p.length > 0) throw invalid(p);
      // The reserved share, as booking applies it: only for a municipality that is not prioritised.
      const fairness = q.municipalityCode === "" ? undefined : await store.fairness();
      const reserved = fairness && fairness.reservedPercent > 0 && !fairness.priorityMunicipalityCodes.includes(q.municipalityCode) ? fairness : undefined;
      let specialists: Specialist[];
      if (q.specialistId !== "") {
        const s = await store.getSpecialist(q.specialistId);
        if (!s) throw notFound("SILTA_CONSULTATION_NOT_FOUND", `specialist ${q.specialistId}`);
        specialists = [s];
      } else specialists = await store.listSpecialists({ skill: q.skill, ...(q.language ? { language: q.language } : {}) });
      if (specialists.length === 0) return [];
      const now = clock.now();
      const from = new Date(Date.parse(`${q.fromDate}T00:00:00Z`) - 8 * DAY);
      const to = new Date(Date.parse(`${q.toDate}T00:00:00Z`) + 9 * DAY);
      const held = await store.heldTimes(
        specialists.map((s) => s.specialistId),
        from,
        to,
        now,
      );
      const bySpecialist = new Map<string, HeldTime[]>();
      for (const b of held) {
        const list = bySpecialist.get(b.specialistId);
        if (list) list.push(b);
        else bySpecialist.set(b.specialistId, [b]);
      }
      const out: SpecialistTimes[] = [];
      for (const s of specialists) {
        const mine = bySpecialist.get(s.specialistId) ?? [];
        const planner = new Planner(
          availabilityOf(s),
          rulesFor(s, q.lengthMinutes),
          { taken: mine.map((b) => ({ start: b.occupiedFrom, end: b.occupiedTo })), counted: mine.map((b) => b.startsAt) },
          now.getTime(),
          q.fromDate,
          q.toDate,
        );
        const share = reserved ? reservedShareOf(reserved, s, mine, planner, now.getTime(), q.lengthMinutes) : undefined;
        const times = planner.slots(q.fromDate, q.toDate, STEP_MIN, q.withReasons);
        if (!share) {
          out.push({ specialistId: s.specialistId, slots: times });
          continue;
        }
        const kept: ListedSlot[] = [];
        for (const slot of times) {
          const reason = slot.reason ?? (!share(slot.start) ? ("reserved_share" as const) : undefined);
          if (reason === undefined) kept.push(slot);
          else if (q.withReasons) kept.push({ ...slot, reason });
        }
        out.push({ specialistId: s.specialistId, slots: kept });
      }
      return out.sort((a, b) => (a.specialistId < b.specialistId ? -1 : a.specialistId > b.specialistId ? 1 : 0));
    },
    get: async (id: string, caller: Identity) => (await visibleBooking(deps, id, caller)).booking,
    async mine(q: { from: string; limit: number }, caller: Identity): Promise<Booking[]> {
      const from = q.from === "" ? clock.now() : new Date(q.from);
      const p: Problem[] = [];
      if (Number.isNaN(from.getTime())) p.push({ field: "from", reason: "an RFC 3339 instant" });
      if (q.limit < 0 || q.limit > 500) p.push({ field: "limit", reason: "0–500 (0: 100)" });
      if (p.length > 0) throw invalid(p);
      return store.bookingsOf({
        ref: caller.subject,
        organisationId: caller.organisationId,
        from,
        limit: q.limit || 100,
        areaWorker: caller.organisationType === "wellbeing_area" && caller.areaCodes.includes(area.code),
      });
    },
    /** The booking's .ics: for those who see the booking, and for this area's notifications service (its e-mails about it carry it). */
    async invitation(id: string, caller: Identity): Promise<string> {
      const { booking, specialist } = isAreaNotifications(caller, area) ? await bookingOf(deps, id) : await visibleBooking(deps, id, caller);
      if (booking.status === "held" || booking.status === "expired")
        throw notFound("SILTA_CONSULTATION_NOT_FOUND", `invitation of booking ${id} (a hold has none until it is confirmed)`);
      return writeCalendar(booking.status === "cancelled" || booking.status === "rescheduled" ? "CANCEL" : "REQUEST", [
        invitationOf(booking, specialist, clock.now()),
      ]);
    },
    async feed(s: Specialist): Promise<string> {
      const now = clock.now();
      const list = await store.feedBookings(s.specialistId, new Date(now.getTime() - 30 * DAY));
      return writeCalendar(
        "PUBLISH",
        list.map((b) => invitationOf(b, s, now)),
        "Silta",
      );
    },
    async joinWaitlist(
      q: { requestId: string; specialistId: string; skill: string; date: string; kind: BookingKind | undefined; lengthMinutes: number },
      caller: Identity,
    ) {
      assertBooker(caller, area);
      const p: Problem[] = [];
      if (q.requestId.length < 1 || q.requestId.length > 100) p.push({ field: "request_id", reason: "1–100 characters" });
      if (!isLocalDate(q.date)) p.push({ field: "date", reason: "a date YYYY-MM-DD" });
      else if (q.date < localDateOf(clock.now(), HELSINKI)) p.push({ field: "date", reason: "the date has passed" });
      if ((q.specialistId === "") === (q.skill === "")) p.push({ field: "specialist_id", reason: "name a specialist or a skill (one of them)" });
      if (q.skill !== "" && !(SKILLS as readonly string[]).includes(q.skill)) p.push({ field: "skill", reason: `unknown skill; one of ${SKILLS.join(", ")}` });
      if (q.kind === undefined || q.kind === "training") p.push({ field: "kind", reason: "consultation, mentoring or co-work" });
      const lp = lengthProblem(q.lengthMinutes);
      if (lp) p.push(lp);
      if (q.specialistId !== "" && (!/^[0-9a-f-]{36}$/i.test(q.specialistId) || !(await store.getSpecialist(q.specialistId))))
        p.push({ field: "specialist_id", reason: "a registered specialist" });
      if (p.length > 0) throw invalid(p);
      return store.joinWaitlist(
        {
          entryId: randomUUID(),
          specialistId: q.specialistId || undefined,
          skill: q.skill || undefined,
          day: q.date,
          kind: q.kind as BookingKind,
          lengthMinutes: q.lengthMinutes,
          requesterRef: caller.subject,
          requesterOrganisationId: caller.organisationId,
          createdAt: clock.now(),
        },
        idempotencyKey(caller.organisationId, q.requestId),
      );
    },
  };
}
