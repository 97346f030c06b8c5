// Entry point: `node --import @silta/platform/telemetry-start src/main.ts`.
import { configOrExit, createLogger, createShutdown } from "@silta/platform";
import { loadReferralsConfig } from "./config.ts";
import { startReferralsService } from "./service.ts";

const config = configOrExit(() => loadReferralsConfig());
const logger = createLogger({ service: "referrals", level: config.SILTA_LOG_LEVEL });
const shutdown = createShutdown(logger);
const service = await startReferralsService(config, logger);
shutdown.add("referrals service", () => service.stop());
