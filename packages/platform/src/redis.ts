// Redis holds only what may be lost or rebuilt (holds, rate limits, idempotency windows,
// caches): never the only copy of a fact.
import { Redis } from "ioredis";
import type { ReadinessCheck } from "./readiness.ts";

export { Redis } from "ioredis";

/**
 * `onError` hears connection errors (ioredis reconnects by itself; without a listener it prints
 * "Unhandled error event" to stderr, outside the structured log). Told at most once per 10 s.
 */
export function createRedis(url: string, onError: (err: Error) => void = () => {}): Redis {
  let toldAt = 0;
  const redis = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    // Commands issued in the same tick share one write: on a busy edge (a rate-limit check per
    // request) that is many fewer syscalls, which are costly on small VMs.
    enableAutoPipelining: true,
  });
  redis.on("error", (err: Error) => {
    if (Date.now() - toldAt < 10_000) return;
    toldAt = Date.now();
    onError(err);
  });
  return redis;
}

export function redisReadiness(redis: Redis): ReadinessCheck {
  return {
    name: "redis",
    check: async () => {
      const pong = await redis.ping();
      if (pong !== "PONG") throw new Error("unexpected ping answer");
    },
  };
}
