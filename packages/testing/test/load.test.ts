// The benches' open loop (runRate) measures from each call's scheduled time: a generator that
// falls behind (here: its event loop blocked for 60 ms) cannot hide its own delay.
import { describe, expect, it } from "vitest";
import { runRate } from "../src/load.ts";

describe("runRate, the benches' open loop", () => {
  it("gives each call the time it was due, so a late start shows in its latency, and reports the lag", async () => {
    const latencies: number[] = [];
    const r = await runRate({ ratePerSecond: 100, durationMs: 100 }, async (i, due) => {
      if (i === 0) {
        const until = performance.now() + 60;
        while (performance.now() < until) {} // the generator blocked: calls 1–5 start late
      }
      latencies.push(performance.now() - due);
    });
    expect(r.started).toBe(10);
    // Call 1 was due 10 ms in and could not start before 60 ms: measured from its schedule it took ≥ 45 ms.
    expect(latencies[1]).toBeGreaterThanOrEqual(45);
    expect(r.lagMs).toBeGreaterThanOrEqual(45);
  });
});
