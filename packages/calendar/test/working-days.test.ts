import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMonths, endOfHelsinkiDay, helsinkiDate, isWorkingDay, nthWorkingDayAfter } from "../src/working-days.ts";

const off = { evesOff: true };
const strict = { evesOff: false };

describe("the Finnish working-day calendar, 2025–2027", () => {
  it.each([
    // [date, working?, why]
    ["2025-01-01", false, "New Year's Day"],
    ["2025-01-06", false, "Epiphany"],
    ["2025-04-18", false, "Good Friday 2025"],
    ["2025-04-21", false, "Easter Monday 2025"],
    ["2026-04-03", false, "Good Friday 2026"],
    ["2026-04-06", false, "Easter Monday 2026"],
    ["2027-03-26", false, "Good Friday 2027"],
    ["2027-03-29", false, "Easter Monday 2027"],
    ["2025-05-01", false, "May Day"],
    ["2025-05-29", false, "Ascension 2025 (Easter + 39)"],
    ["2026-05-14", false, "Ascension 2026"],
    ["2027-05-06", false, "Ascension 2027"],
    ["2025-06-20", false, "Midsummer Eve 2025 (configurable, off by default)"],
    ["2026-06-19", false, "Midsummer Eve 2026"],
    ["2027-06-25", false, "Midsummer Eve 2027"],
    ["2025-12-06", false, "Independence Day (a Saturday in 2025)"],
    ["2027-12-06", false, "Independence Day 2027 (a Monday)"],
    ["2025-12-24", false, "Christmas Eve"],
    ["2025-12-25", false, "Christmas Day"],
    ["2025-12-26", false, "St Stephen's Day"],
    ["2025-12-31", true, "New Year's Eve is a working day though date-holidays calls it a bank day"],
    ["2025-11-01", false, "All Saints' Day (a Saturday)"],
    ["2025-10-31", true, "the Friday before All Saints' Day"],
    ["2026-12-07", true, "an ordinary Monday"],
    ["2026-12-05", false, "a Saturday"],
    ["2026-12-06", false, "a Sunday"],
  ])("%s working = %s (%s)", (date, working) => {
    expect(isWorkingDay(date, off)).toBe(working);
  });

  it("counts Midsummer Eve and Christmas Eve as working days only in the strict reading", () => {
    expect(isWorkingDay("2025-06-20", strict)).toBe(true);
    expect(isWorkingDay("2025-12-24", strict)).toBe(true);
    expect(isWorkingDay("2025-12-25", strict)).toBe(false);
  });

  it.each([
    // received, 7th working day after (receipt day not counted), strict
    ["2025-12-16", "2025-12-30", "2025-12-29"], // DOMAIN.md example
    ["2025-04-15", "2025-04-28", "2025-04-28"], // across Easter 2025: Good Friday and Easter Monday off
    ["2026-03-31", "2026-04-13", "2026-04-13"], // across Easter 2026
    ["2027-03-24", "2027-04-06", "2027-04-06"], // across Easter 2027
    ["2025-04-28", "2025-05-08", "2025-05-08"], // across May Day
    ["2025-05-26", "2025-06-05", "2025-06-05"], // across Ascension 2025
    ["2025-06-17", "2025-06-27", "2025-06-26"], // across Midsummer 2025
    ["2026-06-16", "2026-06-26", "2026-06-25"], // across Midsummer 2026
    ["2027-06-22", "2027-07-02", "2027-07-01"], // across Midsummer 2027
    ["2027-12-01", "2027-12-13", "2027-12-13"], // Independence Day (a Monday) is public: off in both readings
    ["2026-12-31", "2027-01-13", "2027-01-13"], // New Year's Day and Epiphany
    ["2025-10-29", "2025-11-07", "2025-11-07"], // All Saints' on a Saturday changes nothing
  ])("received %s → decision due %s (strict %s)", (received, due, strictDue) => {
    expect(nthWorkingDayAfter(received, 7, off)).toBe(due);
    expect(nthWorkingDayAfter(received, 7, strict)).toBe(strictDue);
  });

  it.each([
    ["2025-11-30", "2026-02-28"], // month end: no 30 February
    ["2027-11-30", "2028-02-29"], // leap year
    ["2025-08-31", "2025-11-30"],
    ["2026-01-15", "2026-04-15"],
    ["2025-12-16", "2026-03-16"],
  ])("received %s → assessment due %s (MääräaikaL 3 §)", (received, due) => {
    expect(addMonths(received, 3)).toBe(due);
  });

  it("reads the receipt day in Europe/Helsinki, across midnight and daylight saving", () => {
    expect(helsinkiDate(new Date("2025-12-15T22:30:00Z"))).toBe("2025-12-16"); // 00:30 EET
    expect(helsinkiDate(new Date("2025-06-19T21:30:00Z"))).toBe("2025-06-20"); // 00:30 EEST
    expect(endOfHelsinkiDay("2025-12-30").toISOString()).toBe("2025-12-30T22:00:00.000Z");
    expect(endOfHelsinkiDay("2025-06-27").toISOString()).toBe("2025-06-27T21:00:00.000Z");
    expect(endOfHelsinkiDay("2026-03-28").toISOString()).toBe("2026-03-28T22:00:00.000Z"); // DST starts 29.3.
  });

  it("gives the Helsinki date of any instant as the time-zone database does, hour after hour (the date is memoised per UTC hour)", () => {
    const reference = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Helsinki", year: "numeric", month: "2-digit", day: "2-digit" });
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 11, 31) }), (t) => {
        const at = new Date(t);
        expect(helsinkiDate(at)).toBe(reference.format(at));
      }),
      { numRuns: 5000 },
    );
    // Both daylight-saving changes of 2026, minute by minute around them and around midnight.
    for (const from of [Date.UTC(2026, 2, 28, 20), Date.UTC(2026, 9, 24, 20)]) {
      for (let t = from; t < from + 12 * 3_600_000; t += 60_000) expect(helsinkiDate(new Date(t))).toBe(reference.format(new Date(t)));
    }
  });
});
