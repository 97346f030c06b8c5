// Redis holds only what may be lost or rebuilt (holds, rate limits, idempotency windows,
// caches): never the only copy of a fact.
import { Redis } from "ioredis";
import type { ReadinessCheck } from "./readiness.ts";

export { Redis } from "ioredis";

export function createRedis(url: string): Redis {
  return new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    // Commands issued in the same tick share one write: on a busy edge (a rate-limit check per
    // request) that is many fewer syscalls, which are costly on small VMs.
    enableAutoPipelining: true,
  });
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
