import { describe, expect, it } from "vitest";
import { allowed, notBefore, type PreferenceRule, type QuietHours } from "../../src/domain/preferences.ts";

const rule = (kind: string, enabled: boolean, locked = false): PreferenceRule => ({ kind, channel: "email", enabled, locked });

describe("preferences", () => {
  it("lets the person's choice win unless the organisation locked its rule; a rule for the kind before one for every kind; must-deliver always", () => {
    expect(allowed("referral_receipt", "email", false, [], [])).toBe(true);
    expect(allowed("referral_receipt", "email", false, [], [rule("*", false)])).toBe(false);
    expect(allowed("referral_receipt", "email", false, [], [rule("*", false), rule("referral_receipt", true)])).toBe(true);
    expect(allowed("referral_receipt", "email", false, [rule("*", false)], [])).toBe(false);
    expect(allowed("referral_receipt", "email", false, [rule("*", false)], [rule("*", true)])).toBe(true);
    expect(allowed("referral_receipt", "email", false, [rule("*", true, true)], [rule("*", false)])).toBe(true);
    expect(allowed("referral_receipt", "email", false, [rule("referral_receipt", false, true)], [rule("referral_receipt", true)])).toBe(false);
    // Another channel is another rule.
    expect(allowed("referral_receipt", "in_app", false, [], [rule("*", false)])).toBe(true);
    // Must-deliver: neither the person's opt-out nor a locked organisation rule holds it back.
    expect(allowed("deadline_missed", "email", true, [rule("*", false, true)], [rule("*", false)])).toBe(true);
  });
});

describe("quiet hours, in the person's zone", () => {
  const nights: QuietHours = {
    zone: "Europe/Helsinki",
    windows: [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) => [
      { weekday, start: "22:00", end: "24:00" },
      { weekday, start: "00:00", end: "07:00" },
    ]),
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  it("hold a message until the morning, across midnight, in local time on both sides of the spring and autumn changes", () => {
    // Winter (UTC+2): 23:30 local → 07:00 local the next day.
    expect(iso(notBefore(Date.parse("2027-01-12T21:30:00Z"), nights, false))).toBe("2027-01-13T05:00:00.000Z");
    // The night of the spring change (Sunday 2027-03-28, 03:00 → 04:00): 07:00 is then UTC+3.
    expect(iso(notBefore(Date.parse("2027-03-27T23:30:00Z"), nights, false))).toBe("2027-03-28T04:00:00.000Z");
    // The night of the autumn change (Sunday 2027-10-31, 04:00 → 03:00): 07:00 is then UTC+2.
    expect(iso(notBefore(Date.parse("2027-10-30T22:30:00Z"), nights, false))).toBe("2027-10-31T05:00:00.000Z");
    // Daytime: now.
    expect(iso(notBefore(Date.parse("2027-01-12T10:00:00Z"), nights, false))).toBe("2027-01-12T10:00:00.000Z");
    // Must-deliver: now, at night too.
    expect(iso(notBefore(Date.parse("2027-01-12T21:30:00Z"), nights, true))).toBe("2027-01-12T21:30:00.000Z");
  });

  it("read the weekday in the person's zone: Monday 00:30 in Helsinki is Sunday 22:30 in UTC", () => {
    const mondayMornings: QuietHours = { zone: "Europe/Helsinki", windows: [{ weekday: 1, start: "00:00", end: "06:00" }] };
    // 2027-01-10 is a Sunday; 22:30 UTC is Monday 00:30 in Helsinki: quiet until 06:00 local (04:00 UTC).
    expect(iso(notBefore(Date.parse("2027-01-10T22:30:00Z"), mondayMornings, false))).toBe("2027-01-11T04:00:00.000Z");
    // 21:30 UTC is still Sunday 23:30 in Helsinki: not quiet.
    expect(iso(notBefore(Date.parse("2027-01-10T21:30:00Z"), mondayMornings, false))).toBe("2027-01-10T21:30:00.000Z");
    // The same windows for a person in UTC: Monday 00:30 UTC is quiet, Sunday 22:30 UTC is not.
    const utc = { ...mondayMornings, zone: "UTC" };
    expect(iso(notBefore(Date.parse("2027-01-10T22:30:00Z"), utc, false))).toBe("2027-01-10T22:30:00.000Z");
    expect(iso(notBefore(Date.parse("2027-01-11T00:30:00Z"), utc, false))).toBe("2027-01-11T06:00:00.000Z");
  });
});
