// A common time for several people: the times inside working hours (local to a zone, Finnish
// public holidays off) and inside the family's stated windows, when no required participant is
// busy or unavailable, ranked by how many optional participants are free. Each offered time says
// who is free; each time not offered says why. RFC 5545's free/busy kinds stay distinct: BUSY and
// BUSY-UNAVAILABLE keep a required participant out, BUSY-TENTATIVE does not (the time is offered,
// naming who is only tentatively free).
//
// Guarantees (property-tested in test/common-slots.test.ts):
// - no offered time overlaps a required participant's busy or unavailable block;
// - every free window at least `lengthMin` long starts an offered time (times step on from the
//   start of each free window, not from a fixed grid, so a window between two meetings is found);
// - the answer does not depend on the order of the participants or of their blocks;
// - instants, not wall-clock times: across a daylight-saving change nothing is offered in the hour
//   that does not exist, and nothing twice in the hour that repeats.
import { availableIntervals, type Interval, merge, subtract, type WeeklyRule } from "./availability.ts";
import { isHoliday } from "./working-days.ts";
import { localDateOf } from "./zone.ts";

const MIN = 60_000;

export type BusyKind = "busy" | "tentative" | "unavailable";
export interface BusyBlock extends Interval {
  kind: BusyKind;
}

export interface Attendee {
  /** An opaque reference (a person reference, or a family participant's id): never a name. */
  ref: string;
  required: boolean;
  busy: BusyBlock[];
}

export interface CommonSlotQuery {
  /** First and last local date searched (both included). */
  from: string;
  to: string;
  zone: string;
  lengthMin: number;
  /** Offered times step on by this from the start of each free window. */
  stepMin: number;
  /** Working hours by weekday, local to `zone`. */
  hours: WeeklyRule[];
  /** The family's windows (e.g. after school); none: any time of the working hours. */
  familyWindows?: WeeklyRule[];
  /** Finnish public holidays (and Midsummer and Christmas Eve) are off. */
  holidaysOff: boolean;
  /** Nothing before this instant is offered. */
  now: number;
  attendees: Attendee[];
}

export interface OfferedTime extends Interval {
  /** Everyone free then (required and optional), sorted. */
  free: string[];
  /** Those only tentatively free then, sorted. */
  tentative: string[];
  /** How many optional participants are free: the rank. */
  optionalFree: number;
}

export type ExcludedReason = "holiday" | "past" | "family_constraint" | "unavailable" | "busy";
/** The starts refused for one reason: no meeting of the length asked may start in [start, end) (steps of `stepMin`); `who`: everyone whose blocks refuse a start in it. */
export interface ExcludedTime extends Interval {
  reason: ExcludedReason;
  /** Whose block it is ("unavailable", "busy"), sorted. */
  who: string[];
}

export const WORKING_HOURS: WeeklyRule[] = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "16:00" }));

/** Whether any interval of a sorted, merged list overlaps `t` (binary search: calendars of many blocks). */
function hits(sorted: Interval[], t: Interval): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as Interval).end <= t.start) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && (sorted[lo] as Interval).start < t.end;
}

/** An attendee's blocks by kind, each list merged and sorted. */
interface Calendar {
  ref: string;
  required: boolean;
  busy: Interval[];
  tentative: Interval[];
  unavailable: Interval[];
}
const calendarOf = (a: Attendee): Calendar => {
  const of = (kind: BusyKind) => merge(a.busy.filter((b) => b.kind === kind).map(({ start, end }) => ({ start, end })));
  return { ref: a.ref, required: a.required, busy: of("busy"), tentative: of("tentative"), unavailable: of("unavailable") };
};
const byRef = (a: { ref: string }, b: { ref: string }) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);

/**
 * Offered times (ranked: most optional participants free first, then earliest) and the stretches
 * of the working hours where none can be, with why (consecutive refused steps of one reason and
 * the same people are one stretch).
 */
