// Migrations with node-pg-migrate (forward-only SQL files, advisory-locked, one transaction).
// The kit's own tables (outbox, processed events) come first, tracked in their own table, then
// the service's `migrations/` directory.
import { fileURLToPath } from "node:url";
import type { Logger } from "@silta/platform";
import { runner } from "node-pg-migrate";

export const kitMigrationsDir = fileURLToPath(new URL("../migrations", import.meta.url));

export interface MigrateOptions {
  databaseUrl: string;
  /** The service's migrations directory; omit to run only the kit's. */
  dir?: string;
  logger: Logger;
  /** How long to wait for another replica's migration (ms). */
  lockWaitMs?: number;
}

export async function migrate(options: MigrateOptions): Promise<void> {
  const log = options.logger.child({ component: "migrate" });
  const quiet = { debug: () => undefined, info: (m: string) => log.debug(m), warn: (m: string) => log.warn(m), error: (m: string) => log.error(m) };
  const runs = [{ dir: kitMigrationsDir, table: "silta_kit_migrations" }];
  if (options.dir) runs.push({ dir: options.dir, table: "silta_migrations" });
  for (const run of runs) {
    const deadline = Date.now() + (options.lockWaitMs ?? 60_000);
    for (;;) {
      try {
        const applied = await runner({
          databaseUrl: options.databaseUrl,
          dir: run.dir,
          migrationsTable: run.table,
          direction: "up",
          singleTransaction: true,
          checkOrder: true,
          logger: quiet,
          verbose: false,
        });
        if (applied.length > 0) log.info({ table: run.table, applied: applied.map((m) => m.name) }, "migrations applied");
        break;
      } catch (err) {
        // Another replica holds the migration lock: wait for it, then find nothing to do.
        if (err instanceof Error && /Another migration is already running/.test(err.message) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        throw err;
      }
    }
  }
}

/**
 * The body of a service's `src/migrate.ts`: applies the kit's and the service's migrations to
 * SILTA_DATABASE_URL and exits (0 when done, 1 on failure, 78 on bad configuration). The chart
 * runs it as an init container, so a new version's schema is in place before its pods serve;
 * the service still migrates at start (a no-op then), which keeps `make up` one step.
 */
export async function migrateAndExit(service: string, dir: URL): Promise<never> {
  const { configOrExit, createLogger, env, loadConfig } = await import("@silta/platform");
  const config = configOrExit(() => loadConfig({ SILTA_DATABASE_URL: env.url(), SILTA_LOG_LEVEL: env.logLevel() }));
  const logger = createLogger({ service: `${service}-migrate`, level: config.SILTA_LOG_LEVEL });
  try {
    await migrate({ databaseUrl: config.SILTA_DATABASE_URL, dir: fileURLToPath(dir), logger, lockWaitMs: 300_000 });
    logger.info("migrations applied");
    process.exit(0);
  } catch (err) {
    logger.error({ err }, "migrations failed");
    process.exit(1);
  }
}
