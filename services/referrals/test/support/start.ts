// Starts the real consent service and referrals replicas in-process on free ports (the system
// tests' helpers: @silta/tests/chain).
import { randomBytes } from "node:crypto";
import { ReferralServiceClient } from "@silta/contracts/referrals/v1/referrals.ts";
import type { Identity, Logger } from "@silta/platform";
import { callers, testTopic } from "@silta/testing";
import { startConsent as startConsentService, startReferrals as startReferralsService } from "@silta/tests/chain";
import type { Clock } from "../../src/app/ports.ts";

export const PSEUDONYM_KEY = Buffer.alloc(32, 7).toString("base64");
/** This test run's own education topic (as configured; on the cluster it is EDUCATION_TOPIC, in the file's namespace). */
const EDUCATION_TOPIC_NAME = `municipal.education.${randomBytes(4).toString("hex")}.v1`;
export const EDUCATION_TOPIC = testTopic(EDUCATION_TOPIC_NAME);

export const startConsent = (databaseUrl: string, logger: Logger) => startConsentService(databaseUrl, logger);

export async function startReferrals(databaseUrl: string, consentPort: number, logger: Logger, clock: Clock, consumerGroup: string) {
  const service = await startReferralsService(
    databaseUrl,
    consentPort,
    logger,
    {
      SILTA_PSEUDONYM_KEY: PSEUDONYM_KEY,
      SILTA_REFERRALS_DEADLINE_INTERVAL_MS: "3600000",
      // Small batches, so the watcher test goes through several (the file's other referrals are due too).
      SILTA_REFERRALS_DEADLINE_BATCH: "3",
      SILTA_EDUCATION_TOPIC: EDUCATION_TOPIC_NAME,
    },
    { clock, consumerGroup },
  );
  // Calls as the tests' development gateway, which may assert any organisation.
  return { service, client: service.client(ReferralServiceClient), stop: () => service.stop() };
}

export const teacher: Identity = callers.teacher;
export const kuopioWorker: Identity = callers.worker13;
export const espooWorker: Identity = callers.worker03;
