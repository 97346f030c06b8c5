// A person's availability in their own zone: weekly schedules (each valid for a span of dates),
// Finnish public holidays off by default, date overrides (a day off, extra hours), out-of-office
// spans. The answer is a list of instant intervals; times are local to the person's zone, so a
// weekly 09:00–15:00 is 09:00–15:00 on both sides of a daylight-saving change.
import { isHoliday } from "./working-days.ts";
import { boundAt, datesBetween, isLocalDate, isLocalTime, isoWeekday, minutesOf } from "./zone.ts";

const EVES_OFF = { evesOff: true };

/** A half-open interval of instants in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

export interface WeeklyRule {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Local "HH:MM". */
  start: string;
  /** Local "HH:MM" (or "24:00"), after start. */
  end: string;
}

export interface Schedule {
  rules: WeeklyRule[];
  /** First local date it applies (none: always). */
  validFrom?: string;
  /** Last local date it applies (none: open-ended). */
  validUntil?: string;
}

export type DateOverride = { date: string; kind: "off" } | { date: string; kind: "extra"; start: string; end: string };

export interface Availability {
  zone: string;
  schedules: Schedule[];
  overrides: DateOverride[];
  /** Finnish public holidays (and Midsummer/Christmas Eve) are off (default true). */
  holidaysOff: boolean;
  outOfOffice: Interval[];
}

export type Unavailable = "holiday" | "day_off" | "out_of_office";

export interface Problem {
  field: string;
  reason: string;
}

/** What is wrong with a set of schedules (each problem names its field), or nothing. */
export function scheduleProblems(schedules: Schedule[], field = "schedules"): Problem[] {
  const problems: Problem[] = [];
  schedules.forEach((s, i) => {
    const at = `${field}[${i}]`;
    if (s.rules.length === 0) problems.push({ field: `${at}.rules`, reason: "a schedule needs at least one weekly rule" });
    if (s.validFrom !== undefined && !isLocalDate(s.validFrom)) problems.push({ field: `${at}.valid_from`, reason: "must be a date YYYY-MM-DD" });
    if (s.validUntil !== undefined && !isLocalDate(s.validUntil)) problems.push({ field: `${at}.valid_until`, reason: "must be a date YYYY-MM-DD" });
    if (s.validFrom && s.validUntil && isLocalDate(s.validFrom) && isLocalDate(s.validUntil) && s.validUntil < s.validFrom)
      problems.push({ field: `${at}.valid_until`, reason: "the schedule ends before it starts" });
    s.rules.forEach((r, j) => {
      const rf = `${at}.rules[${j}]`;
      if (!Number.isInteger(r.weekday) || r.weekday < 1 || r.weekday > 7) problems.push({ field: `${rf}.weekday`, reason: "must be 1 (Monday) … 7 (Sunday)" });
      if (!isLocalTime(r.start) || r.start === "24:00") problems.push({ field: `${rf}.start`, reason: "must be a local time HH:MM" });
      if (!isLocalTime(r.end)) problems.push({ field: `${rf}.end`, reason: "must be a local time HH:MM" });
      else if (isLocalTime(r.start) && minutesOf(r.end) <= minutesOf(r.start)) problems.push({ field: `${rf}.end`, reason: "must be after start" });
    });
    if (problems.length > 0) return;
    const sorted = s.rules.map((r, j) => ({ ...r, j })).sort((a, b) => a.weekday - b.weekday || minutesOf(a.start) - minutesOf(b.start));
    for (let k = 1; k < sorted.length; k++) {
      const a = sorted[k - 1] as (typeof sorted)[number];
      const b = sorted[k] as (typeof sorted)[number];
      if (a.weekday === b.weekday && minutesOf(b.start) < minutesOf(a.end))
        problems.push({ field: `${at}.rules[${b.j}]`, reason: `overlaps rules[${a.j}] on weekday ${b.weekday}` });
    }
  });
  // Two schedules in force on the same dates would give two answers for one day.
  for (let i = 0; i < schedules.length; i++)
    for (let j = i + 1; j < schedules.length; j++) {
      const a = schedules[i] as Schedule;
      const b = schedules[j] as Schedule;
      const overlap = (a.validFrom ?? "0000") <= (b.validUntil ?? "9999") && (b.validFrom ?? "0000") <= (a.validUntil ?? "9999");
      if (overlap) problems.push({ field: `${field}[${j}]`, reason: `is in force on some of the same dates as ${field}[${i}]` });
    }
  return problems;
}

