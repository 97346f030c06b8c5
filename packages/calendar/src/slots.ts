// Bookable times of one person: their availability (availability.ts) and the rules of a booking
// kind — its length, buffers before and after, minimum notice, booking window and caps per day
// and per ISO week counted in the person's own zone. The same check answers "which times are
// offered" (a listing) and "may this time be taken" (at hold and again at confirmation), so a
// time never offered can never be confirmed.
import { type Availability, availableIntervals, covers, type Interval, scheduledIntervals, type Unavailable, unavailability } from "./availability.ts";
import { isoWeekOf, localDateOf, Temporal, weekOf } from "./zone.ts";

export interface BookingRules {
  lengthMin: number;
  bufferBeforeMin: number;
  bufferAfterMin: number;
  /** A time must start at least this long after now. */
  minNoticeMin: number;
  /** A time must start at most this many days after now. */
  windowDays: number;
  /** Bookings starting on one local day (0: no cap). */
  capPerDay: number;
  /** Bookings starting in one ISO week (0: no cap). */
  capPerWeek: number;
}

export type NotOffered = Unavailable | "outside_hours" | "past" | "notice" | "window" | "taken" | "cap_day" | "cap_week";

export const NOT_OFFERED_REASONS: Record<NotOffered, string> = {
  holiday: "a public holiday",
  day_off: "a day off (date override)",
  out_of_office: "out of office",
  outside_hours: "outside the weekly schedule",
  past: "in the past",
  notice: "less than the minimum notice from now",
  window: "beyond the booking window",
  taken: "overlaps another booking or its buffers",
  cap_day: "the day's cap of bookings is reached",
  cap_week: "the week's cap of bookings is reached",
};

export interface Bookings {
  /** Ranges already taken, each with its own buffers. */
  taken: Interval[];
  /** Start instants of the bookings that count against the caps. */
  counted: number[];
}

export interface Slot extends Interval {
  /** Why it is not offered (only in a listing that asks for the reasons). */
  reason?: NotOffered;
}

const MIN = 60_000;
const DAY = 86_400_000;

/** The planner of one person over a span of local dates: every check of a time in that span is answered from one precomputation. */
export class Planner {
  readonly #available: Interval[];
  /** The schedule's hours of each date of the span (before holidays, overrides, out of office). */
  readonly #scheduled: (Interval & { date: string })[];
  readonly #scheduledOn = new Map<string, Interval[]>();
  readonly #perDay = new Map<string, number>();
  readonly #perWeek = new Map<string, number>();
  readonly #a: Availability;
  readonly #rules: BookingRules;
  #bookings: Bookings;
  readonly #now: number;
  readonly #from: string;
  readonly #to: string;

  constructor(a: Availability, rules: BookingRules, bookings: Bookings, now: number, from: string, to: string) {
    this.#a = a;
    this.#rules = rules;
    this.#bookings = bookings;
    this.#now = now;
    // A week cap needs the whole ISO weeks of the span.
    this.#from = weekOf(from).monday;
    this.#to = weekOf(to).sunday;
    this.#scheduled = scheduledIntervals(a, this.#from, this.#to);
    for (const i of this.#scheduled) {
      const list = this.#scheduledOn.get(i.date) ?? [];
      list.push(i);
      this.#scheduledOn.set(i.date, list);
    }
    this.#available = availableIntervals(a, this.#from, this.#to, this.#scheduled);
    for (const start of bookings.counted) {
      const date = localDateOf(start, a.zone);
      this.#perDay.set(date, (this.#perDay.get(date) ?? 0) + 1);
      const week = isoWeekOf(date);
      this.#perWeek.set(week, (this.#perWeek.get(week) ?? 0) + 1);
    }
  }

