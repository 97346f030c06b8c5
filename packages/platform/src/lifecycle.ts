// Graceful shutdown: on SIGTERM/SIGINT, closers run in reverse order of registration (the
// last thing started stops first), each bounded in time; then the process exits.
import type { Logger } from "./logger.ts";

export interface Shutdown {
  /** Registers something to close; closed in reverse order. */
  add(name: string, close: () => Promise<void> | void): void;
  /** Closes everything (also what the signal handlers call). */
  run(reason: string): Promise<void>;
}

export function createShutdown(logger: Logger, options: { timeoutMs?: number; exit?: boolean } = {}): Shutdown {
  const closers: { name: string; close: () => Promise<void> | void }[] = [];
  let running: Promise<void> | undefined;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const shutdown: Shutdown = {
    add(name, close) {
      closers.push({ name, close });
    },
    run(reason) {
      running ??= (async () => {
        logger.info({ reason }, "shutting down");
        for (const c of [...closers].reverse()) {
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([
              Promise.resolve(c.close()),
              new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
              }),
            ]);
          } catch (err) {
            logger.error({ err, closer: c.name }, "closing failed");
          } finally {
            clearTimeout(timer);
          }
        }
        logger.info("stopped");
      })();
      return running;
    },
  };
  if (options.exit !== false) {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        void shutdown.run(signal).finally(() => process.exit(0));
      });
    }
  }
  return shutdown;
}
