// Periodic work: runs `fn`, waits `intervalMs` after it finished (no overlap), logs failures and
// goes on. `stop()` waits for a run in progress. One active runner across replicas, where that
// matters, is the job's own business (an advisory lock: see @silta/postgres LeaderLock).
import type { Logger } from "./logger.ts";

export interface Periodic {
  /** Runs once now (tests), outside the schedule. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export function startPeriodic(name: string, intervalMs: number, fn: () => Promise<unknown>, logger: Logger): Periodic {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  // Every run, scheduled or runNow, waits for the one before it: two never overlap (a test's
  // runNow could otherwise find its work claimed by a scheduled run still going on).
  const run = () => {
    current = current
      .then(() => fn())
      .then(() => undefined)
      .catch((err: unknown) => logger.error({ err, job: name }, "periodic job failed"));
    return current;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void run().finally(schedule), intervalMs);
  };
  schedule();
  return {
    runNow: () => run(),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
