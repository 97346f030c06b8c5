// When a delivery is tried again: exponential backoff with jitter, capped, within a horizon from
// its first attempt. Equal jitter (half the step fixed, half random) keeps the attempts spread
// out even when many endpoints fail at once, yet never closer than half the step.

export interface Backoff {
  /** The first step (after the first failed attempt). */
  baseMs: number;
  /** No step longer than this. */
  capMs: number;
  /** No attempt later than this after the first one: then the delivery has failed. */
  horizonMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 30_000, capMs: 3_600_000, horizonMs: 24 * 3_600_000 };

/** The step after `attempts` failed attempts (1: the first failed), before jitter. */
export const stepMs = (attempts: number, b: Backoff): number => Math.min(b.capMs, b.baseMs * 2 ** Math.max(0, attempts - 1));

/**
 * The next attempt after `attempts` failed attempts, the first at `firstAt`; undefined when it
 * would fall past the horizon (the delivery has failed). `random` in [0, 1).
 */
export function nextAttempt(attempts: number, firstAt: number, now: number, b: Backoff, random: number): number | undefined {
  const step = stepMs(attempts, b);
  const at = now + step / 2 + Math.floor((random * step) / 2);
  return at > firstAt + b.horizonMs ? undefined : at;
}
