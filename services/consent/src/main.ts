// Entry point: `node --import @silta/platform/telemetry-start src/main.ts`.
import { runService } from "@silta/host";
import { consentService } from "./service.ts";

await runService(consentService);
