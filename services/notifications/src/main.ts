// Entry point: `node --import @silta/platform/telemetry-start src/main.ts`.
import { runService } from "@silta/host";
import { notificationsService } from "./service.ts";

await runService(notificationsService);