export function overrideProblems(overrides: DateOverride[], field = "overrides"): Problem[] {
  const problems: Problem[] = [];
  overrides.forEach((o, i) => {
    if (!isLocalDate(o.date)) problems.push({ field: `${field}[${i}].date`, reason: "must be a date YYYY-MM-DD" });
    if (o.kind === "extra") {
      if (!isLocalTime(o.start) || o.start === "24:00") problems.push({ field: `${field}[${i}].start`, reason: "must be a local time HH:MM" });
      else if (!isLocalTime(o.end) || minutesOf(o.end) <= minutesOf(o.start))
        problems.push({ field: `${field}[${i}].end`, reason: "must be a local time after start" });
    }
  });
  return problems;
}

const scheduleOn = (schedules: Schedule[], date: string) =>
  schedules.find((s) => (s.validFrom === undefined || s.validFrom <= date) && (s.validUntil === undefined || date <= s.validUntil));

/** The schedule's hours of each local date from `from` to `to` (both included), before holidays, overrides and out-of-office. */
export function scheduledIntervals(a: Pick<Availability, "zone" | "schedules">, from: string, to: string): (Interval & { date: string })[] {
  const out: (Interval & { date: string })[] = [];
  for (const date of datesBetween(from, to)) {
    const s = scheduleOn(a.schedules, date);
    if (!s) continue;
    const wd = isoWeekday(date);
    for (const r of s.rules) if (r.weekday === wd) out.push({ date, start: boundAt(date, r.start, a.zone), end: boundAt(date, r.end, a.zone) });
  }
  return out.sort((x, y) => x.start - y.start);
}

/**
 * Why an instant range inside the schedule's hours is not available, or undefined when it is
 * (`date` is its local date). Extra hours of an override are available even on a holiday.
 */
export function unavailability(a: Availability, date: string, range: Interval): Unavailable | undefined {
  const overrides = a.overrides.filter((o) => o.date === date);
  const extra = overrides.some((o) => o.kind === "extra" && boundAt(date, o.start, a.zone) <= range.start && range.end <= boundAt(date, o.end, a.zone));
  if (a.outOfOffice.some((o) => o.start < range.end && range.start < o.end)) return "out_of_office";
  if (extra) return undefined;
  if (overrides.some((o) => o.kind === "off")) return "day_off";
  if (a.holidaysOff && isHoliday(date, EVES_OFF)) return "holiday";
  return undefined;
}

/** The available intervals between two local dates (both included), merged and sorted. */
export function availableIntervals(a: Availability, from: string, to: string, scheduled = scheduledIntervals(a, from, to)): Interval[] {
  const pieces: Interval[] = [];
  for (const s of scheduled) {
    const off = a.overrides.some((o) => o.date === s.date && o.kind === "off") || (a.holidaysOff && isHoliday(s.date, EVES_OFF));
    if (!off) pieces.push({ start: s.start, end: s.end });
  }
  for (const o of a.overrides)
    if (o.kind === "extra" && o.date >= from && o.date <= to) pieces.push({ start: boundAt(o.date, o.start, a.zone), end: boundAt(o.date, o.end, a.zone) });
  return subtract(merge(pieces), a.outOfOffice);
}

export function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((x, y) => x.start - y.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

export function subtract(from: Interval[], cut: Interval[]): Interval[] {
  let out = from;
  for (const c of cut) {
    const next: Interval[] = [];
    for (const i of out) {
      if (c.end <= i.start || i.end <= c.start) next.push(i);
      else {
        if (i.start < c.start) next.push({ start: i.start, end: c.start });
        if (c.end < i.end) next.push({ start: c.end, end: i.end });
      }
    }
    out = next;
  }
  return out;
}

export const covers = (intervals: Interval[], r: Interval): boolean => intervals.some((i) => i.start <= r.start && r.end <= i.end);
