// Starts the real consent service and referrals replicas in-process on free ports.
import { randomBytes } from "node:crypto";
import { credentials } from "@grpc/grpc-js";
import { ReferralServiceClient } from "@silta/contracts/referrals/v1/referrals.ts";
import { proveCallsOf } from "@silta/grpc";
import type { Identity, Logger } from "@silta/platform";
import { callers, sharedTestIdentities, testEnv } from "@silta/testing";
import { loadConsentConfig } from "../../../consent/src/config.ts";
import { startConsentService } from "../../../consent/src/service.ts";
import type { Clock } from "../../src/app/ports.ts";
import { loadReferralsConfig } from "../../src/config.ts";
import { startReferralsService } from "../../src/service.ts";

export const PSEUDONYM_KEY = Buffer.alloc(32, 7).toString("base64");
/** This test run's own education topic: other test files produce to theirs at the same time. */
export const EDUCATION_TOPIC = `municipal.education.${randomBytes(4).toString("hex")}.v1`;

export async function startConsent(databaseUrl: string, logger: Logger) {
  const ids = await sharedTestIdentities();
  return startConsentService(
    loadConsentConfig({
      SILTA_GRPC_PORT: "0",
      SILTA_ADMIN_PORT: "0",
      SILTA_DATABASE_URL: databaseUrl,
      SILTA_KAFKA_BROKERS: testEnv.kafkaBrokers.join(","),
      ...ids.env(),
    }),
    logger,
    { host: "127.0.0.1" },
  );
}

export async function startReferrals(databaseUrl: string, consentPort: number, logger: Logger, clock: Clock, consumerGroup: string) {
  const ids = await sharedTestIdentities();
  const config = loadReferralsConfig({
    // The service proves its own calls to consent with its own key.
    ...ids.env("referrals"),
    SILTA_GRPC_PORT: "0",
    SILTA_ADMIN_PORT: "0",
    SILTA_DATABASE_URL: databaseUrl,
    SILTA_KAFKA_BROKERS: testEnv.kafkaBrokers.join(","),
    SILTA_CONSENT_ADDRESS: `127.0.0.1:${consentPort}`,
    SILTA_AREA_CODE: "13",
    SILTA_PSEUDONYM_KEY: PSEUDONYM_KEY,
    SILTA_LOG_LEVEL: "debug",
    SILTA_REFERRALS_DEADLINE_INTERVAL_MS: "3600000",
    // Small batches, so the watcher test goes through several (the file's other referrals are due too).
    SILTA_REFERRALS_DEADLINE_BATCH: "3",
    SILTA_EDUCATION_TOPIC: EDUCATION_TOPIC,
  });
  const service = await startReferralsService(config, logger, { clock, host: "127.0.0.1", consumerGroup });
  // Calls as the tests' development gateway, which may assert any organisation.
  const client = proveCallsOf(new ReferralServiceClient(`127.0.0.1:${service.grpcPort}`, credentials.createInsecure()), {
    prover: ids.prover.gateway,
    audience: "silta-referrals",
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

export const teacher: Identity = callers.teacher;
export const kuopioWorker: Identity = callers.worker13;
export const espooWorker: Identity = callers.worker03;
