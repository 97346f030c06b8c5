// Entry point: `node --import @silta/platform/telemetry-start src/main.ts`.
import { configOrExit, createLogger, createShutdown } from "@silta/platform";
import { loadConsentConfig } from "./config.ts";
import { startConsentService } from "./service.ts";

const config = configOrExit(() => loadConsentConfig());
const logger = createLogger({ service: "consent", level: config.SILTA_LOG_LEVEL });
const shutdown = createShutdown(logger);
const service = await startConsentService(config, logger);
shutdown.add("consent service", () => service.stop());
