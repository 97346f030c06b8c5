// A short subset of `make drills` (tests/drills): the system as six processes, under a steady mixed
// load through the gateway, with the referrals service (the writer) and then the notifications
// service (a consumer) killed with SIGKILL and started again. Every referral a client was answered
// 201 for is stored, published and told to the intake desk exactly once; every booking likewise,
// told to its specialist; every education event is on its topic; clients were answered only 2xx,
// 503 or 429. (The gateway's own kill is in make drills.) On servers of its own (its
// databases, topics and processes), in the suite's serial phase.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DrillResult, drill, newAccepted, prepareDrills, reckon, serviceKill } from "../drills/drill.ts";
import { type RunningSystem, startSystem } from "../drills/system.ts";
import type { FreeTime } from "../support/system-load.ts";

let system: RunningSystem;
const accepted = newAccepted();
const results: DrillResult[] = [];
let freeTimes: FreeTime[] = [];

beforeAll(async () => {
  system = await startSystem();
  freeTimes = await prepareDrills(system, { specialists: 2 });
}, 120_000);
afterAll(async () => {
  await system?.stop();
});

describe("a service killed with SIGKILL under load", () => {
  it.each(["referrals", "notifications"] as const)(
    "%s: the gateway answers only 2xx, 503 or 429 while it is down (never a broken connection), and serves again once it is restarted",
    async (service) => {
      const r = await drill(system, serviceKill(service), accepted, { durationMs: 6000, killAtMs: 2000, workers: 3, freeTimes });
      results.push(r);
      expect(r.unexpected).toEqual([]);
      expect(r.accepted).toBeGreaterThan(0);
      expect(r.eventsAccepted).toBeGreaterThan(0);
      expect(r.bookingsAccepted).toBeGreaterThan(0);
      expect(r.servingMs).toBeLessThan(20_000);
      expect(r.duringFault["503"] ?? 0).toBeGreaterThan(0);
      expect(r.duringFault.connection ?? 0).toBe(0);
    },
    90_000,
  );

  it("lost and duplicated nothing over both: every accepted referral stored, published and told to the intake desk once, every accepted booking stored, published and told to its specialist once, every accepted education event on its topic", async () => {
    const r = await reckon(system, accepted);
    expect(r.lost).toEqual([]);
    expect(r.stored).toBe(r.accepted);
    expect(r.published).toBe(r.accepted);
    expect(r.toldIntakeDesk).toBe(r.accepted);
    expect(r.visibleDuplicates).toBe(0);
    expect(r.events.accepted).toBeGreaterThan(0);
    expect(r.events.lost).toBe(0);
    expect(r.bookings.accepted).toBeGreaterThan(0);
    expect(r.bookings).toMatchObject({
      stored: r.bookings.accepted,
      extraRows: 0,
      published: r.bookings.accepted,
      toldSpecialist: r.bookings.accepted,
      visibleDuplicates: 0,
      lost: 0,
    });
  }, 90_000);
});
