import {
  env,
  grpcTlsConfigShape,
  identitySigningConfigShape,
  identityTrustConfigShape,
  kafkaConfigShape,
  listenConfigShape,
  loadConfig,
  outboxConfigShape,
} from "@silta/platform";
import { z } from "zod";

export const configShape = {
  SILTA_GRPC_PORT: env.port(50052),
  SILTA_ADMIN_PORT: env.port(9102),
  SILTA_DATABASE_URL: env.url(),
  ...kafkaConfigShape,
  ...grpcTlsConfigShape,
  ...listenConfigShape,
  ...outboxConfigShape,
  ...identityTrustConfigShape("silta-referrals"),
  ...identitySigningConfigShape,
  SILTA_LOG_LEVEL: env.logLevel(),
  /** The consent service of this wellbeing area (host:port). */
  SILTA_CONSENT_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, "host:port"),
  /** The audience the consent service verifies identity proofs for (its SILTA_IDENTITY_AUDIENCE). */
  SILTA_CONSENT_AUDIENCE: z.string().min(1).default("silta-consent"),
  /** The area this deployment runs for (its identity towards consent, its ce_source). */
  SILTA_AREA_CODE: z.string().regex(/^(0[1-9]|1\d|2[01]|90|91)$/, "a wellbeing-area code"),
  /** Base64 key (≥ 32 bytes) of the area's keyed-HMAC pseudonyms. A secret. */
  SILTA_PSEUDONYM_KEY: z
    .string()
    .transform((s) => Buffer.from(s, "base64"))
    .refine((b) => b.length >= 32, "must be base64 of at least 32 bytes"),
  SILTA_REFERRALS_EVES_OFF: env.bool(true),
  SILTA_REFERRALS_URGENCY_HOURS: env.int(24, 1),
  SILTA_REFERRALS_LINK_WINDOW_DAYS: env.int(365, 1),
  SILTA_REFERRALS_AT_RISK_LEAD_HOURS: env.int(48, 1),
  SILTA_REFERRALS_DEADLINE_INTERVAL_MS: env.int(60_000, 50),
  /** Alerts claimed and announced per transaction by the deadline watcher. */
  SILTA_REFERRALS_DEADLINE_BATCH: env.int(500, 1),
  SILTA_DB_POOL_SIZE: env.int(20, 1),
  /** The topic of school and early-education events (a prefixed name on a shared cluster; tests use their own). */
  SILTA_EDUCATION_TOPIC: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,200}$/, "a topic name")
    .default("municipal.education.v1"),
};

export type Config = ReturnType<typeof loadReferralsConfig>;
export const loadReferralsConfig = (e: Record<string, string | undefined> = process.env) => loadConfig(configShape, e);