  /**
   * Counts a time taken while this planner is in use (the earlier occurrences of a series): later
   * checks see its range and count it against the caps.
   */
  take(start: number, occupied: Interval = this.occupied(start)): void {
    this.#bookings = { taken: [...this.#bookings.taken, occupied], counted: [...this.#bookings.counted, start] };
    const date = localDateOf(start, this.#a.zone);
    this.#perDay.set(date, (this.#perDay.get(date) ?? 0) + 1);
    const week = isoWeekOf(date);
    this.#perWeek.set(week, (this.#perWeek.get(week) ?? 0) + 1);
  }

  /** The range a booking starting at `start` occupies, buffers included. */
  occupied(start: number): Interval {
    return { start: start - this.#rules.bufferBeforeMin * MIN, end: start + (this.#rules.lengthMin + this.#rules.bufferAfterMin) * MIN };
  }

  /** Why a booking starting at `start` may not be taken, or undefined when it may. */
  whyNot(start: number, date = localDateOf(start, this.#a.zone)): NotOffered | undefined {
    const r = this.#rules;
    const range = { start, end: start + r.lengthMin * MIN };
    if (start < this.#now) return "past";
    if (start < this.#now + r.minNoticeMin * MIN) return "notice";
    if (start > this.#now + r.windowDays * DAY) return "window";
    if (date < this.#from || date > this.#to) throw new RangeError(`${date} is outside the planner's span ${this.#from}…${this.#to}`);
    if (!covers(this.#available, range)) {
      const scheduled = this.#scheduledOn.get(date) ?? [];
      if (covers(scheduled, range)) return unavailability(this.#a, date, range) ?? "outside_hours";
      return this.#a.outOfOffice.some((o) => o.start < range.end && range.start < o.end) ? "out_of_office" : "outside_hours";
    }
    const occupied = this.occupied(start);
    if (this.#bookings.taken.some((t) => t.start < occupied.end && occupied.start < t.end)) return "taken";
    if (r.capPerDay > 0 && (this.#perDay.get(date) ?? 0) >= r.capPerDay) return "cap_day";
    if (r.capPerWeek > 0 && (this.#perWeek.get(isoWeekOf(date)) ?? 0) >= r.capPerWeek) return "cap_week";
    return undefined;
  }

  /**
   * Times from `from` to `to` (local dates, both included), each `stepMin` after the start of
   * its stretch of hours, in real minutes: across a daylight-saving change no time is lost,
   * doubled or of another length. With `withReasons` the times not offered come too, with why.
   */
  slots(from: string, to: string, stepMin: number, withReasons = false): Slot[] {
    const len = this.#rules.lengthMin * MIN;
    const stretches = this.#scheduled.filter((i) => i.date >= from && i.date <= to);
    for (const o of this.#a.overrides)
      if (o.kind === "extra" && o.date >= from && o.date <= to)
        stretches.push(
          ...availableIntervals({ ...this.#a, schedules: [], outOfOffice: [], overrides: [o] }, o.date, o.date).map((i) => ({ ...i, date: o.date })),
        );
    const seen = new Set<number>();
    const out: Slot[] = [];
    for (const s of stretches.sort((x, y) => x.start - y.start)) {
      for (let start = s.start; start + len <= s.end; start += stepMin * MIN) {
        if (seen.has(start)) continue;
        seen.add(start);
        const reason = this.whyNot(start, s.date);
        if (reason === undefined) out.push({ start, end: start + len });
        else if (withReasons) out.push({ start, end: start + len, reason });
      }
    }
    return out.sort((x, y) => x.start - y.start);
  }

  /** Available minutes in the ISO week of a local date (the capacity a share is taken of). */
  weekCapacityMinutes(date: string): number {
    const { monday, sunday } = weekOf(date);
    const lo = Temporal.PlainDate.from(monday).toZonedDateTime({ timeZone: this.#a.zone }).epochMilliseconds;
    const hi = Temporal.PlainDate.from(sunday).add({ days: 1 }).toZonedDateTime({ timeZone: this.#a.zone }).epochMilliseconds;
    let total = 0;
    for (const i of this.#available) total += Math.max(0, Math.min(i.end, hi) - Math.max(i.start, lo));
    return Math.round(total / MIN);
  }
}
