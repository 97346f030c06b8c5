// Starts consent service replicas in-process on free ports against the real servers.
import { credentials } from "@grpc/grpc-js";
import { ConsentServiceClient } from "@silta/contracts/consent/v1/consent.ts";
import { proveCallsOf } from "@silta/grpc";
import type { Logger } from "@silta/platform";
import { sharedTestIdentities, testEnv } from "@silta/testing";
import { loadConsentConfig } from "../../src/config.ts";
import { startConsentService } from "../../src/service.ts";

export async function startReplica(databaseUrl: string, logger: Logger, env: Record<string, string> = {}) {
  const ids = await sharedTestIdentities();
  const config = loadConsentConfig({
    SILTA_GRPC_PORT: "0",
    SILTA_ADMIN_PORT: "0",
    SILTA_DATABASE_URL: databaseUrl,
    SILTA_KAFKA_BROKERS: testEnv.kafkaBrokers.join(","),
    SILTA_LOG_LEVEL: "debug",
    SILTA_CONSENT_EXPIRY_INTERVAL_MS: "200",
    SILTA_CONSENT_AUDIT_CHAIN_INTERVAL_MS: "50",
    ...ids.env(),
    ...env,
  });
  const service = await startConsentService(config, logger, { host: "127.0.0.1" });
  // Calls as the tests' development gateway, which may assert any organisation.
  const client = proveCallsOf(new ConsentServiceClient(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure()), {
    prover: ids.prover.gateway,
    audience: "silta-consent",
  });
  return {
    service,
    client,
    async stop() {
      client.close();
      await service.stop();
    },
  };
}
