// Entry point: `node --import @silta/platform/telemetry-start src/main.ts`.
import { runService } from "@silta/host";
import { meetingsService } from "./service.ts";

await runService(meetingsService);
