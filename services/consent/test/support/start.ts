// Starts consent service replicas in-process on free ports against the real servers.
import { ConsentServiceClient } from "@silta/contracts/consent/v1/consent.ts";
import type { Logger } from "@silta/platform";
import { startServiceForTest } from "@silta/testing";
import { consentService } from "../../src/service.ts";

export async function startReplica(databaseUrl: string, logger: Logger, env: Record<string, string> = {}) {
  const service = await startServiceForTest(
    consentService,
    { SILTA_DATABASE_URL: databaseUrl, SILTA_CONSENT_EXPIRY_INTERVAL_MS: "200", SILTA_CONSENT_AUDIT_CHAIN_INTERVAL_MS: "50", ...env },
    { logger },
  );
  // Calls as the tests' development gateway, which may assert any organisation.
  return { service, client: service.client(ConsentServiceClient), stop: () => service.stop() };
}
