import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isLocalDate, Temporal } from "../src/index.ts";

describe("isLocalDate", () => {
  it("takes exactly the dates Temporal.PlainDate takes (month lengths, leap years of the Gregorian calendar)", () => {
    const pad = (n: number, w: number) => String(n).padStart(w, "0");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const s = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
        let temporal: boolean;
        try {
          temporal = Temporal.PlainDate.from(s, { overflow: "reject" }).toString() === s;
        } catch {
          temporal = false;
        }
        expect(isLocalDate(s)).toBe(temporal);
      }),
      { numRuns: 5000 },
    );
    expect(["2024-02-29", "2000-02-29", "2026-04-30"].map(isLocalDate)).toEqual([true, true, true]);
    expect(["2026-02-29", "1900-02-29", "2026-04-31", "2026-4-01", "2026-04-01T00:00", ""].map(isLocalDate)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
