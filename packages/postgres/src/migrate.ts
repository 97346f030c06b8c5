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
