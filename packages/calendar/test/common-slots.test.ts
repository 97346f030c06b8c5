// The common-slot search against an independent oracle: every 5-minute instant of the range is
// classified by Intl (the local weekday and wall clock) and by the blocks themselves, with none of
// the calendar package's interval code. Ranges cross the daylight-saving changes of 2025–2027.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Attendee, type BusyBlock, type CommonSlotQuery, commonSlots } from "../src/index.ts";

const ZONE = "Europe/Helsinki";
const DST_SATURDAYS = ["2025-03-29", "2025-10-25", "2026-03-28", "2026-10-24", "2027-03-27", "2027-10-30"];
const MIN = 60_000;
const GRAIN = 5 * MIN;
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
const partsFormat = new Intl.DateTimeFormat("en-CA", {
  timeZone: ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
/** The local date and wall-clock minutes of an instant, by Intl. */
const localParts = (t: number) => {
  const p = Object.fromEntries(partsFormat.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) };
};

const scenario = fc
  .record({
    saturday: fc.constantFrom(...DST_SATURDAYS),
    // Hours on every day, covering the night of the change on some runs (02:00–06:00 local).
    startMin: fc.integer({ min: 0, max: 16 }).map((q) => q * 30),
    spanMin: fc.integer({ min: 2, max: 24 }).map((q) => q * 30),
    lengthMin: fc.constantFrom(15, 30, 45, 60),
    stepMin: fc.constantFrom(15, 30),
    familyFrom: fc.option(
      fc.integer({ min: 0, max: 20 }).map((q) => q * 30),
      { nil: undefined },
    ),
    people: fc.array(
      fc.record({
        required: fc.boolean(),
        blocks: fc.array(
          fc.record({
            offset: fc.integer({ min: 0, max: (3 * 24 * 60) / 5 }),
            length: fc.integer({ min: 1, max: 36 }),
            kind: fc.constantFrom<BusyBlock["kind"]>("busy", "tentative", "unavailable"),
          }),
          { maxLength: 6 },
        ),
      }),
      { minLength: 1, maxLength: 5 },
    ),
  })
  .map((s) => {
    const base = Date.parse(`${s.saturday}T00:00:00Z`) - 3 * 3_600_000; // about local midnight
    const endMin = Math.min(s.startMin + s.spanMin, 24 * 60);
    const everyDay = [1, 2, 3, 4, 5, 6, 7];
    const attendees: Attendee[] = s.people.map((p, i) => ({
      ref: `p${i}`,
      required: p.required,
      busy: p.blocks.map((b) => ({ start: base + b.offset * GRAIN, end: base + (b.offset + b.length) * GRAIN, kind: b.kind })),
    }));
    const q: CommonSlotQuery = {
      from: s.saturday,
      to: new Date(Date.parse(s.saturday) + 2 * 86_400_000).toISOString().slice(0, 10),
      zone: ZONE,
      lengthMin: s.lengthMin,
      stepMin: s.stepMin,
      hours: everyDay.map((weekday) => ({ weekday, start: hhmm(s.startMin), end: hhmm(endMin) })),
      ...(s.familyFrom === undefined ? {} : { familyWindows: everyDay.map((weekday) => ({ weekday, start: hhmm(s.familyFrom as number), end: "24:00" })) }),
      // Holidays are another test's subject (Easter Saturday 2027 is next to the spring change).
      holidaysOff: false,
      now: base,
      attendees,
    };
    return { q, base, startMin: s.startMin, endMin, familyFrom: s.familyFrom };
  });

/**
 * The oracle's free 5-minute instants. A stretch "HH:MM–HH:MM" is read like a person watching the
 * clock: it begins at the first instant whose wall clock reaches its start and ends at the first
 * that reaches its end (in the autumn the repeated hour inside it counts, once; in the spring a
 * start in the skipped hour begins at the change). No required participant's busy or unavailable block.
 */
function oracleFree(x: { q: CommonSlotQuery; base: number; startMin: number; endMin: number; familyFrom: number | undefined }): Set<number> {
  const free = new Set<number>();
  let date = "";
  let inHours = false;
  let hoursDone = false;
  let inFamily = false;
  for (let t = x.base - 86_400_000; t < x.base + 4 * 86_400_000; t += GRAIN) {
    const local = localParts(t);
    if (local.date !== date) {
      date = local.date;
      inHours = false;
      hoursDone = false;
      inFamily = false;
    }
    if (!inHours && !hoursDone && local.minutes >= x.startMin) inHours = true;
    if (inHours && local.minutes >= x.endMin) {
      inHours = false;
      hoursDone = true;
    }
    if (x.familyFrom !== undefined && local.minutes >= x.familyFrom) inFamily = true;
    if (date < x.q.from || date > x.q.to || !inHours) continue;
    if (x.familyFrom !== undefined && !inFamily) continue;
    if (x.q.attendees.some((a) => a.required && a.busy.some((b) => b.kind !== "tentative" && b.start <= t && t < b.end))) continue;
    free.add(t);
  }
  return free;
}

describe("common-slot search (property tests, daylight-saving changes 2025–2027)", () => {
  it("offers no time that overlaps a required participant's busy or unavailable block, nor one outside the hours or the family's window", () => {
    fc.assert(
      fc.property(scenario, (x) => {
        const free = oracleFree(x);
        for (const o of commonSlots(x.q).offered) {
          expect(o.end - o.start).toBe(x.q.lengthMin * MIN);
          for (let t = o.start; t < o.end; t += GRAIN) expect(free.has(t), `${new Date(t).toISOString()} is not free`).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("finds every free window at least as long as the meeting (an offered time starts where it starts)", () => {
    fc.assert(
      fc.property(scenario, (x) => {
        const free = oracleFree(x);
        const starts = new Set(commonSlots(x.q).offered.map((o) => o.start));
        const need = (x.q.lengthMin * MIN) / GRAIN;
        for (const t of free) {
          if (free.has(t - GRAIN)) continue; // not the start of a window
          let n = 0;
          while (free.has(t + n * GRAIN)) n++;
          if (n >= need) expect(starts.has(t), `the free window from ${new Date(t).toISOString()} (${n * 5} min) was not found`).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("gives the same answer whatever the order of the participants and of their blocks", () => {
    fc.assert(
      fc.property(scenario, fc.integer(), (x, seed) => {
        const shuffle = <T>(list: T[]) =>
          list
            .map((v, i) => ({ v, k: Math.sin(seed + i * 7919) }))
            .sort((a, b) => a.k - b.k)
            .map((e) => e.v);
        const reordered = { ...x.q, attendees: shuffle(x.q.attendees.map((a) => ({ ...a, busy: shuffle(a.busy) }))) };
        expect(commonSlots(reordered)).toEqual(commonSlots(x.q));
      }),
      { numRuns: 100 },
    );
  });

  it("offers each instant once, the repeated autumn hour included, and nothing on a wall-clock time the spring change skips", () => {
    fc.assert(
      fc.property(scenario, (x) => {
        const offered = commonSlots(x.q).offered;
        expect(new Set(offered.map((o) => o.start)).size).toBe(offered.length);
        // An offered time starts on an instant the clock shows (round-trip through the wall clock).
        for (const o of offered) expect(localParts(o.start).minutes % 5).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});

describe("common-slot search (examples)", () => {
  const monday = "2026-12-07";
  const at = (time: string) => Date.parse(`${monday}T${time}:00+02:00`);
  const base = {
    from: monday,
    to: monday,
    zone: ZONE,
    lengthMin: 60,
    stepMin: 30,
    hours: [{ weekday: 1, start: "08:00", end: "16:00" }],
    holidaysOff: true,
    now: at("00:00"),
  };

  it("ranks by the optional participants free, says who is free or tentative, and why each time was excluded", () => {
    const r = commonSlots({
      ...base,
      attendees: [
        { ref: "teacher", required: true, busy: [{ start: at("08:00"), end: at("12:00"), kind: "busy" }] },
        { ref: "nurse", required: false, busy: [{ start: at("12:00"), end: at("14:00"), kind: "busy" }] },
        { ref: "ngo", required: false, busy: [{ start: at("14:00"), end: at("15:00"), kind: "tentative" }] },
        { ref: "psychologist", required: true, busy: [{ start: at("15:00"), end: at("16:00"), kind: "unavailable" }] },
      ],
    });
    // The required are free 12:00–15:00: five hour-long times, ranked by the optional free, then by time.
    expect(r.offered.map((o) => o.start)).toEqual([at("12:00"), at("12:30"), at("13:00"), at("14:00"), at("13:30")]);
    expect(r.offered.find((o) => o.start === at("13:30"))).toMatchObject({ free: ["psychologist", "teacher"], tentative: ["ngo"], optionalFree: 0 });
    // 14:00–15:00: everyone free but the NGO, only tentatively.
    const fourteen = r.offered.find((o) => o.start === at("14:00"));
    expect(fourteen).toMatchObject({ free: ["nurse", "psychologist", "teacher"], tentative: ["ngo"], optionalFree: 1 });
    const twelve = r.offered.find((o) => o.start === at("12:00"));
    expect(twelve).toMatchObject({ free: ["ngo", "psychologist", "teacher"], tentative: [], optionalFree: 1 });
    // Refused starts: 08:00–11:30 would meet the teacher's morning, 14:30 and 15:00 the
    // psychologist's unavailable hour (14:30–15:30 runs into it).
    expect(r.excluded).toEqual([
      { start: at("08:00"), end: at("12:00"), reason: "busy", who: ["teacher"] },
      { start: at("14:30"), end: at("15:30"), reason: "unavailable", who: ["psychologist"] },
    ]);
  });

  it("keeps to the family's window and leaves public holidays out, saying so", () => {
    const christmas = "2026-12-24";
    const r = commonSlots({
      ...base,
      from: monday,
      to: christmas,
      hours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "16:00" })),
      familyWindows: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "14:00", end: "18:00" })),
      attendees: [{ ref: "a", required: true, busy: [] }],
    });
    const local = (t: number) => new Intl.DateTimeFormat("sv-SE", { timeZone: ZONE, dateStyle: "short", timeStyle: "short" }).format(new Date(t));
    expect(r.offered.every((o) => local(o.start).slice(11) >= "14:00" && local(o.end).slice(11) <= "16:00")).toBe(true);
    expect(r.offered.some((o) => local(o.start).startsWith(christmas))).toBe(false);
    const refusedAt = (t: string) => r.excluded.find((e) => local(e.start) <= t && t < local(e.end));
    expect(refusedAt(`${christmas} 14:00`)).toMatchObject({ reason: "holiday" });
    expect(refusedAt(`${monday} 09:00`)).toMatchObject({ reason: "family_constraint" });
  });
});
