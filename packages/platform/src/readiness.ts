// Readiness: a service is ready when every dependency it needs answers. Checks run with a
// timeout and in parallel; the result names the failing dependencies but no internals.
export interface ReadinessCheck {
  name: string;
  /** Resolves when ready; throws when down; throws a `Degraded` when it works but not fully. */
  check(): Promise<void>;
}

/** Thrown by a check that still serves but not fully (e.g. events wait to be published): ready, and said so. */
export class Degraded extends Error {}

export interface ReadinessResult {
  ready: boolean;
  checks: Record<string, "ok" | "degraded" | "failing">;
}

/** A dependency that does not answer within `timeoutMs` is failing: probes and callers learn it in under a second. */
export async function runReadiness(checks: ReadinessCheck[], timeoutMs = 800): Promise<ReadinessResult> {
  const results = await Promise.all(
    checks.map(async (c) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
          }),
        ]);
        return [c.name, "ok"] as const;
      } catch (err) {
        return [c.name, err instanceof Degraded ? "degraded" : "failing"] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every(([, r]) => r !== "failing"), checks: Object.fromEntries(results) };
}
