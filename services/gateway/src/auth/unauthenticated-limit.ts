// Unauthenticated traffic is limited per client address before any token is verified: a flood
// of missing or forged tokens costs a Redis round trip each, not a signature verification, and
// never counts against the organisations that authenticate from the same address. The address is
// the client's as the trusted proxies report it (SILTA_TRUSTED_PROXIES), so the clients behind an
// ingress are not one bucket. Redis down: not limited (rate limits may be lost, ARCHITECTURE.md).
import type { Logger, Redis } from "@silta/platform";

export interface UnauthenticatedLimit {
  /** False when this address has failed authentication too often in the current minute. */
  allows(address: string): Promise<boolean>;
  /** Counts one failed (or missing) authentication from this address. */
  failed(address: string): Promise<void>;
  readonly perMinute: number;
}

export function unauthenticatedLimit(redis: Redis, perMinute: number, logger: Logger): UnauthenticatedLimit {
  const key = (address: string) => `silta:gateway:unauth:${address}:${Math.floor(Date.now() / 60_000)}`;
  return {
    perMinute,
    async allows(address) {
      try {
        return Number((await redis.get(key(address))) ?? 0) < perMinute;
      } catch (err) {
        logger.warn({ err }, "unauthenticated rate limit unavailable");
        return true;
      }
    },
    async failed(address) {
      try {
        await redis.multi().incr(key(address)).expire(key(address), 120).exec();
      } catch (err) {
        logger.warn({ err }, "unauthenticated rate limit not counted");
      }
    },
  };
}
