// Starts consent service replicas in-process on free ports against the real servers.
import { credentials } from "@grpc/grpc-js";
import { ConsentServiceClient } from "@silta/contracts/consent/v1/consent.ts";
import type { Logger } from "@silta/platform";
import { testEnv } from "@silta/testing";
import { loadConsentConfig } from "../../src/config.ts";
import { startConsentService } from "../../src/service.ts";

export async function startReplica(databaseUrl: string, logger: Logger, env: Record<string, string> = {}) {
  const config = loadConsentConfig({
    SILTA_GRPC_PORT: "0",
    SILTA_ADMIN_PORT: "0",
    SILTA_DATABASE_URL: databaseUrl,
    SILTA_KAFKA_BROKERS: testEnv.kafkaBrokers.join(","),
    SILTA_LOG_LEVEL: "debug",
    SILTA_CONSENT_EXPIRY_INTERVAL_MS: "200",
    SILTA_CONSENT_AUDIT_CHAIN_INTERVAL_MS: "50",
    ...env,
  });
  const service = await startConsentService(config, logger, { host: "127.0.0.1" });
  const client = new ConsentServiceClient(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure());
  return {
    service,
    client,
    async stop() {
      client.close();
      await service.stop();
    },
  };
}