export function commonSlots(q: CommonSlotQuery): { offered: OfferedTime[]; excluded: ExcludedTime[] } {
  const len = q.lengthMin * MIN;
  const step = q.stepMin * MIN;
  const attendees = [...q.attendees].sort(byRef).map(calendarOf);
  const working = availableIntervals(
    { zone: q.zone, schedules: [{ rules: q.hours }], overrides: [], holidaysOff: q.holidaysOff, outOfOffice: [] },
    q.from,
    q.to,
  );
  const windows = q.familyWindows?.length
    ? availableIntervals({ zone: q.zone, schedules: [{ rules: q.familyWindows }], overrides: [], holidaysOff: false, outOfOffice: [] }, q.from, q.to)
    : undefined;
  const allowed = windows ? intersect(working, windows) : working;
  const blocking = merge(attendees.filter((a) => a.required).flatMap((a) => [...a.busy, ...a.unavailable]));
  const free = subtract(subtract(allowed, blocking), [{ start: Number.NEGATIVE_INFINITY, end: q.now }]);

  const offered: OfferedTime[] = [];
  for (const w of free)
    for (let s = w.start; s + len <= w.end; s += step) {
      const t = { start: s, end: s + len };
      const who = { free: [] as string[], tentative: [] as string[], optionalFree: 0 };
      for (const a of attendees) {
        if (hits(a.busy, t) || hits(a.unavailable, t)) continue;
        if (hits(a.tentative, t)) who.tentative.push(a.ref);
        else {
          who.free.push(a.ref);
          if (!a.required) who.optionalFree++;
        }
      }
      offered.push({ ...t, ...who });
    }
  offered.sort((a, b) => b.optionalFree - a.optionalFree || a.start - b.start);

  // Why each step of the working hours (holidays included) that could not be offered could not (a
  // step inside a free window is not excluded: an offered time of that window is near it).
  const scheduled = availableIntervals({ zone: q.zone, schedules: [{ rules: q.hours }], overrides: [], holidaysOff: false, outOfOffice: [] }, q.from, q.to);
  const starts = new Set(offered.map((o) => o.start));
  const excluded: ExcludedTime[] = [];
  for (const h of scheduled) {
    // Whether it is a holiday is asked once for a stretch of hours within one local day (the usual
    // case), else for each start.
    const day = localDateOf(h.start, q.zone);
    const oneDay = day === localDateOf(h.end - 1, q.zone);
    const holidayOn = (d: string) => q.holidaysOff && isHoliday(d, { evesOff: true });
    const dayOff = oneDay && holidayOn(day);
    for (let s = h.start; s + len <= h.end; s += step) {
      const t = { start: s, end: s + len };
      if (starts.has(s) || free.some((f) => f.start <= t.start && t.end <= f.end)) continue;
      const why = whyNot(q, attendees, t, windows, oneDay ? dayOff : holidayOn(localDateOf(s, q.zone)));
      // Consecutive refused starts for the same reason are one stretch, naming everyone whose
      // blocks refuse a start in it ("no start 08:00–12:00: busy, the teacher and the nurse").
      const last = excluded[excluded.length - 1];
      if (last && last.reason === why.reason && last.end === s) {
        last.end = s + step;
        if (!sameList(last.who, why.who)) last.who = [...new Set([...last.who, ...why.who])].sort();
      } else excluded.push({ start: s, end: s + step, ...why });
    }
  }
  return { offered, excluded };
}

function whyNot(
  q: CommonSlotQuery,
  attendees: Calendar[],
  t: Interval,
  windows: Interval[] | undefined,
  holiday: boolean,
): { reason: ExcludedReason; who: string[] } {
  if (holiday) return { reason: "holiday", who: [] };
  if (t.start < q.now) return { reason: "past", who: [] };
  if (windows && !windows.some((w) => w.start <= t.start && t.end <= w.end)) return { reason: "family_constraint", who: [] };
  const blockedBy = (kind: "busy" | "unavailable") => attendees.filter((a) => a.required && hits(a[kind], t)).map((a) => a.ref);
  const unavailable = blockedBy("unavailable");
  if (unavailable.length > 0) return { reason: "unavailable", who: unavailable };
  // Inside the hours, the windows and the future, and not free: a required participant is busy.
  return { reason: "busy", who: blockedBy("busy") };
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The instants in both lists (each sorted and merged). */
export function intersect(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Interval;
    const y = b[j] as Interval;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (start < end) out.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return out;
}
