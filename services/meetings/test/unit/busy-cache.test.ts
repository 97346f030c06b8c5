import { describe, expect, it } from "vitest";
import { BusyCache, readSpan, within } from "../../src/db/busy-cache.ts";

const DAY = 86_400_000;
const blocks = (n: number) => Array.from({ length: n }, (_, i) => ({ start: i * 1000, end: i * 1000 + 500, kind: "busy" as const }));

describe("the calendars a search keeps for the next", () => {
  it("reads whole weeks from Monday (UTC), so the next days' searches find the calendar held", () => {
    const wed = Date.parse("2027-02-10T00:00:00Z");
    const span = readSpan(wed - DAY, wed + 3 * DAY);
    expect(new Date(span.from).toISOString()).toBe("2027-02-08T00:00:00.000Z");
    expect(new Date(span.to).toISOString()).toBe("2027-02-15T00:00:00.000Z");
    const monday = Date.parse("2027-02-08T00:00:00Z");
    expect(readSpan(monday, monday + 7 * DAY)).toEqual({ from: monday, to: monday + 7 * DAY });
  });

  it("gives a calendar only for a span it covers", () => {
    const cache = new BusyCache(100);
    cache.hold("a", { version: "7", from: 0, to: 10 * DAY, blocks: blocks(3) });
    expect(cache.covering("a", DAY, 9 * DAY)?.version).toBe("7");
    expect(cache.covering("a", DAY, 11 * DAY)).toBeUndefined();
    expect(cache.covering("b", DAY, 2 * DAY)).toBeUndefined();
    expect(within(blocks(3), 1000, 2001)).toEqual([blocks(3)[1], blocks(3)[2]]);
  });

  it("keeps at most its number of blocks (a person counts one more), the least recently used going first", () => {
    const cache = new BusyCache(30);
    cache.hold("a", { version: "1", from: 0, to: DAY, blocks: blocks(9) });
    cache.hold("b", { version: "1", from: 0, to: DAY, blocks: blocks(9) });
    cache.hold("c", { version: "1", from: 0, to: DAY, blocks: blocks(9) });
    expect(cache.size).toEqual({ people: 3, weight: 30 });
    cache.covering("a", 0, DAY); // a used: b is now the oldest
    cache.hold("d", { version: "1", from: 0, to: DAY, blocks: blocks(0) });
    expect(cache.size).toEqual({ people: 3, weight: 21 });
    expect(cache.covering("b", 0, DAY)).toBeUndefined();
    expect(cache.covering("a", 0, DAY)).toBeDefined();
    // A newer version replaces the older, counted once.
    cache.hold("a", { version: "2", from: 0, to: DAY, blocks: blocks(4) });
    expect(cache.size).toEqual({ people: 3, weight: 16 });
    expect(cache.covering("a", 0, DAY)?.version).toBe("2");
    // A calendar larger than the whole cache is not kept; 0 keeps nothing, not even an empty calendar.
    cache.hold("e", { version: "1", from: 0, to: DAY, blocks: blocks(40) });
    expect(cache.covering("e", 0, DAY)).toBeUndefined();
    const none = new BusyCache(0);
    none.hold("a", { version: "1", from: 0, to: DAY, blocks: [] });
    expect(none.size).toEqual({ people: 0, weight: 0 });
  });
});
