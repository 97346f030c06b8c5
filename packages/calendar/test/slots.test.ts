import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Availability, availableIntervals, type BookingRules, instantAt, Planner, scheduleProblems } from "../src/index.ts";

const ZONE = "Europe/Helsinki";
// The last Sundays of March (clocks forward 03:00 → 04:00) and October (04:00 → 03:00), 2025–2027.
const DST_SUNDAYS = ["2025-03-30", "2025-10-26", "2026-03-29", "2026-10-25", "2027-03-28", "2027-10-31"];
const NOW = Date.parse("2025-01-01T00:00:00Z");
const rules = (o: Partial<BookingRules> = {}): BookingRules => ({
  lengthMin: 60,
  bufferBeforeMin: 0,
  bufferAfterMin: 0,
  minNoticeMin: 0,
  windowDays: 3650,
  capPerDay: 0,
  capPerWeek: 0,
  ...o,
});
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

const localDateByIntl = (t: number) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(t));
/** Local wall-clock minutes since midnight of an instant, by Intl. */
const wallMinutes = (t: number) => {
  const p = new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(t));
  const [h, m] = p.split(":").map(Number) as [number, number];
  return h * 60 + m;
};

describe("slots across the daylight-saving changes (last Sundays of March and October, 2025–2027)", () => {
  const arbitrary = fc.record({
    date: fc.constantFrom(...DST_SUNDAYS),
    startMin: fc.integer({ min: 0, max: 8 * 4 }).map((q) => q * 15),
    spanMin: fc.integer({ min: 4, max: 8 * 4 }).map((q) => q * 15),
    lengthMin: fc.constantFrom(15, 30, 45, 60, 90),
    stepMin: fc.constantFrom(15, 30, 60),
    offStart: fc.integer({ min: 0, max: 6 * 4 }).map((q) => q * 15),
    offLen: fc.integer({ min: 0, max: 8 }).map((q) => q * 15),
  });

  it("offers no slot inside an unavailable time, none of the wrong length, and loses or doubles nothing in the repeated hour", () => {
    fc.assert(
      fc.property(arbitrary, ({ date, startMin, spanMin, lengthMin, stepMin, offStart, offLen }) => {
        const endMin = Math.min(startMin + spanMin, 24 * 60);
        const a: Availability = {
          zone: ZONE,
          schedules: [{ rules: [{ weekday: 7, start: hhmm(startMin), end: hhmm(endMin) }] }],
          overrides: [],
          // Easter Sunday 2027 is the spring-change Sunday: holidays are another test's subject.
          holidaysOff: false,
          outOfOffice: offLen > 0 ? [{ start: instantAt(date, hhmm(offStart), ZONE), end: instantAt(date, hhmm(offStart), ZONE) + offLen * 60_000 }] : [],
        };
        const planner = new Planner(a, rules({ lengthMin }), { taken: [], counted: [] }, NOW, date, date);
        const slots = planner.slots(date, date, stepMin);
        const available = availableIntervals(a, date, date);
        const starts = new Set<number>();
        for (const s of slots) {
          expect(s.end - s.start).toBe(lengthMin * 60_000);
          expect(available.some((i) => i.start <= s.start && s.end <= i.end)).toBe(true);
          for (const o of a.outOfOffice) expect(s.end <= o.start || o.end <= s.start).toBe(true);
          expect(starts.has(s.start)).toBe(false);
          starts.add(s.start);
        }
        // Without out-of-office: exactly every step of real time inside the stretch of hours, the
        // stretch found minute by minute with Intl (not with the Temporal arithmetic the code
        // uses): it begins when the clock first shows the start (or jumps past it) and ends when
        // the clock first shows the end after that, or the date changes.
        if (offLen === 0) {
          const dayStart = Date.parse(`${date}T00:00:00Z`) - 4 * 3_600_000;
          let first: number | undefined;
          let last: number | undefined;
          for (let t = dayStart; t < dayStart + 30 * 3_600_000; t += 60_000) {
            const today = localDateByIntl(t) === date;
            if (first === undefined && today && wallMinutes(t) >= startMin) first = t;
            else if (first !== undefined && (!today || wallMinutes(t) >= endMin)) {
              last = t;
              break;
            }
          }
          const inside = (t: number) => first !== undefined && last !== undefined && t >= first && t < last;
          const expected: number[] = [];
          if (first !== undefined)
            for (let t = first; ; t += stepMin * 60_000) {
              const minutes = Array.from({ length: lengthMin }, (_, i) => t + i * 60_000);
              if (!minutes.every(inside)) break;
              expected.push(t);
            }
          expect(slots.map((x) => x.start)).toEqual(expected);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("gives 4 hour slots for 01:00–06:00 on the spring-forward Sunday and 6 on the fall-back Sunday, 03:00 twice", () => {
    const a = (): Availability => ({
      zone: ZONE,
      schedules: [{ rules: [{ weekday: 7, start: "01:00", end: "06:00" }] }],
      overrides: [],
      holidaysOff: true,
      outOfOffice: [],
    });
    const spring = new Planner(a(), rules(), { taken: [], counted: [] }, NOW, "2026-03-29", "2026-03-29").slots("2026-03-29", "2026-03-29", 60);
    const autumn = new Planner(a(), rules(), { taken: [], counted: [] }, NOW, "2026-10-25", "2026-10-25").slots("2026-10-25", "2026-10-25", 60);
    expect(spring.map((s) => wallMinutes(s.start) / 60)).toEqual([1, 2, 4, 5]);
    expect(autumn.map((s) => wallMinutes(s.start) / 60)).toEqual([1, 2, 3, 3, 4, 5]);
    expect(new Set(autumn.map((s) => s.start)).size).toBe(6);
  });
});

describe("the rules of a bookable time", () => {
  const weekdays: Availability = {
    zone: ZONE,
    schedules: [{ rules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "09:00", end: "15:00" })) }],
    overrides: [],
    holidaysOff: true,
    outOfOffice: [],
  };
  const at = (date: string, time: string) => instantAt(date, time, ZONE);

  it("keeps Finnish public holidays off by default, and a date override's extra hours on", () => {
    const p = new Planner(weekdays, rules(), { taken: [], counted: [] }, NOW, "2026-12-04", "2026-12-08");
    expect(p.whyNot(at("2026-12-07", "10:00"))).toBeUndefined();
    expect(p.whyNot(at("2026-12-04", "10:00"))).toBeUndefined();
    const holiday = new Planner(weekdays, rules(), { taken: [], counted: [] }, NOW, "2027-12-06", "2027-12-06");
    expect(holiday.whyNot(at("2027-12-06", "10:00"))).toBe("holiday"); // Independence Day, a Monday
    const extra = new Planner(
      { ...weekdays, overrides: [{ date: "2027-12-06", kind: "extra", start: "12:00", end: "14:00" }] },
      rules(),
      { taken: [], counted: [] },
      NOW,
      "2027-12-06",
      "2027-12-06",
    );
    expect(extra.whyNot(at("2027-12-06", "12:00"))).toBeUndefined();
    expect(extra.whyNot(at("2027-12-06", "10:00"))).toBe("holiday");
    const off = new Planner(
      { ...weekdays, overrides: [{ date: "2026-12-08", kind: "off" }] },
      rules(),
      { taken: [], counted: [] },
      NOW,
      "2026-12-08",
      "2026-12-08",
    );
    expect(off.whyNot(at("2026-12-08", "10:00"))).toBe("day_off");
    expect(off.whyNot(at("2026-12-08", "16:00"))).toBe("outside_hours");
  });

  it("refuses a time whose buffers overlap another booking, though the time itself does not", () => {
    const other = { start: at("2026-12-08", "11:00"), end: at("2026-12-08", "12:00") };
    const p = new Planner(weekdays, rules({ bufferBeforeMin: 15, bufferAfterMin: 15 }), { taken: [other], counted: [] }, NOW, "2026-12-08", "2026-12-08");
    expect(p.whyNot(at("2026-12-08", "10:00"))).toBe("taken"); // its 15 min after-buffer reaches 11:00
    expect(p.whyNot(at("2026-12-08", "12:00"))).toBe("taken");
    expect(p.whyNot(at("2026-12-08", "12:15"))).toBeUndefined();
    expect(p.slots("2026-12-08", "2026-12-08", 15).map((s) => s.start)).not.toContain(at("2026-12-08", "10:00"));
  });

  it("counts caps in the person's own days: a booking at 00:30 Helsinki time is on that Helsinki day though it is the day before in UTC", () => {
    const night: Availability = {
      ...weekdays,
      schedules: [
        {
          rules: [
            { weekday: 2, start: "00:00", end: "23:00" },
            { weekday: 1, start: "00:00", end: "23:00" },
          ],
        },
      ],
    };
    const booked = at("2026-12-08", "00:30"); // Tuesday in Helsinki, 2026-12-07T22:30Z (Monday in UTC)
    expect(new Date(booked).toISOString().slice(0, 10)).toBe("2026-12-07");
    const p = new Planner(night, rules({ capPerDay: 1 }), { taken: [], counted: [booked] }, NOW, "2026-12-07", "2026-12-08");
    expect(p.whyNot(at("2026-12-08", "22:00"))).toBe("cap_day");
    expect(p.whyNot(at("2026-12-07", "22:00"))).toBeUndefined(); // Monday in Helsinki, free
  });

  it("refuses a time in the past, within the minimum notice and beyond the booking window", () => {
    const now = at("2026-12-07", "09:00");
    const p = new Planner(weekdays, rules({ minNoticeMin: 120, windowDays: 14 }), { taken: [], counted: [] }, now, "2026-11-30", "2026-12-31");
    expect(p.whyNot(at("2026-12-04", "10:00"))).toBe("past");
    expect(p.whyNot(at("2026-12-07", "10:00"))).toBe("notice");
    expect(p.whyNot(at("2026-12-07", "11:00"))).toBeUndefined();
    expect(p.whyNot(at("2026-12-22", "10:00"))).toBe("window");
  });

  it("names the overlapping rule and the rule ending before it starts", () => {
    expect(
      scheduleProblems([
        {
          rules: [
            { weekday: 1, start: "09:00", end: "12:00" },
            { weekday: 1, start: "11:00", end: "13:00" },
            { weekday: 2, start: "12:00", end: "10:00" },
          ],
        },
      ]),
    ).toEqual([{ field: "schedules[0].rules[2].end", reason: "must be after start" }]);
    expect(
      scheduleProblems([
        {
          rules: [
            { weekday: 1, start: "09:00", end: "12:00" },
            { weekday: 1, start: "11:00", end: "13:00" },
          ],
        },
      ]),
    ).toEqual([{ field: "schedules[0].rules[1]", reason: "overlaps rules[0] on weekday 1" }]);
  });
});
