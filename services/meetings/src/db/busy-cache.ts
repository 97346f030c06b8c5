// Each person's busy blocks as last read, with the version their calendar had then (busy_versions,
// moved by a trigger in the transaction of every change to busy_blocks). The store sends the
// versions it holds with each search; the database answers the blocks only of the people whose
// version has moved (or who are not held, or not for the whole span), in the same statement and
// snapshot. So an answer is never older than the database at that instant, on any replica: the
// cache only saves reading and parsing what has not changed. Bounded by the number of blocks held;
// the least recently used go first (a person counts as their blocks and one more).
import type { BusyBlock } from "@silta/calendar";

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const MONDAY = 4 * DAY; // 1970-01-01 was a Thursday

export interface HeldCalendar {
  version: string;
  from: number;
  to: number;
  blocks: BusyBlock[];
}

/** The span read for a search of [from, to): whole weeks (UTC, from Monday), so the next days' searches find it held. */
export const readSpan = (from: number, to: number) => ({
  from: Math.floor((from - MONDAY) / WEEK) * WEEK + MONDAY,
  to: Math.ceil((to - MONDAY) / WEEK) * WEEK + MONDAY,
});

export class BusyCache {
  readonly #held = new Map<string, HeldCalendar>();
  #blocks = 0;

  readonly maxBlocks: number;

  /** `maxBlocks` 0: nothing held, every search reads every calendar. */
  constructor(maxBlocks: number) {
    this.maxBlocks = maxBlocks;
  }

  get size() {
    return { people: this.#held.size, weight: this.#blocks };
  }

  /** The calendar held for `key` if it covers [from, to) (and marks it recently used). */
  covering(key: string, from: number, to: number): HeldCalendar | undefined {
    const h = this.#held.get(key);
    if (!h || h.from > from || h.to < to) return undefined;
    this.#held.delete(key);
    this.#held.set(key, h);
    return h;
  }

  hold(key: string, calendar: HeldCalendar) {
    if (calendar.blocks.length + 1 > this.maxBlocks) return;
    const old = this.#held.get(key);
    if (old) {
      this.#blocks -= old.blocks.length + 1;
      this.#held.delete(key);
    }
    this.#held.set(key, calendar);
    this.#blocks += calendar.blocks.length + 1;
    for (const [k, h] of this.#held) {
      if (this.#blocks <= this.maxBlocks) break;
      this.#held.delete(k);
      this.#blocks -= h.blocks.length + 1;
    }
  }
}

/** The blocks of a held calendar that touch [from, to). */
export const within = (blocks: BusyBlock[], from: number, to: number) => blocks.filter((b) => b.start < to && b.end > from);
