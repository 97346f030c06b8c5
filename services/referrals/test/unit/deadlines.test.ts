import { describe, expect, it } from "vitest";
import { deadlinesFor } from "../../src/domain/deadlines.ts";

describe("statutory deadlines on the Finnish working-day calendar (@silta/calendar)", () => {
  it("gives a referral its three deadlines, alerting on the stricter decision date", () => {
    const d = deadlinesFor(new Date("2025-12-16T09:00:00+02:00"), { evesOff: true, urgencyHours: 24 });
    expect(d.map((x) => [x.kind, x.dueDate, x.strictDueDate])).toEqual([
      ["urgency_assessment", "2025-12-16", undefined],
      ["decision", "2025-12-30", "2025-12-29"],
      ["assessment_completion", "2026-03-16", undefined],
    ]);
    expect(d[1]?.dueAt.toISOString()).toBe("2025-12-29T22:00:00.000Z");
    expect(d[0]?.dueAt.toISOString()).toBe("2025-12-17T07:00:00.000Z");
  });
});
