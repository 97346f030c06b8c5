// Entry point: `node --import @silta/platform/telemetry-start src/main.ts`.
import { configOrExit, createLogger, createShutdown } from "@silta/platform";
import { loadGatewayConfig } from "./config.ts";
import { startGateway } from "./service.ts";

const config = configOrExit(() => loadGatewayConfig());
const logger = createLogger({ service: "gateway", level: config.SILTA_LOG_LEVEL });
const shutdown = createShutdown(logger);
const gateway = await startGateway(config, logger);
shutdown.add("gateway", () => gateway.stop());
