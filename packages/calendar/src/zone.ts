// Instants and local time in a named zone (Temporal, temporal-polyfill; TOOLCHAIN.md "Time,
// recurrence and iCalendar"). An instant is a JS Date or epoch milliseconds; a local date is
// YYYY-MM-DD and a local time HH:MM in the zone named. Never the server's own zone.
import { Temporal } from "temporal-polyfill";
import { memo } from "./memo.ts";

export { Temporal };
export const HELSINKI = "Europe/Helsinki";

const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const LOCAL_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const zoneMemo = new Map<string, boolean>();

// The answers below are kept (memo.ts): a listing asks the same few days thousands of times.
const boundMemo = new Map<string, number>();
const dateMemo = new Map<string, string>();
const weekMemo = new Map<string, string>();
const weekdayMemo = new Map<string, number>();
const weekOfMemo = new Map<string, { monday: string; sunday: string }>();
const spanMemo = new Map<string, readonly string[]>();

/** An IANA zone name the time-zone database knows ("Europe/Helsinki", "UTC"); offsets such as "+02:00" are not zone names. */
export function isTimeZone(name: string): boolean {
  let known = zoneMemo.get(name);
  if (known === undefined) {
    known = false;
    if (/^[A-Za-z][A-Za-z_]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) {
      try {
        Temporal.Now.zonedDateTimeISO(name);
        known = true;
      } catch {}
    }
    zoneMemo.set(name, known);
  }
  return known;
}

export const isLocalTime = (s: string): boolean => LOCAL_TIME.test(s) || s === "24:00";
export function isLocalDate(s: string): boolean {
  if (!LOCAL_DATE.test(s)) return false;
  // The proleptic Gregorian calendar's month lengths (as Temporal.PlainDate's), without parsing a date.
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return Number(s.slice(8, 10)) <= (m === 2 ? (leap ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);
}

/** Minutes since midnight of "HH:MM" ("24:00" is the day's end). */
export function minutesOf(time: string): number {
  const [h, m] = time.split(":").map(Number) as [number, number];
  return h * 60 + m;
}

/**
 * The instant of a local date and time in `zone`. A time in the spring-forward gap is moved
 * forward by the gap's length (RFC 5545 and Temporal "compatible"); in the repeated autumn hour
 * the earlier instant. "24:00" is the start of the next day.
 */
export function instantAt(date: string, time: string, zone: string): number {
  const minutes = minutesOf(time);
  const day = Temporal.PlainDate.from(date).add({ days: Math.floor(minutes / 1440) });
  const t = Temporal.PlainTime.from({ hour: Math.floor((minutes % 1440) / 60), minute: minutes % 60 });
  return day.toZonedDateTime({ timeZone: zone, plainTime: t }).epochMilliseconds;
}

/**
 * The bound of a stretch of hours at a local date and time: the first instant the clock shows it.
 * Someone working 01:00–03:30 starts when the clock first reads 01:00 and stops when it first
 * reads 03:30. In the spring-forward gap the clock never shows the time, so the bound is the
 * change itself (it jumps past it there); in the repeated autumn hour it is the first pass, so a
 * stretch 03:30–05:00 includes the repeated half-hour 03:00–03:30 once, and nothing twice.
 */
export function boundAt(date: string, time: string, zone: string): number {
  return memo(boundMemo, `${zone}|${date}|${time}`, () => computeBound(date, time, zone));
}

function computeBound(date: string, time: string, zone: string): number {
  const minutes = minutesOf(time);
  const day = Temporal.PlainDate.from(date).add({ days: Math.floor(minutes / 1440) });
  const local = day.toPlainDateTime({ hour: Math.floor((minutes % 1440) / 60), minute: minutes % 60 });
  const z = local.toZonedDateTime(zone, { disambiguation: "earlier" });
  if (!z.toPlainDateTime().equals(local)) {
    const change = z.getTimeZoneTransition("next");
    if (change) return change.epochMilliseconds;
  }
  return z.epochMilliseconds;
}

export function zoned(at: Date | number, zone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(typeof at === "number" ? at : at.getTime()).toZonedDateTimeISO(zone);
}

/**
 * The local date of an instant in `zone`. Every zone's offset and every change of it fall on a
 * quarter-hour, so the date is the same through a UTC quarter-hour: one computation per quarter.
 */
export function localDateOf(at: Date | number, zone: string): string {
  const ms = typeof at === "number" ? at : at.getTime();
  return memo(dateMemo, `${zone}|${Math.floor(ms / 900_000)}`, () => zoned(ms, zone).toPlainDate().toString());
}

/** The ISO week ("2026-W14") of a local date; weeks start on Monday. */
export function isoWeekOf(date: string): string {
  return memo(weekMemo, date, () => {
    const d = Temporal.PlainDate.from(date);
    return `${d.yearOfWeek}-W${String(d.weekOfYear).padStart(2, "0")}`;
  });
}

/** ISO weekday of a local date: 1 = Monday … 7 = Sunday. */
export const isoWeekday = (date: string): number => memo(weekdayMemo, date, () => Temporal.PlainDate.from(date).dayOfWeek);

/** The local dates from `from` to `to`, both included (calendar arithmetic: no zone involved). Shared: do not change it. */
export function datesBetween(from: string, to: string): readonly string[] {
  return memo(
    spanMemo,
    `${from}|${to}`,
    () => {
      const out: string[] = [];
      const end = Date.parse(`${to}T00:00:00Z`);
      for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
      return Object.freeze(out);
    },
    256,
  );
}

/** The Monday of the ISO week a local date is in, and the Sunday. */
export function weekOf(date: string): { monday: string; sunday: string } {
  return memo(weekOfMemo, date, () => {
    const d = Temporal.PlainDate.from(date);
    const monday = d.subtract({ days: d.dayOfWeek - 1 });
    return { monday: monday.toString(), sunday: monday.add({ days: 6 }).toString() };
  });
}
