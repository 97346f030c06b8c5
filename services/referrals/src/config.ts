// The referrals service's configuration: the common parts (serviceConfig of @silta/host) and its own.

import { EDUCATION_TOPIC } from "@silta/contracts/events";
import { env, type ServiceConfig, serviceConfig, topicNameVariable } from "@silta/host";
import { AREA_CODE, loadConfig, pseudonymConfigShape } from "@silta/platform";
import { z } from "zod";

export const configShape = serviceConfig(
  "referrals",
  { grpcPort: 50052, adminPort: 9102, outbox: true, callsServices: true },
  {
    ...pseudonymConfigShape,
    /** The consent service of this wellbeing area (host:port). */
    SILTA_CONSENT_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, "host:port"),
    /** The audience the consent service verifies identity proofs for (its SILTA_IDENTITY_AUDIENCE). */
    SILTA_CONSENT_AUDIENCE: z.string().min(1).default("silta-consent"),
    /** The area this deployment runs for (its identity towards consent, its ce_source). */
    SILTA_AREA_CODE: z.string().regex(AREA_CODE, "a wellbeing-area code"),
    SILTA_REFERRALS_EVES_OFF: env.bool(true),
    SILTA_REFERRALS_URGENCY_HOURS: env.int(24, 1),
    SILTA_REFERRALS_LINK_WINDOW_DAYS: env.int(365, 1),
    SILTA_REFERRALS_AT_RISK_LEAD_HOURS: env.int(48, 1),
    SILTA_REFERRALS_DEADLINE_INTERVAL_MS: env.int(60_000, 50),
    /** Alerts claimed and announced per transaction by the deadline watcher. */
    SILTA_REFERRALS_DEADLINE_BATCH: env.int(500, 1),
    /** The topic of school and early-education events (a prefixed name on a shared cluster; tests use their own). */
    SILTA_EDUCATION_TOPIC: topicNameVariable(EDUCATION_TOPIC.name),
  },
);

export type Config = ServiceConfig<typeof configShape>;
export const loadReferralsConfig = (e: Record<string, string | undefined> = process.env): Config => loadConfig(configShape, e);
