// The Finnish working-day calendar of the statutory deadlines (DOMAIN.md "Referrals"):
// Monday–Friday that is not a public holiday (date-holidays 'FI' type `public`: the church
// holidays, 1.5, 6.12). Midsummer Eve and Christmas Eve (type `bank`) are off by default
// [U: configurable]; the strict reading counts them as working days. New Year's Eve, also
// `bank` in the library, is an ordinary working day. Dates are Europe/Helsinki calendar days
// written YYYY-MM-DD. Never a generic "business day" helper: other laws count Saturdays.
import Holidays from "date-holidays";
import { memo } from "./memo.ts";

export type LocalDate = string;

const holidays = new Holidays("FI");
const cache = new Map<number, { publicDays: Set<string>; eves: Set<string> }>();

function yearTable(year: number) {
  let t = cache.get(year);
  if (!t) {
    const publicDays = new Set<string>();
    const eves = new Set<string>();
    for (const h of holidays.getHolidays(year)) {
      const day = h.date.slice(0, 10);
      if (h.type === "public") publicDays.add(day);
      // Only these two `bank` days are off; 31.12 is not.
      else if (h.type === "bank" && (day.endsWith("-12-24") || /-06-(19|2[0-5])$/.test(day))) eves.add(day);
    }
    t = { publicDays, eves };
    cache.set(year, t);
  }
  return t;
}

export interface CalendarOptions {
  /** Midsummer Eve and Christmas Eve are non-working (default true). */
  evesOff: boolean;
}

export function weekday(d: LocalDate): number {
  return new Date(`${d}T12:00:00Z`).getUTCDay(); // 0 = Sunday
}

export function addDays(d: LocalDate, n: number): LocalDate {
  const t = new Date(`${d}T12:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

export function isWorkingDay(d: LocalDate, options: CalendarOptions): boolean {
  const wd = weekday(d);
  if (wd === 0 || wd === 6) return false;
  return !isHoliday(d, options);
}

/** A Finnish public holiday (or, with `evesOff`, Midsummer Eve or Christmas Eve), whatever the weekday. */
export function isHoliday(d: LocalDate, options: CalendarOptions): boolean {
  const t = yearTable(Number(d.slice(0, 4)));
  return t.publicDays.has(d) || (options.evesOff && t.eves.has(d));
}

// The answers depend only on their arguments: kept per day (a submission asks the same few days
// again and again).
const nthMemo = new Map<string, LocalDate>();
const endMemo = new Map<string, Date>();

/** The n-th working day after `d` (`d` itself not counted). */
export function nthWorkingDayAfter(d: LocalDate, n: number, options: CalendarOptions): LocalDate {
  return memo(nthMemo, `${d}|${n}|${options.evesOff}`, () => countWorkingDays(d, n, options));
}

function countWorkingDays(d: LocalDate, n: number, options: CalendarOptions): LocalDate {
  let day = d;
  let count = 0;
  while (count < n) {
    day = addDays(day, 1);
    if (isWorkingDay(day, options)) count += 1;
  }
  return day;
}

/**
 * MääräaikaL 3 §: a period of months ends on the same date of the later month, or on that
 * month's last day when it has no such date (30.11 + 3 months → end of February).
 */
export function addMonths(d: LocalDate, months: number): LocalDate {
  const [y, m, day] = d.split("-").map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const ty = Math.floor(total / 12);
  const tm = (total % 12) + 1;
  const last = new Date(Date.UTC(ty, tm, 0)).getUTCDate();
  return `${ty}-${String(tm).padStart(2, "0")}-${String(Math.min(day, last)).padStart(2, "0")}`;
}

const helsinki = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Helsinki", year: "numeric", month: "2-digit", day: "2-digit" });

const dateMemo = new Map<string, LocalDate>();

/**
 * The Europe/Helsinki calendar date of an instant. Helsinki's offset is a whole number of hours
 * (+2/+3) and changes on the hour, so its date is the same through a UTC hour: one formatting per hour.
 */
export function helsinkiDate(at: Date): LocalDate {
  const t = at.getTime();
  if (Number.isNaN(t)) return helsinki.format(at); // throws RangeError as Intl does
  return memo(dateMemo, String(Math.floor(t / 3_600_000)), () => helsinki.format(at));
}

/** The instant a Helsinki calendar day ends (the first instant of the next day there). */
export function endOfHelsinkiDay(d: LocalDate): Date {
  return new Date(memo(endMemo, d, () => findEndOfHelsinkiDay(d)).getTime());
}

function findEndOfHelsinkiDay(d: LocalDate): Date {
  const next = addDays(d, 1);
  // Helsinki is UTC+2 or UTC+3: find the UTC instant whose Helsinki date turns to `next`.
  for (const offset of [2, 3]) {
    const candidate = new Date(`${next}T00:00:00Z`);
    candidate.setUTCHours(candidate.getUTCHours() - offset);
    if (helsinkiDate(candidate) === next && helsinkiDate(new Date(candidate.getTime() - 1)) === d) return candidate;
  }
  throw new Error(`cannot place the end of ${d} in Europe/Helsinki`);
}
