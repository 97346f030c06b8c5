import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { instantAt, occurrences, writeCalendar } from "../src/index.ts";

const ZONE = "Europe/Helsinki";

/** Parses with ical.js (not the library that wrote it) and gives each event's facts. */
function parse(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  const zone = cal.getFirstSubcomponent("vtimezone");
  if (zone) ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  return {
    method: cal.getFirstPropertyValue("method"),
    events: cal.getAllSubcomponents("vevent").map((v) => {
      const e = new ICAL.Event(v);
      return {
        uid: e.uid,
        sequence: e.sequence,
        start: e.startDate.toJSDate().toISOString(),
        end: e.endDate.toJSDate().toISOString(),
        tzid: e.startDate.zone?.tzid,
        status: v.getFirstPropertyValue("status"),
        stamp: String(v.getFirstProperty("dtstamp")?.toICALString()),
      };
    }),
  };
}

describe("iCalendar invitations (@silta/calendar writeCalendar, read back with ical.js)", () => {
  it("keeps 13:00 Helsinki time on both sides of the October change, with a stable UID, the SEQUENCE and METHOD given", () => {
    const before = instantAt("2026-10-20", "13:00", ZONE);
    const after = instantAt("2026-10-27", "13:00", ZONE);
    const text = writeCalendar("REQUEST", [
      { uid: "b1@silta", sequence: 0, start: before, end: before + 3_600_000, zone: ZONE, summary: "Konsultaatio", stamp: Date.UTC(2026, 9, 1) },
      { uid: "b2@silta", sequence: 3, start: after, end: after + 3_600_000, zone: ZONE, summary: "Konsultaatio", stamp: Date.UTC(2026, 9, 1) },
    ]);
    expect(text).toContain("BEGIN:VTIMEZONE");
    expect(text).toContain("DTSTART;TZID=Europe/Helsinki:20261020T130000");
    expect(text).toContain("DTSTART;TZID=Europe/Helsinki:20261027T130000");
    const parsed = parse(text);
    expect(parsed.method).toBe("REQUEST");
    expect(parsed.events).toMatchObject([
      { uid: "b1@silta", sequence: 0, start: "2026-10-20T10:00:00.000Z", end: "2026-10-20T11:00:00.000Z", tzid: ZONE, status: "CONFIRMED" },
      { uid: "b2@silta", sequence: 3, start: "2026-10-27T11:00:00.000Z", end: "2026-10-27T12:00:00.000Z", tzid: ZONE, status: "CONFIRMED" },
    ]);
    expect(parsed.events[0]?.stamp).toMatch(/Z$/);
  });

  it("writes a cancellation as METHOD:CANCEL with the event CANCELLED, and a feed as PUBLISH", () => {
    const start = instantAt("2027-03-29", "09:00", ZONE); // the day after the spring change
    const cancel = parse(writeCalendar("CANCEL", [{ uid: "b3@silta", sequence: 2, start, end: start + 1_800_000, zone: ZONE, summary: "x", stamp: start }]));
    expect(cancel).toMatchObject({ method: "CANCEL", events: [{ uid: "b3@silta", sequence: 2, start: "2027-03-29T06:00:00.000Z", status: "CANCELLED" }] });
    expect(parse(writeCalendar("PUBLISH", [])).method).toBe("PUBLISH");
  });
});

describe("recurrence rules (rrule-temporal)", () => {
  it("keeps a fortnightly 13:00 Helsinki mentoring at 13:00 local across the spring change", () => {
    const first = instantAt("2027-03-15", "13:00", ZONE);
    const list = occurrences("RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=6", first, ZONE, 12);
    expect(Array.isArray(list) && list.map((t) => new Date(t).toISOString())).toEqual([
      "2027-03-15T11:00:00.000Z",
      "2027-03-29T10:00:00.000Z",
      "2027-04-12T10:00:00.000Z",
      "2027-04-26T10:00:00.000Z",
      "2027-05-10T10:00:00.000Z",
      "2027-05-24T10:00:00.000Z",
    ]);
  });

  it("refuses an endless rule, one with too many occurrences and one that is not an RRULE", () => {
    const first = instantAt("2027-03-15", "13:00", ZONE);
    expect(occurrences("FREQ=WEEKLY", first, ZONE, 12)).toEqual({ reason: "must end: give COUNT or UNTIL" });
    expect(occurrences("FREQ=DAILY;COUNT=40", first, ZONE, 12)).toEqual({ reason: "has more than 12 occurrences" });
    expect(occurrences("every other week", first, ZONE, 12)).toMatchObject({ reason: expect.stringContaining("RRULE") });
    expect(occurrences("FREQ=WEEKLY;UNTIL=20270101T000000Z", first, ZONE, 12)).toMatchObject({ reason: expect.stringContaining("no occurrence") });
  });
});
