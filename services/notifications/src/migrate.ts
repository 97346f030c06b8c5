// `node src/migrate.ts`: apply this service's database migrations and exit (the chart's init
// container; see @silta/postgres migrateAndExit).
import { migrateAndExit } from "@silta/postgres";

await migrateAndExit("notifications", new URL("../migrations", import.meta.url));
