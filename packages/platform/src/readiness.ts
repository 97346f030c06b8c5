// Readiness: a service is ready when every dependency it needs answers. Checks run with a
// timeout and in parallel; the result names the failing dependencies but no internals.
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface ReadinessResult {
  ready: boolean;
  checks: Record<string, "ok" | "failing">;
}

export async function runReadiness(checks: ReadinessCheck[], timeoutMs = 2000): Promise<ReadinessResult> {
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
      } catch {
        return [c.name, "failing"] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every(([, r]) => r === "ok"), checks: Object.fromEntries(results) };
}
